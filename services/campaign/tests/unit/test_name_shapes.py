"""A message's size depends on a patient only through the shapes of their names: stand-in
names of the same shape give exactly the same size, whatever the characters."""

import random

import pytest

from campaign.domain.rendering import Personalisation, render
from campaign.domain.review import NameShape, measure, names_key, stand_in_names

LETTERS = "abcdefghijklmnopqrstuvwxyz ÉéüÅÑ-'" + "[]{}~^|€\\" + "łŁżźćńŌ" + "😀🏥"
TEMPLATES = [
    "Dear ((first_name)) ((last_name)), your flu jab is due.",
    "((first_name)), " + "please book. " * 11,
    "Hi ((first_name))! ((first_name)) ((last_name)) is registered at ((practice_name)).",
    "((last_name))" * 3 + " {reply} " + "x" * 140,
]


def name(rng: random.Random) -> str:
    return "".join(rng.choice(LETTERS) for _ in range(rng.randint(0, 20)))


@pytest.mark.parametrize("seed", range(40))
def test_stand_in_names_give_exactly_the_real_size(seed: int) -> None:
    rng = random.Random(seed)
    given, family = name(rng), name(rng)
    stand_given, stand_family = stand_in_names(names_key(given, family))
    for template in TEMPLATES:
        real = render(template, Personalisation(given, family, "Riverside Surgery"))
        stand = render(template, Personalisation(stand_given, stand_family, "Riverside Surgery"))
        assert measure("sms", stand) == measure("sms", real), (given, family, template)


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ("", NameShape(0, 0, True)),
        ("Ann", NameShape(3, 3, True)),
        ("O'Brien-€", NameShape(10, 9, True)),  # € counts two septets, one UTF-16 unit
        ("Łucja", NameShape(0, 5, False)),
        ("Zoë😀", NameShape(0, 5, False)),  # an emoji is two UTF-16 units
    ],
)
def test_a_names_shape(text: str, shape: NameShape) -> None:
    assert NameShape.of(text) == shape
    assert NameShape.of(shape.stand_in()) == shape
