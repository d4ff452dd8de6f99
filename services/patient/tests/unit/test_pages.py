"""Every patient page against a fake gateway: the link's practice and purpose and nothing
personal before the date of birth; date of birth errors, wrong answers, spacing and the lock;
expired and unknown links; booking by day then time, a double click, a slot taken meanwhile,
cancelling; one question per page with the questions that apply, errors, checking and sending
once; an ended session; forms without their CSRF token; the gateway down; headers."""

import re

from ..conftest import Patient
from ..fake_gateway import BORN
from ..html import Page

TOKEN = "A81001.AAECAwQFBgcICQoLDA0ODxAR.c2lnbmF0dXJlc2lnbmF0dXJl"
START = f"/l/{TOKEN}"


def csrf(page: Page) -> str:
    return page.inputs["csrf_token"]


async def get(patient: Patient, url: str, status: int = 200) -> Page:
    response = await patient.client.get(url)
    assert response.status_code == status, (url, response.status_code, response.text[:500])
    return Page(response.text)


async def post(patient: Patient, url: str, data: dict[str, str]) -> tuple[int, str, Page]:
    response = await patient.client.post(url, data=data)
    return response.status_code, response.headers.get("location", ""), Page(response.text)


async def confirm_birth_date(patient: Patient) -> str:
    page = await get(patient, START)
    status, location, _ = await post(
        patient,
        START,
        {
            "csrf_token": csrf(page),
            "day": str(BORN.day),
            "month": str(BORN.month),
            "year": str(BORN.year),
        },
    )
    assert status == 303
    return location


async def test_the_start_page_names_the_practice_and_purpose_and_nothing_personal(
    patient: Patient,
) -> None:
    patient.gateway.add(TOKEN)
    response = await patient.client.get(START)
    page = Page(response.text)
    assert page.heading == "Book your flu vaccination"
    assert page.has(
        "Example Surgery sent you this link to book, change or cancel your flu vaccination "
        "appointment"
    )
    assert page.has("What is your date of birth?")
    assert "Ann" not in page.text
    assert 'autocomplete="bday-day"' in response.text
    assert "01632 960000" in page.text
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert 'name="robots" content="noindex' in response.text
    cookie = response.headers.get("set-cookie", "")
    assert "httponly" in cookie.lower()
    assert "samesite=strict" in cookie.lower()


async def test_date_of_birth_errors_say_how_to_fix_them(patient: Patient) -> None:
    patient.gateway.add(TOKEN)
    page = await get(patient, START)
    for fields, message in (
        ({}, "Enter your date of birth"),
        ({"day": "14", "year": "1950"}, "Your date of birth must include a month"),
        ({"day": "31", "month": "2", "year": "1950"}, "Your date of birth must be a real date"),
        ({"day": "1", "month": "1", "year": "2999"}, "Your date of birth must be in the past"),
    ):
        data = {"csrf_token": csrf(page), "day": "", "month": "", "year": "", **fields}
        status, _, shown = await post(patient, START, data)
        assert status == 400
        assert shown.has("There is a problem")
        assert shown.text.count(message) == 2, shown.text  # in the summary and by the field
    assert patient.gateway.links[TOKEN].failures == 0  # nothing was asked of the gateway


async def test_wrong_dates_are_counted_then_the_link_locks(patient: Patient) -> None:
    link = patient.gateway.add(TOKEN)
    page = await get(patient, START)
    wrong = {"csrf_token": csrf(page), "day": "15", "month": "3", "year": "1950"}
    status, _, shown = await post(patient, START, wrong)
    assert status == 400
    assert shown.has("The date of birth does not match our records")
    assert shown.has("4 more tries before this link is locked")
    for _ in range(4):
        status, _, shown = await post(patient, START, wrong)
    assert status == 423
    assert shown.heading == "This link has been locked"
    assert shown.has("Call Example Surgery on 01632 960000")
    assert link.locked
    locked = await get(patient, START, 423)
    assert locked.heading == "This link has been locked"


async def test_answers_too_close_together_are_asked_to_wait(patient: Patient) -> None:
    patient.gateway.add(TOKEN, too_soon=True)
    page = await get(patient, START)
    status, _, shown = await post(
        patient, START, {"csrf_token": csrf(page), "day": "1", "month": "1", "year": "1950"}
    )
    assert status == 429
    assert shown.has("Wait 4 seconds before trying again")


async def test_expired_and_unknown_links(patient: Patient) -> None:
    patient.gateway.add(TOKEN, expired=True)
    expired = await get(patient, START, 410)
    assert expired.heading == "This link has expired"
    assert expired.has("Call Example Surgery on 01632 960000")
    unknown = await get(patient, "/l/A81001.AAAAAAAAAAAA.BBBBBBBBBBBB", 404)
    assert unknown.heading == "This link does not work"
    malformed = await get(patient, "/l/not-a-token", 404)
    assert malformed.heading == "This link does not work"


async def test_book_by_day_then_time_once_however_often_confirmed(patient: Patient) -> None:
    link = patient.gateway.add(TOKEN)
    assert await confirm_birth_date(patient) == f"{START}/appointment"
    response = await patient.client.get(f"{START}/appointment")
    assert response.headers["location"] == f"{START}/appointment/choose"
    days = await get(patient, f"{START}/appointment/choose")
    assert days.heading == "Choose a day for your flu vaccination"
    assert days.has("3 times available")
    first_day = re.search(r'name="day" type="radio" value="([0-9-]+)"', days.html)
    assert first_day is not None
    times = await get(patient, f"{START}/appointment/choose?day={first_day.group(1)}")
    assert times.heading.startswith("Choose a time on ")
    assert times.has("9am")
    assert times.has("Example Surgery with Nurse Grace Okafor")
    slot = link.slots[0]["id"]
    status, location, _ = await post(
        patient,
        f"{START}/appointment/choose?day={first_day.group(1)}",
        {"csrf_token": csrf(times), "slot": slot},
    )
    assert (status, location) == (303, f"{START}/appointment/confirm?slot={slot}")
    check = await get(patient, location)
    assert check.heading == "Check your appointment"
    key = check.inputs["key"]
    assert len(key) == 32
    data = {"csrf_token": csrf(check), "slot": slot, "key": key}
    for _ in range(2):  # a double click
        status, location, _ = await post(patient, f"{START}/appointment/confirm", data)
        assert (status, location) == (303, f"{START}/appointment/booked")
    assert link.bookings == [slot]
    booked = await get(patient, location)
    assert booked.has("Appointment booked")
    assert booked.has("We have sent you a message to confirm it")
    assert booked.has("Wear a top that lets you show your upper arm")
    mine = await get(patient, f"{START}/appointment")
    assert mine.heading == "Your flu vaccination appointment"
    assert mine.has("Change appointment")
    assert mine.has("Cancel appointment")


async def test_no_time_chosen_is_an_error(patient: Patient) -> None:
    patient.gateway.add(TOKEN)
    await confirm_birth_date(patient)
    days = await get(patient, f"{START}/appointment/choose")
    day = re.search(r'name="day" type="radio" value="([0-9-]+)"', days.html)
    assert day is not None
    url = f"{START}/appointment/choose?day={day.group(1)}"
    times = await get(patient, url)
    status, _, shown = await post(patient, url, {"csrf_token": csrf(times)})
    assert status == 400
    assert shown.text.count("Select a time") == 2
    assert shown.heading.startswith("Choose a time on ")


async def test_a_slot_taken_meanwhile_offers_fresh_times(patient: Patient) -> None:
    link = patient.gateway.add(TOKEN)
    await confirm_birth_date(patient)
    slot = link.slots[0]["id"]
    check = await get(patient, f"{START}/appointment/confirm?slot={slot}")
    link.taken.add(slot)  # someone else books it now
    status, _, shown = await post(
        patient,
        f"{START}/appointment/confirm",
        {"csrf_token": csrf(check), "slot": slot, "key": check.inputs["key"]},
    )
    assert status == 409
    assert shown.has("Sorry, that time has just been booked by someone else. Choose another time.")
    assert shown.heading == "Choose a day for your flu vaccination"
    assert link.bookings == []
    gone = await get(patient, f"{START}/appointment/confirm?slot={slot}", 409)
    assert gone.has("just been booked by someone else")


async def test_cancel_asks_first_then_cancels(patient: Patient) -> None:
    link = patient.gateway.add(TOKEN)
    await confirm_birth_date(patient)
    slot = link.slots[1]["id"]
    check = await get(patient, f"{START}/appointment/confirm?slot={slot}")
    await post(
        patient,
        f"{START}/appointment/confirm",
        {"csrf_token": csrf(check), "slot": slot, "key": check.inputs["key"]},
    )
    ask = await get(patient, f"{START}/appointment/cancel")
    assert ask.heading == "Are you sure you want to cancel your appointment?"
    assert ask.has("Keep my appointment")
    status, _, done = await post(
        patient, f"{START}/appointment/cancel", {"csrf_token": csrf(ask), "key": ask.inputs["key"]}
    )
    assert status == 200
    assert done.has("Appointment cancelled")
    assert done.has("Book another time")
    assert link.appointment is None


async def test_an_ended_session_goes_back_to_the_date_of_birth(patient: Patient) -> None:
    patient.gateway.add(TOKEN)
    await confirm_birth_date(patient)
    patient.gateway.end_sessions = True
    response = await patient.client.get(f"{START}/appointment/choose")
    assert response.headers["location"] == f"{START}?ended=1"
    page = await get(patient, f"{START}?ended=1")
    assert page.has("For your security, confirm your date of birth again to continue.")
    # Without any session at all: the same.
    fresh = await patient.client.get(f"/l/{TOKEN[:-2]}xx/appointment")
    assert fresh.status_code == 303


async def test_a_form_without_its_csrf_token_changes_nothing(patient: Patient) -> None:
    link = patient.gateway.add(TOKEN)
    await confirm_birth_date(patient)
    slot = link.slots[0]["id"]
    status, _, page = await post(
        patient, f"{START}/appointment/confirm", {"slot": slot, "key": "k" * 32}
    )
    assert status == 400
    assert page.heading == "This page has expired"
    assert link.bookings == []


async def test_the_gateway_down_is_a_try_again_page(patient: Patient) -> None:
    patient.gateway.add(TOKEN)
    patient.gateway.down = True
    page = await get(patient, START, 503)
    assert page.heading == "Sorry, there is a problem with the service"


async def test_one_question_per_page_then_check_then_sent_once(patient: Patient) -> None:
    link = patient.gateway.add(
        TOKEN, type="questionnaire", purpose="a short question about smoking"
    )
    assert await confirm_birth_date(patient) == f"{START}/questions"
    response = await patient.client.get(f"{START}/questions")
    assert response.headers["location"] == f"{START}/questions/smoking"
    first = await get(patient, f"{START}/questions/smoking")
    assert first.heading.endswith("Do you smoke?")
    assert first.has("question 1 of 3")
    status, _, shown = await post(
        patient, f"{START}/questions/smoking", {"csrf_token": csrf(first)}
    )
    assert (status, shown.text.count("Select an answer")) == (400, 2)
    status, location, _ = await post(
        patient, f"{START}/questions/smoking", {"csrf_token": csrf(first), "answer": "77176002"}
    )
    assert (status, location) == (303, f"{START}/questions")
    # Smokers are asked how many a day (question 2 of 4 now).
    how_many = await get(patient, f"{START}/questions/cigarettes-per-day")
    assert how_many.has("question 2 of 4")
    assert how_many.has("a day")
    status, _, shown = await post(
        patient,
        f"{START}/questions/cigarettes-per-day",
        {"csrf_token": csrf(how_many), "answer": "500"},
    )
    assert status == 400
    assert shown.has("Enter a whole number between 0 and 100")
    await post(
        patient,
        f"{START}/questions/cigarettes-per-day",
        {"csrf_token": csrf(how_many), "answer": "10"},
    )
    quit_date = await get(patient, f"{START}/questions/quit-date")
    status, _, shown = await post(
        patient,
        f"{START}/questions/quit-date",
        {"csrf_token": csrf(quit_date), "day": "31", "month": "2", "year": "2020"},
    )
    assert (status, shown.has("The date must be a real date")) == (400, True)
    await post(
        patient,
        f"{START}/questions/quit-date",
        {"csrf_token": csrf(quit_date), "day": "", "month": "", "year": ""},
    )
    vapes = await get(patient, f"{START}/questions/vapes")
    status, location, _ = await post(
        patient, f"{START}/questions/vapes", {"csrf_token": csrf(vapes), "answer": "false"}
    )
    assert (await patient.client.get(location)).headers["location"] == f"{START}/questions/check"
    check = await get(patient, f"{START}/questions/check")
    assert check.heading == "Check your answers before sending them"
    assert check.has("Yes, every day")
    assert check.has("10 a day")
    assert check.has("Not answered")
    data = {"csrf_token": csrf(check), "key": check.inputs["key"]}
    for _ in range(2):
        status, location, _ = await post(patient, f"{START}/questions/check", data)
        assert (status, location) == (303, f"{START}/questions/done")
    assert link.submissions == [
        {"smoking": ["77176002"], "cigarettes-per-day": ["10"], "vapes": ["false"]}
    ]
    done = await get(patient, location)
    assert done.has("Answers sent")
    assert done.has("Thank you, Ann")


async def test_once_the_answers_are_sent_every_question_page_says_so(patient: Patient) -> None:
    # Answered on another device, or the back button after sending: asking again would look
    # as if the answers had not arrived.
    link = patient.gateway.add(TOKEN, type="questionnaire", purpose="a short question")
    link.response = {"authored": "2026-12-08T09:00:00+00:00", "items": []}
    await confirm_birth_date(patient)
    for page in ("/questions", "/questions/smoking", "/questions/check"):
        response = await patient.client.get(f"{START}{page}")
        assert (response.status_code, response.headers["location"]) == (
            303,
            f"{START}/questions/done",
        ), page
    assert (await get(patient, f"{START}/questions/done")).has("Answers sent")
    assert link.submissions == []


async def test_changing_an_answer_drops_questions_that_no_longer_apply(patient: Patient) -> None:
    link = patient.gateway.add(
        TOKEN, type="questionnaire", purpose="a short question about smoking"
    )
    await confirm_birth_date(patient)
    page = await get(patient, f"{START}/questions/smoking")
    for question, answer in (
        ("smoking", "77176002"),
        ("cigarettes-per-day", "5"),
        ("quit-date", ""),
        ("vapes", "true"),
    ):
        await post(
            patient, f"{START}/questions/{question}", {"csrf_token": csrf(page), "answer": answer}
        )
    await post(
        patient,
        f"{START}/questions/smoking?change=1",
        {"csrf_token": csrf(page), "answer": "266919005"},
    )
    check = await get(patient, f"{START}/questions/check")
    assert not check.has("How many")
    assert not check.has("5 a day")
    await post(
        patient, f"{START}/questions/check", {"csrf_token": csrf(check), "key": check.inputs["key"]}
    )
    assert link.submissions == [{"smoking": ["266919005"], "vapes": ["true"]}]


async def test_the_patients_address_goes_to_the_gateway(patient: Patient) -> None:
    patient.gateway.add(TOKEN)
    await get(patient, START)
    assert patient.gateway.addresses[-1] == "127.0.0.1"


async def test_a_form_body_over_the_cap_is_413_and_asks_nothing(patient: Patient) -> None:
    patient.gateway.add(TOKEN)
    page = await get(patient, START)

    response = await patient.client.post(
        START, data={"csrf_token": csrf(page), "day": "1" * (2 * 1024 * 1024)}
    )

    assert response.status_code == 413
    assert patient.gateway.links[TOKEN].failures == 0
