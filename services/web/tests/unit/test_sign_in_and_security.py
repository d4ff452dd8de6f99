"""Signing in and out, the session cookie, CSRF on every form, security headers, and the
network user's practice switcher."""

import re

import httpx2

from cohort_testing.in_process import app_client
from web.app import create_app

from ..conftest import Web, settings
from ..fake_gateway import FakeGateway
from ..html import Page


async def test_a_signed_out_visitor_is_sent_to_sign_in_and_back(web: Web) -> None:
    response = await web.client.get("/campaigns/new")

    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=/campaigns/new"
    page = await web.page(response.headers["location"])
    assert page.h1 == "Sign in to Cohort"
    assert page.title == "Sign in – Cohort – NHS"
    token = page.csrf()
    signed = await web.client.post(
        "/sign-in", data={"csrf_token": token, "user": "tom.reid", "next": "/campaigns/new"}
    )
    assert (signed.status_code, signed.headers["location"]) == (303, "/campaigns/new")
    assert (await web.page("/campaigns/new")).h1 == "New campaign"


async def test_sign_in_lists_practice_users_of_two_practices_and_a_network_user(
    web: Web,
) -> None:
    page = await web.page("/sign-in")

    text = page.main_text
    for shown in (
        "Priya Shah",
        "Example Surgery (A81001)",
        "Tom Reid",
        "Hillview Practice (B82002)",
        "Sam Okoro",
        "Network coordinator",
    ):
        assert shown in text


async def test_choosing_nobody_is_an_error_in_the_summary_and_beside_the_radios(web: Web) -> None:
    response = await web.post("/sign-in", {"next": "/campaigns"})

    assert response.status_code == 400
    page = Page(response.text)
    assert page.error_summary == [("Select who you are to sign in", "#user")]
    assert page.inline_error("user") == "Select who you are to sign in"
    assert page.title.startswith("Error: ")


async def test_the_session_cookie_is_signed_httponly_samesite_and_expires(web: Web) -> None:
    token = (await web.page("/sign-in")).csrf()
    response = await web.client.post(
        "/sign-in", data={"csrf_token": token, "user": "priya.shah", "next": "/campaigns"}
    )

    cookie = response.headers["set-cookie"]
    assert cookie.startswith("cohort_session=")
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    assert re.search(r"max-age=28800", cookie, re.I)
    # Changing one character of the signed value is a signed-out visitor.
    value = web.client.cookies["cohort_session"]
    web.client.cookies.clear()
    web.client.cookies.set("cohort_session", value[:-2] + ("A" if value[-2] != "A" else "B"))
    assert (await web.client.get("/campaigns")).status_code == 303


async def test_the_token_names_the_user_and_the_practice(signed_in: Web) -> None:
    await signed_in.page("/campaigns")

    _method, _path, headers, _body = signed_in.gateway.requests[-1]
    assert headers["authorization"].startswith("Bearer ")
    assert "x-act-for-org" not in headers


async def test_a_form_without_its_csrf_token_changes_nothing(signed_in: Web) -> None:
    campaign = signed_in.gateway.add_campaign(status="sending")

    response = await signed_in.client.post(f"/campaigns/{campaign['id']}/cancel", data={})
    forged = await signed_in.client.post(
        f"/campaigns/{campaign['id']}/cancel", data={"csrf_token": "forged"}
    )

    for answer in (response, forged):
        assert answer.status_code == 400
        page = Page(answer.text)
        assert page.h1 == "This page has expired"
        assert "nothing was changed" in page.error_summary[0][0]
    assert campaign["status"] == "sending"


async def test_sign_out_needs_the_token_and_ends_the_session(signed_in: Web) -> None:
    assert (await signed_in.client.post("/sign-out", data={})).status_code == 400
    response = await signed_in.post("/sign-out", csrf_from="/campaigns")

    assert (response.status_code, response.headers["location"]) == (303, "/sign-in?signed-out=1")
    assert (await signed_in.page("/sign-in?signed-out=1")).main_text.startswith(
        "Success You have signed out."
    )
    assert (await signed_in.client.get("/campaigns")).status_code == 303


async def test_an_expired_token_sends_the_user_to_sign_in_again(signed_in: Web) -> None:
    signed_in.gateway.reject_tokens = True

    response = await signed_in.client.get("/campaigns")

    assert (response.status_code, response.headers["location"]) == (303, "/sign-in?expired=1")
    assert "Your session has ended" in (await signed_in.page("/sign-in?expired=1")).main_text


async def test_security_headers_and_no_inline_script_on_any_page(signed_in: Web) -> None:
    campaign = signed_in.gateway.add_campaign()
    for url in ("/campaigns", f"/campaigns/{campaign['id']}", "/templates", "/sign-in"):
        response = await signed_in.client.get(url)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store"
        # Every script is a file; no inline script and no inline event handler.
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.text), url
        assert not re.search(r"\son[a-z]+=", response.text), url


async def test_dev_sign_in_is_off_unless_turned_on() -> None:
    gateway = FakeGateway()
    app = create_app(settings(dev_sign_in=False), transport=httpx2.ASGITransport(app=gateway.app))
    async with app_client(app, "http://web") as client:
        response = await client.get("/sign-in")
        refused = await client.post("/sign-in", data={"user": "priya.shah"})

    assert response.status_code == 503
    assert Page(response.text).h1 == "Sign in is not available"
    assert refused.status_code == 503


async def test_a_network_user_switches_the_practice_it_acts_for(web: Web) -> None:
    await web.sign_in("sam.okoro")
    page = await web.page("/campaigns")
    assert page.label_for("practice-switcher") == "Acting for"
    options = [o.text() for o in page.all("option")]
    assert "Example Surgery (A81001)" in options
    assert "Riverside Medical Centre (A81002)" in options
    assert "Example Surgery" in page.all("header")[0].text()

    response = await web.post("/practice", {"practice": "A81002"}, csrf_from="/campaigns")
    assert response.status_code == 303
    page = await web.page("/campaigns")

    assert "Riverside Medical Centre" in page.all("header")[0].text()
    _m, _p, headers, _b = web.gateway.requests[-1]
    assert headers["x-act-for-org"] == "A81002"


async def test_a_network_user_cannot_pick_a_practice_outside_its_network(web: Web) -> None:
    await web.sign_in("sam.okoro")

    await web.post("/practice", {"practice": "B82002"}, csrf_from="/campaigns")
    await web.page("/campaigns")

    _m, _p, headers, _b = web.gateway.requests[-1]
    assert headers["x-act-for-org"] == "A81001"  # unchanged: the first practice, from sign-in


async def test_sign_in_attempts_are_limited_per_address() -> None:
    gateway = FakeGateway()
    app = create_app(
        settings(sign_in_burst=2, sign_in_per_minute=1),
        transport=httpx2.ASGITransport(app=gateway.app),
    )
    async with app_client(app, "http://web") as client:
        web = Web(client, gateway)
        statuses = [(await web.post("/sign-in", {"next": "/x"})).status_code for _ in range(3)]
        refused = await web.post("/sign-in", {"user": "priya.shah", "next": "/campaigns"})

    assert statuses == [400, 400, 429]
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert "Too many attempts to sign in" in refused.text


async def test_a_form_body_over_the_cap_is_413(web: Web) -> None:
    token = (await web.page("/sign-in")).csrf()

    response = await web.client.post(
        "/sign-in", data={"csrf_token": token, "user": "x" * (2 * 1024 * 1024)}
    )

    assert response.status_code == 413
