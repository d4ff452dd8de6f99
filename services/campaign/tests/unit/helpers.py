import uuid
from datetime import UTC, datetime
from typing import Any, TypeVar

from campaign.domain.model import Campaign
from campaign.handlers import campaigns, lists, outcomes
from campaign.handlers import release as releasing
from campaign.handlers.deps import Deps
from campaign.ports.recipients import RecipientListing
from cohort_contracts.campaign_requests import (
    ClaimMessages,
    CreateCampaign,
    RegisterPatientList,
    SendCampaign,
    SetMessage,
)
from cohort_contracts.campaign_views import CampaignView
from cohort_contracts.envelope import Message
from cohort_contracts.routing import RECORD_ENTRIES, SEND_MESSAGES
from cohort_contracts.sending import (
    DeliveryReported,
    DeliveryStatus,
    MessagesSent,
    RecordEntriesRequested,
    RecordEntryRequested,
    SendingBlocked,
    SendMessages,
    SendOutcome,
    SendStatus,
)
from cohort_contracts.vocabulary import CampaignStatus, Channel

from ..builders import ORG, outcome, rows_resolved
from ..fakes import FakePublisher

M = TypeVar("M", bound=Message)


def cid() -> uuid.UUID:
    return uuid.uuid4()


def req(cls: type[M], **fields: Any) -> M:
    """A request from a user of ``ORG`` unless the fields say otherwise."""
    return cls(**{"correlation_id": cid(), "org_id": ORG, "actor": "user-1", **fields})


async def new_campaign(deps: Deps, org: str = ORG) -> CampaignView:
    return await campaigns.create_campaign(
        req(CreateCampaign, org_id=org, name="Flu", type="basic"), deps
    )


async def register(
    deps: Deps,
    campaign_id: uuid.UUID,
    total: int,
    org: str = ORG,
    channel: Channel = "sms",
    columns: tuple[str, ...] = ("NHS Number", "Date of Birth", "Notes"),
) -> uuid.UUID:
    """Registers an upload of ``total`` rows, as the gateway does before ingest resolves it."""
    list_id = uuid.uuid4()
    await lists.register_patient_list(
        req(
            RegisterPatientList,
            org_id=org,
            campaign_id=campaign_id,
            list_id=list_id,
            channel=channel,
            filename="list.csv",
            columns=list(columns),
            total_rows=total,
        ),
        deps,
    )
    return list_id


async def campaign_with_recipients(deps: Deps, n: int) -> tuple[uuid.UUID, uuid.UUID]:
    campaign = await new_campaign(deps)
    list_id = await register(deps, campaign.id, n)
    event = rows_resolved(campaign.id, list_id, [outcome(i) for i in range(1, n + 1)])
    await lists.record_resolved_rows(event, deps)
    await write_message(
        deps, campaign.id, "Hello ((first_name)), your flu jab is due.", actor="user-1"
    )
    return campaign.id, list_id


async def write_message(
    deps: Deps,
    campaign_id: uuid.UUID,
    body: str,
    *,
    subject: str | None = None,
    actor: str = "u",
) -> None:
    """Sets the campaign's message, as staff do on the message page."""
    await campaigns.set_message(
        req(SetMessage, actor=actor, campaign_id=campaign_id, body=body, subject=subject), deps
    )


def claim_request(
    campaign_id: uuid.UUID,
    ids: list[str],
    references: dict[str, str] | None = None,
    **extra: object,
) -> ClaimMessages:
    """Dispatch's claim of ``ids`` before a provider call; ``extra``: when it was asked
    (``occurred_at``)."""
    return req(
        ClaimMessages,
        actor="dispatch",
        campaign_id=campaign_id,
        recipient_ids=ids,
        provider_references=references or {},
        **extra,
    )


async def claim(
    deps: Deps,
    campaign_id: uuid.UUID,
    ids: list[str],
    references: dict[str, str] | None = None,
) -> list[str]:
    """As dispatch does before a provider call: the ids it may now send."""
    result = await releasing.claim_messages(claim_request(campaign_id, ids, references), deps)
    return result.claimed


def send_request(
    campaign_id: uuid.UUID, count: int, actor: str = "u", **extra: object
) -> SendCampaign:
    """The send staff confirm after the review, for ``count`` recipients; ``extra``: when
    (``send_at``) and over how long (``spread_hours``)."""
    return req(
        SendCampaign,
        actor=actor,
        campaign_id=campaign_id,
        confirm_recipient_count=count,
        **extra,
    )


async def send(
    deps: Deps, campaign_id: uuid.UUID, count: int, actor: str = "u", **extra: object
) -> CampaignView:
    """Sends it, confirming ``count`` recipients, as staff do after the review."""
    return await campaigns.send_campaign(send_request(campaign_id, count, actor, **extra), deps)


async def sending(deps: Deps, n: int) -> uuid.UUID:
    """A campaign of ``n`` recipients, sent (nothing released yet)."""
    campaign_id, _ = await campaign_with_recipients(deps, n)
    await send(deps, campaign_id, n)
    return campaign_id


async def stored_campaign(deps: Deps, campaign_id: uuid.UUID) -> Campaign:
    """The campaign as stored now."""
    campaign = await deps.campaigns.get(ORG, campaign_id)
    assert campaign is not None
    return campaign


async def release_now(deps: Deps, campaign_id: uuid.UUID) -> int:
    """One turn of the releaser for this campaign."""
    return await releasing.release(await stored_campaign(deps, campaign_id), deps)


def released(publisher: FakePublisher) -> list[SendMessages]:
    """Every batch handed to dispatch so far."""
    return [c for r, c in publisher.published if r == SEND_MESSAGES and isinstance(c, SendMessages)]


def released_ids(publisher: FakePublisher) -> list[str]:
    return [m.recipient_id for batch in released(publisher) for m in batch.messages]


async def sent_and_released(
    deps: Deps, publisher: FakePublisher, n: int
) -> tuple[uuid.UUID, list[str]]:
    """A campaign of ``n`` recipients, sent and released once: its id and the released ids."""
    campaign_id = await sending(deps, n)
    await release_now(deps, campaign_id)
    return campaign_id, released_ids(publisher)


async def sent_and_claimed(
    deps: Deps, publisher: FakePublisher, n: int
) -> tuple[uuid.UUID, list[str]]:
    """Sent, released and claimed by dispatch: waiting for its outcome and receipt."""
    campaign_id, ids = await sent_and_released(deps, publisher, n)
    await claim(deps, campaign_id, ids)
    return campaign_id, ids


async def contacts_of(deps: Deps, campaign_id: uuid.UUID) -> dict[str, str]:
    """Each recipient's number or address, by recipient id."""
    page, _ = await deps.recipients.page(RecipientListing(ORG, campaign_id), 0, 50)
    return {r.id: r.contact for r in page}


def dispatch_report(
    campaign_id: uuid.UUID,
    outcomes: list[SendOutcome],
    batch_id: uuid.UUID | None = None,
    blocked: SendingBlocked | None = None,
) -> MessagesSent:
    """Dispatch's report on a batch (a batch of its own unless ``batch_id`` names one), each
    recipient's outcome as given; ``messages_sent`` and ``returned_report`` build the outcomes
    of the usual reports."""
    return MessagesSent(
        correlation_id=cid(),
        org_id=ORG,
        campaign_id=campaign_id,
        batch_id=batch_id or uuid.uuid4(),
        outcomes=outcomes,
        blocked=blocked,
    )


def messages_sent(
    campaign_id: uuid.UUID,
    outcomes: list[tuple[str, SendStatus]],
    blocked: SendingBlocked | None = None,
    reference: str | None = None,
    batch_id: uuid.UUID | None = None,
) -> MessagesSent:
    """Dispatch's report on a batch: each recipient's provider reference is ``reference``
    (one request for them all) or, if none, its own id (sent alone)."""
    return dispatch_report(
        campaign_id,
        [
            SendOutcome(recipient_id=r, status=s, provider_reference=reference or r)
            for r, s in outcomes
        ],
        batch_id,
        blocked,
    )


async def all_sent(
    deps: Deps,
    campaign_id: uuid.UUID,
    ids: list[str],
    reference: str | None = None,
    batch_id: uuid.UUID | None = None,
) -> None:
    """Dispatch reports every one of ``ids`` sent (``reference``, ``batch_id``: as
    ``messages_sent`` takes them) and campaign records it."""
    sent: list[tuple[str, SendStatus]] = [(i, "sent") for i in ids]
    report = messages_sent(campaign_id, sent, reference=reference, batch_id=batch_id)
    await outcomes.record_messages_sent(report, deps)


def returned_report(
    campaign_id: uuid.UUID,
    batch_id: uuid.UUID,
    ids: list[str],
    blocked: SendingBlocked | None = None,
) -> MessagesSent:
    """Dispatch's report that it handed the claimed ``ids`` back unsent (``blocked``: because
    sending was blocked by a provider problem)."""
    outcomes = [SendOutcome(recipient_id=i, status="returned") for i in ids]
    return dispatch_report(campaign_id, outcomes, batch_id, blocked)


def delivery_reported(status: DeliveryStatus, **fields: str | bool) -> DeliveryReported:
    """A receipt for one message, reported now; ``fields`` name the recipient or reference."""
    return DeliveryReported.model_validate(
        {
            "correlation_id": cid(),
            "org_id": ORG,
            "status": status,
            "reported_at": datetime.now(UTC),
            **fields,
        }
    )


def published_entries(*publishers: FakePublisher) -> list[RecordEntryRequested]:
    """Every record entry published, out of their batches."""
    return [
        entry
        for publisher in publishers
        for r, m in publisher.published
        if r == RECORD_ENTRIES and isinstance(m, RecordEntriesRequested)
        for entry in m.entries
    ]


async def status_of(deps: Deps, campaign_id: uuid.UUID) -> CampaignStatus:
    return (await stored_campaign(deps, campaign_id)).status


class Wrapper:
    """A store, collection or renderer with some calls of a test's own (a race, a probe, a
    guard, a count); every other call goes to the wrapped one."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
