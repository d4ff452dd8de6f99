"""A practice's appointment book: slots by type and day, appointments, and the rules GP Connect
Appointment Management states for booking, amending and cancelling (see
docs/gp-connect-appointments.md). Pure state, no HTTP: ``Fault`` carries the HTTP status and
Spine error code the API answers with."""

import contextlib
import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")
MAX_SEARCH = timedelta(days=14)


class Fault(Exception):
    """An error GP Connect answers with an OperationOutcome."""

    def __init__(self, status: int, code: str, issue: str, diagnostics: str) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.issue = issue
        self.diagnostics = diagnostics


def invalid(diagnostics: str) -> Fault:
    return Fault(422, "INVALID_RESOURCE", "invalid", diagnostics)


@dataclass(frozen=True)
class SlotType:
    code: str
    text: str


@dataclass
class Slot:
    id: str
    ods: str
    type: SlotType
    start: datetime
    end: datetime
    status: str = "free"

    @property
    def schedule_id(self) -> str:
        return f"{self.ods}-{self.type.code}".lower()


@dataclass
class Appointment:
    id: str
    ods: str
    slots: list[Slot]
    patient_id: str
    location_id: str
    created: str
    description: str
    comment: str | None
    booking_organisation: dict[str, object]
    status: str = "booked"
    version: int = 1
    cancellation_reason: str | None = None

    @property
    def start(self) -> datetime:
        return self.slots[0].start

    @property
    def end(self) -> datetime:
        return self.slots[-1].end


@dataclass
class Practice:
    ods: str
    types: list[SlotType]
    times: list[time]
    minutes: int
    horizon_days: int
    slots: dict[str, Slot] = field(default_factory=dict)
    days: set[date] = field(default_factory=set)

    @property
    def location_id(self) -> str:
        return f"{self.ods.lower()}-main"

    def _ensure(self, day: date) -> None:
        """Slots are laid out the first time a day is looked at, weekdays only, so ids stay
        the same however long the simulator runs."""
        if day in self.days or day.weekday() >= 5:
            return
        self.days.add(day)
        for kind in self.types:
            for at in self.times:
                start = datetime.combine(day, at, UK)
                slot_id = f"{self.ods}-{kind.code}-{day:%Y%m%d}-{at:%H%M}".lower()
                end = start + timedelta(minutes=self.minutes)
                self.slots[slot_id] = Slot(slot_id, self.ods, kind, start, end)

    def free_slots(self, start: datetime, end: datetime) -> list[Slot]:
        if end < start:
            raise Fault(422, "INVALID_PARAMETER", "invalid", "end is before start")
        if end - start > MAX_SEARCH:
            raise Fault(
                422, "INVALID_PARAMETER", "invalid", "The search period is longer than 14 days"
            )
        last = min(end.astimezone(UK).date(), date.today() + timedelta(days=self.horizon_days))
        day = start.astimezone(UK).date()
        while day <= last:
            self._ensure(day)
            day += timedelta(days=1)
        found = [
            s
            for s in self.slots.values()
            if s.status == "free" and start <= s.start and s.end <= end
        ]
        return sorted(found, key=lambda s: (s.start, s.id))

    def slot(self, slot_id: str) -> Slot | None:
        parts = slot_id.split("-")
        if len(parts) >= 3:
            with contextlib.suppress(ValueError):
                self._ensure(datetime.strptime(parts[-2], "%Y%m%d").date())
        return self.slots.get(slot_id)


@dataclass
class AppointmentBook:
    """Every practice's slots and appointments. Each method runs without awaiting, so two
    bookings of one slot are decided one after the other: the second is DUPLICATE_REJECTED."""

    practices: dict[str, Practice]
    appointments: dict[str, Appointment] = field(default_factory=dict)

    def practice(self, ods: str) -> Practice:
        found = self.practices.get(ods)
        if found is None:
            raise Fault(404, "ORGANISATION_NOT_FOUND", "not-found", f"No practice {ods} here")
        return found

    def book(
        self,
        practice: Practice,
        slot_ids: list[str],
        start: datetime,
        end: datetime,
        patient_id: str,
        details: "BookingDetails",
        now: datetime,
    ) -> Appointment:
        slots: list[Slot] = []
        for slot_id in slot_ids:
            slot = practice.slot(slot_id)
            if slot is None:
                raise Fault(
                    422,
                    "REFERENCE_NOT_FOUND",
                    "invalid",
                    f"Reference to Slot/{slot_id} - no such slot exists at the server",
                )
            slots.append(slot)
        slots.sort(key=lambda s: s.start)
        _check_adjacent(slots)
        if start != slots[0].start or end != slots[-1].end:
            raise invalid("The appointment's start and end do not match its slots")
        if slots[0].start <= now:
            raise invalid("Appointments can only be booked in the future")
        if any(s.status != "free" for s in slots):
            raise Fault(
                409,
                "DUPLICATE_REJECTED",
                "duplicate",
                "The slot is no longer free (already booked)",
            )
        for slot in slots:
            slot.status = "busy"
        digest = hashlib.sha256(f"{practice.ods}:{slot_ids}:{now.isoformat()}".encode())
        appointment = Appointment(
            id=digest.hexdigest()[:16],
            ods=practice.ods,
            slots=slots,
            patient_id=patient_id,
            location_id=practice.location_id,
            created=now.astimezone(UK).isoformat(timespec="seconds"),
            description=details.description,
            comment=details.comment,
            booking_organisation=details.booking_organisation,
        )
        self.appointments[appointment.id] = appointment
        return appointment

    def get(self, practice: Practice, appointment_id: str) -> Appointment:
        found = self.appointments.get(appointment_id)
        if found is None or found.ods != practice.ods:
            raise Fault(404, "NO_RECORD_FOUND", "not-found", f"No appointment {appointment_id}")
        return found

    def amend(
        self, appointment: Appointment, version: int, description: str, comment: str | None
    ) -> Appointment:
        self._changeable(appointment, version)
        appointment.description, appointment.comment = description, comment
        appointment.version += 1
        return appointment

    def cancel(self, appointment: Appointment, version: int, reason: str) -> Appointment:
        self._changeable(appointment, version)
        appointment.status = "cancelled"
        appointment.cancellation_reason = reason
        appointment.version += 1
        for slot in appointment.slots:
            slot.status = "free"
        return appointment

    def for_patient(
        self, practice: Practice, patient_id: str, first: date, last: date
    ) -> list[Appointment]:
        return sorted(
            (
                a
                for a in self.appointments.values()
                if a.ods == practice.ods
                and a.patient_id == patient_id
                and first <= a.start.astimezone(UK).date() <= last
            ),
            key=lambda a: a.start,
        )

    @staticmethod
    def _changeable(appointment: Appointment, version: int) -> None:
        if version != appointment.version:
            raise Fault(
                409,
                "FHIR_CONSTRAINT_VIOLATION",
                "conflict",
                f"If-Match names version {version}; the appointment is at {appointment.version}",
            )
        if appointment.status == "cancelled":
            raise invalid("The appointment has been cancelled")
        if appointment.start <= datetime.now(UK):
            raise invalid("The appointment is in the past")


@dataclass(frozen=True)
class BookingDetails:
    description: str
    comment: str | None
    booking_organisation: dict[str, object]


def _check_adjacent(slots: list[Slot]) -> None:
    """Several slots make one appointment only if each starts as the one before ends, in the
    same schedule, of the same type (GP Connect: booking multiple adjacent slots)."""
    for before, after in itertools.pairwise(slots):
        if before.end != after.start or before.schedule_id != after.schedule_id:
            raise invalid("The slots are not adjacent slots of one schedule and type")


def make_book(
    practices: list[str], types: list[SlotType], times: list[time], minutes: int, horizon: int
) -> AppointmentBook:
    return AppointmentBook(
        {ods: Practice(ods, types, times, minutes, horizon) for ods in practices}
    )
