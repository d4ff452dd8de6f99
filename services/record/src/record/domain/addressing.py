"""Where a document goes: MESH's ``Mex-To`` for one patient at one practice.

Live GP Connect Send Document MUST use MESH automated routing to the patient's registered
practice (GPCM-SD-056): ``GPPROVIDER_<NHS number>_<date of birth YYYYMMDD>_<surname>``; MESH
cross-checks the demographics with the Spine and replaces them with the practice's mailbox
(reference/record.md §4). That address is patient data by design of the national service: it
travels only in ``Mex-To``, never in ``Mex-LocalID``, ``Mex-Subject``, ``Mex-FileName`` or a log
line. ``mailbox`` addressing (an explicit practice mailbox) is for mesh-sandbox and INT, which
do not route ``GPPROVIDER_`` addresses; settings refuse it against live MESH."""

import re
from dataclasses import dataclass
from typing import Literal

from .model import Patient

Addressing = Literal["demographic", "mailbox"]
MAX_MEX_TO = 100
_SPACES = re.compile(r"\s+")


class CannotAddress(Exception):
    """The patient's date of birth or surname is not known, so MESH cannot route the document."""


def gpprovider_address(patient: Patient) -> str:
    if patient.birth_date is None or not (patient.family_name or "").strip():
        raise CannotAddress("date of birth or surname missing")
    surname = _SPACES.sub(" ", (patient.family_name or "").strip()).upper()
    prefix = f"GPPROVIDER_{patient.nhs_number}_{patient.birth_date:%Y%m%d}_"
    return (prefix + surname)[:MAX_MEX_TO]


@dataclass(frozen=True)
class PracticeRoute:
    """How one enabled practice is reached."""

    addressing: Addressing
    mailbox: str | None = None

    def mex_to(self, patient: Patient) -> str:
        if self.addressing == "mailbox":
            if not self.mailbox:
                raise CannotAddress("no practice mailbox configured")
            return self.mailbox
        return gpprovider_address(patient)
