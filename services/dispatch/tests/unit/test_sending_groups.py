"""``send_messages`` grouping identical SMS texts into one request (Firetext takes 50 numbers),
and falling back to one by one when a group is refused for a number."""

from cohort_contracts.sending import SendOutcome
from cohort_contracts.vocabulary import SendReason
from dispatch.domain import reasons
from dispatch.domain.errors import PermanentSendError
from dispatch.domain.grouping import is_group_reference
from dispatch.handlers import SendPolicy, send_messages

from ..builders import make_send_messages, make_sms_batch, mobile
from ..conftest import World
from ..fakes import FakeSmsSender
from .test_sending import events, outcomes, queue_all


def claim_all(world: World, count: int) -> None:
    queue_all(world, [f"r{i:04d}" for i in range(count)])


def references(world: World) -> dict[str, str | None]:
    return {rid: o.provider_reference for rid, o in outcomes(world).items()}


async def test_identical_texts_go_in_one_request_and_share_its_reference(world: World) -> None:
    cmd = make_sms_batch(["Flu jabs on Saturday"] * 5)
    claim_all(world, 5)

    await send_messages(cmd, world.deps)

    (request,) = world.sms.requests
    assert [m.recipient_id for m in request.messages] == [f"r{i:04d}" for i in range(5)]
    assert set(references(world).values()) == {request.reference}
    assert is_group_reference(request.reference)
    assert {o.status for o in outcomes(world).values()} == {"sent"}
    assert world.sms_limiter.amounts == [5]  # one token per number


async def test_more_than_fifty_identical_texts_take_one_request_per_fifty() -> None:
    world = World(chunk_size=120)
    cmd = make_sms_batch(["Flu jabs on Saturday"] * 120)
    claim_all(world, 120)

    await send_messages(cmd, world.deps)

    assert sorted(len(r.messages) for r in world.sms.requests) == [20, 50, 50]
    assert len({r.reference for r in world.sms.requests}) == 3
    assert len(set(world.sms.sent_ids)) == 120
    assert sorted(world.sms_limiter.amounts) == [20, 50, 50]
    (event,) = events(world)
    assert len(event.outcomes) == 120


async def test_mixed_texts_group_by_text_and_personalised_ones_go_alone(world: World) -> None:
    cmd = make_sms_batch(["Same", "Hello Ann", "Same", "Hello Bob", "Same"])
    claim_all(world, 5)

    await send_messages(cmd, world.deps)

    groups = {tuple(m.recipient_id for m in r.messages) for r in world.sms.requests}
    assert groups == {("r0000", "r0002", "r0004"), ("r0001",), ("r0003",)}
    refs = references(world)
    assert refs["r0000"] == refs["r0002"] == refs["r0004"]
    assert is_group_reference(refs["r0000"] or "")
    # Alone, a message's reference is its recipient id: its receipt names it directly.
    assert (refs["r0001"], refs["r0003"]) == ("r0001", "r0003")


async def test_grouping_happens_within_a_claimed_chunk_only() -> None:
    world = World(chunk_size=3)
    cmd = make_sms_batch(["Same"] * 5)
    claim_all(world, 5)

    await send_messages(cmd, world.deps)

    assert sorted(len(r.messages) for r in world.sms.requests) == [2, 3]


async def test_unclaimed_recipients_are_left_out_of_the_group(world: World) -> None:
    cmd = make_sms_batch(["Same"] * 4)
    queue_all(world, ["r0000", "r0001", "r0003"])

    await send_messages(cmd, world.deps)

    (request,) = world.sms.requests
    assert [m.recipient_id for m in request.messages] == ["r0000", "r0001", "r0003"]
    assert outcomes(world)["r0002"].status == "not_claimed"


async def test_a_group_refused_for_a_number_is_sent_one_by_one(world: World) -> None:
    cmd = make_sms_batch(["Same"] * 5)
    claim_all(world, 5)
    world.sms = FakeSmsSender(refused_numbers=[mobile(3)])

    await send_messages(cmd, world.deps)

    # The group once (refused whole, nothing queued), then each member alone.
    assert world.sms.attempts[:5] == [f"r{i:04d}" for i in range(5)]
    assert sorted(world.sms.attempts[5:]) == [f"r{i:04d}" for i in range(5)]
    assert sorted(world.sms.sent_ids) == ["r0000", "r0001", "r0002", "r0004"]
    assert all(len(r.messages) == 1 for r in world.sms.requests)
    result = outcomes(world)
    bad = result["r0003"]
    assert (bad.status, bad.reason_code) == ("failed", SendReason.PROVIDER_REJECTED_NUMBER)
    for rid in ("r0000", "r0001", "r0002", "r0004"):
        assert result[rid] == SendOutcome(recipient_id=rid, status="sent", provider_reference=rid)


async def test_a_group_refused_for_its_text_fails_every_member_without_retrying(
    world: World,
) -> None:
    refusal = PermanentSendError(
        reasons.SMS_REJECTED_MESSAGE, reason_code=SendReason.PROVIDER_REJECTED_MESSAGE
    )
    world.sms = FakeSmsSender(failures={"r0000": [refusal]})
    cmd = make_sms_batch(["Same"] * 3)
    claim_all(world, 3)

    await send_messages(cmd, world.deps)

    assert len(world.sms.attempts) == 3  # the one group request
    assert {(o.status, o.reason_code) for o in outcomes(world).values()} == {
        ("failed", SendReason.PROVIDER_REJECTED_MESSAGE)
    }


async def test_grouping_can_be_turned_off() -> None:
    world = World()
    world.policy = SendPolicy(chunk_size=50, group_size=1, retry=world.policy.retry)
    cmd = make_sms_batch(["Same"] * 3)
    claim_all(world, 3)

    await send_messages(cmd, world.deps)

    assert [r.reference for r in world.sms.requests] == ["r0000", "r0001", "r0002"]


async def test_email_is_never_grouped(world: World) -> None:
    cmd = make_send_messages(3, channel="email")
    claim_all(world, 3)

    await send_messages(cmd, world.deps)

    assert len(world.email.requests) == 3
    assert world.email_limiter.amounts == [1, 1, 1]


async def test_the_claim_names_each_groups_reference_before_the_provider_is_called(
    world: World,
) -> None:
    """If dispatch dies after Firetext took the group and before reporting it, campaign still
    knows from the claim which recipients the group's receipts are for."""
    cmd = make_sms_batch(["Same", "Hello Ann", "Same", "Same"])
    queue_all(world, ["r0000", "r0001", "r0002"])  # r0003 is someone else's already

    await send_messages(cmd, world.deps)

    (claim,) = world.claims.requests
    (group,) = [r for r in world.sms.requests if len(r.messages) > 1]
    assert claim.provider_references == {
        "r0000": group.reference,
        "r0002": group.reference,
        "r0003": group.reference,
    }
    assert [m.recipient_id for m in group.messages] == ["r0000", "r0002"]
    assert references(world)["r0000"] == group.reference
    assert "r0001" not in claim.provider_references  # alone: its own id is its reference


async def test_a_group_left_with_one_claimed_member_keeps_the_claimed_reference(
    world: World,
) -> None:
    cmd = make_sms_batch(["Same", "Same"])
    queue_all(world, ["r0001"])

    await send_messages(cmd, world.deps)

    (claim,) = world.claims.requests
    (request,) = world.sms.requests
    assert [m.recipient_id for m in request.messages] == ["r0001"]
    assert request.reference == claim.provider_references["r0001"]
    assert is_group_reference(request.reference)
