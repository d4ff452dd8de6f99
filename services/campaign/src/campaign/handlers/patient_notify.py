"""Confirming a booking or a cancellation to the patient: a message on their own channel (SMS,
or email for an email recipient), rendered here and sent through dispatch as a notification
(``SendMessages.notification``: no claim, the campaign's own message went long before). Its
command id comes from the appointment and what happened, so a repeat is the same command."""

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from cohort_contracts.routing import SEND_MESSAGES
from cohort_contracts.sending import OutboundMessage, SendMessages

from ..domain.appointments import AppointmentRecord, instructions
from .deps import Deps
from .patient_links import LinkTarget

UK = ZoneInfo("Europe/London")
NOTIFY_IDS = uuid.UUID("3f6f2b59-5a8e-4a1f-a1f4-0b8f9cf1c7a1")


def when(moment: datetime) -> str:
    """Tuesday 8 December at 9:20am, or at 9am (UK time, as the patient pages write it)."""
    local = moment.astimezone(UK)
    hour = local.strftime("%I").lstrip("0")
    minutes = "" if local.minute == 0 else f":{local:%M}"
    return f"{local:%A} {local.day} {local:%B} at {hour}{minutes}{local:%p}".replace(
        "AM", "am"
    ).replace("PM", "pm")


def message(target: LinkTarget, what: str, record: AppointmentRecord) -> tuple[str, str]:
    """(body, subject) of the confirmation."""
    practice = target.practice.name
    booking = target.campaign.booking
    code = booking.appointment_type_code if booking is not None else ""
    link = target.link_url
    phone = f" or call {target.practice.phone}" if target.practice.phone else ""
    if what == "booked":
        body = (
            f"Your {record.type_text} appointment at {practice} is booked for "
            f"{when(record.start)}. {instructions(code)} To change or cancel it, use this "
            f"link{phone}: {link}"
        )
        return body, f"Your appointment is booked: {when(record.start)}"
    body = (
        f"Your {record.type_text} appointment at {practice} on {when(record.start)} has been "
        f"cancelled. To book another time, use the link{phone}: {link}"
    )
    return body, "Your appointment has been cancelled"


async def notify(deps: Deps, target: LinkTarget, what: str, record: AppointmentRecord) -> None:
    body, subject = message(target, what, record)
    recipient = target.recipient
    command = SendMessages(
        message_id=uuid.uuid5(NOTIFY_IDS, f"{record.id}:{what}"),
        correlation_id=uuid.uuid5(NOTIFY_IDS, record.id),
        org_id=target.campaign.org_id,
        campaign_id=target.campaign.id,
        channel=recipient.channel,
        batch_id=uuid.uuid5(NOTIFY_IDS, f"{record.id}:{what}:batch"),
        messages=[
            OutboundMessage(
                recipient_id=f"notify-{uuid.uuid5(NOTIFY_IDS, record.id + what).hex}",
                to=recipient.contact,
                body=body,
                subject=subject if recipient.channel == "email" else None,
            )
        ],
        notification=True,
    )
    await deps.publisher.publish(SEND_MESSAGES, command)
