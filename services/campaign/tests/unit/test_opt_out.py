"""Opt-outs: a STOP reply, an email's unsubscribe link or staff put a number on the
organisation's list, and no campaign of that organisation messages it after that."""

import uuid
from datetime import UTC, datetime

import pytest

from campaign.domain.errors import InvalidMessage, NotFound
from campaign.domain.opt_out import UnsubscribeSigner, is_opt_out
from campaign.handlers import campaigns, lists, replies, suppressions
from campaign.handlers.deps import Deps
from campaign.ports.recipients import RecipientListing
from cohort_contracts.campaign_requests import GetReview
from cohort_contracts.opt_out import (
    AddSuppression,
    ListSuppressions,
    RemoveSuppression,
    Unsubscribe,
)
from cohort_contracts.sending import ReplyReceived, SendMessages
from cohort_contracts.vocabulary import RecipientStatus, UploadReason

from ..builders import ORG, outcome, rows_resolved
from ..fakes import FakePublisher
from .helpers import (
    campaign_with_recipients,
    cid,
    new_campaign,
    register,
    release_now,
    released,
    send,
    sending,
    sent_and_released,
    write_message,
)

OTHER_ORG = "B82002"
#: ``builders.outcome(1)``'s number.
FIRST = "447700900001"


def stop(text: str = "STOP", number: str = FIRST, org: str = ORG) -> ReplyReceived:
    return ReplyReceived(
        correlation_id=cid(),
        org_id=org,
        from_number=number,
        destination="447700900999",
        message=text,
        received_at=datetime.now(UTC),
    )


def _sends(publisher: FakePublisher) -> list[SendMessages]:
    """Every batch and notification handed to dispatch (confirmations are notifications)."""
    return released(publisher)


async def _review(deps: Deps, campaign_id: uuid.UUID) -> tuple[int, dict[str, int]]:
    review = await campaigns.get_review(
        GetReview(correlation_id=cid(), org_id=ORG, actor="u", campaign_id=campaign_id), deps
    )
    return review.recipient_count, {r.reason_code.value: r.count for r in review.excluded_by_reason}


@pytest.mark.parametrize(
    "text",
    [
        "STOP",
        "stop",
        "  Stop  ",
        "STOP ALL",
        "stop all",
        "Unsubscribe",
        "END",
        "cancel",
        "OPT OUT",
        "opt  out",
        "Stop.",
    ],
)
def test_stop_and_its_variants_are_opt_outs(text: str) -> None:
    assert is_opt_out(text)


@pytest.mark.parametrize(
    "text", ["Please cancel my appointment", "Don't stop", "Yes", "stopping by later", ""]
)
def test_a_reply_that_only_mentions_a_word_is_not_an_opt_out(text: str) -> None:
    assert not is_opt_out(text)


async def _sent_to_first(deps: Deps, publisher: FakePublisher) -> uuid.UUID:
    """A campaign that has messaged ``FIRST`` (its recipient is queued: released)."""
    campaign_id, _ = await sent_and_released(deps, publisher, 1)
    return campaign_id


async def test_stop_lists_the_number_and_confirms_once_however_often_it_comes(
    deps: Deps, publisher: FakePublisher
) -> None:
    await _sent_to_first(deps, publisher)
    before = len(_sends(publisher))

    await replies.record_reply(stop("  stop "), deps)
    await replies.record_reply(stop("  stop "), deps)  # redelivered
    await replies.record_reply(stop("STOP ALL"), deps)  # the patient insists

    listed = await suppressions.list_suppressions(
        ListSuppressions(correlation_id=cid(), org_id=ORG, actor="u"), deps
    )
    assert [(s.contact, s.source, s.active) for s in listed.items] == [(FIRST, "reply", True)]
    confirmations = [c for c in _sends(publisher)[before:] if c.notification]
    assert len(confirmations) == 1
    [message] = confirmations[0].messages
    assert message.to == FIRST
    assert "no longer get text messages" in message.body


async def test_stop_from_a_number_never_messaged_is_listed_but_not_answered(
    deps: Deps, publisher: FakePublisher
) -> None:
    await replies.record_reply(stop(number="447700900555"), deps)
    assert await deps.suppressions.suppressed(ORG, ["447700900555"]) == {"447700900555"}
    assert _sends(publisher) == []


async def test_an_opted_out_patient_is_excluded_at_review_and_never_sent(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id, _ = await campaign_with_recipients(deps, 3)
    assert await _review(deps, campaign_id) == (3, {})

    # STOP to an earlier campaign of the practice, after this list was resolved.
    await replies.record_reply(stop(), deps)

    assert await _review(deps, campaign_id) == (2, {"OPTED_OUT": 1})
    await send(deps, campaign_id, 2)
    await release_now(deps, campaign_id)
    sent_to = {m.to for c in _sends(publisher) if not c.notification for m in c.messages}
    assert FIRST not in sent_to
    assert len(sent_to) == 2
    page = await deps.recipients.page(RecipientListing(ORG, campaign_id), 0, 10)
    excluded = [r for r in page[0] if r.contact == FIRST]
    assert [(r.status, r.reason_code) for r in excluded] == [(RecipientStatus.FAILED, "OPTED_OUT")]


async def test_a_later_list_never_makes_an_opted_out_patient_a_recipient(deps: Deps) -> None:
    await replies.record_reply(stop(), deps)
    campaign = await new_campaign(deps)
    list_id = await register(deps, campaign.id, 2)
    event = rows_resolved(campaign.id, list_id, [outcome(1), outcome(2)])
    await lists.record_resolved_rows(event, deps)
    await lists.record_resolved_rows(event, deps)  # redelivered

    rows = await deps.lists.unsuccessful(list_id, 0, 10)
    assert [(r.row_number, r.reason_code) for r in rows] == [(1, UploadReason.OPTED_OUT.value)]
    assert await deps.recipients.counts(campaign.id) == {RecipientStatus.READY: 1}


async def test_an_opt_out_saved_after_the_review_is_caught_at_release(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id = await sending(deps, 2)
    # Straight into the store: as if the STOP's own exclusion had not run yet.
    await deps.suppressions.add(ORG, FIRST, "reply", "patient", datetime.now(UTC))
    assert await release_now(deps, campaign_id) == 1

    sent_to = [m.to for c in _sends(publisher) for m in c.messages]
    assert FIRST not in sent_to
    counts = await deps.recipients.counts(campaign_id)
    assert counts == {RecipientStatus.QUEUED: 1, RecipientStatus.FAILED: 1}


async def test_staff_add_list_and_remove_with_history(deps: Deps) -> None:
    added = await suppressions.add_suppression(
        AddSuppression(correlation_id=cid(), org_id=ORG, actor="user-1", contact="07700 900002"),
        deps,
    )
    assert (added.contact, added.source, added.active) == ("447700900002", "staff", True)

    removed = await suppressions.remove_suppression(
        RemoveSuppression(
            correlation_id=cid(), org_id=ORG, actor="user-2", suppression_id=added.id
        ),
        deps,
    )
    assert not removed.active
    assert [(e.action, e.by) for e in removed.history] == [
        ("added", "user-1"),
        ("removed", "user-2"),
    ]
    listed = await suppressions.list_suppressions(
        ListSuppressions(correlation_id=cid(), org_id=ORG, actor="u"), deps
    )
    assert listed.items == []
    assert await deps.suppressions.suppressed(ORG, ["447700900002"]) == set()


async def test_staff_adding_excludes_unsent_recipients(deps: Deps) -> None:
    campaign_id, _ = await campaign_with_recipients(deps, 2)
    await suppressions.add_suppression(
        AddSuppression(correlation_id=cid(), org_id=ORG, actor="u", contact="+44 7700 900001"),
        deps,
    )
    assert await _review(deps, campaign_id) == (1, {"OPTED_OUT": 1})


@pytest.mark.parametrize("contact", ["01632 960001", "not a number", "name@", "12"])
async def test_staff_must_give_a_uk_mobile_or_an_email_address(deps: Deps, contact: str) -> None:
    with pytest.raises(InvalidMessage) as refused:
        await suppressions.add_suppression(
            AddSuppression(correlation_id=cid(), org_id=ORG, actor="u", contact=contact), deps
        )
    assert refused.value.details == {"field": "contact"}


async def test_another_organisations_list_is_neither_seen_nor_changed(deps: Deps) -> None:
    await replies.record_reply(stop(), deps)
    [mine] = (
        await suppressions.list_suppressions(
            ListSuppressions(correlation_id=cid(), org_id=ORG, actor="u"), deps
        )
    ).items

    theirs = await suppressions.list_suppressions(
        ListSuppressions(correlation_id=cid(), org_id=OTHER_ORG, actor="x"), deps
    )
    assert theirs.items == []
    with pytest.raises(NotFound):
        await suppressions.remove_suppression(
            RemoveSuppression(
                correlation_id=cid(), org_id=OTHER_ORG, actor="x", suppression_id=mine.id
            ),
            deps,
        )
    # Their campaigns still message the number: the opt-out was from this practice.
    assert await deps.suppressions.suppressed(OTHER_ORG, [FIRST]) == set()
    assert await deps.suppressions.suppressed(ORG, [FIRST]) == {FIRST}


async def test_an_email_carries_a_signed_one_click_link_that_opts_out(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign = await new_campaign(deps)
    list_id = await register(deps, campaign.id, 1)
    event = rows_resolved(campaign.id, list_id, [outcome(1)], channel="email")
    await lists.record_resolved_rows(event, deps)
    await write_message(deps, campaign.id, "Hello", subject="Flu")
    reviewed = await campaigns.get_review(
        GetReview(correlation_id=cid(), org_id=ORG, actor="u", campaign_id=campaign.id), deps
    )
    await send(deps, campaign.id, 1)
    await release_now(deps, campaign.id)
    [message] = [m for c in _sends(publisher) for m in c.messages]
    assert message.unsubscribe_url is not None
    assert message.unsubscribe_url.startswith(deps.unsubscribe_base_url)
    token = message.unsubscribe_url.removeprefix(deps.unsubscribe_base_url)
    # The link in the body does what the header does, and staff saw it in the review.
    assert message.body.endswith(deps.unsubscribe_page_url + token)
    assert reviewed.previews[0].body == message.body

    result = await suppressions.unsubscribe(
        Unsubscribe(correlation_id=cid(), org_id=ORG, actor="patient-link", token=token), deps
    )
    assert result.practice_name
    assert await deps.suppressions.suppressed(ORG, [message.to]) == {message.to}


@pytest.mark.parametrize("tamper", ["signature", "recipient", "organisation", "other key"])
async def test_a_forged_or_altered_unsubscribe_token_is_not_found(deps: Deps, tamper: str) -> None:
    recipient_id = uuid.uuid4().hex
    token = deps.unsubscribe.token(ORG, recipient_id)
    ods, payload, signature = token.split(".")
    forged = {
        "signature": f"{ods}.{payload}.{signature[:-2]}AA",
        "recipient": deps.unsubscribe.token(ORG, uuid.uuid4().hex).split(".")[0]
        + f".{payload[:-2]}AA.{signature}",
        "organisation": f"{OTHER_ORG}.{payload}.{signature}",
        "other key": UnsubscribeSigner(b"another key").token(ORG, recipient_id),
    }[tamper]
    org = forged.split(".")[0]
    with pytest.raises(NotFound):
        await suppressions.unsubscribe(
            Unsubscribe(correlation_id=cid(), org_id=org, actor="patient-link", token=forged), deps
        )
