"""What an ingest event carries over from the campaign command it answers: the user action it
belongs to, the organisation and the campaign (the rest it names itself: a list's batch, a
re-check's batch)."""

from typing import TypedDict
from uuid import UUID

from cohort_contracts.ingest import RecheckPatients, ResolveRows


class Answer(TypedDict):
    correlation_id: UUID
    org_id: str
    campaign_id: UUID


def answer_to(command: ResolveRows | RecheckPatients) -> Answer:
    return Answer(
        correlation_id=command.correlation_id,
        org_id=command.org_id,
        campaign_id=command.campaign_id,
    )
