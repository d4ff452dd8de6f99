"""``make screenshots``: a PNG of every page of the staff web app, at desktop and phone width
(375 px), into docs/screenshots/. Starts every service (as the end-to-end tests do, in a private
RabbitMQ namespace), walks the staff journey in Chromium and stops them again."""

import json
import re
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx2
from playwright.sync_api import Page, expect

# screenshot_kit (first) puts the repository root on the path, for tests.e2e.
from screenshot_kit import DESKTOP, OUT, ROOT, Camera
from tests.e2e import sending_flow as flow
from tests.e2e.browser import (
    ORGANISATIONS,
    chromium,
    patient_list,
    sign_in,
    stack_env,
)
from tests.e2e.own_stack import running
from tests.e2e.patients import uk_date
from tests.e2e.stack import Stack

from cohort_testing.nhs_numbers import valid_numbers
from pds_sim.synthetic import synthetic_patient

RIVERSIDE = "A81002"


def big_list(rows: int) -> bytes:
    lines = ["NHS Number,Date of Birth"]
    for nhs in valid_numbers("999", rows + 50)[50:]:
        lines.append(f"{nhs},{uk_date(str(synthetic_patient(nhs)['birthDate']))}")
    return ("\r\n".join(lines) + "\r\n").encode()


def create(page: Page, base: str, name: str, kind: str = "Basic") -> str:
    page.goto(f"{base}/campaigns/new")
    page.get_by_label("Campaign name").fill(name)
    page.get_by_label(kind, exact=True).check()
    if kind == "Booking":
        page.get_by_label("Appointment type").select_option("FLU")
    page.get_by_role("button", name="Create campaign").click()
    page.wait_for_url("**/upload")
    return page.url.removesuffix("/upload")


def upload(page: Page, campaign: str, content: bytes, filename: str = "flu-clinic.csv") -> None:
    page.goto(f"{campaign}/upload")
    page.get_by_label("SMS").check()
    page.get_by_label("Choose file").set_input_files(
        {"name": filename, "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r".*/lists/.*"))


def wait_checked(page: Page) -> None:
    expect(page.get_by_role("heading", name=re.compile("Finished checking"))).to_be_visible(
        timeout=60_000
    )


def compose_and_send(page: Page, campaign: str, body: str, count: str) -> None:
    page.goto(f"{campaign}/message")
    page.get_by_label("Message", exact=True).fill(body)
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/review")
    page.get_by_label(re.compile("To send, type the number of patients")).fill(count)
    page.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_url(re.compile(r".*\?sent=1"))


def journey(stack: Stack, camera: Camera, listed: bytes) -> None:
    page, base = camera.page, stack.url("web")
    page.goto(f"{base}/sign-in")
    camera.shoot("02-sign-in")
    sign_in(page, base, "Priya Shah")

    # Earlier campaigns, so the overview has something to show.
    done = create(page, base, "Shingles Info")
    upload(page, done, listed, "shingles.csv")
    wait_checked(page)
    compose_and_send(
        page, done, "Hello ((first_name)), you can now have the shingles vaccine. Call us.", "8"
    )
    create(page, base, "Asthma reviews", "Booking")

    page.goto(f"{base}/campaigns/new")
    page.get_by_role("button", name="Create campaign").click()
    camera.shoot("04-new-campaign-errors")
    page.goto(f"{base}/campaigns/new")
    page.get_by_label("Campaign name").fill("Flu clinic Saturday")
    page.get_by_label("Booking", exact=True).check()
    page.get_by_label("Appointment type").select_option("FLU")
    camera.shoot("03-new-campaign")
    page.get_by_role("button", name="Create campaign").click()
    page.wait_for_url("**/upload")
    campaign = page.url.removesuffix("/upload")
    camera.shoot("05-upload")
    page.get_by_role("button", name="Continue").click()
    camera.shoot("06-upload-errors")

    upload(page, campaign, big_list(400), "flu-saturday.csv")
    time.sleep(1.5)
    page.reload()
    camera.shoot("07-list-checking")
    wait_checked(page)
    upload(page, campaign, listed, "flu-saturday-extra.csv")
    wait_checked(page)
    camera.shoot("08-list-checked")
    page.goto(campaign)
    page.get_by_role("link", name="Remove flu-saturday-extra.csv").click()
    page.wait_for_url("**/remove")
    camera.shoot("35-list-remove")
    page.get_by_role("link", name="No, keep it").click()

    page.goto(f"{campaign}/message")
    page.get_by_label("Start from a template (optional)").select_option(index=1)
    page.get_by_role("button", name="Add template").click()
    camera.shoot("09-compose-template")
    page.get_by_label("Message", exact=True).fill("Hello ((surname)), book your flu jab ✓")
    page.get_by_role("button", name="Save and continue").click()
    camera.shoot("10-compose-errors")
    page.get_by_label("Message", exact=True).fill(
        "Hello ((first_name)), your flu vaccination is due. ((practice_name)) is running "
        "a Saturday clinic."
    )
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/review")
    camera.shoot("11-review")
    page.get_by_role("button", name="Send a test to me").click()
    page.wait_for_url("**/review?tested=1")
    page.get_by_label(re.compile("To send, type the number of patients")).fill("7")
    page.get_by_role("button", name="Send", exact=True).click()
    camera.shoot("12-review-send-errors")
    count = page.get_by_label(re.compile("To send, type the number of patients"))
    wanted = re.search(r"patients: ([\d,]+)", count.evaluate("e => e.labels[0].textContent"))
    assert wanted
    count.fill(wanted.group(1).replace(",", ""))
    page.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_url(re.compile(r".*\?sent=1"))
    time.sleep(2)
    camera.shoot("13-campaign-sending")
    page.goto(f"{campaign}/cancel")
    camera.shoot("14-cancel-confirm")
    page.get_by_role("button", name="Yes, cancel sending").click()
    page.wait_for_url(re.compile(r".*\?cancelled=1"))
    camera.shoot("15-campaign-cancelled")

    page.goto(done)
    page.get_by_label("Show").select_option("failed")
    page.get_by_role("button", name="Filter").click()
    camera.shoot("16-campaign-sent-failed-filter")
    page.locator("#patients a").first.click()
    camera.shoot("17-patient-failed")
    page.goto(done)
    again = page.get_by_text("Send again to 1 patient")
    expect(again).to_be_visible(timeout=30_000)
    camera.shoot("32-campaign-send-again-offered")
    again.click()
    page.wait_for_url("**/send-again")
    camera.shoot("33-send-again")
    page.get_by_role("button", name="Create campaign").click()
    page.wait_for_url(re.compile(r".*\?created=send-again$"))
    camera.shoot("34-campaign-sent-again")
    page.goto(f"{done}/audit")
    camera.shoot("18-audit-trail")

    page.goto(f"{base}/templates/new")
    page.get_by_label("Template name").fill("Saturday clinic reminder")
    page.get_by_label("Basic", exact=True).check()
    page.get_by_label("Message", exact=True).fill(
        "Hello ((first_name)), ((practice_name)) is open this Saturday from 9am to 12pm."
    )
    camera.shoot("20-template-new")
    page.get_by_role("button", name="Save template").click()
    camera.shoot("19-templates")
    page.get_by_role("link", name=re.compile("^Edit")).first.click()
    camera.shoot("21-template-edit")
    page.goto(f"{base}/templates")
    page.get_by_role("link", name=re.compile("^Archive")).first.click()
    camera.shoot("22-template-archive")

    page.goto(f"{base}/campaigns")
    camera.shoot("01-manage-campaigns")
    page.goto(f"{base}/campaigns/00000000-0000-4000-8000-000000000000")
    camera.shoot("24-not-found")

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, base, "Sam Okoro")
    camera.shoot("23-network-user")

    approval(stack, camera)
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, base, "Priya Shah")
    opt_outs(stack, camera)

    stack.processes["gateway"].terminate()
    stack.processes["gateway"].wait(30)
    page.goto(f"{base}/campaigns")
    camera.shoot("25-service-unavailable")


def approval(stack: Stack, camera: Camera) -> None:
    """Riverside asks for a second user above 3 patients: a sender asks through the API and
    Sam Okoro (the network coordinator, acting for Riverside) approves in the browser."""
    page, base = camera.page, stack.url("web")
    sender = flow.api(stack, RIVERSIDE, user="dana.hughes", name="Dana Hughes")
    rows = [(p.nhs_number, p.birth_date) for p in flow.pick(5, "9998")]
    campaign_id, count = awaiting_approval(sender, "Diabetes eye screening", rows)
    page.get_by_label("Acting for").select_option(label=f"Riverside Medical Centre ({RIVERSIDE})")
    page.get_by_role("button", name="Change practice").click()
    page.goto(f"{base}/campaigns/{campaign_id}")
    camera.shoot("26-campaign-awaiting-approval")
    page.get_by_role("button", name="Review and approve").click()
    camera.shoot("27-approve")
    page.get_by_label(re.compile("To approve, type the number of patients")).fill(str(count))
    page.get_by_role("button", name="Approve and send").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Approved")
    camera.shoot("28-campaign-approved")
    send_back(stack, camera, sender, rows)


def awaiting_approval(
    sender: httpx2.Client, name: str, rows: list[tuple[str, date]]
) -> tuple[str, int]:
    """An eye-screening campaign to ``rows`` that the sender has asked to send, through the API,
    now waiting for a second user: its id and its count of patients."""
    campaign_id = flow.create(sender, name)
    flow.upload(sender, campaign_id, rows)
    flow.compose(sender, campaign_id, "Hello ((first_name)), please book your eye screening.")
    count = flow.review(sender, campaign_id)["recipient_count"]
    assert flow.send(sender, campaign_id, count).json()["status"] == "awaiting_approval"
    return campaign_id, count


def send_back(
    stack: Stack, camera: Camera, sender: httpx2.Client, rows: list[tuple[str, date]]
) -> None:
    """The same message to the same patients, sent again for approval: the approver is warned
    they had it lately, and sends it back with a reason the sender reads."""
    page, base = camera.page, stack.url("web")
    campaign_id, _ = awaiting_approval(sender, "Diabetes eye screening reminder", rows)
    warned = page.get_by_text("Some patients had this message recently")
    for _ in range(30):  # the first send's patients count once they are released
        page.goto(f"{base}/campaigns/{campaign_id}/approve")
        if warned.count():
            break
        page.wait_for_timeout(500)
    camera.shoot("36-approve-repeat-warning")
    page.get_by_role("link", name="Send it back").click()
    page.get_by_label("Why are you sending it back?").fill(
        "These patients were sent this last week. Leave them out, or send it next month."
    )
    camera.shoot("37-send-back")
    page.get_by_role("button", name="Send it back").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Sent back")
    camera.shoot("38-campaign-sent-back")


def opt_outs(stack: Stack, camera: Camera) -> None:
    page, base = camera.page, stack.url("web")
    page.goto(f"{base}/opt-outs/new")
    page.get_by_role("button", name="Add").click()
    camera.shoot("30-opt-out-add-errors")
    field = page.get_by_label(re.compile("Which mobile number or email address"))
    field.fill("07700 900555")
    page.get_by_role("button", name="Add").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Added")
    camera.shoot("29-opt-outs")
    page.get_by_role("link", name=re.compile("^Remove")).first.click()
    camera.shoot("31-opt-out-remove")


def organisations_with_approval(directory: Path) -> dict[str, str]:
    """The bundled organisations, with Riverside asking for a second user above 3 patients, and
    a price per SMS credit for each."""
    data = json.loads(ORGANISATIONS.read_text())
    for organisation in data["organisations"]:
        if organisation["ods"] == RIVERSIDE:
            organisation["safety"] = {"approval_above": 3}
        organisation["sms_credit_pence"] = 2.9  # the review estimates the cost
    path = directory / "organisations.json"
    path.write_text(json.dumps(data))
    return {"GATEWAY_ORGANISATIONS_FILE": str(path), "CAMPAIGN_ORGANISATIONS_FILE": str(path)}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    listed = patient_list(8)
    with tempfile.TemporaryDirectory() as logs:
        env = stack_env(listed.failing_mobile) | {
            "INGEST_PDS_RATE_LIMIT": "100",
            # Texts at any hour, so the pages show a send under way whenever this runs.
            "CAMPAIGN_QUIET_HOURS": "off",
        }
        env |= organisations_with_approval(Path(logs))
        stack = Stack(log_dir=Path(logs), extra_env=env)
        with running(stack):
            print(f"services up; pages into {OUT.relative_to(ROOT)}/")
            with chromium() as browser:
                camera = Camera(browser.new_page(viewport=DESKTOP), DESKTOP)
                journey(stack, camera, listed.csv_bytes)
    camera.check()
    print(f"{len(camera.taken)} pages, each at 1280 px and 375 px; axe-core found no problems")


if __name__ == "__main__":
    main()
