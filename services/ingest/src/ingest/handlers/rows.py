"""Use case: resolve one batch of uploaded rows and publish an outcome for every row."""

import logging
from collections import Counter
from collections.abc import Mapping
from datetime import date

from prometheus_client import Counter as MetricCounter

from cohort_contracts.ingest import ResolvedPatient, ResolveRows, RowOutcome, RowsResolved
from cohort_contracts.vocabulary import Channel, UploadReason

from ..domain.eligibility import assess
from ..domain.patient import PdsPatient
from ..domain.rows import ValidRow, validate_row
from ..ports import LookupContext
from .answers import answer_to
from .deps import Dependencies
from .lookups import look_up_all

# The logger's name is older than this module; dashboards and alerts filter on it.
log = logging.getLogger("ingest.handlers")

RESOLVED = "resolved"

# Labels are 'resolved' or a reason code, never row data (DESIGN §4). Every label value is
# created at import, so each series exists at zero before its first event.
ROWS_RESOLVED = MetricCounter(
    "ingest_rows_resolved",
    "Rows ingest has reported on, by outcome: 'resolved' or the row's reason code. A redelivered "
    "batch is counted again.",
    ["outcome"],
)
for _outcome in [
    RESOLVED,
    *(r.value for r in UploadReason if r is not UploadReason.DUPLICATE_PATIENT),
]:
    ROWS_RESOLVED.labels(outcome=_outcome)


def count_rows(outcomes: dict[str, int]) -> None:
    for outcome, rows in outcomes.items():
        ROWS_RESOLVED.labels(outcome=outcome).inc(rows)


def _result(
    checked: ValidRow | UploadReason,
    found: Mapping[str, PdsPatient | UploadReason],
    channel: Channel,
    today: date,
) -> ResolvedPatient | UploadReason:
    if isinstance(checked, UploadReason):
        return checked
    patient = found[checked.nhs_number]
    if isinstance(patient, UploadReason):
        return patient
    return assess(patient, date_of_birth=checked.date_of_birth, channel=channel, today=today)


async def resolve_rows(command: ResolveRows, deps: Dependencies) -> RowsResolved:
    """Idempotent: the outcome depends only on the batch, PDS and today's date, so a redelivered
    batch publishes the same outcomes again and campaign keeps one per (list_id, row_number)."""
    today = deps.clock.today()
    context = LookupContext(correlation_id=str(command.correlation_id), org_id=command.org_id)
    checked = [validate_row(row.nhs_number, row.date_of_birth, today) for row in command.rows]
    numbers = (c.nhs_number for c in checked if isinstance(c, ValidRow))
    found = await look_up_all(deps.directory, numbers, context)

    outcomes: list[RowOutcome] = []
    for row, check in zip(command.rows, checked, strict=True):
        result = _result(check, found, command.channel, today)
        if isinstance(result, UploadReason):
            outcome = RowOutcome(row_number=row.row_number, cells=row.cells, reason_code=result)
        else:
            outcome = RowOutcome(row_number=row.row_number, cells=row.cells, patient=result)
        outcomes.append(outcome)

    event = RowsResolved(
        **answer_to(command),
        list_id=command.list_id,
        channel=command.channel,
        batch_number=command.batch_number,
        outcomes=outcomes,
    )
    await deps.publisher.rows_resolved(event)
    failures = Counter(str(o.reason_code) for o in outcomes if o.reason_code is not None)
    count_rows({RESOLVED: len(outcomes) - failures.total(), **failures})
    log.info(
        "batch resolved",
        extra={
            "message_id": str(command.message_id),
            "correlation_id": str(command.correlation_id),
            "list_id": str(command.list_id),
            "batch_number": command.batch_number,
            "rows": len(outcomes),
            "resolved": len(outcomes) - failures.total(),
            "failed_by_reason": dict(failures),
        },
    )
    return event
