"""Shared vocabulary: channels, campaign types, statuses and the upload/send reason codes."""

from enum import StrEnum
from typing import Literal

Channel = Literal["sms", "email"]
CampaignType = Literal["basic", "booking", "questionnaire"]


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    #: Sent for a second user's approval (the organisation requires it above a size).
    AWAITING_APPROVAL = "awaiting_approval"
    #: Approved to go at ``send_at``; cancellable until then.
    SCHEDULED = "scheduled"
    SENDING = "sending"
    PAUSED = "paused"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ListStatus(StrEnum):
    RESOLVING = "resolving"
    COMPLETE = "complete"


class RecipientStatus(StrEnum):
    """A resolved patient's journey. ``queued``: rendered and handed to dispatch; ``sending``:
    claimed by dispatch for a provider call (the commit point that makes a resend impossible);
    ``sent``: accepted by the provider, awaiting a receipt."""

    READY = "ready"
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    CANCELLED = "cancelled"
    OUTCOME_UNKNOWN = "outcome_unknown"


FINAL_RECIPIENT_STATUSES = frozenset(
    {RecipientStatus.DELIVERED, RecipientStatus.FAILED, RecipientStatus.CANCELLED}
)


class UploadReason(StrEnum):
    """Why a row of a patient list cannot be messaged (DESIGN §5)."""

    MISSING_NHS_NUMBER = "MISSING_NHS_NUMBER"
    INVALID_NHS_NUMBER = "INVALID_NHS_NUMBER"
    MISSING_DATE_OF_BIRTH = "MISSING_DATE_OF_BIRTH"
    INVALID_DATE_OF_BIRTH = "INVALID_DATE_OF_BIRTH"
    DUPLICATE_PATIENT = "DUPLICATE_PATIENT"
    NOT_FOUND = "NOT_FOUND"
    DATE_OF_BIRTH_MISMATCH = "DATE_OF_BIRTH_MISMATCH"
    DECEASED = "DECEASED"
    RESTRICTED_RECORD = "RESTRICTED_RECORD"
    NO_MOBILE_NUMBER = "NO_MOBILE_NUMBER"
    NO_EMAIL_ADDRESS = "NO_EMAIL_ADDRESS"
    INVALID_MOBILE_NUMBER = "INVALID_MOBILE_NUMBER"
    PDS_UNAVAILABLE = "PDS_UNAVAILABLE"
    #: The patient replied STOP (or unsubscribed) to a message of this organisation, or staff
    #: added them to its opt-out list.
    OPTED_OUT = "OPTED_OUT"
    #: PDS ContactPreference code 8: the patient asked for no telephone contact (a text is one).
    NO_TELEPHONE_CONTACT = "NO_TELEPHONE_CONTACT"
    #: This organisation's last text to the number failed in a way that another would too (the
    #: network does not know the number, it is not valid, or it cannot take texts).
    NUMBER_FAILED_BEFORE = "NUMBER_FAILED_BEFORE"


UPLOAD_REASON_TEXT: dict[UploadReason, str] = {
    UploadReason.MISSING_NHS_NUMBER: "The NHS number is missing. Add it in your clinical system "
    "and upload this patient again.",
    UploadReason.INVALID_NHS_NUMBER: "The NHS number is not valid (wrong length or check digit). "
    "Check it in your clinical system.",
    UploadReason.MISSING_DATE_OF_BIRTH: "The date of birth is missing. Add it to the file and "
    "upload this patient again.",
    UploadReason.INVALID_DATE_OF_BIRTH: "The date of birth is not a date we can read. Use "
    "dd/mm/yyyy, for example 29/02/1980.",
    UploadReason.DUPLICATE_PATIENT: "This patient is already in this campaign, so they will "
    "only be messaged once.",
    UploadReason.NOT_FOUND: "No patient with this NHS number was found on the NHS Spine (PDS). "
    "Check the NHS number in your clinical system.",
    UploadReason.DATE_OF_BIRTH_MISMATCH: "The date of birth does not match PDS. Check it in "
    "your clinical system.",
    UploadReason.DECEASED: "PDS records this patient as deceased.",
    UploadReason.RESTRICTED_RECORD: "This patient's record is restricted, so their contact "
    "details are not available. Contact them another way.",
    UploadReason.NO_MOBILE_NUMBER: "PDS has no current mobile number for this patient. Update "
    "their contact details or contact them another way.",
    UploadReason.NO_EMAIL_ADDRESS: "PDS has no current email address for this patient. Update "
    "their contact details or contact them another way.",
    UploadReason.INVALID_MOBILE_NUMBER: "The mobile number held on PDS is not a UK mobile "
    "number. Check the patient's contact details.",
    UploadReason.PDS_UNAVAILABLE: "The NHS Spine (PDS) could not be reached. Try uploading "
    "this patient again later.",
    UploadReason.OPTED_OUT: "The patient has asked not to receive these messages. Contact them "
    "another way if you need to.",
    UploadReason.NO_TELEPHONE_CONTACT: "The patient has asked for no telephone contact (PDS), so "
    "they are not texted. Send this patient an email or a letter instead.",
    UploadReason.NUMBER_FAILED_BEFORE: "The last text your practice sent to this mobile number "
    "failed because the number is not in use or cannot receive texts. Check the patient's "
    "number in your clinical system, or contact them another way.",
}


class SendReason(StrEnum):
    """Why a message did not reach the patient."""

    PROVIDER_REJECTED_NUMBER = "PROVIDER_REJECTED_NUMBER"
    PROVIDER_REJECTED_MESSAGE = "PROVIDER_REJECTED_MESSAGE"
    UNKNOWN_SUBSCRIBER = "UNKNOWN_SUBSCRIBER"
    INVALID_NUMBER = "INVALID_NUMBER"
    SMS_NOT_SUPPORTED = "SMS_NOT_SUPPORTED"
    MESSAGE_REJECTED = "MESSAGE_REJECTED"
    PHONE_NOT_REACHABLE = "PHONE_NOT_REACHABLE"
    NETWORK_ERROR = "NETWORK_ERROR"
    DECLINED = "DECLINED"
    PROVIDER_UNAVAILABLE = "PROVIDER_UNAVAILABLE"
    NO_RECEIPT = "NO_RECEIPT"
    CANCELLED = "CANCELLED"
    PROVIDER_CONFIGURATION_ERROR = "PROVIDER_CONFIGURATION_ERROR"
    INSUFFICIENT_CREDIT = "INSUFFICIENT_CREDIT"
    PROVIDER_REJECTED_ADDRESS = "PROVIDER_REJECTED_ADDRESS"
    MESSAGE_TOO_LONG = "MESSAGE_TOO_LONG"
    #: Excluded before sending: the patient opted out after their list was resolved.
    OPTED_OUT = "OPTED_OUT"
    #: Left out by staff at review: sent the same message by the practice lately.
    RECENTLY_MESSAGED = "RECENTLY_MESSAGED"
