"""Language and interpreter needs from PDS are kept with each recipient and shown to staff: per
patient, and counted in the review."""

from campaign.handlers import campaigns, lists, reads
from campaign.handlers.deps import Deps
from campaign.ports.recipients import RecipientListing
from cohort_contracts.campaign_requests import GetRecipient, GetReview
from cohort_contracts.campaign_views import LanguageNeedCount
from cohort_contracts.ingest import RowOutcome

from ..builders import ORG, outcome, rows_resolved
from .helpers import new_campaign, register, req, write_message


def _with_language(row: int, language: str | None, interpreter: bool = False) -> RowOutcome:
    resolved = outcome(row)
    assert resolved.patient is not None
    patient = resolved.patient.model_copy(
        update={"language": language, "interpreter_required": interpreter}
    )
    return resolved.model_copy(update={"patient": patient})


async def test_the_review_counts_language_needs_and_each_patient_shows_theirs(deps: Deps) -> None:
    campaign = await new_campaign(deps)
    list_id = await register(deps, campaign.id, 5)
    outcomes = [
        _with_language(1, "Polish", True),
        _with_language(2, "Polish", False),
        _with_language(3, "British Sign Language", True),
        _with_language(4, None),
        _with_language(5, None),
    ]
    await lists.record_resolved_rows(rows_resolved(campaign.id, list_id, outcomes), deps)
    await write_message(deps, campaign.id, "Hi")

    review = await campaigns.get_review(req(GetReview, actor="u", campaign_id=campaign.id), deps)
    assert review.language_needs == [
        LanguageNeedCount(language="Polish", count=2, interpreter_required=1),
        LanguageNeedCount(language="British Sign Language", count=1, interpreter_required=1),
    ]
    page = await deps.recipients.page(RecipientListing(ORG, campaign.id), 0, 10)
    first = next(r for r in page[0] if r.row_number == 1)
    view = await reads.get_recipient(
        req(GetRecipient, actor="u", campaign_id=campaign.id, recipient_id=first.id), deps
    )
    assert (view.language, view.interpreter_required) == ("Polish", True)
