"""Patient-list resolution: gateway → ingest, then ingest → campaign."""

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import Field

from .envelope import Message, Model
from .vocabulary import Channel, UploadReason


class UploadedRow(Model):
    """One data row of an uploaded file, as the practice wrote it.

    ``cells`` are the row's original values in column order; they travel through so that the
    unsuccessful-rows CSV can give staff back exactly what they uploaded."""

    row_number: int = Field(ge=1, description="1-based data row number (the header is row 0)")
    nhs_number: str
    date_of_birth: str
    cells: list[str]


class ResolveRows(Message):
    """Command: resolve a batch of rows of one patient list against PDS."""

    kind: Literal["ResolveRows"] = "ResolveRows"
    campaign_id: UUID
    list_id: UUID
    channel: Channel
    batch_number: int = Field(ge=0)
    rows: list[UploadedRow]


class ResolvedPatient(Model):
    """The patient as PDS knows them; ``nhs_number`` is the surviving one if it was superseded."""

    nhs_number: str
    given_name: str
    family_name: str
    contact: str = Field(description="E.164 digits without '+' for SMS, an address for email")
    birth_date: date | None = Field(
        default=None,
        description="PDS's birthDate when it gives the full date (it may give only the year or "
        "month); GP Connect Send Document addresses the patient with it",
    )
    #: The patient's language need from PDS (``NHSCommunication``), as PDS displays it.
    language: str | None = Field(default=None, description="e.g. `French`; None when not recorded")
    interpreter_required: bool = False


class RowOutcome(Model):
    row_number: int
    cells: list[str]
    patient: ResolvedPatient | None = None
    reason_code: UploadReason | None = None


class RowsResolved(Message):
    """Event: every row of one ``ResolveRows`` batch has an outcome."""

    kind: Literal["RowsResolved"] = "RowsResolved"
    campaign_id: UUID
    list_id: UUID
    channel: Channel
    batch_number: int
    outcomes: list[RowOutcome]


# -- re-checking recipients against PDS just before they are sent --------------------------------
#: Recipients per re-check command: one release batch at most.
MAX_RECHECK_ITEMS = 500


class RecheckItem(Model):
    recipient_id: str
    nhs_number: str
    channel: Channel
    contact: str = Field(description="What the campaign holds now, to report a change against")


class RecheckPatients(Message):
    """Command: look these recipients up in PDS again before they are sent (their list was
    resolved long ago). Ingest owns PDS access and its shared rate limit, so campaign asks it."""

    kind: Literal["RecheckPatients"] = "RecheckPatients"
    campaign_id: UUID
    batch_id: UUID = Field(description="Names this request; the answer carries it")
    items: list[RecheckItem] = Field(max_length=MAX_RECHECK_ITEMS)


class RecheckOutcome(Model):
    """``reason_code`` set: the recipient can no longer be messaged (``DECEASED``,
    ``RESTRICTED_RECORD``, ``NO_TELEPHONE_CONTACT``, no current contact, ``NOT_FOUND``), or
    ``PDS_UNAVAILABLE`` (not checked: campaign asks again later). Otherwise ``contact`` is the
    current one, which may differ from the one the campaign holds."""

    recipient_id: str
    reason_code: UploadReason | None = None
    contact: str | None = None
    language: str | None = None
    interpreter_required: bool = False


class PatientsRechecked(Message):
    """Event: the outcome of one ``RecheckPatients``, one per item."""

    kind: Literal["PatientsRechecked"] = "PatientsRechecked"
    campaign_id: UUID
    batch_id: UUID
    outcomes: list[RecheckOutcome]
