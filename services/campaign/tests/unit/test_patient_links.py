"""The patient's side of a link, on every store: opening it, the date of birth (wrong answers
counted, spaced and locking), booking against the GP Connect simulator (idempotent, a slot
taken meanwhile, rebooking, cancelling, confirmations), answering a questionnaire, and what
staff see of it (activity, lists, overview counts)."""

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import httpx2
import pytest

from campaign.adapters.gpconnect import GpConnectClient, GpConnectConfig
from campaign.adapters.mongo_database import MongoHandle
from campaign.bootstrap import build_patient_deps
from campaign.domain.appointments import AppointmentRecord, SlotTaken
from campaign.domain.errors import InvalidMessage
from campaign.domain.patient_access import (
    AccessPolicy,
    LinkLocked,
    SessionSigner,
    TooSoon,
    WrongBirthDate,
)
from campaign.domain.questionnaires import QuestionnaireResponse
from campaign.domain.time_order import TimePosition
from campaign.handlers import (
    patient_booking,
    patient_links,
    patient_questionnaire,
    patient_staff,
)
from campaign.handlers.deps import Deps
from campaign.handlers.patient_deps import PracticeInfo
from campaign.handlers.patient_links import SessionInvalid
from campaign.handlers.requests import answer
from campaign.ports.recipients import Move
from cohort_contracts.campaign_requests import GetCampaign, RpcReply
from cohort_contracts.campaign_settings import QuestionnaireSettings
from cohort_contracts.patient_links import (
    Answer,
    BookAppointment,
    CancelAppointment,
    GetPatientBooking,
    GetPatientQuestionnaire,
    GetRecipientActivity,
    ListAppointments,
    ListFreeSlots,
    ListQuestionnaireResponses,
    OpenPatientLink,
    SubmitQuestionnaire,
    VerifyBirthDate,
)
from cohort_contracts.sending import SendMessages
from cohort_contracts.vocabulary import RecipientStatus
from gpconnect_sim.app import create_app
from gpconnect_sim.config import Settings

from ..builders import LINK_BASE, ORG
from ..fakes import FakePublisher
from .helpers import released, req
from .messaging import add_patients, compose, create, review_of, send

BORN = date(1950, 3, 14)
PHONE = "01632 960 000"
ASID = "918999198993"


@pytest.fixture
async def gp() -> AsyncIterator[GpConnectClient]:
    transport = httpx2.ASGITransport(app=create_app(Settings(asid=ASID)))
    async with httpx2.AsyncClient(transport=transport) as http:
        base = "http://gp.test/{ods}/STU3/1/gpconnect"
        yield GpConnectClient(http, GpConnectConfig(base, "200000001234", ASID))


@pytest.fixture
def linked(deps: Deps, mongo: MongoHandle, gp: GpConnectClient) -> Deps:
    deps.patient = build_patient_deps(
        mongo,
        SessionSigner(b"session-key"),
        policy=AccessPolicy(max_attempts=5, delay_s=0),
        practices={ORG: PracticeInfo("Riverside Surgery", PHONE)},
        appointment_system=gp,
    )
    return deps


async def sent(deps: Deps, type: str = "booking", patients: int = 2, **fields: Any) -> list[str]:
    """A sent campaign whose patients' messages have gone out; their links' tokens."""
    campaign = await create(deps, type, **fields)  # type: ignore[arg-type]
    names = [("ANN", f"JONES{row}") for row in range(1, patients + 1)]
    await add_patients(deps, campaign.id, names, birth_date=BORN)
    await compose(deps, campaign.id, "Dear ((first_name)), please use your link.")
    review = await review_of(deps, campaign.id, preview_count=patients)
    await send(deps, campaign.id, patients)
    tokens = []
    for preview in review.previews:
        rid = preview.recipient_id
        await deps.recipients.apply(
            ORG, [Move(rid, RecipientStatus.QUEUED), Move(rid, RecipientStatus.SENDING)]
        )
        tokens.append(preview.body.rsplit(" ", 1)[-1].removeprefix(LINK_BASE))
    return tokens


async def session_for(deps: Deps, token: str) -> str:
    view = await patient_links.verify_birth_date(
        req(VerifyBirthDate, token=token, birth_date=BORN), deps
    )
    assert view.given_name == "Ann"
    return view.session


async def test_opening_names_the_practice_and_purpose_and_nothing_personal(linked: Deps) -> None:
    token = (await sent(linked))[0]
    view = await patient_links.open_link(req(OpenPatientLink, token=token), linked)
    assert (view.type, view.purpose, view.attempts_left, view.locked) == (
        "booking",
        "flu vaccination",
        5,
        False,
    )
    assert (view.practice.name, view.practice.phone) == ("Riverside Surgery", PHONE)
    assert "Ann" not in view.model_dump_json()
    assert "JONES" not in view.model_dump_json()
    await patient_links.open_link(req(OpenPatientLink, token=token), linked)
    overview = await patient_staff.get_campaign(
        req(GetCampaign, campaign_id=view.campaign_id), linked
    )
    assert overview.counts.links_opened == 1


async def test_wrong_dates_of_birth_are_counted_and_lock_the_link(linked: Deps) -> None:
    token = (await sent(linked))[0]
    for left in (4, 3, 2, 1):
        with pytest.raises(WrongBirthDate) as wrong:
            await patient_links.verify_birth_date(
                req(VerifyBirthDate, token=token, birth_date=date(1950, 3, 15)), linked
            )
        assert wrong.value.details["attempts_left"] == left
    with pytest.raises(LinkLocked) as locked:
        await patient_links.verify_birth_date(
            req(VerifyBirthDate, token=token, birth_date=date(1990, 1, 1)), linked
        )
    assert locked.value.details["practice_phone"] == PHONE
    # Locked: even the right answer is refused now.
    with pytest.raises(LinkLocked):
        await session_for(linked, token)
    view = await patient_links.open_link(req(OpenPatientLink, token=token), linked)
    assert (view.locked, view.attempts_left) == (True, 0)


async def test_answers_too_close_together_are_refused(linked: Deps) -> None:
    assert linked.patient is not None
    linked.patient.policy = AccessPolicy(max_attempts=5, delay_s=30)
    token = (await sent(linked))[0]
    wrong = req(VerifyBirthDate, token=token, birth_date=date(1950, 3, 15))
    with pytest.raises(WrongBirthDate):
        await patient_links.verify_birth_date(wrong, linked)
    with pytest.raises(TooSoon) as soon:
        await patient_links.verify_birth_date(wrong, linked)
    retry_after_s = soon.value.details["retry_after_s"]
    assert isinstance(retry_after_s, int)
    assert 1 <= retry_after_s <= 30


async def test_nothing_personal_without_a_session_of_this_link(linked: Deps) -> None:
    first, second = await sent(linked)
    other_session = await session_for(linked, second)
    for session in ("x" * 20, other_session):
        with pytest.raises(SessionInvalid):
            await patient_booking.get_booking(
                req(GetPatientBooking, token=first, session=session), linked
            )


async def test_book_repeat_rebook_and_cancel(linked: Deps, publisher: FakePublisher) -> None:
    token = (await sent(linked))[0]
    session = await session_for(linked, token)
    free_slots = req(ListFreeSlots, token=token, session=session)
    slots = await patient_booking.list_free_slots(free_slots, linked)
    assert slots.type == "flu vaccination"
    assert slots.slots
    assert all(s.location == "Example Surgery" for s in slots.slots)

    def booking(slot: int, key: str) -> BookAppointment:
        slot_id = slots.slots[slot].id
        return req(
            BookAppointment, token=token, session=session, slot_id=slot_id, idempotency_key=key
        )

    first = booking(0, "key-00001")
    booked = await patient_booking.book(first, linked)
    assert booked.appointment is not None
    assert (booked.appointment.status, booked.appointment.start) == ("booked", slots.slots[0].start)
    assert booked.can_change
    assert "upper arm" in booked.instructions
    # The same request again (a double click): the same appointment, nothing more booked.
    again = await patient_booking.book(first, linked)
    assert again.appointment == booked.appointment
    confirmations = [m for m in released(publisher) if m.notification]
    assert len(confirmations) == 1
    body = confirmations[0].messages[0].body
    assert "is booked for" in body
    assert f"or call {PHONE}: {LINK_BASE}{token}" in body
    assert confirmations[0].messages[0].to.startswith("447700900")

    moved = await patient_booking.book(booking(1, "key-00002"), linked)
    assert moved.appointment is not None
    assert moved.appointment.start == slots.slots[1].start
    free = await patient_booking.list_free_slots(free_slots, linked)
    # The first slot is free again (cancelled at the practice), the new one is not.
    assert slots.slots[0].id in {s.id for s in free.slots}
    assert slots.slots[1].id not in {s.id for s in free.slots}

    cancel = req(CancelAppointment, token=token, session=session, idempotency_key="key-00003")
    cancelled = await patient_booking.cancel(cancel, linked)
    assert cancelled.appointment is None
    assert (await patient_booking.cancel(cancel, linked)).appointment is None
    bodies = [m.messages[0].body for m in released(publisher) if m.notification]
    assert len(bodies) == 3
    assert "has been cancelled" in bodies[-1]

    campaign_id = (
        await patient_links.open_link(req(OpenPatientLink, token=token), linked)
    ).campaign_id
    overview = await patient_staff.get_campaign(req(GetCampaign, campaign_id=campaign_id), linked)
    assert (overview.counts.appointments_booked, overview.counts.appointments_cancelled) == (0, 1)
    listed = await patient_staff.list_appointments(
        req(ListAppointments, campaign_id=campaign_id), linked
    )
    assert sorted(a.appointment.cancelled_because or "" for a in listed.items) == [
        "patient",
        "rebooked",
    ]


async def test_a_slot_taken_meanwhile_is_refused_and_books_nothing(linked: Deps) -> None:
    first, second = await sent(linked)
    one, two = await session_for(linked, first), await session_for(linked, second)
    slot = (
        await patient_booking.list_free_slots(req(ListFreeSlots, token=first, session=one), linked)
    ).slots[0]
    await patient_booking.book(
        req(
            BookAppointment, token=first, session=one, slot_id=slot.id, idempotency_key="first-001"
        ),
        linked,
    )
    late = req(
        BookAppointment, token=second, session=two, slot_id=slot.id, idempotency_key="second-01"
    )
    with pytest.raises(SlotTaken):
        await patient_booking.book(late, linked)
    with pytest.raises(SlotTaken):  # the same request again gets the same answer
        await patient_booking.book(late, linked)
    view = await patient_booking.get_booking(
        req(GetPatientBooking, token=second, session=two), linked
    )
    assert view.appointment is None


async def test_a_questionnaire_answered_once_and_seen_by_staff(linked: Deps) -> None:
    settings = QuestionnaireSettings(
        questionnaire_id="smoking-status", title="a question about smoking"
    )
    token = (await sent(linked, "questionnaire", questionnaire=settings))[0]
    session = await session_for(linked, token)
    view = await patient_questionnaire.get_questionnaire(
        req(GetPatientQuestionnaire, token=token, session=session), linked
    )
    assert view.questionnaire.questions[0].link_id == "smoking"
    opened = await patient_links.open_link(req(OpenPatientLink, token=token), linked)
    assert opened.purpose == "Smoking status"  # the questionnaire's own title
    assert view.response is None

    def submit(answers: dict[str, str]) -> SubmitQuestionnaire:
        return req(
            SubmitQuestionnaire,
            token=token,
            session=session,
            idempotency_key="answers-1",
            answers=[Answer(link_id=k, values=[v]) for k, v in answers.items()],
        )

    with pytest.raises(InvalidMessage):  # how many a day is asked of someone who smokes
        await patient_questionnaire.submit(
            submit({"smoking": "77176002", "vapes": "false"}), linked
        )
    with pytest.raises(InvalidMessage):
        await patient_questionnaire.submit(
            submit(
                {
                    "smoking": "77176002",
                    "cigarettes-per-day": "500",
                    "wants-help": "true",
                    "vapes": "false",
                }
            ),
            linked,
        )
    done = await patient_questionnaire.submit(
        submit(
            {
                "smoking": "77176002",
                "cigarettes-per-day": "10",
                "wants-help": "true",
                "vapes": "false",
            }
        ),
        linked,
    )
    assert done.response is not None
    assert [i.answers for i in done.response.items] == [
        ["Yes, every day"],
        ["10 a day"],
        ["Yes"],
        ["No"],
    ]
    assert '"resourceType": "QuestionnaireResponse"' in done.response.fhir_json

    campaign_id = (
        await patient_links.open_link(req(OpenPatientLink, token=token), linked)
    ).campaign_id
    responses = await patient_staff.list_responses(
        req(ListQuestionnaireResponses, campaign_id=campaign_id), linked
    )
    assert responses.total == 1
    assert responses.next_after is None  # fewer than a page: the last one
    full = await patient_staff.list_responses(
        req(ListQuestionnaireResponses, campaign_id=campaign_id, page_size=1), linked
    )
    assert full.next_after is not None
    after = await patient_staff.list_responses(
        req(ListQuestionnaireResponses, campaign_id=campaign_id, after=full.next_after), linked
    )
    assert (after.items, after.total, after.next_after) == ([], 1, None)
    activity = await patient_staff.get_activity(
        req(
            GetRecipientActivity,
            campaign_id=campaign_id,
            recipient_id=responses.items[0].recipient_id,
        ),
        linked,
    )
    assert activity.questionnaire_response == done.response
    # (Events are kept to the millisecond: these three may share one.)
    assert sorted(e.action for e in activity.events) == ["answered", "opened", "verified"]
    overview = await patient_staff.get_campaign(req(GetCampaign, campaign_id=campaign_id), linked)
    assert overview.counts.questionnaires_completed == 1
    assert not isinstance(overview, SendMessages)


async def test_pages_after_cursors_are_the_numbered_pages(linked: Deps) -> None:
    """Responses completed in the same millisecond, and appointments starting at the same
    time, page by id, and a cursor carries both: reading on from each page's last one gives
    exactly the numbered pages, for both."""
    assert linked.patient is not None
    responses, appointments = linked.patient.responses, linked.patient.appointments
    campaign_id = uuid.uuid4()
    start = datetime(2030, 1, 1, 9, tzinfo=UTC)
    for n in range(7):
        at = start + timedelta(milliseconds=n // 3)  # three, three, then one alike
        await responses.add(QuestionnaireResponse(ORG, campaign_id, uuid.uuid4().hex, {}, "{}", at))
        record = AppointmentRecord(
            id=uuid.uuid4().hex,
            org_id=ORG,
            campaign_id=str(campaign_id),
            recipient_id=uuid.uuid4().hex,
            slot_id=f"slot-{n}",
            start=at,
            end=at + timedelta(minutes=10),
            type_text="Flu vaccination",
            created_at=start,
        )
        await appointments.add(record)
        await appointments.booked(replace(record, booked_at=start, gp_id=f"gp-{n}"))

    async def responses_after(after: TimePosition) -> list[QuestionnaireResponse]:
        return (await responses.page_after(campaign_id, after, 2))[0]

    async def appointments_after(after: TimePosition) -> list[AppointmentRecord]:
        return (await appointments.page_after(campaign_id, after, 2))[0]

    assert await _read_on(
        [(await responses.page(campaign_id, skip, 2))[0] for skip in range(0, 8, 2)],
        responses_after,
        lambda response: TimePosition(response.authored, response.recipient_id),
    )
    assert await _read_on(
        [(await appointments.page(campaign_id, skip, 2))[0] for skip in range(0, 8, 2)],
        appointments_after,
        lambda record: TimePosition(record.start, record.id),
    )


T = TypeVar("T")


async def _read_on(
    numbered: list[list[T]],
    after: Callable[[TimePosition], Awaitable[list[T]]],
    position: Callable[[T], TimePosition],
) -> bool:
    """Whether reading on from the first numbered page, by each page's cursor, reads exactly
    what the numbered pages hold (seven, in pages of two)."""
    by_cursor = [numbered[0]]
    while len(by_cursor[-1]) == 2:
        by_cursor.append(await after(TimePosition.parse(position(by_cursor[-1][-1]).cursor())))
    read = [r for page in by_cursor for r in page]
    return len(read) == 7 and read == [r for page in numbered for r in page]


#: Every request a patient makes once confirmed, by campaign type: all go through the link's
#: session, which belongs to that link's patient only.
SESSION_REQUESTS: list[tuple[str, Callable[[str, str], Any]]] = [
    ("booking", lambda t, s: req(GetPatientBooking, token=t, session=s)),
    ("booking", lambda t, s: req(ListFreeSlots, token=t, session=s)),
    (
        "booking",
        lambda t, s: req(
            BookAppointment, token=t, session=s, slot_id="x", idempotency_key="booking-1"
        ),
    ),
    (
        "booking",
        lambda t, s: req(CancelAppointment, token=t, session=s, idempotency_key="cancelling-1"),
    ),
    ("questionnaire", lambda t, s: req(GetPatientQuestionnaire, token=t, session=s)),
    (
        "questionnaire",
        lambda t, s: req(
            SubmitQuestionnaire, token=t, session=s, idempotency_key="answers-9", answers=[]
        ),
    ),
]


def _session_request_id(value: object) -> str:
    return value if isinstance(value, str) else ""


@pytest.mark.parametrize(("kind", "make"), SESSION_REQUESTS, ids=_session_request_id)
async def test_every_patient_request_needs_this_links_own_session_and_practice(
    linked: Deps, kind: str, make: Callable[[str, str], Any]
) -> None:
    """Another patient's session (of the same campaign) opens nothing of this link; neither does
    this link's own session asked for in another practice's name (its ODS code is signed into
    the token, which the gateway reads the envelope's organisation from)."""
    mine, theirs = await sent(linked, kind)
    their_session = await session_for(linked, theirs)
    own_session = await session_for(linked, mine)
    request = make(mine, their_session)

    reply = await answer(request, linked)
    elsewhere = await answer(
        make(mine, own_session).model_copy(update={"org_id": "B82002"}), linked
    )
    own = await answer(make(mine, own_session), linked)

    assert _code(reply) == SessionInvalid.code
    assert _code(elsewhere) == "not_found"
    assert _code(own) not in (SessionInvalid.code, "not_found")


def _code(reply: RpcReply[Any]) -> str | None:
    return None if reply.error is None else reply.error.code
