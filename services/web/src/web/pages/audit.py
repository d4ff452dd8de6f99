"""A campaign's audit trail in plain English: each entry the API records (an action and its
details: ids, counts, times) said as staff would say it, with names for people, files and
templates instead of ids. An action this page does not know yet (a newer gateway's) is shown
as the API names it, details and all, rather than hidden."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from ..api_views import AuditEntry
from .words import counted, patients, when

#: Who acts for Cohort itself: the scheduler, the releaser (quiet hours), dispatch (pauses).
SERVICE_ACTORS = frozenset({"scheduler", "releaser", "dispatch"})

CHANNEL_WORDS = {"sms": "text message", "email": "email"}


@dataclass(frozen=True)
class Link:
    text: str
    href: str


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    who: str
    what: str
    notes: list[str] = field(default_factory=list)
    link: Link | None = None


@dataclass(frozen=True)
class Names:
    """What the entries' ids stand for: people (by user id), files (by list id) and templates
    (by template id), as far as they are known; an id not known is said without it."""

    person: Callable[[str], str]
    files: Mapping[str, str] = field(default_factory=dict)
    templates: Mapping[str, str] = field(default_factory=dict)


def audit_lines(entries: list[AuditEntry], names: Names) -> list[AuditLine]:
    """Newest first. A list's file name is the one its upload recorded (a removed list is no
    longer in the campaign's lists), else the one the campaign's lists give it."""
    uploaded = {
        str(e.details["list_id"]): str(e.details["filename"])
        for e in entries
        if e.action == "list_uploaded" and "list_id" in e.details and "filename" in e.details
    }
    names = Names(names.person, {**names.files, **uploaded}, names.templates)
    return [_line(e, names) for e in reversed(entries)]


def _line(entry: AuditEntry, names: Names) -> AuditLine:
    who = "Cohort" if entry.actor in SERVICE_ACTORS else names.person(entry.actor)
    described = _DESCRIBE.get(entry.action)
    if described is None:
        return AuditLine(entry.at, who, *_as_recorded(entry))
    what, notes, link = described(entry.details, names)
    return AuditLine(entry.at, who, what, notes, link)


Said = tuple[str, list[str], Link | None]
Details = Mapping[str, str | int]


def _as_recorded(entry: AuditEntry) -> tuple[str, list[str]]:
    notes = [f"{k.replace('_', ' ').capitalize()}: {v}" for k, v in entry.details.items()]
    return entry.action.replace("_", " ").capitalize(), notes


def _count(details: Details, key: str) -> int:
    value = details.get(key, 0)
    return value if isinstance(value, int) else int(value) if value.isdigit() else 0


def _time(details: Details, key: str) -> str:
    value = details.get(key)
    if not isinstance(value, str):
        return ""
    try:
        return when(datetime.fromisoformat(value))
    except ValueError:
        return value


def _file(details: Details, names: Names) -> str:
    return names.files.get(str(details.get("list_id", "")), "a patient list")


def _requested_by(details: Details, names: Names) -> list[str]:
    person = details.get("requested_by")
    return [f"Asked for by {names.person(str(person))}"] if person else []


def _created(details: Details, names: Names) -> Said:
    source = details.get("follows_up")
    if source:
        link = Link("The campaign it follows up", f"/campaigns/{source}")
        return "Created to send again to patients another campaign did not reach", [], link
    return "Created the campaign", [], None


def _list_uploaded(details: Details, names: Names) -> Said:
    rows = _count(details, "rows")
    return f"Uploaded {_file(details, names)}", [counted(rows, "row")], None


def _list_removed(details: Details, names: Names) -> Said:
    taken = patients(_count(details, "patients"))
    return f"Removed {_file(details, names)}", [f"{taken} taken out of the campaign"], None


def _message_composed(details: Details, names: Names) -> Said:
    template = details.get("template_id")
    if not template:
        return "Wrote the message", [], None
    name = names.templates.get(str(template))
    version = details.get("version")
    what = f"Used the template {name}" if name else "Used a template"
    return what, [f"Version {version}"] if version else [], None


def _test_sent(details: Details, names: Names) -> Said:
    channel = CHANNEL_WORDS.get(str(details.get("channel", "")), "message")
    return f"Sent a test {channel} to themselves", [], None


def _sending(what: str) -> Callable[[Details, Names], Said]:
    def said(details: Details, names: Names) -> Said:
        notes = []
        if send_at := _time(details, "send_at"):
            notes.append(f"To send on {send_at}")
        if spread := _count(details, "spread_hours"):
            notes.append(f"Spread over {counted(spread, 'hour')}")
        return f"{what} {patients(_count(details, 'recipients'))}", notes, None

    return said


def _approved(details: Details, names: Names) -> Said:
    what = f"Approved sending to {patients(_count(details, 'recipients'))}"
    return what, _requested_by(details, names), None


def _sent_back(details: Details, names: Names) -> Said:
    reason = details.get("reason")
    notes = [f"Why: {reason}"] if reason else []
    return "Sent back to draft instead of approving", notes + _requested_by(details, names), None


def _cancelled(details: Details, names: Names) -> Said:
    stopped = _count(details, "recipients_cancelled")
    note = f"{counted(stopped, 'message')} not sent"
    return "Cancelled the campaign", [note], None


def _paused(details: Details, names: Names) -> Said:
    reason = details.get("reason") or "The text message or email provider reported a problem."
    return "Paused sending", [str(reason)], None


def _held(details: Details, names: Names) -> Said:
    until = _time(details, "until")
    notes = [f"Until {until}"] if until else []
    return "Held text messages: none are sent at night, on Sundays or bank holidays", notes, None


def _recently_messaged(details: Details, names: Names) -> Said:
    left_out = patients(_count(details, "count"))
    return f"Left out {left_out} sent the same message recently", [], None


def _sent_again(details: Details, names: Names) -> Said:
    what = f"Sent again to {patients(_count(details, 'recipients'))} it did not reach"
    campaign = details.get("campaign_id")
    link = Link("The new campaign", f"/campaigns/{campaign}") if campaign else None
    return what, [], link


def _said(what: str) -> Callable[[Details, Names], Said]:
    return lambda details, names: (what, [], None)


_DESCRIBE: dict[str, Callable[[Details, Names], Said]] = {
    "created": _created,
    "list_uploaded": _list_uploaded,
    "list_removed": _list_removed,
    "message_composed": _message_composed,
    "test_sent": _test_sent,
    "recently_messaged_left_out": _recently_messaged,
    "sent": _sending("Sent to"),
    "scheduled": _sending("Scheduled to send to"),
    "approval_requested": _sending("Asked for a second person's approval to send to"),
    "approved": _approved,
    "sent_back": _sent_back,
    "sending_started": _said("Started sending at the time chosen"),
    "cancelled": _cancelled,
    "paused": _paused,
    "resumed": _said("Resumed sending"),
    "held_for_quiet_hours": _held,
    "quiet_hours_ended": _said("Quiet hours over: sending text messages again"),
    "sent_again": _sent_again,
}
