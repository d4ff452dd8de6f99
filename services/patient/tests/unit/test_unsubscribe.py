"""An email's unsubscribe link: opening it asks first and changes nothing (mail scanners open
links); the button stops the emails and says which practice will stop."""

from ..conftest import Patient
from ..html import Page
from .test_pages import csrf, get, post

GOOD = "A81001.AAECAwQFBgcICQoLDA0ODw.good-signature"
FORGED = "A81001.AAECAwQFBgcICQoLDA0ODw.forged-signature"


async def test_opening_asks_and_changes_nothing_then_the_button_unsubscribes(
    patient: Patient,
) -> None:
    page = await get(patient, f"/u/{GOOD}")
    assert page.heading == "Stop getting these emails"
    assert patient.gateway.unsubscribed == []

    status, _, done = await post(patient, f"/u/{GOOD}", {"csrf_token": csrf(page)})

    assert status == 200
    assert done.heading == "You will not get these emails again"
    assert done.has("Riverside Surgery will not send you emails like this any more.")
    assert patient.gateway.unsubscribed == [GOOD]


async def test_a_forged_or_malformed_link_does_not_work(patient: Patient) -> None:
    page = await get(patient, f"/u/{FORGED}")
    status, _, shown = await post(patient, f"/u/{FORGED}", {"csrf_token": csrf(page)})
    assert (status, shown.heading) == (404, "This link does not work")
    await get(patient, "/u/not-a-token", 404)
    assert patient.gateway.unsubscribed == []


async def test_without_the_forms_token_nothing_changes(patient: Patient) -> None:
    status, _, shown = await post(patient, f"/u/{GOOD}", {})
    assert status == 400
    assert isinstance(shown, Page)
    assert patient.gateway.unsubscribed == []
