"""No patient data in campaign's logs (DESIGN §4): a campaign's whole life through its handlers
(an upload with duplicates and an opted-out patient, review, test send, send, release, claims,
sent reports, receipts delivered and failed, a reply and a STOP, staff's own opt-out, a refused
request, a removed list's late rows, send-again) is logged, every line formatted as the
service writes it, and none carries an NHS number, name, date of birth, number, address,
message text or reply."""

import logging
import uuid
from datetime import UTC, date, datetime

import pytest

from campaign.handlers import campaigns, lists, receipts, replies, send_again
from campaign.handlers.deps import Deps
from campaign.handlers.requests import answer
from cohort_contracts import campaign_requests as requests
from cohort_contracts import opt_out
from cohort_contracts.ingest import ResolvedPatient, RowOutcome
from cohort_contracts.sending import ReplyReceived
from cohort_platform.json_logs import JsonFormatter

from ..builders import ORG, nhs_number, rows_resolved
from ..fakes import FakePublisher
from .helpers import (
    all_sent,
    cid,
    claim,
    delivery_reported,
    register,
    release_now,
    released_ids,
    req,
    send,
    write_message,
)
from .messaging import create

BORN = date(1961, 7, 23)
PATIENTS = [
    # (given, family, number): the second is in the list twice, the third opted out before.
    ("Philippa", "Quartermaine", "447700900311"),
    ("Bartholomew", "Fitzwilliam", "447700900322"),
    ("Gwendoline", "Featherstonehaugh", "447700900333"),
]
OPTED_OUT_BEFORE = PATIENTS[2][2]
BODY = "Dear ((first_name)), your Zanzibar clinic is on Thursday."
REPLY = "Lovely, see you at the Zanzibar clinic"
STAFF_OPT_OUT = "07700 900444"
TEST_TO = "07700 900455"


def outcome(row: int, given: str, family: str, contact: str, nhs: str) -> RowOutcome:
    return RowOutcome(
        row_number=row,
        cells=[nhs, BORN.strftime("%d/%m/%Y"), given, family],
        patient=ResolvedPatient(
            nhs_number=nhs,
            given_name=given,
            family_name=family,
            contact=contact,
            birth_date=BORN,
        ),
    )


def patient_values(nhs: list[str]) -> set[str]:
    values = {BORN.isoformat(), BORN.strftime("%d/%m/%Y"), REPLY, "Zanzibar", STAFF_OPT_OUT}
    values |= {TEST_TO, TEST_TO.replace(" ", ""), "447700900455", "447700900444"}
    for given, family, number in PATIENTS:
        values |= {given, given.upper(), family, family.upper(), number, "0" + number[2:]}
    return values | set(nhs)


async def test_a_campaigns_life_logs_no_patient_data(
    deps: Deps, publisher: FakePublisher, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    seed = uuid.uuid4().int % 50_000
    nhs = [nhs_number(seed + i) for i in range(len(PATIENTS))]
    await answer(req(opt_out.AddSuppression, contact=OPTED_OUT_BEFORE), deps)
    campaign = await create(deps, allow_replies=True)
    list_id = await register(deps, campaign.id, 4, columns=("NHS", "DOB", "Given", "Family"))
    rows = [outcome(i + 1, *p, nhs[i]) for i, p in enumerate(PATIENTS)]
    rows.append(outcome(4, *PATIENTS[1], nhs[1]))  # the same patient again
    await lists.record_resolved_rows(rows_resolved(campaign.id, list_id, rows), deps)
    # A list removed while its rows were being checked: they are dropped when they come back.
    removed = await register(deps, campaign.id, 1)
    await answer(req(requests.RemovePatientList, campaign_id=campaign.id, list_id=removed), deps)
    late = [outcome(1, "Late", "Lazenby", "447700900366", nhs_number(seed + 9))]
    await lists.record_resolved_rows(rows_resolved(campaign.id, removed, late), deps)
    await write_message(deps, campaign.id, BODY)
    await answer(req(requests.GetReview, campaign_id=campaign.id, preview_count=5), deps)
    await answer(req(requests.TestSend, campaign_id=campaign.id, channel="sms", to=TEST_TO), deps)
    refused = await answer(
        req(requests.SendCampaign, campaign_id=campaign.id, confirm_recipient_count=99), deps
    )
    assert refused.error is not None
    await send(deps, campaign.id, 2)
    await release_now(deps, campaign.id)
    ids = [i for i in released_ids(publisher) if not i.startswith("test-")]
    assert len(ids) == 2
    await claim(deps, campaign.id, ids)
    await all_sent(deps, campaign.id, ids)
    delivered, failed = ids
    await receipts.record_reports(delivery_reported("delivered", recipient_id=delivered), deps)
    await receipts.record_reports(
        delivery_reported(
            "failed",
            recipient_id=failed,
            reason_code="PHONE_NOT_REACHABLE",
            reason="Phone off",
            permanent=False,
        ),
        deps,
    )
    for text in (REPLY, "STOP"):
        reply = ReplyReceived(
            correlation_id=cid(),
            org_id=ORG,
            from_number=PATIENTS[0][2],
            destination="447700900999",
            message=text,
            received_at=datetime.now(UTC),
        )
        await replies.record_reply(reply, deps)
    await answer(req(opt_out.AddSuppression, contact=STAFF_OPT_OUT), deps)
    await answer(req(requests.SendAgain, campaign_id=campaign.id, name="Again"), deps)
    await send_again.queue_pending_rows(deps, 0)
    await campaigns.list_recipients(req(requests.ListRecipients, campaign_id=campaign.id), deps)

    formatter = JsonFormatter("campaign")
    lines = [formatter.format(record) for record in caplog.records]
    assert len(lines) > 10, "the flow logged too little to tell"
    leaked = {v for v in patient_values(nhs) for line in lines if v in line}
    assert not leaked, [line for line in lines if any(v in line for v in leaked)]
