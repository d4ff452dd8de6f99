"""Issue 14's send safety with every service running: a send in the organisation's quiet hours
is held (nothing reaches a handset, the campaign says until when), and a send above the
approval threshold waits for a second user, who cannot be the sender.

The other stacks turn quiet hours off (they send at any hour); this one sets the quiet window
to the two hours around now, London time, so the hold is certain whenever the test runs."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx2
import pytest

from gateway.adapters.token_verifiers import issue_token

from . import sending_flow as flow
from .own_stack import run_stack
from .stack import Stack

pytestmark = pytest.mark.e2e

BODY = "Hello ((first_name)), your flu jab is due. Call the surgery to book."


def window_around_now() -> str:
    now = datetime.now(ZoneInfo("Europe/London"))
    start, end = now - timedelta(hours=1), now + timedelta(hours=1)
    return f"{start:%H:%M}-{end:%H:%M}"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    env = {"CAMPAIGN_QUIET_HOURS": window_around_now(), "CAMPAIGN_APPROVAL_ABOVE": "3"}
    yield from run_stack(tmp_path_factory, env)


def ready_campaign(client: httpx2.Client, name: str, patients: int) -> str:
    campaign_id = flow.create(client, name)
    rows = [(p.nhs_number, p.birth_date) for p in flow.pick(patients)]
    assert flow.upload(client, campaign_id, rows)["succeeded"] == patients
    flow.compose(client, campaign_id, BODY)
    return campaign_id


def test_a_send_in_quiet_hours_is_held(stack: Stack) -> None:
    client = flow.api(stack)
    campaign_id = ready_campaign(client, "Quiet", 3)

    response = flow.send(client, campaign_id, 3)
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "sending"

    # The releaser records the hold before it would release anything.
    held = flow.wait_for(
        "the hold",
        lambda: flow.campaign(client, campaign_id).get("held_until"),
        seconds=30,
    )
    assert datetime.fromisoformat(held) > datetime.now(UTC)
    assert "held_for_quiet_hours" in flow.audit_actions(client, campaign_id)
    statuses = {r["status"] for r in flow.recipients(client, campaign_id)}
    assert statuses == {"ready"}
    assert flow.handsets(stack) == []

    cancelled = client.post(f"/v1/campaigns/{campaign_id}/cancel")
    assert cancelled.status_code == 202, cancelled.text
    assert cancelled.json()["counts"]["cancelled"] == 3
    assert flow.handsets(stack) == []


def test_a_large_send_waits_for_a_second_user(stack: Stack) -> None:
    sender = flow.api(stack)
    token = issue_token(stack.jwt_secret, "e2e-approver", flow.ORG)
    approver = httpx2.Client(
        base_url=stack.url("gateway"), headers={"Authorization": f"Bearer {token}"}, timeout=30.0
    )
    campaign_id = ready_campaign(sender, "Approval", 4)

    response = flow.send(sender, campaign_id, 4)
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "awaiting_approval"

    own = flow.approve(sender, campaign_id, 4)
    assert own.status_code == 403, own.text
    approved = flow.approve(approver, campaign_id, 4)
    assert approved.status_code == 202, approved.text
    body = approved.json()
    assert (body["status"], body["send_requested_by"], body["approved_by"]) == (
        "sending",
        "e2e-sender",
        "e2e-approver",
    )
    actions = flow.audit_actions(sender, campaign_id)
    assert actions.index("approval_requested") < actions.index("approved")


def test_the_approver_sends_it_back_and_it_needs_approving_again(stack: Stack) -> None:
    sender = flow.api(stack)
    approver = flow.api(stack, user="e2e-approver")
    campaign_id = ready_campaign(sender, "Sent back", 4)
    assert flow.send(sender, campaign_id, 4).json()["status"] == "awaiting_approval"

    back = approver.post(
        f"/v1/campaigns/{campaign_id}/send-back", json={"reason": "Wrong clinic day."}
    )

    assert back.status_code == 200, back.text
    body = back.json()
    assert (body["status"], body["sent_back_by"], body["sent_back_reason"]) == (
        "draft",
        "e2e-approver",
        "Wrong clinic day.",
    )
    late = flow.approve(approver, campaign_id, 4)
    assert late.status_code == 409, late.text
    again = flow.send(sender, campaign_id, 4).json()
    assert (again["status"], again["sent_back_reason"]) == ("awaiting_approval", None)
    actions = flow.audit_actions(sender, campaign_id)
    assert actions.count("approval_requested") == 2
    assert "sent_back" in actions
    assert flow.handsets(stack) == []  # nothing was sent


def test_the_approver_approves_in_the_browser_and_the_pages_pass_axe(stack: Stack) -> None:
    # Imported here: the browser (Playwright, chromium) is needed by this test only.
    from playwright.sync_api import expect

    from .browser import axe_violations, chromium, sign_in

    # "e2e-sender" asks, named by its token as an identity provider would name it; Priya
    # Shah (the browser) approves.
    sender = flow.api(stack, name="Dana Hughes")
    campaign_id = ready_campaign(sender, "Approve in the browser", 4)
    assert flow.send(sender, campaign_id, 4).json()["status"] == "awaiting_approval"
    base = stack.url("web")
    with chromium() as browser:
        page = browser.new_page()
        page.set_default_timeout(20_000)
        sign_in(page, base, "Priya Shah")
        page.goto(f"{base}/campaigns")
        expect(page.locator("main")).to_contain_text("Waiting for approval")
        assert axe_violations(page) == []
        page.goto(f"{base}/campaigns/{campaign_id}")
        page.get_by_role("button", name="Review and approve").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Approve sending")
        expect(page.locator("main")).to_contain_text("Dana Hughes asked to send this campaign")
        assert axe_violations(page) == []
        page.get_by_role("button", name="Approve and send").click()
        expect(page.locator(".nhsuk-error-summary")).to_be_visible()  # no count typed
        assert axe_violations(page) == []
        page.get_by_label("To approve, type the number of patients: 4").fill("4")
        page.get_by_role("button", name="Approve and send").click()
        expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Approved")
        # Sending, but the stack's quiet hours hold the texts: the page says until when.
        expect(page.locator("main")).to_contain_text("Text messages are not sent at night")
        assert axe_violations(page) == []
    assert flow.campaign(sender, campaign_id)["approved_by"] == "priya.shah"
    assert flow.handsets(stack) == []
