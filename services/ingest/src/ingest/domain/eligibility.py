"""Whether a PDS record lets us message the row's patient, and on what contact (DESIGN §5)."""

from datetime import date

from cohort_contracts.ingest import ResolvedPatient
from cohort_contracts.vocabulary import Channel, UploadReason
from cohort_nhs import uk_mobile

from .contact import select_email, select_mobile
from .patient import HumanName, PdsPatient


def _preferred_name(names: tuple[HumanName, ...], today: date) -> HumanName | None:
    usual = [n for n in names if n.use == "usual"]
    for name in usual:
        if name.period is None or name.period.is_current(today):
            return name
    if usual:
        return usual[0]
    return names[0] if names else None


def _birth_date_matches(patient: PdsPatient, date_of_birth: date) -> bool:
    if patient.birth_date is None:
        # A restricted record may withhold birthDate (V does); the R/V check below explains that
        # row better. Anything else without one cannot confirm it is the patient on the list.
        return patient.restricted
    return patient.birth_date.matches(date_of_birth)


def _contact(patient: PdsPatient, channel: Channel, today: date) -> str | UploadReason:
    if channel == "sms":
        mobile = select_mobile(patient.telecom, today)
        if mobile is None:
            return UploadReason.NO_MOBILE_NUMBER
        normalised = uk_mobile(mobile.value)
        return normalised if normalised is not None else UploadReason.INVALID_MOBILE_NUMBER
    email = select_email(patient.telecom, today)
    return email if email is not None else UploadReason.NO_EMAIL_ADDRESS


def assess(
    patient: PdsPatient, *, date_of_birth: date, channel: Channel, today: date
) -> ResolvedPatient | UploadReason:
    """The patient to message, or why not. The checks run in the order staff should fix them:
    a wrong date of birth may mean the wrong patient, so it outranks everything PDS says."""
    if not _birth_date_matches(patient, date_of_birth):
        return UploadReason.DATE_OF_BIRTH_MISMATCH
    return reassess(patient, channel=channel, today=today)


def reassess(
    patient: PdsPatient, *, channel: Channel, today: date
) -> ResolvedPatient | UploadReason:
    """As ``assess`` for a patient already matched at upload (the re-check before sending):
    everything PDS may have changed since (died, restricted, contact, preferences)."""
    if patient.deceased:
        return UploadReason.DECEASED
    if patient.restricted:
        return UploadReason.RESTRICTED_RECORD
    if channel == "sms" and patient.preferences.no_telephone_contact:
        # The patient asked for no telephone contact: a text is one. An email list reaches them.
        return UploadReason.NO_TELEPHONE_CONTACT
    contact = _contact(patient, channel, today)
    if isinstance(contact, UploadReason):
        return contact
    name = _preferred_name(patient.names, today)
    return ResolvedPatient(
        # A superseded number answers with the surviving record; its id is the number to keep.
        nhs_number=patient.id,
        given_name=name.given[0] if name and name.given else "",
        family_name=name.family if name else "",
        contact=contact,
        birth_date=_full_birth_date(patient),
        language=patient.preferences.language,
        interpreter_required=patient.preferences.interpreter_required,
    )


def _full_birth_date(patient: PdsPatient) -> date | None:
    """PDS's birth date when it gives the day (it may give only the year or the month)."""
    born = patient.birth_date
    if born is None or born.month is None or born.day is None:
        return None
    return date(born.year, born.month, born.day)
