import re

import pytest
from fastapi import Request
from fastapi.exceptions import RequestValidationError

from cohort_http.page_apps import Elsewhere, bad_address, elsewhere, from_session
from cohort_http.page_settings import check_secrets

GOOD = "x" * 32
DEV = "dev-only-" + "d" * 32


def check(environment: str, secure_cookies: bool = True, **secrets: str) -> None:
    check_secrets(
        "APP_",
        production=environment == "production",
        secure_cookies=secure_cookies,
        secrets={name: (value, DEV) for name, value in secrets.items()},
    )


def test_development_takes_the_development_secrets() -> None:
    check("development", secure_cookies=False, session_secret=DEV)


@pytest.mark.parametrize(
    ("environment", "secure_cookies", "secret", "problem"),
    [
        ("development", False, "short", "APP_SESSION_SECRET must be at least 32 bytes"),
        ("production", True, DEV, "set APP_SESSION_SECRET in production"),
        ("production", False, GOOD, "APP_SECURE_COOKIES must be on in production (HTTPS)"),
    ],
)
def test_unsafe_settings_are_refused(
    environment: str, secure_cookies: bool, secret: str, problem: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(problem)):
        check(environment, secure_cookies, session_secret=secret)


def test_production_with_its_own_secrets_and_https_passes() -> None:
    check("production", session_secret=GOOD, gateway_secret=GOOD + "y")


def test_a_malformed_id_in_the_address_is_a_bad_address() -> None:
    in_path = RequestValidationError([{"type": "uuid_parsing", "loc": ("path", "campaign_id")}])
    in_form = RequestValidationError([{"type": "missing", "loc": ("body", "name")}])

    assert bad_address(in_path)
    assert not bad_address(in_form)


@pytest.mark.parametrize(
    "session",
    [{}, {"k": "not a dict"}, {"k": {}}, {"k": {"at": "not a number"}}],
    ids=["none", "not a dict", "missing key", "unreadable value"],
)
def test_from_session_is_none_for_what_it_cannot_read(session: dict[str, object]) -> None:
    assert from_session(session, "k", lambda raw: float(raw["at"])) is None


def test_from_session_reads_the_dict_under_its_key() -> None:
    assert from_session({"k": {"at": "1.5"}}, "k", lambda raw: float(raw["at"])) == 1.5


async def test_a_page_for_things_as_they_were_sends_the_browser_elsewhere() -> None:
    response = await elsewhere(Request({"type": "http"}), Elsewhere("/campaigns/c1"))

    assert response.status_code == 303
    assert response.headers["location"] == "/campaigns/c1"
