"""``make screenshots`` (second part): a PNG of every patient page, at phone width (375 px, how
patients open a link from a text) and desktop width, into docs/screenshots/patient-*.png, with
axe-core on each at both widths; and the staff pages that show what patients did. Starts every
service with the patient pages and the GP Connect simulator (a private RabbitMQ namespace),
sends a booking and a questionnaire campaign through the API, and follows their links."""

import re
import tempfile
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Browser, expect

# screenshot_kit (first) puts the repository root on the path, for tests.e2e.
from screenshot_kit import OUT, PHONE, ROOT, Camera
from tests.e2e.browser import ORGANISATIONS, chromium, sign_in
from tests.e2e.own_stack import running
from tests.e2e.stack import Stack
from tests.e2e.test_patient_journeys import (
    enter_birth_date,
    expired_token,
    send_booking,
    send_questionnaire,
    staff,
)


def booking_pages(stack: Stack, browser: Browser, camera: Camera) -> str:
    sent = send_booking(stack, 4)
    first, forwarded, locked, racer = sent.patients
    page = camera.page
    page.goto(first.link)
    camera.shoot("patient-01-start")
    page.get_by_role("button", name="Continue").click()
    camera.shoot("patient-02-date-of-birth-missing")
    page.goto(forwarded.link)
    enter_birth_date(page, forwarded.birth_date + timedelta(days=1))
    camera.shoot("patient-03-date-of-birth-wrong")
    page.goto(locked.link)
    for wrong in range(1, 6):
        enter_birth_date(page, date(1901, 1, wrong))
    camera.shoot("patient-04-locked")
    page.goto(f"{stack.url('patient')}/l/{expired_token(sent, first)}")
    camera.shoot("patient-05-expired")
    page.goto(f"{stack.url('patient')}/l/A81001.AAAAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA")
    camera.shoot("patient-06-not-found")

    page.goto(first.link)
    enter_birth_date(page, first.birth_date)
    expect(page.get_by_role("heading", name=re.compile("^Choose a day"))).to_be_visible()
    camera.shoot("patient-07-choose-day")
    page.locator("input[name=day]").first.check()
    page.get_by_role("button", name="Continue").click()
    camera.shoot("patient-08-choose-time")
    page.get_by_role("button", name="Continue").click()
    camera.shoot("patient-09-choose-time-missing")
    page.locator("input[name=slot]").first.check()
    page.get_by_role("button", name="Continue").click()
    camera.shoot("patient-10-check-appointment")
    page.get_by_role("button", name="Book appointment").click()
    expect(page.get_by_role("heading", name="Appointment booked")).to_be_visible()
    camera.shoot("patient-11-booked")
    page.goto(first.link)
    camera.shoot("patient-12-your-appointment")
    page.get_by_role("link", name="Cancel appointment").click()
    camera.shoot("patient-13-cancel")

    # Someone else takes the time this patient is about to book.
    other = browser.new_page(viewport=PHONE)
    other.goto(racer.link)
    enter_birth_date(other, racer.birth_date)
    other.locator("input[name=day]").first.check()
    other.get_by_role("button", name="Continue").click()
    other.locator("input[name=slot]").first.check()
    other.get_by_role("button", name="Continue").click()
    slot_url = other.url
    page.goto(slot_url.replace(racer.token, first.token))
    other.get_by_role("button", name="Book appointment").click()
    expect(other.get_by_role("heading", name="Appointment booked")).to_be_visible()
    other.close()
    page.get_by_role("button", name="Book appointment").click()
    camera.shoot("patient-14-slot-taken")

    page.goto(first.link + "/appointment/cancel")
    page.get_by_role("button", name="Cancel appointment").click()
    camera.shoot("patient-15-cancelled")
    return sent.campaign_id


def questionnaire_pages(stack: Stack, camera: Camera) -> str:
    sent = send_questionnaire(stack, "blood-pressure-home", "your home blood pressure reading")
    patient = sent.patients[0]
    page = camera.page
    page.goto(patient.link)
    camera.shoot("patient-16-questionnaire-start")
    enter_birth_date(page, patient.birth_date)
    expect(page.get_by_role("heading", name=re.compile("top number"))).to_be_visible()
    page.get_by_role("textbox").fill("400")
    page.get_by_role("button", name="Continue").click()
    camera.shoot("patient-17-question-number-error")
    page.get_by_role("textbox").fill("132")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("textbox").fill("84")
    page.get_by_role("button", name="Continue").click()
    camera.shoot("patient-18-question-date")
    today = date.today()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_role("button", name="Continue").click()
    camera.shoot("patient-19-question-yes-no")
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Continue").click()
    camera.shoot("patient-20-check-answers")
    page.get_by_role("button", name="Send answers").click()
    expect(page.get_by_role("heading", name="Answers sent")).to_be_visible()
    camera.shoot("patient-21-answers-sent")
    return sent.campaign_id


def staff_pages(stack: Stack, camera: Camera, booking: str, questionnaire: str) -> None:
    page, base = camera.page, stack.url("web")
    sign_in(page, base, "Priya Shah")
    page.goto(f"{base}/campaigns/{questionnaire}")
    camera.shoot("patient-22-staff-questionnaire-campaign")
    with staff(stack) as api:
        answered = api.get(f"/v1/campaigns/{questionnaire}/recipients").json()["items"][0]["id"]
        recipients = api.get(f"/v1/campaigns/{booking}/recipients").json()["items"]
        booked = next(
            r["id"]
            for r in recipients
            if api.get(f"/v1/campaigns/{booking}/recipients/{r['id']}/activity").json()[
                "appointment"
            ]
        )
    page.goto(f"{base}/campaigns/{questionnaire}/patients/{answered}")
    camera.shoot("patient-23-staff-answers")
    page.goto(f"{base}/campaigns/{booking}/patients/{booked}")
    camera.shoot("patient-24-staff-appointment")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    env = {
        "GATEWAY_ORGANISATIONS_FILE": str(ORGANISATIONS),
        "CAMPAIGN_ORGANISATIONS_FILE": str(ORGANISATIONS),
        "DISPATCH_SMS_RATE_LIMIT": "50",
        "WEB_NHS_FONTS": "0",
    }
    with tempfile.TemporaryDirectory() as logs:
        stack = Stack(log_dir=Path(logs), extra_env=env, with_patient=True)
        with running(stack):
            print(f"services up; patient pages into {OUT.relative_to(ROOT)}/")
            with chromium() as browser:
                camera = Camera(browser.new_page(viewport=PHONE), PHONE)
                booking = booking_pages(stack, browser, camera)
                questionnaire = questionnaire_pages(stack, camera)
                staff_pages(stack, camera, booking, questionnaire)
                stack.processes["gateway"].terminate()
                stack.processes["gateway"].wait(30)
                camera.page.goto(f"{stack.url('patient')}/l/A81001.AAAAAAAAAAAAAAAAAAAAAAAA.AA")
                camera.shoot("patient-25-service-unavailable")
    camera.check()
    print(
        f"{len(camera.taken)} patient pages, each at 375 px and 1280 px; axe-core found no problems"
    )


if __name__ == "__main__":
    main()
