"""Dispatch with its real Firetext adapter against the real Firetext simulator, on the real
RabbitMQ: credit running out mid-batch loses nobody; identical texts go as one request and
their receipts come back per number; credit and replies over the broker."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from cohort_contracts.routing import SEND_MESSAGES
from cohort_contracts.sending import MessagesSent, SendMessages
from cohort_contracts.vocabulary import SendReason
from cohort_platform.settings import RabbitSettings
from dispatch import bootstrap
from dispatch.config import Settings
from dispatch.domain.grouping import is_group_reference
from dispatch.entrypoints.app import running_consumer

from ..builders import ORG, make_sms_batch, mobile
from ..fakes import FakeCampaignClaims
from ..replies import refusal
from ..servers import refused_url
from .campaign_double import CampaignDouble, campaign_double
from .conftest import eventually
from .gateway_double import gateway_double
from .simulator import Simulator, firetext_simulator

pytestmark = pytest.mark.integration


def dispatch_settings(sim: Simulator, gateway: str | None = None, **overrides: Any) -> Settings:
    fields: dict[str, Any] = {
        "firetext_base_url": sim.url,
        "receipt_url": f"{gateway or refused_url()}/receipts",
        "chunk_size": 10,
        "sms_rate_limit": 1000,
        "retry_initial_backoff_s": 0,
        **overrides,
    }
    return Settings(**fields)


@asynccontextmanager
async def dispatch(settings: Settings, rabbit: RabbitSettings) -> AsyncIterator[None]:
    async with (
        bootstrap.open_senders(settings) as senders,
        running_consumer(settings, rabbit, senders),
    ):
        yield


def statuses(events: list[MessagesSent]) -> dict[str, str]:
    return {o.recipient_id: o.status for e in events for o in e.outcomes}


async def send_and_wait(
    campaign: CampaignDouble, cmd: SendMessages, events_before: int, events: int
) -> None:
    await campaign.send(SEND_MESSAGES, cmd)
    await eventually(lambda: len(campaign.messages_sent) == events_before + events)


async def test_credit_running_out_mid_batch_pauses_and_loses_nobody(rabbit: RabbitSettings) -> None:
    cmd = make_sms_batch([f"Hello patient {i}, your review is due." for i in range(40)])
    ids = [m.recipient_id for m in cmd.messages]
    claims = FakeCampaignClaims(ids)

    async with firetext_simulator() as sim:
        await sim.set_credit(15)  # one credit per single-fragment message
        settings = dispatch_settings(sim, concurrency=1)
        async with dispatch(settings, rabbit), campaign_double(rabbit, claims) as campaign:
            await send_and_wait(campaign, cmd, 0, 2)

            first, blocked = campaign.messages_sent
            assert first.blocked is None
            assert blocked.blocked is not None
            assert blocked.blocked.reason_code == SendReason.INSUFFICIENT_CREDIT
            assert "credit has run out" in blocked.blocked.reason
            outcome = statuses(campaign.messages_sent)
            assert [outcome[i] for i in ids] == (
                ["sent"] * 15 + ["returned"] * 5 + ["not_claimed"] * 20
            )
            assert len(campaign.claim_requests) == 2  # chunks 3 and 4 were never claimed
            assert len(await sim.messages()) == 15

            # Campaign pauses; staff top up and resume; campaign puts the returned back and
            # releases everyone not yet sent again, in a new batch.
            await sim.set_credit(1000)
            unsent = [m for m in cmd.messages if outcome[m.recipient_id] != "sent"]
            claims.status.update(dict.fromkeys((m.recipient_id for m in unsent), "queued"))
            resumed = cmd.model_copy(
                update={"message_id": uuid.uuid4(), "batch_id": uuid.uuid4(), "messages": unsent}
            )
            await send_and_wait(campaign, resumed, 2, 3)

        handsets = await sim.per_handset()
    assert handsets == dict.fromkeys((m.to for m in cmd.messages), 1)  # everyone, once
    assert {statuses(campaign.messages_sent[2:])[m.recipient_id] for m in unsent} == {"sent"}


async def test_identical_texts_are_one_request_and_receipts_map_back_per_number(
    rabbit: RabbitSettings,
) -> None:
    cmd = make_sms_batch(["The flu clinic is on Saturday 9am-1pm."] * 5)
    claims = FakeCampaignClaims(m.recipient_id for m in cmd.messages)
    recipient_by_number = {m.to: m.recipient_id for m in cmd.messages}

    async with (
        firetext_simulator(outcomes=f"{mobile(3)[-5:]}=1:101") as sim,
        gateway_double(rabbit) as gateway,
    ):
        settings = dispatch_settings(sim, gateway)
        async with dispatch(settings, rabbit), campaign_double(rabbit, claims) as campaign:
            await send_and_wait(campaign, cmd, 0, 1)
            await eventually(lambda: len(campaign.delivery_reported) == 5)

            stats = await sim.stats()
            messages = await sim.messages()

    assert stats["requests"] == 1  # one request for five handsets
    assert sorted(m["mobile"] for m in messages) == sorted(recipient_by_number)
    (reference,) = {m["reference"] for m in messages}
    assert is_group_reference(reference)
    (event,) = campaign.messages_sent
    assert {(o.status, o.provider_reference) for o in event.outcomes} == {("sent", reference)}

    # What campaign does: reference + number → recipient.
    reported = {}
    for receipt in campaign.delivery_reported:
        assert receipt.recipient_id is None
        assert receipt.provider_reference == reference
        assert receipt.mobile is not None
        reported[recipient_by_number[receipt.mobile]] = (receipt.status, receipt.reason_code)
    assert reported == {
        "r0000": ("delivered", None),
        "r0001": ("delivered", None),
        "r0002": ("delivered", None),
        "r0003": ("failed", SendReason.UNKNOWN_SUBSCRIBER),
        "r0004": ("delivered", None),
    }


async def test_campaign_reads_the_credit_balance_through_dispatch(rabbit: RabbitSettings) -> None:
    async with firetext_simulator() as sim:
        await sim.set_credit(777)
        async with (
            dispatch(dispatch_settings(sim), rabbit),
            campaign_double(rabbit, FakeCampaignClaims()) as campaign,
        ):
            reply = await campaign.credit(ORG)

    assert reply.error is None
    assert reply.result is not None
    assert (reply.result.provider, reply.result.credits) == ("firetext", 777)


async def test_credit_is_unavailable_when_firetext_cannot_be_reached(
    rabbit: RabbitSettings,
) -> None:
    settings = Settings(firetext_base_url=refused_url(), firetext_credit_timeout_s=1)
    async with (
        dispatch(settings, rabbit),
        campaign_double(rabbit, FakeCampaignClaims()) as campaign,
    ):
        reply = await campaign.credit(ORG)

    assert refusal(reply)[0] == "unavailable"


async def test_a_patients_reply_reaches_campaign_with_a_normalised_number(
    rabbit: RabbitSettings,
) -> None:
    async with (
        firetext_simulator() as sim,
        gateway_double(rabbit) as gateway,
        dispatch(dispatch_settings(sim, gateway), rabbit),
        campaign_double(rabbit, FakeCampaignClaims()) as campaign,
    ):
        status = await sim.push_inbound(f"{gateway}/inbound", "07700900123", "Yes please")
        assert status == 200
        await eventually(lambda: len(campaign.replies) == 1)

    (reply,) = campaign.replies
    assert (reply.from_number, reply.message, reply.org_id) == ("447700900123", "Yes please", ORG)
    assert reply.received_at.tzinfo is not None
