"""The parts of a PDS FHIR ``Patient`` that ingest reads (reference/pds.md §2), parsed leniently.

The resource comes from outside, so nothing here trusts its shape: a field of the wrong type is
treated as absent. A contact whose period cannot be read is dropped rather than assumed current."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from .dates import PartialDate, parse_fhir_date
from .preferences import ContactPreferences, read_preferences

RESTRICTED_CODES = frozenset({"R", "V"})


class MalformedPatient(ValueError):
    """The body is not a FHIR Patient resource we can use."""


@dataclass(frozen=True)
class Period:
    start: PartialDate | None = None
    end: PartialDate | None = None

    def is_current(self, today: date) -> bool:
        started = self.start is None or self.start.on_or_before(today)
        not_ended = self.end is None or self.end.on_or_after(today)
        return started and not_ended


@dataclass(frozen=True)
class ContactPoint:
    system: str
    value: str
    use: str | None = None
    period: Period | None = None

    def is_current(self, today: date) -> bool:
        return self.period is None or self.period.is_current(today)


@dataclass(frozen=True)
class HumanName:
    use: str | None
    given: tuple[str, ...]
    family: str
    period: Period | None = None


@dataclass(frozen=True)
class PdsPatient:
    id: str
    birth_date: PartialDate | None
    deceased: bool
    security_codes: frozenset[str]
    names: tuple[HumanName, ...]
    telecom: tuple[ContactPoint, ...]
    preferences: ContactPreferences = field(default_factory=ContactPreferences)

    @property
    def restricted(self) -> bool:
        return not self.security_codes.isdisjoint(RESTRICTED_CODES)


def _text(obj: Mapping[str, object], key: str) -> str | None:
    value = obj.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _objects(obj: Mapping[str, object], key: str) -> list[Mapping[str, object]]:
    value = obj.get(key)
    if not isinstance(value, Sequence) or isinstance(value, str):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def _object(obj: Mapping[str, object], key: str) -> Mapping[str, object] | None:
    value = obj.get(key)
    return value if isinstance(value, Mapping) else None


class _UnreadablePeriod(Exception):
    pass


def _period(obj: Mapping[str, object]) -> Period | None:
    raw = _object(obj, "period")
    if raw is None:
        return None
    bounds: list[PartialDate | None] = []
    for key in ("start", "end"):
        text = _text(raw, key)
        bound = parse_fhir_date(text) if text is not None else None
        if text is not None and bound is None:
            raise _UnreadablePeriod
        bounds.append(bound)
    return Period(start=bounds[0], end=bounds[1])


def _contact_point(raw: Mapping[str, object]) -> ContactPoint | None:
    system, value = _text(raw, "system"), _text(raw, "value")
    if system is None or value is None:
        return None
    try:
        period = _period(raw)
    except _UnreadablePeriod:
        return None
    return ContactPoint(system=system, value=value, use=_text(raw, "use"), period=period)


def _name(raw: Mapping[str, object]) -> HumanName:
    given_raw = raw.get("given")
    given = (
        tuple(g.strip() for g in given_raw if isinstance(g, str) and g.strip())
        if isinstance(given_raw, list)
        else ()
    )
    try:
        period = _period(raw)
    except _UnreadablePeriod:
        period = None
    return HumanName(
        use=_text(raw, "use"), given=given, family=_text(raw, "family") or "", period=period
    )


def parse_patient(resource: object) -> PdsPatient:
    if not isinstance(resource, Mapping) or resource.get("resourceType") != "Patient":
        raise MalformedPatient("not a Patient resource")
    patient_id = _text(resource, "id")
    if patient_id is None:
        raise MalformedPatient("Patient has no id")
    birth_text = _text(resource, "birthDate")
    meta = _object(resource, "meta") or {}
    security = frozenset(
        code for item in _objects(meta, "security") if (code := _text(item, "code")) is not None
    )
    telecom = (_contact_point(item) for item in _objects(resource, "telecom"))
    return PdsPatient(
        id=patient_id,
        birth_date=parse_fhir_date(birth_text) if birth_text is not None else None,
        deceased=_text(resource, "deceasedDateTime") is not None,
        security_codes=security,
        names=tuple(_name(item) for item in _objects(resource, "name")),
        telecom=tuple(c for c in telecom if c is not None),
        preferences=read_preferences(resource),
    )
