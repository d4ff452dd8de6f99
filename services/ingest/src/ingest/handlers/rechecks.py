"""Use case: look recipients up in PDS again just before they are sent (campaign asks when their
list was resolved long ago). Through the same directory as uploads, so the deployment's shared
PDS rate limit covers re-checks too."""

import logging
from collections import Counter

from cohort_contracts.ingest import (
    PatientsRechecked,
    RecheckItem,
    RecheckOutcome,
    RecheckPatients,
    ResolvedPatient,
)
from cohort_contracts.vocabulary import UploadReason

from ..domain.eligibility import reassess
from ..ports import LookupContext
from .answers import answer_to
from .deps import Dependencies
from .lookups import look_up_all

# The logger's name is older than this module; dashboards and alerts filter on it.
log = logging.getLogger("ingest.rechecks")


def _outcome(item: RecheckItem, result: ResolvedPatient | UploadReason) -> RecheckOutcome:
    if isinstance(result, UploadReason):
        return RecheckOutcome(recipient_id=item.recipient_id, reason_code=result)
    return RecheckOutcome(
        recipient_id=item.recipient_id,
        contact=result.contact,
        language=result.language,
        interpreter_required=result.interpreter_required,
    )


async def recheck_patients(command: RecheckPatients, deps: Dependencies) -> PatientsRechecked:
    """Idempotent as ``resolve_rows``: a redelivered command publishes the same outcomes."""
    today = deps.clock.today()
    context = LookupContext(correlation_id=str(command.correlation_id), org_id=command.org_id)
    found = await look_up_all(deps.directory, (item.nhs_number for item in command.items), context)
    outcomes = []
    for item in command.items:
        patient = found[item.nhs_number]
        result = (
            patient
            if isinstance(patient, UploadReason)
            else reassess(patient, channel=item.channel, today=today)
        )
        outcomes.append(_outcome(item, result))
    event = PatientsRechecked(**answer_to(command), batch_id=command.batch_id, outcomes=outcomes)
    await deps.publisher.patients_rechecked(event)
    reasons = Counter(str(o.reason_code) for o in outcomes if o.reason_code is not None)
    changed = sum(
        1
        for item, o in zip(command.items, outcomes, strict=True)
        if o.contact is not None and o.contact != item.contact
    )
    log.info(
        "recipients rechecked",
        extra={
            "message_id": str(command.message_id),
            "campaign_id": str(command.campaign_id),
            "recipients": len(outcomes),
            "contact_changed": changed,
            "excluded_by_reason": dict(reasons),
        },
    )
    return event
