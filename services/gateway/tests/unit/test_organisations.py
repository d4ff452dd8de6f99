"""The organisations file: loaded and checked at start; who reads and acts for whom."""

from pathlib import Path

import pytest

from cohort_testing.organisations import (
    NETWORK_A,
    NETWORK_B,
    ORGANISATIONS,
    PRACTICE_A,
    PRACTICE_A2,
    PRACTICE_B,
    write_organisations,
)
from gateway import __main__ as entry
from gateway.adapters.organisations_file import OrganisationsInvalid, read_organisations_file
from gateway.domain.organisations import NotAMember, Organisations, PracticeNotNamed
from gateway.entrypoints.app import create_app

from ..conftest import gateway_settings


def test_members_and_scopes(tmp_path: Path) -> None:
    organisations = read_organisations_file(write_organisations(tmp_path))

    assert organisations.members == {NETWORK_A: (PRACTICE_A, PRACTICE_A2), NETWORK_B: (PRACTICE_B,)}
    assert organisations.readable_by(NETWORK_A) == (PRACTICE_A, PRACTICE_A2)
    assert organisations.readable_by(PRACTICE_A) == (PRACTICE_A,)
    assert organisations.readable_by("C83003") == ("C83003",)  # not listed: a lone practice


def test_who_acts_for_whom(tmp_path: Path) -> None:
    organisations = read_organisations_file(write_organisations(tmp_path))

    assert organisations.acting_for(PRACTICE_A, None) == PRACTICE_A
    assert organisations.acting_for(PRACTICE_A, PRACTICE_A) == PRACTICE_A
    assert organisations.acting_for(NETWORK_A, PRACTICE_A2) == PRACTICE_A2
    with pytest.raises(PracticeNotNamed):
        organisations.acting_for(NETWORK_A, None)
    for org, named in [
        (NETWORK_A, PRACTICE_B),
        (NETWORK_A, NETWORK_A),
        (PRACTICE_A, PRACTICE_A2),
        (PRACTICE_A, NETWORK_A),
    ]:
        with pytest.raises(NotAMember):
            organisations.acting_for(org, named)


def test_without_a_file_every_org_is_a_lone_practice() -> None:
    organisations = Organisations()

    assert organisations.readable_by(NETWORK_A) == (NETWORK_A,)
    assert organisations.acting_for(NETWORK_A, None) == NETWORK_A


def test_extra_fields_are_allowed_as_campaign_reads_the_same_file(tmp_path: Path) -> None:
    content = {
        "organisations": [{"ods": PRACTICE_A, "name": "S", "network": NETWORK_A, "phone": "x"}],
        "networks": [{"ods": NETWORK_A, "name": "N", "sender_id": "ExamplePCN"}],
    }

    assert read_organisations_file(write_organisations(tmp_path, content)).is_network(NETWORK_A)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            {"organisations": [{"ods": PRACTICE_A, "name": "S", "network": "U00000"}]},
            "networks not in 'networks': U00000",
        ),
        (
            {
                "organisations": [{"ods": PRACTICE_A, "name": "S"}],
                "networks": [{"ods": PRACTICE_A, "name": "N"}],
            },
            "more than once: A81001",
        ),
        ({"organisations": [{"ods": "a81001", "name": "S"}]}, "organisations.0.ods"),
        ({"organisations": [{"ods": PRACTICE_A}]}, "organisations.0.name"),
        ({"organisations": "A81001"}, "organisations"),
        ("{not json", "not JSON"),
    ],
    ids=["unknown-network", "duplicate", "bad-ods", "no-name", "not-a-list", "not-json"],
)
def test_a_bad_file_is_refused_saying_why(tmp_path: Path, content: object, problem: str) -> None:
    with pytest.raises(OrganisationsInvalid, match=problem):
        read_organisations_file(write_organisations(tmp_path, content))


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OrganisationsInvalid, match="cannot read"):
        read_organisations_file(tmp_path / "nowhere.json")


async def test_the_gateway_does_not_start_with_a_bad_file(tmp_path: Path) -> None:
    bad = {"organisations": [{"ods": PRACTICE_A, "name": "S", "network": "U00000"}]}
    app = create_app(
        gateway_settings(organisations_file=write_organisations(tmp_path, bad)),
        configure_logs=False,
    )

    with pytest.raises(OrganisationsInvalid, match="U00000"):
        async with app.router.lifespan_context(app):
            pass


def test_python_m_gateway_exits_naming_the_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = {**ORGANISATIONS, "networks": []}
    monkeypatch.setenv("GATEWAY_ORGANISATIONS_FILE", str(write_organisations(tmp_path, bad)))
    served: list[object] = []
    monkeypatch.setattr("gateway.__main__.uvicorn.run", lambda *a, **k: served.append(a))

    with pytest.raises(SystemExit) as exited:
        entry.main()

    assert "GATEWAY_ORGANISATIONS_FILE" in str(exited.value.code)
    assert "U12345" in str(exited.value.code)
    assert served == []
