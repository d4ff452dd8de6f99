"""The review: real recipients' messages, counts, fragments and characters, and that what is
reviewed is exactly what is sent."""

import random
import uuid
from dataclasses import replace
from typing import Any, cast

import pytest

from campaign.domain.errors import Conflict
from campaign.domain.messages import MessageRenderer
from campaign.domain.model import Recipient
from campaign.domain.rendering import display_name
from campaign.domain.review import ReviewTally, measure, names_key
from campaign.handlers import lists
from campaign.handlers.deps import Deps
from campaign.ports.recipients import RecipientRepository
from cohort_contracts.vocabulary import Channel, RecipientStatus, SendReason, UploadReason

from ..builders import LINK_BASE, ORG, PRACTICE_NAME, outcome, rows_resolved
from ..fakes import FakePublisher
from .helpers import Wrapper, register, release_now, released, released_ids, stored_campaign
from .messaging import add_patients, compose, create, review_of, send


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


async def test_the_review_says_plainly_why_it_cannot_be_sent_yet(deps: Deps) -> None:
    campaign = await create(deps)
    empty = await review_of(deps, campaign.id)
    assert empty.cannot_send_because == [
        "Write the message before sending.",
        "There is nobody to send to.",
    ]
    await add_patients(deps, campaign.id, [("Ann", "Jones")])
    no_message = await review_of(deps, campaign.id)
    assert (no_message.recipient_count, no_message.previews) == (1, [])
    assert no_message.cannot_send_because == ["Write the message before sending."]
    with pytest.raises(Conflict, match="Write the message before sending"):
        await send(deps, campaign.id, 1)

    await compose(deps, campaign.id, "Hello")
    assert (await review_of(deps, campaign.id)).cannot_send_because == []
    await send(deps, campaign.id, 1)
    sending = await review_of(deps, campaign.id)
    assert sending.cannot_send_because == ["The campaign is sending; only a draft can be sent."]


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
    assert await release_now(deps, campaign.id) == 2
    counts = await deps.recipients.counts(campaign.id)
    assert counts == {RecipientStatus.QUEUED: 2, RecipientStatus.FAILED: 1}
    failed = await deps.recipient_messages.get(ORG, long_id)
    assert failed is not None
    assert failed.reason_code == SendReason.MESSAGE_TOO_LONG
    assert long_id not in released_ids(publisher)


async def test_what_is_reviewed_is_exactly_what_is_sent(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign = await create(deps, "questionnaire")
    names = [("Ann", "Jones"), ("Bob", "Hill"), ("Cy", "Wu"), ("Di", "Ng"), ("Ed", "Ko")]
    await add_patients(deps, campaign.id, names)
    await compose(deps, campaign.id, "Dear ((first_name)) ((last_name)), please tell us.")

    review = await review_of(deps, campaign.id, preview_count=20)
    await send(deps, campaign.id, review.recipient_count)
    assert await release_now(deps, campaign.id) == 5

    sent = {m.recipient_id: m.body for c in released(publisher) for m in c.messages}
    assert sent == {p.recipient_id: p.body for p in review.previews}
    assert len(set(sent.values())) == 5


class _GuardedRecipients(Wrapper):
    """Refuses to load more ready recipients than a preview needs."""

    def __init__(self, inner: RecipientRepository) -> None:
        super().__init__(inner)
        self._recipients = inner

    async def with_status(
        self,
        campaign_id: uuid.UUID,
        status: RecipientStatus,
        limit: int,
        channel: Channel | None = None,
    ) -> list[Recipient]:
        assert limit <= 20, "the review must not load every recipient"
        return await self._recipients.with_status(campaign_id, status, limit, channel)


class _CountingRenderer(Wrapper):
    """Counts the messages a review renders."""

    def __init__(self, inner: MessageRenderer) -> None:
        super().__init__(inner)
        self.rendered = 0

    def render(self, *args: Any, **kwargs: Any) -> Any:
        self.rendered += 1
        return self._inner.render(*args, **kwargs)


NAME_LETTERS = "abcdefghijklmnopqrstuvwxyzÉéüÅ-'[]{€" + "łŁżźćńΩ😀 "


def names(rng: random.Random, n: int) -> list[tuple[str, str]]:
    def one() -> str:
        return "".join(rng.choice(NAME_LETTERS) for _ in range(rng.randint(0, 14))).strip()

    return [(one() or "Al", one() or "Bo") for _ in range(n)]


@pytest.mark.parametrize("seed", range(3))
async def test_a_review_costs_every_recipient_exactly_without_rendering_each(
    deps: Deps, seed: int
) -> None:
    """Grouped by the shapes of their names, recipients cost exactly what rendering each of
    them would: checked against rendering every one, names with extension characters,
    non-GSM letters and emoji included."""
    rng = random.Random(seed)
    campaign = await create(deps)
    people = names(rng, 120)
    await add_patients(deps, campaign.id, people)
    body = "Dear ((first_name)) ((last_name)), " + "your review is due. " * rng.randint(1, 40)
    await compose(deps, campaign.id, body)
    counting = _CountingRenderer(deps.renderer)
    guarded = _GuardedRecipients(deps.recipients)
    reviewing = replace(deps, renderer=cast(MessageRenderer, counting), recipients=guarded)
    review = await review_of(reviewing, campaign.id)

    stored = await stored_campaign(deps, campaign.id)
    expected = ReviewTally()
    async for r in deps.recipient_messages.stream(campaign.id, RecipientStatus.READY):
        expected.add(r.id, r.channel, measure(r.channel, deps.renderer.render_for(stored, r).body))
    assert review.recipient_count == expected.recipient_count
    assert review.total_fragments == expected.total_fragments
    assert review.largest_message_fragments == expected.largest_fragments
    assert review.largest_message_characters == expected.largest_characters
    assert sorted(review.too_long) == sorted(expected.too_long)
    # One message per names shape (plus the previews), far fewer than there are recipients.
    shapes = {names_key(g, f) for g, f in ((display_name(g), display_name(f)) for g, f in people)}
    assert counting.rendered <= len(shapes) + len(review.previews)
