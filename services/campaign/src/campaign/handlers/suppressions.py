"""Opt-outs: a STOP reply, an email's unsubscribe link or staff put a number or address on the
organisation's list; from then on no campaign of that organisation messages it.

Three guards, so no timing lets a message through: a resolved row whose contact is on the list
never becomes a recipient (``lists``); adding to the list takes every not-yet-sent recipient at
that contact out at once (``exclude_unsent``); and every release batch is checked against the
list just before it is handed to dispatch (``release``)."""

import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from cohort_contracts.opt_out import (
    AddSuppression,
    ListSuppressions,
    RemoveSuppression,
    SuppressionEvent,
    SuppressionList,
    SuppressionView,
    Unsubscribe,
    UnsubscribeResult,
)
from cohort_contracts.routing import SEND_MESSAGES
from cohort_contracts.sending import OutboundMessage, ReplyReceived, SendMessages
from cohort_contracts.vocabulary import UPLOAD_REASON_TEXT, RecipientStatus, UploadReason
from cohort_nhs import uk_mobile

from ..domain.contacts import EMAIL
from ..domain.errors import InvalidMessage, NotFound
from ..domain.model import Recipient
from ..domain.opt_out import (
    SOURCE_EMAIL_LINK,
    SOURCE_REPLY,
    SOURCE_STAFF,
    Suppression,
    confirmation_text,
    is_opt_out,
    with_unsubscribe_link,
)
from ..ports.recipients import Move
from .deps import Deps

log = logging.getLogger(__name__)

#: The actor of what a patient did themselves.
PATIENT = "patient"
_UNSENT = frozenset({RecipientStatus.READY, RecipientStatus.QUEUED})
_CONFIRM_IDS = uuid.UUID("5d1c3b8e-0f2a-4e61-9d4b-7c2a1e9f8b30")


async def exclude(
    deps: Deps,
    org_id: str,
    recipient_ids: Sequence[str],
    reason: UploadReason = UploadReason.OPTED_OUT,
) -> list[str]:
    """Ready or queued recipients fail with ``reason`` (a queued one is then refused its claim,
    so dispatch never sends it). Returns the ids that moved."""
    text = UPLOAD_REASON_TEXT[reason]
    moves = [
        Move(rid, RecipientStatus.FAILED, reason.value, text, from_states=_UNSENT)
        for rid in recipient_ids
    ]
    moved = await deps.recipients.apply(org_id, moves)
    return [m.recipient_id for m in moved]


async def exclude_unsent(deps: Deps, org_id: str, contact: str) -> int:
    unsent = await deps.exclusions.unsent_with_contact(org_id, [contact])
    moved = await exclude(deps, org_id, [r.id for r in unsent])
    if moved:
        log.info("opted-out recipients excluded", extra={"org_id": org_id, "count": len(moved)})
    return len(moved)


async def suppressed_of(deps: Deps, org_id: str, recipients: Sequence[Recipient]) -> set[str]:
    """Ids of the recipients whose contact is on the organisation's opt-out list."""
    contacts = await deps.suppressions.suppressed(org_id, sorted({r.contact for r in recipients}))
    return {r.id for r in recipients if r.contact in contacts}


async def _confirm(deps: Deps, suppression: Suppression, org_id: str, number: str) -> None:
    """One confirmation text per opt-out, only to a number this organisation messaged (never to
    a stranger who texted the practice's number). Its command id is the opt-out's, so a
    redelivered reply republishes the same command rather than a second text."""
    messaged = await deps.recipients.for_contact(org_id, number)
    if suppression.confirmed or not messaged:
        return
    latest = max(messaged, key=lambda r: r.updated_at)
    text = confirmation_text(deps.renderer.practice_name(org_id), "sms")
    key = f"{suppression.id}:{suppression.updated_at.isoformat()}"
    command = SendMessages(
        message_id=uuid.uuid5(_CONFIRM_IDS, key),
        correlation_id=uuid.uuid5(_CONFIRM_IDS, suppression.id),
        org_id=org_id,
        campaign_id=latest.campaign_id,
        channel="sms",
        batch_id=uuid.uuid5(_CONFIRM_IDS, f"{key}:batch"),
        messages=[
            OutboundMessage(
                recipient_id=f"optout-{uuid.uuid5(_CONFIRM_IDS, key).hex}", to=number, body=text
            )
        ],
        notification=True,
    )
    await deps.publisher.publish(SEND_MESSAGES, command)
    await deps.suppressions.mark_confirmed(org_id, suppression.id)


async def opt_out_from_reply(event: ReplyReceived, deps: Deps) -> bool:
    """True when the reply is an opt-out (it is then on the list, unsent messages to the
    number are excluded, and the patient has been sent one confirmation)."""
    if not is_opt_out(event.message):
        return False
    suppression, _ = await deps.suppressions.add(
        event.org_id, event.from_number, SOURCE_REPLY, PATIENT, datetime.now(UTC)
    )
    # Confirmed first: only a number this organisation actually messaged is confirmed to, and
    # excluding makes the number's unsent recipients look messaged (failed).
    await _confirm(deps, suppression, event.org_id, event.from_number)
    await exclude_unsent(deps, event.org_id, event.from_number)
    log.info("opt-out by reply", extra={"org_id": event.org_id, "suppression_id": suppression.id})
    return True


def _normalised(raw: str) -> str:
    raw = raw.strip()
    if "@" in raw:
        if not EMAIL.match(raw):
            raise InvalidMessage("Enter an email address, like name@example.com.", field="contact")
        return raw
    if (mobile := uk_mobile(raw)) is None:
        raise InvalidMessage("Enter a UK mobile number, like 07700 900123.", field="contact")
    return mobile


async def _view(deps: Deps, s: Suppression) -> SuppressionView:
    history = await deps.suppressions.history(s.org_id, s.id)
    return SuppressionView(
        id=s.id,
        org_id=s.org_id,
        contact=s.contact,
        source=s.source,
        active=s.active,
        created_at=s.created_at,
        updated_at=s.updated_at,
        history=[SuppressionEvent.model_validate(e) for e in history],
    )


async def list_suppressions(req: ListSuppressions, deps: Deps) -> SuppressionList:
    items: list[Suppression] = []
    for org_id in req.readable_orgs:
        items += await deps.suppressions.active(org_id, req.limit)
    items.sort(key=lambda s: s.updated_at, reverse=True)
    return SuppressionList(items=[await _view(deps, s) for s in items[: req.limit]])


async def add_suppression(req: AddSuppression, deps: Deps) -> SuppressionView:
    contact = _normalised(req.contact)
    suppression, _ = await deps.suppressions.add(
        req.org_id, contact, SOURCE_STAFF, req.actor, datetime.now(UTC)
    )
    await exclude_unsent(deps, req.org_id, contact)
    log.info("opt-out added", extra={"org_id": req.org_id, "suppression_id": suppression.id})
    return await _view(deps, suppression)


async def _find(deps: Deps, orgs: Sequence[str], suppression_id: str) -> Suppression:
    for org_id in orgs:
        found = await deps.suppressions.get(org_id, suppression_id)
        if found is not None:
            return found
    raise NotFound("Opt-out not found.", field="suppression_id")


async def remove_suppression(req: RemoveSuppression, deps: Deps) -> SuppressionView:
    found = await _find(deps, req.readable_orgs, req.suppression_id)
    await deps.suppressions.remove(found.org_id, found.id, req.actor, datetime.now(UTC))
    log.info("opt-out removed", extra={"org_id": found.org_id, "suppression_id": found.id})
    return await _view(deps, await _find(deps, [found.org_id], found.id))


async def unsubscribe(req: Unsubscribe, deps: Deps) -> UnsubscribeResult:
    claim = deps.unsubscribe.verify(req.token)
    if claim is None or claim.org_id != req.org_id:
        raise NotFound("This link is not valid. Check it was copied in full.")
    recipient = await deps.recipients.get(claim.org_id, claim.recipient_id)
    if recipient is None:
        raise NotFound("This link is not valid. Check it was copied in full.")
    suppression, _ = await deps.suppressions.add(
        claim.org_id, recipient.contact, SOURCE_EMAIL_LINK, PATIENT, datetime.now(UTC)
    )
    await exclude_unsent(deps, claim.org_id, recipient.contact)
    log.info("opt-out by link", extra={"org_id": claim.org_id, "suppression_id": suppression.id})
    return UnsubscribeResult(practice_name=deps.renderer.practice_name(claim.org_id))


def with_unsubscribe(deps: Deps, recipient: Recipient, body: str) -> str:
    """An email's body as sent (and previewed): with the recipient's own unsubscribe link, to
    the patient pages' page that asks first (the header's URL unsubscribes at one POST)."""
    if recipient.channel != "email":
        return body
    token = deps.unsubscribe.token(recipient.org_id, recipient.id)
    return with_unsubscribe_link(body, deps.unsubscribe_page_url + token)


def unsubscribe_url(deps: Deps, recipient: Recipient) -> str | None:
    if recipient.channel != "email":
        return None
    return deps.unsubscribe_base_url + deps.unsubscribe.token(recipient.org_id, recipient.id)
