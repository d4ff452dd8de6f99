"""Driving the staff web app in Debian's Chromium with Playwright (a Playwright browser download
does not work here), checking every page with axe-core, and the patient lists the journeys
upload. Shared by the browser journeys and ``make screenshots``."""

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from cohort_testing.nhs_numbers import valid_numbers
from pds_sim.synthetic import synthetic_patient

from .patients import uk_date

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = ROOT / "services" / "web" / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.0, 2.1 and 2.2 A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(
    browser: Browser, viewport: ViewportSize | None = None, accept_downloads: bool | None = None
) -> Page:
    """A page in a browser context of its own (no cookies shared with other pages), giving up on
    a locator after 20 s; ``None`` leaves Playwright's default. Close it with ``page.context``."""
    context = browser.new_context(viewport=viewport, accept_downloads=accept_downloads)
    opened = context.new_page()
    opened.set_default_timeout(20_000)
    return opened


@contextmanager
def opened_page(
    browser: Browser, viewport: ViewportSize | None = None, accept_downloads: bool | None = None
) -> Iterator[Page]:
    """``new_page`` for the length of a block (a test's fixture): its context closed after."""
    opened = new_page(browser, viewport, accept_downloads)
    try:
        yield opened
    finally:
        opened.context.close()


def axe_violations(page: Page) -> list[str]:
    """axe-core's violations on the page as it is now, one line each. axe is evaluated through
    the DevTools protocol, which the page's CSP (no inline script) does not apply to."""
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:3])
        for v in result["violations"]
    ]


def sign_in(page: Page, base_url: str, name: str) -> None:
    page.goto(f"{base_url}/sign-in")
    page.get_by_label(name).check()
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/campaigns")


@dataclass(frozen=True)
class PatientList:
    csv_bytes: bytes
    good: int
    bad: dict[str, int]  # reason code -> rows
    failing_mobile: str  # the mobile number of one good patient, made to fail at Firetext


def mobile(nhs_number: str) -> str:
    telecom = synthetic_patient(nhs_number)["telecom"]
    number = next(t["value"] for t in telecom if t.get("use") == "mobile")
    return "44" + str(number).replace(" ", "")[1:]


def patient_list(good: int, prefix: str = "999") -> PatientList:
    """``good`` patients PDS finds with a mobile, then a row with a wrong check digit, one with
    no date of birth and one whose date of birth does not match PDS."""
    numbers = valid_numbers(prefix, good + 2)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["NHS Number", "Date of Birth", "Usual GP"])
    for nhs in numbers[:good]:
        writer.writerow([nhs, uk_date(str(synthetic_patient(nhs)["birthDate"])), "Dr Example"])
    wrong_digit = numbers[good][:9] + str((int(numbers[good][9]) + 1) % 10)
    writer.writerow([wrong_digit, "01/01/1980", "Dr Example"])
    writer.writerow([numbers[good + 1], "", "Dr Example"])
    writer.writerow([numbers[0], "01/01/1901", "Dr Example"])
    mobiles = [mobile(n) for n in numbers[:good]]
    unique = next(m for m in mobiles if mobiles.count(m) == 1)
    return PatientList(
        out.getvalue().encode(),
        good,
        {"INVALID_NHS_NUMBER": 1, "MISSING_DATE_OF_BIRTH": 1, "DATE_OF_BIRTH_MISMATCH": 1},
        unique,
    )


ORGANISATIONS = ROOT / "config" / "organisations.json"


def stack_env(failing_mobile: str, sms_rate: int = 20) -> dict[str, str]:
    """The web journeys' services: the bundled practices and network, one number that
    Firetext reports undelivered (102: the phone was off too long, so the finished campaign
    offers to send it again), SMS at ``sms_rate`` a second."""
    return {
        "GATEWAY_ORGANISATIONS_FILE": str(ORGANISATIONS),
        "CAMPAIGN_ORGANISATIONS_FILE": str(ORGANISATIONS),
        "FIRETEXT_SIM_OUTCOMES": f"{failing_mobile}=1:102",
        "DISPATCH_SMS_RATE_LIMIT": str(sms_rate),
        "GATEWAY_EVENTS_POLL_S": "0.5",
    }


def practice_names() -> dict[str, str]:
    data = json.loads(ORGANISATIONS.read_text())
    return {o["ods"]: o["name"] for o in data["organisations"] + data["networks"]}
