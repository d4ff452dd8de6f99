"""A questionnaire campaign's responses as CSV, one row per patient (a column per question),
and as one FHIR Bundle; both read from campaign a page at a time and streamed as they are read,
so a campaign's tens of thousands of responses are never all in the gateway's memory."""

import json
from collections.abc import AsyncIterator
from uuid import UUID

from cohort_contracts.patient_links import ListQuestionnaireResponses, QuestionnaireResponsesPage

from ..domain.caller import Caller
from ..ports import CampaignClient, expect
from .csv_text import BOM, as_text, encode_rows
from .cursor_pages import pages_from

PAGE_SIZE = 500


async def fetch_responses(
    campaign: CampaignClient,
    caller: Caller,
    campaign_id: UUID,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    after: str | None = None,
) -> QuestionnaireResponsesPage:
    """One page of the campaign's responses, by number or after a cursor; the downloads read
    pages of ``PAGE_SIZE``."""
    request = ListQuestionnaireResponses(
        **caller.envelope(), campaign_id=campaign_id, page=page, page_size=page_size, after=after
    )
    return expect(await campaign.request(request), QuestionnaireResponsesPage)


def every_page(
    campaign: CampaignClient,
    caller: Caller,
    campaign_id: UUID,
    first_page: QuestionnaireResponsesPage,
) -> AsyncIterator[QuestionnaireResponsesPage]:
    """The campaign's responses, a page at a time from ``first_page`` on (see ``pages_from``)."""

    async def read_after(cursor: str) -> QuestionnaireResponsesPage:
        return await fetch_responses(campaign, caller, campaign_id, after=cursor)

    return pages_from(first_page, read_after)


async def questionnaire_responses_csv(
    campaign: CampaignClient,
    caller: Caller,
    campaign_id: UUID,
    first_page: QuestionnaireResponsesPage,
) -> AsyncIterator[str]:
    """Columns: nhs_number, given_name, family_name, authored, then one per question (its
    text); several answers joined with '; '."""
    questions = first_page.questionnaire.questions
    yield BOM + encode_rows(
        [["nhs_number", "given_name", "family_name", "authored", *[q.text for q in questions]]]
    )
    async for page in every_page(campaign, caller, campaign_id, first_page):
        rows = []
        for item in page.items:
            answers = {i.link_id: "; ".join(i.answers) for i in item.response.items}
            rows.append(
                [
                    item.nhs_number,
                    as_text(item.given_name),
                    as_text(item.family_name),
                    item.response.authored.isoformat(),
                    *[as_text(answers.get(q.link_id, "")) for q in questions],
                ]
            )
        yield encode_rows(rows)


async def questionnaire_responses_bundle(
    campaign: CampaignClient,
    caller: Caller,
    campaign_id: UUID,
    first_page: QuestionnaireResponsesPage,
) -> AsyncIterator[str]:
    """A FHIR R4 Bundle of type ``collection`` with one entry per QuestionnaireResponse, written
    as the pages come. No ``total``: FHIR allows it only on a search or history Bundle (bdl-1)."""
    yield '{"resourceType":"Bundle","type":"collection","entry":['
    separator = ""
    async for page in every_page(campaign, caller, campaign_id, first_page):
        for item in page.items:
            # Parsed and written again, so a response stored malformed cannot break the Bundle.
            entry = json.dumps({"resource": json.loads(item.response.fhir_json)})
            yield separator + entry
            separator = ","
    yield "]}"
