"""A patient booking, changing or cancelling their appointment from their link.

- Free slots come from the practice's appointment book (GP Connect), of the campaign's type.
- A booking is keyed by the recipient and the request's idempotency key: the same request again
  (a double click, a retry) returns the first one's outcome and books nothing more. One change
  per recipient at a time (a lease), so two tabs cannot each leave an appointment behind.
- Rebooking books the new slot first, then cancels the old appointment: a slot taken meanwhile
  leaves the patient with the appointment they had.
- A booking whose outcome the practice's system did not report is looked for among the
  patient's appointments there before it is called failed.
- Each booking and cancellation is confirmed by a message on the recipient's channel (SMS or
  email), sent through dispatch like every other message."""

import asyncio
import logging
import uuid
from datetime import UTC, datetime, timedelta

from cohort_contracts.patient_links import (
    AppointmentView,
    BookAppointment,
    CancelAppointment,
    FreeSlotsView,
    GetPatientBooking,
    ListFreeSlots,
    PatientBookingView,
    SlotView,
)

from ..domain.appointments import (
    AppointmentRecord,
    AppointmentsUnavailable,
    FreeSlot,
    NewAppointment,
    Requester,
    SlotTaken,
    instructions,
    matches_type,
)
from ..domain.errors import Conflict
from ..domain.rendering import display_name
from ..ports.patient_links import AppointmentSystem
from .deps import Deps
from .patient_links import LinkTarget, patient_deps, record_event, resolve_session
from .patient_notify import notify

log = logging.getLogger(__name__)
BOOKING_IDS = uuid.UUID("0e3c9f7c-64a5-4bb0-9d7d-8a4f27f1f0b1")
LEASE_S = 60.0


def _system(deps: Deps) -> AppointmentSystem:
    system = patient_deps(deps).appointment_system
    if system is None:
        raise AppointmentsUnavailable("Booking is not available at the moment. Try again later.")
    return system


def requester(target: LinkTarget) -> Requester:
    return Requester(
        user_id=target.campaign.created_by,
        org_ods=target.campaign.org_id,
        org_name=target.practice.name,
        org_phone=target.practice.phone or "",
    )


def appointment_view(r: AppointmentRecord) -> AppointmentView:
    return AppointmentView(
        id=r.id,
        status="cancelled" if r.status == "cancelled" else "booked",
        start=r.start,
        end=r.end,
        type=r.type_text,
        location=r.location,
        practitioner=r.practitioner,
        booked_at=r.booked_at or r.created_at,
        cancelled_at=r.cancelled_at,
        cancelled_because="rebooked"
        if r.cancelled_because == "rebooked"
        else ("patient" if r.cancelled_because else None),
    )


def _type(target: LinkTarget) -> tuple[str, str]:
    booking = target.campaign.booking
    assert booking is not None  # a booking campaign always has its settings
    return booking.appointment_type_code, booking.appointment_type_display


async def _view(deps: Deps, target: LinkTarget) -> PatientBookingView:
    now = datetime.now(UTC)
    active = await patient_deps(deps).appointments.active(target.recipient.id)
    code, display = _type(target)
    return PatientBookingView(
        practice=target.practice,
        type=display,
        given_name=display_name(target.recipient.given_name),
        appointment=None if active is None else appointment_view(active),
        can_change=now < target.claim.expires_at and (active is None or active.start > now),
        instructions=instructions(code),
    )


async def _booking_target(
    deps: Deps, req: GetPatientBooking | ListFreeSlots | BookAppointment | CancelAppointment
) -> LinkTarget:
    target = await resolve_session(deps, req.token, req.session, req.org_id)
    if target.campaign.booking is None:
        raise Conflict("This link is not for booking an appointment.")
    return target


async def get_booking(req: GetPatientBooking, deps: Deps) -> PatientBookingView:
    return await _view(deps, await _booking_target(deps, req))


async def _free_slots(deps: Deps, target: LinkTarget) -> list[FreeSlot]:
    now = datetime.now(UTC)
    weeks = patient_deps(deps).booking_weeks
    slots = await _system(deps).free_slots(
        requester(target), now + timedelta(hours=1), now + timedelta(weeks=weeks)
    )
    code, display = _type(target)
    return [s for s in slots if matches_type(s.type_text, code, display)]


async def list_free_slots(req: ListFreeSlots, deps: Deps) -> FreeSlotsView:
    target = await _booking_target(deps, req)
    slots = await _free_slots(deps, target)
    return FreeSlotsView(
        type=_type(target)[1],
        slots=[SlotView.model_validate(s, from_attributes=True) for s in slots],
    )


async def _settled(deps: Deps, target: LinkTarget, record_id: str) -> PatientBookingView | None:
    """The outcome of an earlier request with this key: its view, its error, or None when it
    failed only because the practice's system did not answer (so it may be tried again)."""
    store = patient_deps(deps).appointments
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patient_deps(deps).repeat_wait_s
    record = await store.get(record_id)
    while record is not None and record.status == "booking" and loop.time() < deadline:
        await asyncio.sleep(0.2)
        record = await store.get(record_id)
    if record is None or (record.status == "failed" and record.failure == "unavailable"):
        return None
    if record.status == "booking":
        raise Conflict("Your booking is still being made. Wait a moment and check again.")
    if record.status == "failed":
        raise SlotTaken("That time has just been booked by someone else.")
    return await _view(deps, target)


async def book(req: BookAppointment, deps: Deps) -> PatientBookingView:
    target = await _booking_target(deps, req)
    rid = target.recipient.id
    record_id = uuid.uuid5(BOOKING_IDS, f"{rid}:{req.idempotency_key}").hex
    store = patient_deps(deps).appointments
    if (existing := await store.get(record_id)) is not None:
        settled = await _settled(deps, target, record_id)
        if settled is not None:
            return settled
    view = await _view(deps, target)
    if not view.can_change:
        raise Conflict(
            "This appointment can no longer be changed online. Contact your GP practice."
        )
    lease = f"appointment:{rid}"
    if not await deps.leases.acquire(lease, record_id, LEASE_S):
        raise Conflict("Your appointment is already being changed. Wait a moment and try again.")
    try:
        return await _book(req, deps, target, record_id, retry=existing is not None)
    finally:
        await deps.leases.release(lease, record_id)


async def _book(
    req: BookAppointment, deps: Deps, target: LinkTarget, record_id: str, *, retry: bool
) -> PatientBookingView:
    patient = patient_deps(deps)
    system = _system(deps)
    now = datetime.now(UTC)
    slot = next((s for s in await _free_slots(deps, target) if s.id == req.slot_id), None)
    if slot is None or slot.location_id is None:
        raise SlotTaken("That time has just been booked by someone else.")
    previous = await patient.appointments.active(target.recipient.id)
    record = AppointmentRecord(
        id=record_id,
        org_id=target.campaign.org_id,
        campaign_id=str(target.campaign.id),
        recipient_id=target.recipient.id,
        slot_id=slot.id,
        start=slot.start,
        end=slot.end,
        type_text=_type(target)[1],
        created_at=now,
        location=slot.location,
        practitioner=slot.practitioner,
    )
    if retry:
        if not await patient.appointments.retry(record_id):
            return await _settled(deps, target, record_id) or await _view(deps, target)
    elif not await patient.appointments.add(record):
        return await _settled(deps, target, record_id) or await _view(deps, target)
    who = requester(target)
    gp_id = await _book_at_practice(deps, system, who, target, slot, record)
    record.gp_id, record.status, record.booked_at = gp_id, "booked", datetime.now(UTC)
    await patient.appointments.booked(record)
    details = {"start": slot.start.isoformat()}
    if previous is not None and previous.id != record.id:
        await _cancel_at_practice(system, who, previous, "Rebooked by the patient")
        await patient.appointments.cancelled(previous.id, now, "rebooked")
        await record_event(deps, target, "rebooked", now, previous.id, **details)
    await record_event(deps, target, "booked", now, record.id, **details)
    await notify(deps, target, "booked", record)
    return await _view(deps, target)


async def _book_at_practice(
    deps: Deps,
    system: AppointmentSystem,
    who: Requester,
    target: LinkTarget,
    slot: FreeSlot,
    record: AppointmentRecord,
) -> str:
    store = patient_deps(deps).appointments
    try:
        patient_id = await system.find_patient(who, target.recipient.nhs_number)
        if patient_id is None:
            await store.failed(record.id, "not_registered")
            raise Conflict("The practice could not find you in its appointment book. Call them.")
        description = f"{record.type_text} (booked by the patient from a text invitation)"
        assert slot.location_id is not None
        booked = await system.book(
            who, NewAppointment(patient_id, slot, slot.location_id, description)
        )
    except SlotTaken:
        await store.failed(record.id, "slot_taken")
        raise
    except AppointmentsUnavailable:
        # The booking may have reached the practice: look for it before calling it failed.
        found = await _find_booked(system, who, target, slot)
        if found is None:
            await store.failed(record.id, "unavailable")
            raise
        return found
    return booked.id


async def _find_booked(
    system: AppointmentSystem, who: Requester, target: LinkTarget, slot: FreeSlot
) -> str | None:
    try:
        patient_id = await system.find_patient(who, target.recipient.nhs_number)
        if patient_id is None:
            return None
        mine = await system.patient_appointments(who, patient_id)
    except AppointmentsUnavailable:
        return None
    return next((a.id for a in mine if slot.id in a.slot_ids and a.status == "booked"), None)


async def _cancel_at_practice(
    system: AppointmentSystem, who: Requester, record: AppointmentRecord, reason: str
) -> None:
    if record.gp_id is not None:
        await system.cancel(who, record.gp_id, reason)


async def cancel(req: CancelAppointment, deps: Deps) -> PatientBookingView:
    target = await _booking_target(deps, req)
    patient = patient_deps(deps)
    rid = target.recipient.id
    lease = f"appointment:{rid}"
    holder = uuid.uuid5(BOOKING_IDS, f"{rid}:cancel:{req.idempotency_key}").hex
    if not await deps.leases.acquire(lease, holder, LEASE_S):
        raise Conflict("Your appointment is already being changed. Wait a moment and try again.")
    try:
        active = await patient.appointments.active(rid)
        if active is None:
            return await _view(deps, target)  # cancelled already (a repeat): nothing to do
        now = datetime.now(UTC)
        if active.start <= now:
            raise Conflict("This appointment has already started. Contact your GP practice.")
        await _cancel_at_practice(
            _system(deps), requester(target), active, "Cancelled by the patient"
        )
        if await patient.appointments.cancelled(active.id, now, "patient"):
            await record_event(
                deps, target, "cancelled", now, active.id, start=active.start.isoformat()
            )
            await notify(deps, target, "cancelled", active)
    finally:
        await deps.leases.release(lease, holder)
    return await _view(deps, target)
