"""A campaign's recipients as CSV: one row per patient with their status and any reply, read
from campaign a page at a time, each on from the last, while the download streams."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from uuid import UUID

from cohort_contracts.campaign_requests import MAX_PAGE_SIZE, ListRecipients
from cohort_contracts.campaign_views import RecipientPage, RecipientView
from cohort_contracts.vocabulary import RecipientStatus
from cohort_nhs import national_mobile

from ..domain.caller import Caller
from ..ports import CampaignClient, expect
from .csv_text import BOM, as_text, encode_rows
from .cursor_pages import pages_from

COLUMNS = (
    "nhs_number",
    "given_name",
    "family_name",
    "channel",
    "contact",
    "status",
    "reason_code",
    "reason",
    "updated_at",
    "reply",
    "replied_at",
    "link_opened_at",
    "record_status",
    "record_reason",
)


async def fetch_recipients(
    campaign: CampaignClient,
    caller: Caller,
    campaign_id: UUID,
    status: RecipientStatus | None,
    page: int = 1,
    page_size: int = MAX_PAGE_SIZE,
    after: str | None = None,
) -> RecipientPage:
    """One page of the campaign's recipients, by number or after a cursor; the download reads
    the largest pages there are."""
    request = ListRecipients(
        **caller.envelope(),
        campaign_id=campaign_id,
        status=status,
        page=page,
        page_size=page_size,
        after=after,
    )
    return expect(await campaign.request(request), RecipientPage)


async def recipients_csv(
    campaign: CampaignClient,
    caller: Caller,
    campaign_id: UUID,
    status: RecipientStatus | None,
    first_page: RecipientPage,
) -> AsyncIterator[str]:
    """CSV text, one chunk per page, from ``first_page`` on (see ``pages_from``)."""

    async def read_after(cursor: str) -> RecipientPage:
        return await fetch_recipients(campaign, caller, campaign_id, status, after=cursor)

    yield BOM + encode_rows([list(COLUMNS)])
    async for page in pages_from(first_page, read_after):
        yield encode_rows([_row(recipient) for recipient in page.items])


def _row(recipient: RecipientView) -> list[str]:
    return [
        as_text(recipient.nhs_number),
        as_text(recipient.given_name),
        as_text(recipient.family_name),
        recipient.channel,
        # A mobile as written in the UK: as 447700900123 Excel would show 4.477E+11. An email
        # address from PDS may start with "=" or "+" as validly as any other letter.
        as_text(national_mobile(recipient.contact) or recipient.contact),
        recipient.status.value,
        "" if recipient.reason_code is None else recipient.reason_code.value,
        recipient.reason or "",
        _time(recipient.updated_at),
        "" if recipient.reply is None else as_text(recipient.reply),
        _time(recipient.replied_at),
        _time(recipient.link_opened_at),
        recipient.record_status or "",
        recipient.record_reason or "",
    ]


def _time(value: datetime | None) -> str:
    """ISO 8601 in UTC with ``Z``, as the API writes times (the views hold aware UTC times)."""
    if value is None:
        return ""
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
