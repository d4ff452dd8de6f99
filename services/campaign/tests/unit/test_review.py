"""The review: real recipients' messages, counts, fragments and characters, and that what is
reviewed is exactly what is sent."""

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from typing import Any, cast

import pytest

from campaign.domain.errors import Conflict
from campaign.domain.model import Recipient
from campaign.handlers import lists
from campaign.handlers.deps import Deps
from campaign.ports import RecipientMessages, RecipientRepository
from cohort_contracts.vocabulary import RecipientStatus, SendReason, UploadReason

from ..builders import LINK_BASE, ORG, PRACTICE_NAME, outcome, rows_resolved
from ..fakes import FakePublisher
from .helpers import register
from .messaging import add_patients, compose, create, release, review_of, send, sent_commands


async def test_previews_are_real_recipients_messages_with_their_own_links(deps: Deps) -> None:
    campaign = await create(deps, "booking")
    await add_patients(deps, campaign.id, [("Ann", "Jones"), ("Bob", "Hill"), ("Cy", "Wu")])
    await compose(deps, campaign.id, "Dear ((first_name)), ((practice_name)) invites you.")

    review = await review_of(deps, campaign.id, preview_count=2)
    assert (review.recipient_count, review.recipients_by_channel) == (3, {"sms": 3})
    assert [p.body.split("\n\n")[0] for p in review.previews] == [
        f"Dear Ann, {PRACTICE_NAME} invites you.",
        f"Dear Bob, {PRACTICE_NAME} invites you.",
    ]
    links = [p.body.split(": ")[-1] for p in review.previews]
    assert all(link.startswith(LINK_BASE + ORG + ".") for link in links)
    assert links[0] != links[1]


async def test_fragments_are_counted_after_personalisation(deps: Deps) -> None:
    campaign = await create(deps)
    await add_patients(deps, campaign.id, [("Ann", "Jones"), ("Christopher", "Jones")])
    await compose(deps, campaign.id, "Dear ((first_name)), " + "a" * 150)

    review = await review_of(deps, campaign.id)
    assert sorted(p.fragments for p in review.previews) == [1, 2]
    assert review.total_fragments == review.credits_needed == 3
    assert (review.largest_message_fragments, review.largest_message_characters) == (2, 168)
    assert review.non_gsm_characters == []


async def test_non_gsm_characters_are_flagged_with_replacements(deps: Deps) -> None:
    campaign = await create(deps)
    await add_patients(deps, campaign.id, [("Ann", "Jones")])
    await compose(deps, campaign.id, "It\u2019s time \u2013 book now 👍")

    review = await review_of(deps, campaign.id)
    found = [(c.position, c.character, c.suggestion) for c in review.non_gsm_characters]
    assert found == [(2, "\u2019", "'"), (10, "\u2013", "-"), (21, "👍", None)]
    assert review.previews[0].fragments == 1  # UCS-2, but short


async def test_upload_failures_are_shown_as_exclusions(deps: Deps) -> None:
    campaign = await create(deps)
    await add_patients(deps, campaign.id, [("Ann", "Jones")])
    list_id = await register(deps, campaign.id, 2)
    failed = [outcome(1, reason=UploadReason.DECEASED), outcome(2, reason=UploadReason.NOT_FOUND)]
    await lists.record_resolved_rows(rows_resolved(campaign.id, list_id, failed), deps)
    await compose(deps, campaign.id, "Hello")

    review = await review_of(deps, campaign.id)
    assert review.recipient_count == 1
    assert {(r.reason_code, r.count) for r in review.excluded_by_reason} == {
        (UploadReason.DECEASED, 1),
        (UploadReason.NOT_FOUND, 1),
    }


async def test_an_email_campaign_has_no_fragments(deps: Deps) -> None:
    campaign = await create(deps)
    await add_patients(deps, campaign.id, [("Ann", "Jones")], channel="email")
    await compose(deps, campaign.id, "It\u2019s ((first_name))", subject="For ((first_name))")

    review = await review_of(deps, campaign.id)
    assert review.recipients_by_channel == {"email": 1}
    assert (review.total_fragments, review.previews[0].fragments) == (0, 0)
    assert review.previews[0].subject == "For Ann"
    assert review.non_gsm_characters == []  # only SMS is charged by the character


async def test_too_long_messages_are_excluded_and_fail_at_release(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign = await create(deps)
    await add_patients(
        deps, campaign.id, [("Ann", "Jones"), ("Bartholomew-Maximilian", "Jones"), ("Bo", "Li")]
    )
    await compose(deps, campaign.id, "Dear ((first_name)), " + "a" * 908)  # 918 with "Ann"

    review = await review_of(deps, campaign.id)
    long_id = next(p.recipient_id for p in review.previews if "Bartholomew" in p.body)
    assert review.too_long == [long_id]
    assert review.recipient_count == 2
    assert review.total_fragments == 12

    with pytest.raises(Conflict):
        await send(deps, campaign.id, 3)
    await send(deps, campaign.id, 2)
    # Released by the rule the review applied: the long one fails instead of being queued.
    assert await release(deps, campaign.id) == 2
    counts = await deps.recipients.counts(campaign.id)
    assert counts == {RecipientStatus.QUEUED: 2, RecipientStatus.FAILED: 1}
    failed = await deps.recipient_messages.get(ORG, long_id)
    assert failed is not None
    assert failed.reason_code == SendReason.MESSAGE_TOO_LONG
    assert long_id not in {m.recipient_id for c in sent_commands(publisher) for m in c.messages}


async def test_what_is_reviewed_is_exactly_what_is_sent(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign = await create(deps, "questionnaire")
    names = [("Ann", "Jones"), ("Bob", "Hill"), ("Cy", "Wu"), ("Di", "Ng"), ("Ed", "Ko")]
    await add_patients(deps, campaign.id, names)
    await compose(deps, campaign.id, "Dear ((first_name)) ((last_name)), please tell us.")

    review = await review_of(deps, campaign.id, preview_count=20)
    await send(deps, campaign.id, review.recipient_count)
    assert await release(deps, campaign.id) == 5

    sent = {m.recipient_id: m.body for c in sent_commands(publisher) for m in c.messages}
    assert sent == {p.recipient_id: p.body for p in review.previews}
    assert len(set(sent.values())) == 5


class _GuardedRecipients:
    """Refuses to load more ready recipients than a preview needs."""

    def __init__(self, inner: RecipientRepository) -> None:
        self._inner = inner

    async def with_status(
        self, campaign_id: uuid.UUID, status: RecipientStatus, limit: int
    ) -> list[Recipient]:
        assert limit <= 20, "the review must not load every recipient"
        return await self._inner.with_status(campaign_id, status, limit)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _CountingMessages:
    def __init__(self, inner: RecipientMessages) -> None:
        self._inner = inner
        self.streamed = 0

    async def stream(
        self, campaign_id: uuid.UUID, status: RecipientStatus
    ) -> AsyncIterator[Recipient]:
        async for r in self._inner.stream(campaign_id, status):
            self.streamed += 1
            yield r

    async def fail_too_long(self, campaign_id: uuid.UUID, ids: Sequence[str]) -> int:
        return await self._inner.fail_too_long(campaign_id, ids)


async def test_the_review_streams_recipients_rather_than_loading_them(deps: Deps) -> None:
    campaign = await create(deps)
    await add_patients(deps, campaign.id, [(f"P{i}", "Jones") for i in range(30)])
    await compose(deps, campaign.id, "Hello ((first_name))")
    counting = _CountingMessages(deps.recipient_messages)
    guarded = replace(
        deps,
        recipients=cast(RecipientRepository, _GuardedRecipients(deps.recipients)),
        recipient_messages=cast(RecipientMessages, counting),
    )

    review = await review_of(guarded, campaign.id)
    assert (review.recipient_count, counting.streamed) == (30, 30)
    assert len(review.previews) == 3
