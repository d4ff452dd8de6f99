"""The patient's side of the link in Chromium at phone width (375 px), against every real
service, the GP Connect simulator and the Firetext simulator: booking from the link in a real
message (read from the simulated handset) to the confirmation text, cancelling; a forwarded
link stopped at the date of birth; a locked link; an expired and an unknown link; two patients
racing for one slot; a questionnaire answered and seen by staff in the web app. axe-core checks
every page."""

import csv
import io
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any

import httpx2
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from campaign.domain.links import LinkSigner
from cohort_testing.nhs_numbers import valid_numbers
from pds_sim.synthetic import synthetic_patient

from .browser import ORGANISATIONS, axe_violations, mobile, new_page, opened_page, sign_in
from .own_stack import run_stack
from .patients import uk_date
from .sending_flow import api, wait_for
from .stack import LINK_SECRET, Stack

pytestmark = pytest.mark.e2e

PHONE: ViewportSize = {"width": 375, "height": 812}
PRACTICE_PHONE = "01632 960001"  # Example Surgery's, from config/organisations.json
LINK = re.compile(r"(https?://\S+/l/[A-Za-z0-9_\-.]+)")


@dataclass(frozen=True)
class Invited:
    nhs_number: str
    birth_date: date
    mobile: str
    link: str
    given_name: str

    @property
    def token(self) -> str:
        return self.link.rsplit("/", 1)[-1]


@dataclass
class Sent:
    campaign_id: str
    patients: list[Invited]


def patients_csv(numbers: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["NHS Number", "Date of Birth"])
    for nhs in numbers:
        writer.writerow([nhs, uk_date(str(synthetic_patient(nhs)["birthDate"]))])
    return out.getvalue().encode()


def staff(stack: Stack) -> httpx2.Client:
    return api(stack, user="priya", lifetime=timedelta(hours=1))


def handset(stack: Stack, to: str) -> list[str]:
    found = httpx2.get(f"{stack.url('firetext')}/_sim/messages", params={"to": to}, timeout=10)
    return [str(m["message"]) for m in found.json()]


def send_campaign(stack: Stack, kind: str, settings: dict[str, Any], numbers: list[str]) -> Sent:
    """A campaign created, uploaded, composed and sent through the API; every patient's link
    read from the message their phone received."""
    with staff(stack) as api:
        body = {"name": f"{kind} {uuid.uuid4().hex[:6]}", "type": kind, **settings}
        campaign = api.post("/v1/campaigns", json=body).raise_for_status().json()
        cid = campaign["id"]
        files = {"file": ("patients.csv", patients_csv(numbers), "text/csv")}
        listed = api.post(
            f"/v1/campaigns/{cid}/patient-lists", data={"channel": "sms"}, files=files
        )
        list_id = listed.raise_for_status().json()["id"]
        wait_for(
            "the list to be checked",
            lambda: (
                api.get(f"/v1/campaigns/{cid}/patient-lists/{list_id}").json()["status"]
                == "complete"
            ),
        )
        message = {"body": "Dear ((first_name)), this is from ((practice_name))."}
        api.put(f"/v1/campaigns/{cid}/message", json=message).raise_for_status()
        count = api.get(f"/v1/campaigns/{cid}/review").raise_for_status().json()["recipient_count"]
        assert count == len(numbers)
        api.post(f"/v1/campaigns/{cid}/send", json={"confirm_recipient_count": count})
    invited = []
    for nhs in numbers:
        to = mobile(nhs)
        texts = wait_for("the message", partial(handset, stack, to))
        link = LINK.search(texts[0])
        assert link is not None, texts[0]
        patient = synthetic_patient(nhs)
        invited.append(
            Invited(
                nhs,
                date.fromisoformat(str(patient["birthDate"])),
                to,
                link.group(1),
                str(patient["name"][0]["given"][0]),
            )
        )
    return Sent(cid, invited)


def send_booking(stack: Stack, count: int) -> Sent:
    """A flu vaccination booking campaign sent to ``count`` patients with handsets of their own."""
    settings = {
        "booking": {"appointment_type_code": "FLU", "appointment_type_display": "flu vaccination"}
    }
    return send_campaign(stack, "booking", settings, distinct_patients(count))


def send_questionnaire(stack: Stack, questionnaire_id: str, title: str) -> Sent:
    """A questionnaire campaign sent to one patient with a handset of their own."""
    settings = {"questionnaire": {"questionnaire_id": questionnaire_id, "title": title}}
    return send_campaign(stack, "questionnaire", settings, distinct_patients(1))


def expired_token(sent: Sent, patient: Invited) -> str:
    """``patient``'s link token signed again as if it had expired on 1 January 2020."""
    signer = LinkSigner(LINK_SECRET.encode(), "")
    claim = signer.read(patient.token)
    assert claim is not None
    return signer.token(
        claim.org_id, uuid.UUID(sent.campaign_id), claim.recipient_id, date(2020, 1, 1)
    )


#: Mobiles already given to a patient of this module's campaigns (one handset each).
TAKEN_MOBILES: set[str] = set()


def distinct_patients(count: int) -> list[str]:
    """NHS numbers whose synthetic patients have mobiles no other patient here has."""
    chosen: list[str] = []
    seen = TAKEN_MOBILES
    for nhs in valid_numbers("999", 400)[200:]:
        if (number := mobile(nhs)) not in seen:
            seen.add(number)
            chosen.append(nhs)
        if len(chosen) == count:
            return chosen
    raise AssertionError("not enough patients with their own mobile")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    env = {
        "GATEWAY_ORGANISATIONS_FILE": str(ORGANISATIONS),
        "CAMPAIGN_ORGANISATIONS_FILE": str(ORGANISATIONS),
        "DISPATCH_SMS_RATE_LIMIT": "50",
    }
    yield from run_stack(tmp_path_factory, env, with_patient=True)


@pytest.fixture(scope="module")
def booking(stack: Stack) -> Sent:
    return send_booking(stack, 5)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with opened_page(browser, viewport=PHONE) as opened:
        yield opened


def accessible(page: Page) -> None:
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == [], page.url
    assert page.locator("h1").count() == 1, page.url
    # Made for a phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def enter_birth_date(page: Page, born: date) -> None:
    page.get_by_label("Day").fill(str(born.day))
    page.get_by_label("Month").fill(str(born.month))
    page.get_by_label("Year").fill(str(born.year))
    page.get_by_role("button", name="Continue").click()


def choose_first_time(page: Page) -> str:
    """Choose the first day, then its first time; returns the time's label."""
    page.locator("input[name=day]").first.check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name=re.compile("^Choose a time on"))).to_be_visible()
    accessible(page)
    first = page.locator("input[name=slot]").first
    label = page.locator(f"label[for='{first.get_attribute('id')}']").inner_text()
    first.check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check your appointment")).to_be_visible()
    accessible(page)
    return label


def test_book_from_the_message_link_then_cancel(stack: Stack, page: Page, booking: Sent) -> None:
    patient = booking.patients[0]
    page.goto(patient.link)
    expect(page.get_by_role("heading", name="Book your flu vaccination")).to_be_visible()
    expect(page.get_by_text("Example Surgery sent you this link")).to_be_visible()
    assert patient.given_name not in page.content()  # nothing personal yet
    accessible(page)
    enter_birth_date(page, patient.birth_date)
    expect(
        page.get_by_role("heading", name="Choose a day for your flu vaccination")
    ).to_be_visible()
    accessible(page)
    chosen = choose_first_time(page)
    page.get_by_role("button", name="Book appointment").dblclick()  # a double click books once
    expect(page.get_by_role("heading", name="Appointment booked")).to_be_visible()
    accessible(page)
    expect(page.get_by_text("upper arm")).to_be_visible()
    confirmation = wait_for(
        "the confirmation text",
        lambda: [m for m in handset(stack, patient.mobile) if "is booked for" in m],
    )
    assert len(confirmation) == 1
    assert chosen in confirmation[0]
    assert patient.link in confirmation[0]
    booked = httpx2.get(f"{stack.url('gpconnect')}/_sim/appointments", timeout=10).json()
    assert len([a for a in booked if a["status"] == "booked"]) == 1

    with staff(stack) as api:
        recipients = api.get(f"/v1/campaigns/{booking.campaign_id}/recipients").json()["items"]
        mine = next(r for r in recipients if r["nhs_number"] == patient.nhs_number)
        activity = api.get(
            f"/v1/campaigns/{booking.campaign_id}/recipients/{mine['id']}/activity"
        ).json()
        assert activity["appointment"]["status"] == "booked"
        counts = api.get(f"/v1/campaigns/{booking.campaign_id}").json()["counts"]
        assert counts["appointments_booked"] == 1
        assert counts["links_opened"] >= 1

    page.goto(patient.link)  # the same link, later: the appointment, to change or cancel
    expect(page.get_by_role("heading", name="Your flu vaccination appointment")).to_be_visible()
    accessible(page)
    page.get_by_role("link", name="Cancel appointment").click()
    expect(page.get_by_role("heading", name=re.compile("Are you sure"))).to_be_visible()
    accessible(page)
    page.get_by_role("button", name="Cancel appointment").click()
    expect(page.get_by_role("heading", name="Appointment cancelled")).to_be_visible()
    accessible(page)
    wait_for(
        "the cancellation text",
        lambda: [m for m in handset(stack, patient.mobile) if "has been cancelled" in m],
    )


def test_a_forwarded_link_stops_at_the_date_of_birth(page: Page, booking: Sent) -> None:
    patient = booking.patients[1]
    page.goto(patient.link)
    enter_birth_date(page, patient.birth_date + timedelta(days=1))
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "The date of birth does not match our records"
    )
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("4 more tries")
    accessible(page)
    assert patient.given_name not in page.content()
    assert "Choose a day" not in page.content()
    page.goto(patient.link.replace("/l/", "/l/") + "/appointment/choose")
    expect(page.get_by_role("heading", name="Book your flu vaccination")).to_be_visible()


def test_a_locked_link_shows_the_practice_phone(page: Page, booking: Sent) -> None:
    patient = booking.patients[2]
    page.goto(patient.link)
    for wrong in range(1, 6):
        enter_birth_date(page, date(1901, 1, wrong))
    expect(page.get_by_role("heading", name="This link has been locked")).to_be_visible()
    expect(page.get_by_role("link", name=PRACTICE_PHONE)).to_be_visible()
    accessible(page)
    page.goto(patient.link)  # and stays locked, even for the right answer
    expect(page.get_by_role("heading", name="This link has been locked")).to_be_visible()


def test_expired_and_unknown_links(stack: Stack, page: Page, booking: Sent) -> None:
    patient = booking.patients[3]
    page.goto(f"{stack.url('patient')}/l/{expired_token(booking, patient)}")
    expect(page.get_by_role("heading", name="This link has expired")).to_be_visible()
    expect(page.get_by_role("link", name=PRACTICE_PHONE)).to_be_visible()
    accessible(page)
    forged = patient.token[:-4] + ("AAAA" if not patient.token.endswith("AAAA") else "BBBB")
    page.goto(f"{stack.url('patient')}/l/{forged}")
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    accessible(page)


def test_two_patients_race_for_one_slot(stack: Stack, browser: Browser, booking: Sent) -> None:
    first, second = booking.patients[3], booking.patients[4]
    pages = []
    for patient in (first, second):
        page = new_page(browser, viewport=PHONE)
        page.goto(patient.link)
        enter_birth_date(page, patient.birth_date)
        expect(page.get_by_role("heading", name=re.compile("^Choose a day"))).to_be_visible()
        page.locator("input[name=day]").first.check()
        page.get_by_role("button", name="Continue").click()
        page.locator("input[name=slot]").first.check()
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", name="Check your appointment")).to_be_visible()
        pages.append(page)
    # Both look at the same time; the first to book gets it.
    assert pages[0].url.split("slot=")[1] == pages[1].url.split("slot=")[1]
    taken = pages[0].url.split("slot=")[1]
    pages[0].get_by_role("button", name="Book appointment").click()
    expect(pages[0].get_by_role("heading", name="Appointment booked")).to_be_visible()
    pages[1].get_by_role("button", name="Book appointment").click()
    expect(pages[1].locator(".nhsuk-error-summary")).to_contain_text(
        "that time has just been booked by someone else"
    )
    expect(pages[1].get_by_role("heading", name=re.compile("^Choose a day"))).to_be_visible()
    accessible(pages[1])
    # Fresh slots: the taken one is no longer offered.
    pages[1].locator("input[name=day]").first.check()
    pages[1].get_by_role("button", name="Continue").click()
    assert pages[1].locator(f"input[value='{taken}']").count() == 0
    for page in pages:
        page.context.close()


def test_a_questionnaire_answered_and_seen_by_staff(stack: Stack, browser: Browser) -> None:
    sent = send_questionnaire(stack, "smoking-status", "a short question about smoking")
    patient = sent.patients[0]
    page = new_page(browser, viewport=PHONE)
    page.goto(patient.link)
    expect(page.get_by_role("heading", name="Smoking status")).to_be_visible()
    accessible(page)
    enter_birth_date(page, patient.birth_date)
    expect(page.get_by_role("heading", name=re.compile("Do you smoke"))).to_be_visible()
    accessible(page)
    page.get_by_role("button", name="Continue").click()  # no answer: an error
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Select an answer")
    accessible(page)
    page.get_by_label("Yes, every day").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name=re.compile("how many cigarettes"))).to_be_visible()
    accessible(page)
    page.get_by_role("textbox").fill("12")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name=re.compile("help to stop"))).to_be_visible()
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name=re.compile("e-cigarette"))).to_be_visible()
    page.get_by_label("No").check()
    page.get_by_role("button", name="Continue").click()
    expect(
        page.get_by_role("heading", name="Check your answers before sending them")
    ).to_be_visible()
    accessible(page)
    page.get_by_role("button", name="Send answers").click()
    expect(page.get_by_role("heading", name="Answers sent")).to_be_visible()
    accessible(page)
    page.context.close()

    with staff(stack) as api:
        exported = api.get(f"/v1/campaigns/{sent.campaign_id}/questionnaire-responses.csv")
        rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
        assert rows[1][0] == patient.nhs_number
        assert "Yes, every day" in rows[1]
        assert "12 a day" in rows[1]
        assert (
            api.get(f"/v1/campaigns/{sent.campaign_id}").json()["counts"][
                "questionnaires_completed"
            ]
            == 1
        )
        recipients = api.get(f"/v1/campaigns/{sent.campaign_id}/recipients").json()["items"]
    # Staff see the answers on the patient's page in the web app.
    staff_page = browser.new_page()
    staff_page.set_default_timeout(20_000)
    sign_in(staff_page, stack.url("web"), "Priya Shah")
    staff_page.goto(
        f"{stack.url('web')}/campaigns/{sent.campaign_id}/patients/{recipients[0]['id']}"
    )
    expect(staff_page.get_by_role("heading", name="Answers")).to_be_visible()
    expect(staff_page.get_by_text("Yes, every day")).to_be_visible()
    expect(staff_page.get_by_text("12 a day")).to_be_visible()
    assert axe_violations(staff_page) == []
    staff_page.context.close()
