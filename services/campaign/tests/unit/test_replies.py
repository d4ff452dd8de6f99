import uuid
from datetime import UTC, datetime, timedelta

from campaign.handlers import replies
from campaign.handlers.deps import Deps
from cohort_contracts.sending import ReplyReceived
from cohort_contracts.vocabulary import RecipientStatus

from ..builders import ORG


def reply(number: str, text: str, at: datetime) -> ReplyReceived:
    return ReplyReceived(
        correlation_id=uuid.uuid4(),
        org_id=ORG,
        from_number=number,
        destination="447700900999",
        message=text,
        received_at=at,
    )


async def _sent_campaign(deps: Deps, allow_replies: bool, sent_at: datetime) -> str:
    """A campaign (allowing replies or not) that messaged 447700900001; its recipient id."""
    from campaign.domain.model import Campaign, Recipient

    campaign = Campaign(
        id=uuid.uuid4(),
        org_id=ORG,
        name="c",
        type="basic",
        created_by="u",
        created_at=sent_at,
        allow_replies=allow_replies,
        sent_at=sent_at,
    )
    await deps.campaigns.add(campaign)
    recipient = Recipient(
        id=uuid.uuid4().hex,
        org_id=ORG,
        campaign_id=campaign.id,
        list_id=uuid.uuid4(),
        row_number=1,
        nhs_number="9990000018",
        given_name="Ann",
        family_name="Example",
        channel="sms",
        contact="447700900001",
        status=RecipientStatus.DELIVERED,
        updated_at=sent_at,
    )
    await deps.recipients.add_unique([recipient])
    return recipient.id


async def test_a_reply_goes_to_the_latest_campaign_that_allows_replies(deps: Deps) -> None:
    now = datetime.now(UTC)
    older = await _sent_campaign(deps, allow_replies=True, sent_at=now - timedelta(days=3))
    newer = await _sent_campaign(deps, allow_replies=True, sent_at=now - timedelta(days=1))
    no_replies = await _sent_campaign(deps, allow_replies=False, sent_at=now)

    await replies.record_reply(reply("447700900001", "Yes please", now), deps)
    await replies.record_reply(reply("447700900001", "Yes please", now), deps)  # redelivered

    got = [await deps.recipients.get(ORG, rid) for rid in (newer, older, no_replies)]
    assert [r.reply if r is not None else "missing" for r in got] == [
        "Yes please",
        None,
        None,
    ]


async def test_a_late_older_reply_does_not_overwrite_a_newer_one(deps: Deps) -> None:
    now = datetime.now(UTC)
    rid = await _sent_campaign(deps, allow_replies=True, sent_at=now - timedelta(days=1))
    await replies.record_reply(reply("447700900001", "Second", now), deps)
    await replies.record_reply(reply("447700900001", "First", now - timedelta(minutes=5)), deps)
    recipient = await deps.recipients.get(ORG, rid)
    assert recipient is not None
    assert recipient.reply == "Second"


async def test_a_reply_from_an_unknown_number_is_dropped(deps: Deps) -> None:
    now = datetime.now(UTC)
    known = await _sent_campaign(deps, allow_replies=True, sent_at=now - timedelta(days=1))

    await replies.record_reply(reply("447700900555", "Who is this?", now), deps)

    # Nobody messaged that number, so nobody gets the reply: not the one patient there is.
    recipient = await deps.recipients.get(ORG, known)
    assert recipient is not None
    assert (recipient.reply, recipient.replied_at) == (None, None)
    assert await deps.recipients.for_contact(ORG, "447700900555") == []
