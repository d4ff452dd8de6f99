"""A patient opening their link and confirming their date of birth (for the patient service,
through the gateway). Forged, altered and unknown links are not found; expired ones are gone;
a link whose date of birth was answered wrongly too often is locked. Errors about a link we
could verify carry the practice's name and phone number, for the patient to call."""

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cohort_contracts.patient_links import (
    OpenPatientLink,
    PatientLinkView,
    PatientSessionView,
    Practice,
    VerifyBirthDate,
)

from ..domain.appointments import PatientEvent
from ..domain.errors import CampaignError, Forbidden, Gone
from ..domain.links import LinkClaim
from ..domain.model import Campaign, Recipient
from ..domain.patient_access import LinkLocked, WrongBirthDate, check_answer
from ..domain.questionnaire_library import LIBRARY
from ..domain.rendering import display_name
from .deps import Deps
from .links import EXPIRED, verified_link
from .patient_deps import PatientDeps, PracticeInfo

log = logging.getLogger(__name__)

EVENT_IDS = uuid.UUID("5c1f6a0e-8b7d-4f43-9b59-2f1e1d7f0c42")


class SessionInvalid(Forbidden):
    """No session, or an expired or forged one: the patient confirms their date of birth again."""


@dataclass(frozen=True)
class LinkTarget:
    recipient: Recipient
    campaign: Campaign
    claim: LinkClaim
    practice: Practice
    #: The link itself, as the patient's message has it (for confirmations).
    link_url: str


def patient_deps(deps: Deps) -> PatientDeps:
    if deps.patient is None:
        raise CampaignError("Patient links are not set up in this deployment.")
    return deps.patient


def practice_of(deps: PatientDeps, ods: str) -> Practice:
    info = deps.practices.get(ods, PracticeInfo(name="your GP practice"))
    return Practice(ods=ods, name=info.name, phone=info.phone)


def _contact(practice: Practice) -> dict[str, str | int | list[str]]:
    return {"practice_name": practice.name, "practice_phone": practice.phone or ""}


async def resolve(deps: Deps, token: str, org_id: str, now: datetime) -> LinkTarget:
    claim, recipient, campaign = await verified_link(deps, token, org_id)
    practice = practice_of(patient_deps(deps), campaign.org_id)
    if now >= claim.expires_at:
        raise Gone(EXPIRED, **_contact(practice))
    return LinkTarget(recipient, campaign, claim, practice, deps.renderer.links.base_url + token)


async def record_event(
    deps: Deps, target: LinkTarget, action: str, at: datetime, key: str, **details: str
) -> bool:
    event = PatientEvent(
        key=uuid.uuid5(EVENT_IDS, f"{target.recipient.id}:{action}:{key}").hex,
        org_id=target.campaign.org_id,
        campaign_id=str(target.campaign.id),
        recipient_id=target.recipient.id,
        action=action,
        at=at,
        details=details,
    )
    added = await patient_deps(deps).events.add(event)
    if added:
        log.info(
            "patient link " + action,
            extra={"campaign_id": str(target.campaign.id), "recipient_id": target.recipient.id},
        )
    return added


def purpose(campaign: Campaign) -> str:
    """The appointment type, or the questionnaire's own title (the campaign's words for it are
    written to go inside the staff's message: "a short question about smoking")."""
    if campaign.booking is not None:
        return campaign.booking.appointment_type_display
    if campaign.questionnaire is None:
        return ""
    found = LIBRARY.get(campaign.questionnaire.questionnaire_id)
    return found.title if found is not None else campaign.questionnaire.title


async def open_link(req: OpenPatientLink, deps: Deps) -> PatientLinkView:
    now = datetime.now(UTC)
    target = await resolve(deps, req.token, req.org_id, now)
    recipient = target.recipient
    if recipient.may_have_arrived():
        await deps.recipient_messages.link_opened(recipient.org_id, recipient.id, now)
        await record_event(deps, target, "opened", now, "first")
    patient = patient_deps(deps)
    access = await patient.access.get(recipient.id)
    locked = access.locked_at is not None or access.failures >= patient.policy.max_attempts
    return PatientLinkView(
        campaign_id=target.campaign.id,
        type=target.campaign.type,
        practice=target.practice,
        purpose=purpose(target.campaign),
        expires_at=target.claim.expires_at,
        locked=locked,
        attempts_left=max(0, patient.policy.max_attempts - access.failures),
    )


async def verify_birth_date(req: VerifyBirthDate, deps: Deps) -> PatientSessionView:
    now = datetime.now(UTC)
    target = await resolve(deps, req.token, req.org_id, now)
    patient = patient_deps(deps)
    rid = target.recipient.id
    access = await patient.access.get(rid)
    try:
        right = check_answer(
            access, patient.policy, req.birth_date, target.recipient.birth_date, now
        )
    except LinkLocked as locked:
        raise LinkLocked(locked.message, **_contact(target.practice)) from None
    if not right:
        after = await patient.access.wrong_answer(
            target.campaign.org_id, target.campaign.id, rid, now, patient.policy.max_attempts
        )
        await record_event(deps, target, "wrong_birth_date", now, str(after.failures))
        left = max(0, patient.policy.max_attempts - after.failures)
        if after.locked_at is not None or left == 0:
            await record_event(deps, target, "locked", now, "once")
            raise LinkLocked(
                "This link has been locked because the date of birth was wrong too often.",
                **_contact(target.practice),
            )
        raise WrongBirthDate("The date of birth does not match our records.", attempts_left=left)
    await patient.access.verified(rid, now)
    await record_event(deps, target, "verified", now, "first")
    until = now + timedelta(minutes=patient.policy.session_minutes)
    return PatientSessionView(
        session=patient.sessions.issue(rid, until),
        expires_at=until,
        given_name=display_name(target.recipient.given_name),
    )


async def resolve_session(deps: Deps, token: str, session: str, org_id: str) -> LinkTarget:
    """The link, for a patient who confirmed their date of birth in this session."""
    now = datetime.now(UTC)
    target = await resolve(deps, token, org_id, now)
    patient = patient_deps(deps)
    if not patient.sessions.valid(session, target.recipient.id, now):
        raise SessionInvalid("Confirm your date of birth to continue.", reason="session")
    access = await patient.access.get(target.recipient.id)
    if access.locked_at is not None:
        raise LinkLocked("This link has been locked.", **_contact(target.practice))
    return target
