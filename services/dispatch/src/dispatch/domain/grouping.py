"""Which provider requests carry which messages.

Firetext takes up to 50 numbers in one request for one text (reference/firetext.md §1), so
recipients of a campaign whose rendered texts are byte-identical go out together: fewer
requests, and one reference the receipts carry back. Firetext gives every number of a request
the same ``reference``, so a receipt is matched to its recipient by reference *and* number:
a number therefore appears at most once per request (two patients sharing a phone go in
separate requests), and a message whose number cannot be read goes alone, to be refused alone."""

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cohort_contracts.sending import OutboundMessage

#: Firetext's limit of numbers per request.
MAX_NUMBERS_PER_REQUEST = 50
GROUP_REFERENCE_PREFIX = "g-"


@dataclass(frozen=True)
class ProviderRequest:
    """One call to the provider: one text to one or more recipients, under one reference. A
    request to one recipient uses its recipient id as the reference, so its receipt names it."""

    reference: str
    messages: tuple[OutboundMessage, ...]

    @property
    def body(self) -> str:
        return self.messages[0].body

    @property
    def is_group(self) -> bool:
        return len(self.messages) > 1


def single(message: OutboundMessage) -> ProviderRequest:
    return ProviderRequest(message.recipient_id, (message,))


def new_group_reference() -> str:
    return f"{GROUP_REFERENCE_PREFIX}{uuid.uuid4().hex}"


def is_group_reference(reference: str) -> bool:
    return reference.startswith(GROUP_REFERENCE_PREFIX)


@dataclass
class _Forming:
    messages: list[OutboundMessage]
    numbers: set[str]


def group_identical(
    messages: Sequence[OutboundMessage],
    *,
    number_of: Callable[[str], str | None],
    max_size: int = MAX_NUMBERS_PER_REQUEST,
    new_reference: Callable[[], str] = new_group_reference,
) -> list[ProviderRequest]:
    """Requests for ``messages`` in first-seen order: identical texts together, at most
    ``max_size`` per request and each number once per request. ``number_of`` gives the number
    as the provider will see it, or ``None`` if it cannot be read."""
    by_body: dict[str, list[_Forming]] = {}
    order: list[_Forming] = []
    for message in messages:
        number = number_of(message.to)
        if number is None or max_size < 2:
            order.append(_Forming([message], set()))
            continue
        forming = by_body.setdefault(message.body, [])
        home = next(
            (g for g in forming if len(g.messages) < max_size and number not in g.numbers), None
        )
        if home is None:
            home = _Forming([], set())
            forming.append(home)
            order.append(home)
        home.messages.append(message)
        home.numbers.add(number)
    return [
        ProviderRequest(new_reference(), tuple(g.messages))
        if len(g.messages) > 1
        else single(g.messages[0])
        for g in order
    ]
