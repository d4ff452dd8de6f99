"""The audit trail says what was done in plain English: people, files and templates by name,
times in UK time, counts in words; never an id or an ISO time. An action the page does not know
is still shown, as the API names it."""

from datetime import UTC, datetime
from typing import Any

from web.api_views import AuditEntry
from web.pages.audit import Link, Names, audit_lines

from ..conftest import Web


def entry(action: str, actor: str = "priya.shah", **details: Any) -> dict[str, Any]:
    return {"at": "2026-12-07T10:00:00+00:00", "actor": actor, "action": action, "details": details}


async def test_every_step_of_a_campaign_is_said_in_plain_english(signed_in: Web) -> None:
    campaign = signed_in.gateway.add_campaign()
    kept = signed_in.gateway.add_list(campaign, filename="flu-over-65s.csv")
    template = signed_in.gateway.add_template(name="Saturday clinic", version=3)
    gone = "5d0e6c1e-3f9b-4d55-9a43-1f7c0f0b2a10"
    new_campaign = "a89d6e69-f359-4558-951d-a126c25d6700"
    signed_in.gateway.audit[campaign["id"]] += [
        entry("list_uploaded", list_id=kept["id"], rows=1200),
        entry("list_uploaded", list_id=gone, rows=1, filename="wrong-file.csv"),
        entry("list_removed", list_id=gone, patients=1),
        entry("message_composed", template_id=template["id"], version=3),
        entry("test_sent", channel="sms"),
        entry("recently_messaged_left_out", count=12),
        entry("approval_requested", recipients=1188, send_at="2026-12-08T09:30:00+00:00"),
        entry("sent_back", "tom.reid", reason="Wrong date", requested_by="priya.shah"),
        entry("approved", "tom.reid", recipients=1188, requested_by="priya.shah"),
        entry("sending_started", "scheduler"),
        entry("held_for_quiet_hours", "releaser", until="2026-12-08T08:00:00+00:00"),
        entry("paused", "dispatch", reason_code="NO_CREDIT", reason="Firetext has no credit."),
        entry("resumed"),
        entry("cancelled", recipients_cancelled=40),
        entry("sent_again", recipients=7, campaign_id=new_campaign),
    ]

    page = await signed_in.page(f"/campaigns/{campaign['id']}/audit")

    rows = [row[1:] for row in page.table_rows()]
    assert rows == [
        ["Priya Shah", "Sent again to 7 patients it did not reach The new campaign"],
        ["Priya Shah", "Cancelled the campaign 40 messages not sent"],
        ["Priya Shah", "Resumed sending"],
        ["Cohort", "Paused sending Firetext has no credit."],
        [
            "Cohort",
            "Held text messages: none are sent at night, on Sundays or bank holidays "
            "Until 8 December 2026 at 8:00am",
        ],
        ["Cohort", "Started sending at the time chosen"],
        ["Tom Reid", "Approved sending to 1,188 patients Asked for by Priya Shah"],
        [
            "Tom Reid",
            "Sent back to draft instead of approving Why: Wrong date Asked for by Priya Shah",
        ],
        [
            "Priya Shah",
            "Asked for a second person's approval to send to 1,188 patients "
            "To send on 8 December 2026 at 9:30am",
        ],
        ["Priya Shah", "Left out 12 patients sent the same message recently"],
        ["Priya Shah", "Sent a test text message to themselves"],
        ["Priya Shah", "Used the template Saturday clinic Version 3"],
        ["Priya Shah", "Removed wrong-file.csv 1 patient taken out of the campaign"],
        ["Priya Shah", "Uploaded wrong-file.csv 1 row"],
        ["Priya Shah", "Uploaded flu-over-65s.csv 1,200 rows"],
        ["Priya Shah", "Created the campaign"],
    ]
    assert page.link("The new campaign") == f"/campaigns/{new_campaign}"


def test_an_action_the_page_does_not_know_is_shown_as_recorded() -> None:
    at = datetime(2026, 12, 7, 10, tzinfo=UTC)
    newer = AuditEntry(at=at, actor="tom.reid", action="sms_sender_changed", details={"to": "GP"})
    unknown_list = AuditEntry(at=at, actor="x", action="list_removed", details={"patients": 2})

    lines = audit_lines([newer, unknown_list], Names(person=str.upper))

    assert [(line.who, line.what, line.notes) for line in lines] == [
        ("X", "Removed a patient list", ["2 patients taken out of the campaign"]),
        ("TOM.REID", "Sms sender changed", ["To: GP"]),
    ]


def test_a_send_again_campaign_links_to_the_one_it_follows() -> None:
    at = datetime(2026, 12, 7, 10, tzinfo=UTC)
    created = AuditEntry(at=at, actor="p", action="created", details={"follows_up": "abc"})

    [line] = audit_lines([created], Names(person=str))

    assert line.what == "Created to send again to patients another campaign did not reach"
    assert line.link == Link("The campaign it follows up", "/campaigns/abc")


async def test_people_are_named_as_their_sign_in_named_them(signed_in: Web) -> None:
    # Under an identity provider, user ids are opaque: the gateway's views give their names.
    campaign = signed_in.gateway.add_campaign(
        created_by="5550-0001", people={"5550-0001": "Dr Asha Patel"}
    )
    signed_in.gateway.audit[campaign["id"]] = [entry("created", "5550-0001")]
    signed_in.gateway.people = {"5550-0001": "Dr Asha Patel"}

    overview = await signed_in.page("/campaigns")
    page = await signed_in.page(f"/campaigns/{campaign['id']}")
    trail = await signed_in.page(f"/campaigns/{campaign['id']}/audit")

    assert "by Dr Asha Patel" in overview.main_text
    assert "by Dr Asha Patel" in page.main_text
    assert trail.table_rows()[0][1:] == ["Dr Asha Patel", "Created the campaign"]
    assert "5550-0001" not in overview.main_text + page.main_text + trail.main_text
