"""Interpreting a Firetext delivery receipt (reference/firetext.md §2).

``status`` is Firetext's summary (0 delivered, 1 declined/undelivered, 2 pending with the
network); ``code`` is the network's detailed code, mapped as GOV.UK Notify maps it
(``firetext_codes`` in notifications-api). Notify's "pending then declined means temporary" rule
needs the recipient's history, so it belongs to campaign, not here."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from cohort_contracts.vocabulary import SendReason

_LONDON = ZoneInfo("Europe/London")
_FIRETEXT_TIME = "%Y-%m-%d %H:%M:%S"


class UnknownReceiptStatus(ValueError):
    """Firetext sent a ``status`` outside 0/1/2: the receipt cannot be interpreted."""


@dataclass(frozen=True)
class Failure:
    reason_code: SendReason
    reason: str
    permanent: bool


@dataclass(frozen=True)
class Receipt:
    status: Literal["delivered", "failed", "pending"]
    reported_at: datetime
    failure: Failure | None = None


_TRY_AGAIN = "You can send to this patient again later."
_CHECK_NUMBER = "Check the patient's mobile number in your clinical system."

FAILURES: dict[str, Failure] = {
    "101": Failure(
        SendReason.UNKNOWN_SUBSCRIBER,
        f"The mobile network says this number does not belong to anyone. {_CHECK_NUMBER}",
        permanent=True,
    ),
    "102": Failure(
        SendReason.PHONE_NOT_REACHABLE,
        f"The patient's phone was switched off or out of signal for too long. {_TRY_AGAIN}",
        permanent=False,
    ),
    "103": Failure(
        SendReason.PHONE_NOT_REACHABLE,
        f"The patient's phone was busy for too long. {_TRY_AGAIN}",
        permanent=False,
    ),
    "104": Failure(
        SendReason.PHONE_NOT_REACHABLE,
        f"The patient's phone has no space for new text messages. {_TRY_AGAIN}",
        permanent=False,
    ),
    "201": Failure(
        SendReason.INVALID_NUMBER,
        f"The mobile network says this is not a valid mobile number. {_CHECK_NUMBER}",
        permanent=True,
    ),
    "301": Failure(
        SendReason.SMS_NOT_SUPPORTED,
        "This number cannot receive text messages (it may be a landline). Contact the patient "
        "another way.",
        permanent=True,
    ),
    "302": Failure(
        SendReason.SMS_NOT_SUPPORTED,
        f"The patient's phone could not receive text messages at the time. {_TRY_AGAIN}",
        permanent=False,
    ),
    "401": Failure(
        SendReason.MESSAGE_REJECTED,
        "The mobile network refused this message. Contact the patient another way.",
        permanent=True,
    ),
    "900": Failure(
        SendReason.NETWORK_ERROR,
        f"A problem in the mobile network stopped the message reaching the phone. {_TRY_AGAIN}",
        permanent=False,
    ),
}

#: ``000`` ("no error reported"), an unknown code, or none at all.
DECLINED = Failure(
    SendReason.DECLINED,
    "The mobile network did not deliver the message and gave no reason. You can send to this "
    "patient again later, or contact them another way.",
    permanent=False,
)


def interpret_receipt(
    status: str, code: str | None, time: str | None, *, received_at: datetime
) -> Receipt:
    """Raises ``UnknownReceiptStatus`` for a status Firetext does not document."""
    reported_at = parse_firetext_time(time) or received_at.astimezone(UTC)
    match status.strip():
        case "0":
            return Receipt("delivered", reported_at)
        case "2":
            return Receipt("pending", reported_at)
        case "1":
            failure = FAILURES.get((code or "").strip(), DECLINED)
            return Receipt("failed", reported_at, failure)
        case _:
            raise UnknownReceiptStatus("firetext receipt status outside 0/1/2")


def parse_firetext_time(value: str | None) -> datetime | None:
    """Firetext's ``YYYY-MM-DD HH:MM:SS`` is UK local time with no offset. A time that carries an
    explicit offset is honoured (as Notify does); anything unreadable gives ``None``."""
    if not value:
        return None
    text = value.strip()
    try:
        local = datetime.strptime(text, _FIRETEXT_TIME)
    except ValueError:
        try:
            stamped = datetime.fromisoformat(text)
        except ValueError:
            return None
        return stamped.astimezone(UTC) if stamped.tzinfo is not None else None
    # fold=0: in the repeated autumn hour the earlier (BST) reading is taken.
    return local.replace(tzinfo=_LONDON).astimezone(UTC)
