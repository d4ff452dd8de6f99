"""Booking: the patient's appointment (or none yet), choosing a day then a time from the free
slots of the campaign's type, checking it and booking it, and cancelling or changing it until
the appointment. A slot taken meanwhile: a clear message and fresh slots. The confirm page
carries an idempotency key, so a double click or a retry books once."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from cohort_http.session_forms import make_form, posted_form, see_other

from ..api_client import SlotTaken
from ..api_views import Booking, Slot, Slots
from ..forms import BookForm, SlotForm, new_key
from ..pages.slots import by_day, time_text
from .common import api, link_state, link_url, render
from .start import Token

router = APIRouter()
TAKEN = "Sorry, that time has just been booked by someone else. Choose another time."


async def _booking(request: Request, token: str) -> Booking:
    """The patient's appointment (or none yet) as the gateway has it now."""
    return await api(request).booking(token, link_state(request, token).session)


async def _slots(request: Request, token: str) -> Slots:
    """The free slots of the campaign's appointment type, as the gateway has them now."""
    return await api(request).slots(token, link_state(request, token).session)


def _context(token: str, booking: Booking, **more: object) -> dict[str, object]:
    return {"token": token, "booking": booking, "practice": booking.practice, **more}


@router.get("/l/{token}/appointment")
async def appointment(request: Request, token: Token) -> Response:
    booking = await _booking(request, token)
    if booking.appointment is None and booking.can_change:
        return see_other(link_url(token, "/appointment/choose"))
    return render(request, "booking/appointment.html", _context(token, booking))


async def _choose(
    request: Request,
    token: str,
    day: date | None,
    errors: list[dict[str, str]] | None = None,
    status: int = 200,
) -> Response:
    booking = await _booking(request, token)
    if not booking.can_change:
        return see_other(link_url(token, "/appointment"))
    slots = await _slots(request, token)
    days = by_day(slots.slots)
    chosen = next((d for d in days if d.day == day), None)
    day_items = [
        {"value": d.day.isoformat(), "text": d.text, "hint": {"text": d.count_text}} for d in days
    ]
    time_items = [
        {"value": s.id, "text": time_text(s.start), "hint": {"text": _where(s)}}
        for s in (chosen.slots if chosen is not None else [])
    ]
    context = _context(
        token,
        booking,
        days=days,
        day_items=day_items,
        time_items=time_items,
        chosen=chosen,
        form=make_form(request, SlotForm),
        errors=errors or [],
        slots=slots,
    )
    template = "booking/times.html" if chosen is not None else "booking/days.html"
    return render(request, template, context, status)


@router.get("/l/{token}/appointment/choose")
async def choose(
    request: Request, token: Token, day: Annotated[date | None, Query()] = None
) -> Response:
    return await _choose(request, token, day)


@router.post("/l/{token}/appointment/choose")
async def chosen(request: Request, token: Token) -> Response:
    form = await posted_form(request, SlotForm)
    slot = (form.slot.data or "").strip()
    if not slot:
        day = request.query_params.get("day")
        errors = [{"text": "Select a time", "href": "#slot"}]
        return await _choose(request, token, date.fromisoformat(day) if day else None, errors, 400)
    return see_other(link_url(token, f"/appointment/confirm?slot={slot}"))


def _where(slot: Slot) -> str:
    parts = [slot.location or "", f"with {slot.practitioner}" if slot.practitioner else ""]
    return " ".join(p for p in parts if p)


def _find(slots: Slots, slot_id: str) -> Slot | None:
    return next((s for s in slots.slots if s.id == slot_id), None)


@router.get("/l/{token}/appointment/confirm")
async def check(
    request: Request, token: Token, slot: Annotated[str, Query(max_length=64)] = ""
) -> Response:
    booking = await _booking(request, token)
    found = _find(await _slots(request, token), slot)
    if found is None:
        return await _choose(request, token, None, [{"text": TAKEN, "href": "#days"}], 409)
    form = make_form(request, BookForm, slot=found.id, key=new_key())
    return render(request, "booking/confirm.html", _context(token, booking, slot=found, form=form))


@router.post("/l/{token}/appointment/confirm")
async def book(request: Request, token: Token) -> Response:
    form = await posted_form(request, BookForm)
    state = link_state(request, token)
    slot = (form.slot.data or "").strip()
    try:
        await api(request).book(token, state.session, slot, form.idempotency_key())
    except SlotTaken:
        return await _choose(request, token, None, [{"text": TAKEN, "href": "#days"}], 409)
    return see_other(link_url(token, "/appointment/booked"))


@router.get("/l/{token}/appointment/booked")
async def booked(request: Request, token: Token) -> Response:
    booking = await _booking(request, token)
    if booking.appointment is None:
        return see_other(link_url(token, "/appointment"))
    return render(request, "booking/booked.html", _context(token, booking))


@router.get("/l/{token}/appointment/cancel")
async def cancel_page(request: Request, token: Token) -> Response:
    booking = await _booking(request, token)
    if booking.appointment is None or not booking.can_change:
        return see_other(link_url(token, "/appointment"))
    context = _context(token, booking, form=make_form(request, BookForm, key=new_key()))
    return render(request, "booking/cancel.html", context)


@router.post("/l/{token}/appointment/cancel")
async def cancel(request: Request, token: Token) -> Response:
    form = await posted_form(request, BookForm)
    state = link_state(request, token)
    client = api(request)
    before = await client.booking(token, state.session)
    booking = await client.cancel(token, state.session, form.idempotency_key())
    context = _context(token, booking, cancelled=before.appointment)
    return render(request, "booking/cancelled.html", context)
