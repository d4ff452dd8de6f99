from datetime import date

import pytest

from cohort_contracts.ingest import ResolvedPatient
from cohort_contracts.vocabulary import UploadReason
from ingest.domain.patient import parse_patient
from ingest.handlers import Dependencies, resolve_rows

from ..builders import make_command, make_row
from ..fakes import FakePatientDirectory, FakePublisher, FixedClock
from ..fhir import NHS_NUMBER, SUPERSEDING_NHS_NUMBER, make_patient, security

DECEASED = "9434765919"
RESTRICTED = "9111231130"
SUPERSEDED = "4010232137"
UNAVAILABLE = "9990003343"
UNKNOWN = "9727194737"


@pytest.fixture
def directory() -> FakePatientDirectory:
    return FakePatientDirectory(
        records={
            NHS_NUMBER: parse_patient(make_patient()),
            DECEASED: parse_patient(make_patient(id=DECEASED, deceasedDateTime="2024-01-01")),
            RESTRICTED: parse_patient(make_patient(id=RESTRICTED, meta=security("R"))),
            SUPERSEDED: parse_patient(make_patient(id=SUPERSEDING_NHS_NUMBER)),
            UNAVAILABLE: UploadReason.PDS_UNAVAILABLE,
        }
    )


@pytest.fixture
def deps(directory: FakePatientDirectory, clock: FixedClock) -> Dependencies:
    return Dependencies(directory=directory, publisher=FakePublisher(), clock=clock)


async def test_every_row_gets_an_outcome_in_row_order(
    deps: Dependencies, directory: FakePatientDirectory
) -> None:
    rows = [
        make_row(1, NHS_NUMBER),
        make_row(2, ""),
        make_row(3, "9000000000"),
        make_row(4, NHS_NUMBER, ""),
        make_row(5, NHS_NUMBER, "29/02/80"),
        make_row(6, UNKNOWN),
        make_row(7, NHS_NUMBER, "01/01/1990"),
        make_row(8, DECEASED),
        make_row(9, RESTRICTED),
        make_row(10, UNAVAILABLE),
        make_row(11, SUPERSEDED),
    ]
    command = make_command(rows)

    event = await resolve_rows(command, deps)

    assert [o.row_number for o in event.outcomes] == list(range(1, 12))
    assert [o.cells for o in event.outcomes] == [r.cells for r in rows]
    assert [o.reason_code for o in event.outcomes] == [
        None,
        UploadReason.MISSING_NHS_NUMBER,
        UploadReason.INVALID_NHS_NUMBER,
        UploadReason.MISSING_DATE_OF_BIRTH,
        UploadReason.INVALID_DATE_OF_BIRTH,
        UploadReason.NOT_FOUND,
        UploadReason.DATE_OF_BIRTH_MISMATCH,
        UploadReason.DECEASED,
        UploadReason.RESTRICTED_RECORD,
        UploadReason.PDS_UNAVAILABLE,
        None,
    ]
    assert event.outcomes[0].patient == ResolvedPatient(
        nhs_number=NHS_NUMBER,
        given_name="Ann",
        family_name="Example",
        contact="447700900123",
        birth_date=date(1980, 2, 29),
    )
    assert event.outcomes[10].patient is not None
    assert event.outcomes[10].patient.nhs_number == SUPERSEDING_NHS_NUMBER
    assert deps.publisher.published == [event]  # type: ignore[attr-defined]


async def test_event_carries_the_batch_identity(deps: Dependencies) -> None:
    command = make_command([make_row(1, NHS_NUMBER)], channel="email", batch_number=7)
    event = await resolve_rows(command, deps)
    assert (
        event.correlation_id,
        event.org_id,
        event.campaign_id,
        event.list_id,
        event.channel,
        event.batch_number,
    ) == (
        command.correlation_id,
        command.org_id,
        command.campaign_id,
        command.list_id,
        "email",
        7,
    )
    assert event.message_id != command.message_id


async def test_pds_is_asked_once_per_distinct_valid_number_with_the_batch_context(
    deps: Dependencies, directory: FakePatientDirectory
) -> None:
    command = make_command(
        [make_row(1, NHS_NUMBER), make_row(2, "900 000 0009"), make_row(3, "bad")]
    )
    event = await resolve_rows(command, deps)
    assert [o.reason_code for o in event.outcomes] == [None, None, UploadReason.INVALID_NHS_NUMBER]
    [(number, context)] = directory.lookups
    assert number == NHS_NUMBER
    assert context.correlation_id == str(command.correlation_id)
    assert context.org_id == "A81001"


async def test_email_channel_failure_reason(
    deps: Dependencies, directory: FakePatientDirectory
) -> None:
    directory.records[NHS_NUMBER] = parse_patient(make_patient(telecom=[]))
    event = await resolve_rows(make_command([make_row(1, NHS_NUMBER)], channel="email"), deps)
    assert event.outcomes[0].reason_code is UploadReason.NO_EMAIL_ADDRESS


async def test_same_batch_twice_gives_the_same_outcomes(deps: Dependencies) -> None:
    command = make_command([make_row(1, NHS_NUMBER), make_row(2, DECEASED), make_row(3, "")])
    first = await resolve_rows(command, deps)
    second = await resolve_rows(command, deps)
    assert first.outcomes == second.outcomes


async def test_publish_failure_raises_so_the_batch_is_redelivered(
    directory: FakePatientDirectory,
) -> None:
    deps = Dependencies(directory, FakePublisher(failures=1), FixedClock(date(2026, 11, 27)))
    with pytest.raises(ConnectionError):
        await resolve_rows(make_command([make_row(1, NHS_NUMBER)]), deps)


async def test_empty_batch_publishes_an_empty_outcome_list(deps: Dependencies) -> None:
    event = await resolve_rows(make_command([]), deps)
    assert event.outcomes == []
