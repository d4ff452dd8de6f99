"""The staff web app in Chromium against every real service over the real RabbitMQ: the four
steps end to end (sign in, create, upload a list with bad rows, download the unsuccessful CSV,
compose from a template, review, test-send, send, watch progress reach delivered without
reloading, open the failed patient), cancelling a second campaign mid-send, another practice's
campaign by URL (404), and a network user switching practice. axe-core checks every page."""

import csv
import io
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2
import pytest
from playwright.sync_api import Browser, Page, expect

from cohort_testing.nhs_numbers import valid_numbers
from gateway.adapters.token_verifiers import issue_token
from pds_sim.synthetic import synthetic_patient

from .browser import axe_violations, opened_page, patient_list, sign_in, stack_env
from .own_stack import run_stack
from .patients import uk_date
from .stack import Stack

pytestmark = pytest.mark.e2e

LIST = patient_list(8)
#: The second campaign's patients: 20 a second, so cancelling lands mid-send.
CANCEL_PATIENTS, SMS_RATE = 300, 20
USER_MOBILE = "447700900101"  # Priya Shah's own number, from config/dev-users.json


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    env = stack_env(LIST.failing_mobile, sms_rate=SMS_RATE)
    yield from run_stack(tmp_path_factory, env)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with opened_page(browser, accept_downloads=True) as opened:
        yield opened


@pytest.fixture(scope="module")
def state() -> dict[str, str]:
    """What one journey leaves for the next (the first campaign's address)."""
    return {}


def accessible(page: Page) -> None:
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == [], page.url
    assert page.locator("h1").count() == 1, page.url


def open_signed_in(page: Page, stack: Stack, name: str, path: str) -> str:
    """Signs ``name`` in, opens ``path`` of the web app and checks it; returns the app's URL."""
    base = stack.url("web")
    sign_in(page, base, name)
    page.goto(f"{base}{path}")
    accessible(page)
    return base


def shows_error(page: Page, text: str) -> None:
    """The error summary says ``text``, and the page that shows it passes the accessibility
    checks too."""
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(text)
    accessible(page)


def handset(stack: Stack, to: str | None = None) -> list[dict[str, object]]:
    params = {"to": to} if to else {}
    messages = httpx2.get(f"{stack.url('firetext')}/_sim/messages", params=params, timeout=10)
    result = messages.json()
    assert isinstance(result, list)
    return result


def tab_to(page: Page, selector: str, presses: int = 40) -> None:
    """Keyboard only: Tab until ``selector`` has focus."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never had focus")


def create_by_keyboard(page: Page, base: str, name: str) -> str:
    page.goto(f"{base}/campaigns/new")
    accessible(page)
    tab_to(page, "#name")
    page.keyboard.type(name)
    tab_to(page, "#type")  # the first radio: basic
    page.keyboard.press("Space")
    tab_to(page, "button.nhsuk-button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/upload")
    return page.url.removesuffix("/upload")


def upload(page: Page, campaign: str, content: bytes, filename: str) -> None:
    page.goto(f"{campaign}/upload")
    accessible(page)
    page.get_by_label("SMS", exact=True).check()
    page.get_by_label("Choose file").set_input_files(
        {"name": filename, "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r".*/lists/[0-9a-f-]+$"))
    # Progress updates in place (htmx), no reload needed.
    expect(page.get_by_role("heading", name=re.compile("^Finished checking"))).to_be_visible(
        timeout=60_000
    )


def send(page: Page, campaign: str, patients: int) -> None:
    page.goto(f"{campaign}/review")
    page.get_by_label(re.compile("To send, type the number of patients")).fill(str(patients))
    page.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_url(re.compile(r".*\?sent=1$"))


def count(page: Page, key: str) -> int:
    return int(
        page.locator(f'#live-progress [data-count="{key}"]').first.inner_text().replace(",", "")
    )


def test_the_four_steps_end_to_end(stack: Stack, page: Page, state: dict[str, str]) -> None:
    base = stack.url("web")
    page.goto(f"{base}/campaigns")
    expect(page).to_have_url(re.compile(r".*/sign-in\?next=/campaigns$"))
    accessible(page)
    sign_in(page, base, "Priya Shah")
    accessible(page)
    expect(page.get_by_role("heading", name="Manage campaigns")).to_be_visible()
    page.get_by_role("button", name="+ New campaign").click()
    page.get_by_role("button", name="Create campaign").click()
    shows_error(page, "Enter a campaign name")

    campaign = create_by_keyboard(page, base, "Shingles Info")
    state["campaign"] = campaign
    upload(page, campaign, LIST.csv_bytes, "shingles.csv")
    accessible(page)
    main = page.locator("main")
    expect(main).to_contain_text("8 patients found in PDS")
    expect(main).to_contain_text("3 patients could not be found or matched")
    expect(main).to_contain_text("The date of birth does not match PDS")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download unsuccessful patients (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    assert sorted(r["reason_code"] for r in rows) == sorted(LIST.bad)
    assert all(r["reason"] for r in rows)

    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/message")
    accessible(page)
    page.get_by_label("Start from a template (optional)").select_option(
        label="Shingles vaccine information (built-in)"
    )
    page.get_by_role("button", name="Add template").click()
    box = page.get_by_label("Message", exact=True)
    expect(box).to_contain_text("((first_name))")
    expect(page.locator("#message-size")).to_contain_text("text message")
    accessible(page)
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/review")
    accessible(page)
    expect(page.locator(".app-preview")).to_have_count(3)
    assert "((first_name))" not in page.locator(".app-previews").inner_text()

    page.get_by_role("button", name="Send a test to me").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Test sent")
    assert handset(stack, USER_MOBILE), "the test message reached the user's own phone"
    accessible(page)
    send(page, campaign, LIST.good)
    accessible(page)

    # Progress arrives over server-sent events: the page is never reloaded.
    page.evaluate("window.__notReloaded = true")
    expect(page.locator('#live-progress[data-live="connected"]')).to_have_count(1)
    api_counts = f"{stack.url('gateway')}/v1/campaigns/{campaign.rsplit('/', 1)[1]}"
    headers = {"Authorization": f"Bearer {token(stack, 'priya.shah', 'A81001')}"}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        counts = httpx2.get(api_counts, headers=headers, timeout=10).json()["counts"]
        if counts["delivered"] == LIST.good - 1 and counts["failed"] == 1:
            break
        time.sleep(0.1)
    settled_at = time.monotonic()
    expect(page.locator('#live-progress [data-count="delivered"]')).to_have_text(
        str(LIST.good - 1), timeout=2_000
    )
    expect(page.locator('#live-progress [data-count="failed"]')).to_have_text("1", timeout=500)
    assert time.monotonic() - settled_at < 2.0
    assert page.evaluate("window.__notReloaded") is True
    expect(page.locator("[data-field=status-tag]")).to_contain_text("Sent")

    page.get_by_label("Show").select_option("failed")
    page.get_by_role("button", name="Filter").click()
    patient = page.locator("#patients tbody a")
    expect(patient).to_have_count(1)
    patient.click()
    accessible(page)
    expect(page.locator("main")).to_contain_text("Why it failed")
    expect(page.locator("main")).to_contain_text(
        "The patient's phone was switched off or out of signal for too long"
    )
    assert re.fullmatch(r".*/patients/[0-9a-f]+", page.url), "no patient data in the address"
    assert "Patient" in page.title()

    # The phone was off: once the campaign has finished, it offers to send to them again.
    page.goto(campaign)
    again = page.get_by_text("Send again to 1 patient")
    expect(again).to_be_visible(timeout=30_000)
    accessible(page)
    again.click()
    page.wait_for_url("**/send-again")
    accessible(page)
    page.get_by_role("button", name="Create campaign").click()
    page.wait_for_url(re.compile(r".*/campaigns/[0-9a-f-]+\?created=send-again$"))
    accessible(page)
    expect(page.locator("main")).to_contain_text("Sends again to patients that")
    assert page.url.split("?")[0] != campaign

    page.goto(f"{campaign}/audit")
    accessible(page)
    expect(page.locator("main")).to_contain_text("Priya Shah")
    # In words, with the file by name and a link to the new campaign, never an id.
    expect(page.locator("main")).to_contain_text(re.compile(r"Uploaded \S+\.csv"))
    expect(page.locator("main")).to_contain_text("Sent again to 1 patient it did not reach")
    expect(page.get_by_role("link", name="The new campaign")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("List id")
    page.goto(f"{base}/templates")
    accessible(page)


def token(stack: Stack, user: str, org: str) -> str:
    return issue_token(stack.jwt_secret, user, org)


def test_cancel_a_second_campaign_mid_send(stack: Stack, page: Page) -> None:
    base = stack.url("web")
    sign_in(page, base, "Priya Shah")
    page.goto(f"{base}/campaigns/new")
    page.get_by_label("Campaign name").fill("Flu clinic Saturday")
    page.get_by_label("Basic", exact=True).check()
    page.get_by_role("button", name="Create campaign").click()
    campaign = page.url.removesuffix("/upload")
    numbers = valid_numbers("999", CANCEL_PATIENTS + 100)[100:]
    lines = ["NHS Number,Date of Birth"] + [
        f"{n},{uk_date(str(synthetic_patient(n)['birthDate']))}" for n in numbers
    ]
    upload(page, campaign, ("\r\n".join(lines) + "\r\n").encode(), "flu-saturday.csv")
    page.goto(f"{campaign}/message")
    page.get_by_label("Message", exact=True).fill("Hello ((first_name)), flu clinic on Saturday.")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/review")
    wanted = page.get_by_label(re.compile("To send, type the number of patients"))
    patients = int(re.sub(r"\D", "", wanted.evaluate("e => e.labels[0].textContent")))
    send(page, campaign, patients)
    expect(page.locator('#live-progress [data-count="delivered"]')).not_to_have_text(
        "0", timeout=20_000
    )

    page.get_by_role("button", name="Cancel sending").click()
    accessible(page)
    page.get_by_role("button", name="Yes, cancel sending").click()
    page.wait_for_url(re.compile(r".*\?cancelled=1$"))
    accessible(page)
    expect(page.locator("[data-field=status-tag]")).to_contain_text("Cancelled")
    assert count(page, "cancelled") > 0
    # What dispatch had already claimed still goes out; then the handsets go quiet, fewer than
    # every patient was messaged, and the live counts account for everyone.
    sent = still(lambda: len([m for m in handset(stack) if "flu clinic on Saturday" in str(m)]))
    assert 0 < sent < patients
    expect(page.locator('#live-progress [data-field="settled"]')).to_have_text(
        f"{patients:,}", timeout=30_000
    )
    assert count(page, "cancelled") == patients - sent


def still(read: Callable[[], int], quiet_s: float = 2.0, limit_s: float = 30.0) -> int:
    """``read()`` once it has not changed for ``quiet_s``."""
    last, changed, started = read(), time.monotonic(), time.monotonic()
    while time.monotonic() - changed < quiet_s:
        assert time.monotonic() - started < limit_s, "still sending long after cancelling"
        time.sleep(0.2)
        now = read()
        if now != last:
            last, changed = now, time.monotonic()
    return last


def test_another_practices_campaign_is_a_404_page(
    stack: Stack, page: Page, state: dict[str, str]
) -> None:
    sign_in(page, stack.url("web"), "Tom Reid")
    response = page.goto(state["campaign"])

    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    accessible(page)


def test_a_network_user_switches_practice(stack: Stack, page: Page, state: dict[str, str]) -> None:
    sign_in(page, stack.url("web"), "Sam Okoro")
    header = page.locator("header")
    expect(header).to_contain_text("Example Surgery")
    expect(page.locator("main")).to_contain_text("Shingles Info")
    accessible(page)

    page.get_by_label("Acting for").select_option(label="Riverside Medical Centre (A81002)")
    page.get_by_role("button", name="Change practice").click()

    expect(header).to_contain_text("Riverside Medical Centre")
    expect(page.locator("main")).not_to_contain_text("Shingles Info")
    accessible(page)
    page.get_by_label("Acting for").select_option(index=0)  # all practices in the network
    page.get_by_role("button", name="Change practice").click()
    expect(page.locator("main")).to_contain_text("Shingles Info")
    page.goto(state["campaign"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Shingles Info")


def test_templates_and_every_error_state_pass_axe(stack: Stack, page: Page) -> None:
    base = open_signed_in(page, stack, "Tom Reid", "/templates/new")
    page.get_by_role("button", name="Save template").click()
    shows_error(page, "Enter a template name")
    page.get_by_label("Template name").fill("Saturday clinic")
    page.get_by_label("Basic", exact=True).check()
    page.get_by_label("Message", exact=True).fill("Hello ((first_name)), we open on Saturday.")
    page.get_by_role("button", name="Save template").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Template created")
    accessible(page)
    page.get_by_role("link", name=re.compile("^Edit")).first.click()
    accessible(page)
    page.get_by_label("Message", exact=True).fill("Hello ((first_name)), we open Saturday 9am.")
    page.get_by_role("button", name="Save template").click()
    expect(page.locator("main")).to_contain_text("new version")
    page.get_by_role("link", name=re.compile("^Archive")).first.click()
    accessible(page)
    page.get_by_role("button", name="Yes, archive it").click()
    expect(page.locator("main")).not_to_contain_text("Saturday clinic")

    page.goto(f"{base}/campaigns/new")
    page.get_by_label("Campaign name").fill("Blood pressure checks")
    page.get_by_label("Booking", exact=True).check()
    page.get_by_label("Appointment type").select_option("BP")
    accessible(page)
    page.get_by_role("button", name="Create campaign").click()
    campaign = page.url.removesuffix("/upload")
    page.get_by_role("button", name="Continue").click()
    shows_error(page, "Select SMS or email")
    upload(page, campaign, LIST.csv_bytes, "bp.csv")
    page.goto(f"{campaign}/message")
    expect(page.locator("main")).to_contain_text("You do not need to add a link")
    box = page.get_by_label("Message", exact=True)
    box.fill("Hello ((surname)) – please book ")
    page.get_by_role("button", name="First name").click()  # inserted at the cursor
    expect(box).to_have_value("Hello ((surname)) – please book ((first_name))")
    problems = page.locator("#message-problems")
    expect(problems).to_contain_text("((surname)) is not a placeholder we can fill in")
    expect(problems).to_contain_text("“–” is a special character: use “-” instead.")
    page.get_by_role("button", name="Save and continue").click()
    shows_error(page, "Remove ((surname))")
    box.fill("Hello ((first_name)), please book your blood pressure check.")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/review")
    expect(page.locator(".app-preview").first).to_contain_text(
        "Book your blood pressure check appointment: http"
    )
    page.get_by_label(re.compile("To send, type the number of patients")).fill("1")
    page.get_by_role("button", name="Send", exact=True).click()
    shows_error(page, "the number of patients")


def test_opt_outs_add_and_remove_and_pass_axe(stack: Stack, page: Page) -> None:
    open_signed_in(page, stack, "Tom Reid", "/opt-outs")
    page.get_by_role("button", name="Add a mobile number or email address").click()
    accessible(page)
    page.get_by_role("button", name="Add").click()
    shows_error(page, "Enter a mobile number or an email address")
    page.get_by_label(re.compile("Which mobile number or email address")).fill("01632 960001")
    page.get_by_role("button", name="Add").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter a UK mobile number")
    page.get_by_label(re.compile("Which mobile number or email address")).fill("07700 900555")
    page.get_by_role("button", name="Add").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Added")
    expect(page.locator("main")).to_contain_text("07700 900555")
    accessible(page)
    page.get_by_role("link", name=re.compile("^Remove")).first.click()
    accessible(page)
    page.get_by_role("button", name="Yes, remove it").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Removed")
    expect(page.locator("main")).not_to_contain_text("07700 900555")
