"""The unsuccessful rows of a patient list as CSV: the original row, then why it failed."""

from collections.abc import AsyncIterator
from uuid import UUID

from cohort_contracts.campaign_requests import GetUnsuccessfulRows
from cohort_contracts.campaign_views import UnsuccessfulRowsPage

from ..domain.caller import Caller
from ..ports import CampaignClient, expect
from .csv_text import BOM, as_text, encode_rows
from .cursor_pages import pages_from

PAGE_SIZE = 1000
EXTRA_COLUMNS = ("row_number", "reason_code", "reason")


async def fetch_page(
    campaign: CampaignClient, caller: Caller, campaign_id: UUID, list_id: UUID, after_row: int
) -> UnsuccessfulRowsPage:
    page = await campaign.request(
        GetUnsuccessfulRows(
            **caller.envelope(),
            campaign_id=campaign_id,
            list_id=list_id,
            after_row=after_row,
            limit=PAGE_SIZE,
        )
    )
    return expect(page, UnsuccessfulRowsPage)


async def unsuccessful_rows_csv(
    campaign: CampaignClient,
    caller: Caller,
    campaign_id: UUID,
    list_id: UUID,
    first_page: UnsuccessfulRowsPage,
) -> AsyncIterator[str]:
    """CSV text, one chunk per page, from ``first_page`` on (see ``pages_from``)."""

    async def read_after(after_row: int) -> UnsuccessfulRowsPage:
        return await fetch_page(campaign, caller, campaign_id, list_id, after_row)

    width = len(first_page.columns)
    # The original cells and column names are defused like any text from outside the practice:
    # a list exported from one system may carry a cell someone typed as "=HYPERLINK(...)".
    yield BOM + encode_rows([[*map(as_text, first_page.columns), *EXTRA_COLUMNS]])
    async for page in pages_from(first_page, read_after):
        yield encode_rows(
            [
                [
                    *map(as_text, _fit(row.cells, width)),
                    str(row.row_number),
                    row.reason_code,
                    row.reason,
                ]
                for row in page.rows
            ]
        )


def _fit(cells: list[str], width: int) -> list[str]:
    return cells[:width] + [""] * (width - len(cells))
