import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx2
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from pds_sim.auth import ASSERTION_TYPE

from .conftest import get_patient, make_app, serve

AUDIENCE = "https://pds.test/oauth2/token"
NORMAL = "9999012221"
Sign = Callable[..., str]


@pytest.fixture(scope="module")
def private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def public_key_path(private_key: rsa.RSAPrivateKey, tmp_path: Path) -> Path:
    path = tmp_path / "public.pem"
    path.write_bytes(
        private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return path


@pytest.fixture
def sign(private_key: rsa.RSAPrivateKey) -> Sign:
    def sign(
        *,
        drop: tuple[str, ...] = (),
        headers: dict[str, Any] | None = None,
        key: Any = private_key,
        algorithm: str = "RS512",
        **claims: Any,
    ) -> str:
        body = {
            "iss": "api-key",
            "sub": "api-key",
            "aud": AUDIENCE,
            "jti": str(uuid4()),
            "exp": int(time.time()) + 300,
            **claims,
        }
        for name in drop:
            body.pop(name)
        sent_headers = {"kid": "test-1"} if headers is None else headers
        return jwt.encode(body, key, algorithm=algorithm, headers=sent_headers)

    return sign


@pytest.fixture
async def client(public_key_path: Path) -> AsyncIterator[httpx2.AsyncClient]:
    app = make_app(auth=True, public_key_path=public_key_path, token_audience=AUDIENCE)
    async with serve(app) as client:
        yield client


def token_form(assertion: str, **overrides: str) -> dict[str, str]:
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion,
        **overrides,
    }
    return {name: value for name, value in form.items() if value != "<drop>"}


async def request_token(client: httpx2.AsyncClient, form: dict[str, str]) -> httpx2.Response:
    return await client.post("/oauth2/token", data=form)


async def test_issues_a_token_that_opens_the_patient_api(
    client: httpx2.AsyncClient, sign: Sign
) -> None:
    before_ms = int(time.time() * 1000)
    response = await request_token(client, token_form(sign()))

    assert response.status_code == 200
    body = response.json()
    assert body["expires_in"] == "599"
    assert body["token_type"] == "Bearer"
    assert body["access_token"].isalnum()
    assert int(body["issued_at"]) >= before_ms
    patient = await get_patient(client, NORMAL, Authorization=f"Bearer {body['access_token']}")
    assert patient.status_code == 200


async def test_patient_api_needs_a_token(client: httpx2.AsyncClient) -> None:
    missing = await get_patient(client, NORMAL)
    invalid = await get_patient(client, NORMAL, Authorization="Bearer not-issued")

    for response, diagnostics in (
        (missing, "Missing Authorization header"),
        (invalid, "Invalid Access Token"),
    ):
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/json"
        issue = response.json()["issue"][0]
        assert issue["details"]["coding"][0]["code"] == "ACCESS_DENIED"
        assert issue["code"] == "forbidden"
        assert issue["diagnostics"] == diagnostics


async def test_expired_token_is_refused(public_key_path: Path, sign: Sign) -> None:
    app = make_app(
        auth=True, public_key_path=public_key_path, token_audience=AUDIENCE, token_ttl_seconds=0
    )
    async with serve(app) as client:
        token = (await request_token(client, token_form(sign()))).json()["access_token"]
        response = await get_patient(client, NORMAL, Authorization=f"Bearer {token}")

    assert response.status_code == 401


async def test_reused_jti_is_refused(client: httpx2.AsyncClient, sign: Sign) -> None:
    jti = str(uuid4())
    first = await request_token(client, token_form(sign(jti=jti)))
    second = await request_token(client, token_form(sign(jti=jti)))

    assert first.status_code == 200
    assert second.status_code == 400
    assert second.json()["error_description"] == "Non-unique 'jti' claim in client_assertion JWT"


CLAIM_ERRORS = "in client_assertion JWT"


@pytest.mark.parametrize(
    ("assertion_args", "status", "description"),
    [
        ({"headers": {}}, 400, f"Missing 'kid' header {CLAIM_ERRORS}"),
        (
            {"headers": {"kid": "test-1", "typ": "JOSE"}},
            400,
            f"Invalid 'typ' header {CLAIM_ERRORS} - must be 'JWT'",
        ),
        (
            {"algorithm": "RS256"},
            400,
            f"Invalid 'alg' header {CLAIM_ERRORS} - unsupported JWT algorithm - must be 'RS512'",
        ),
        (
            {"algorithm": "HS512", "key": "a-shared-secret-of-at-least-64-bytes" * 2},
            400,
            f"Invalid 'alg' header {CLAIM_ERRORS} - unsupported JWT algorithm - must be 'RS512'",
        ),
        ({"sub": "other"}, 400, f"Missing or non-matching 'iss'/'sub' claims {CLAIM_ERRORS}"),
        ({"drop": ("iss",)}, 400, f"Missing or non-matching 'iss'/'sub' claims {CLAIM_ERRORS}"),
        ({"drop": ("jti",)}, 400, f"Missing 'jti' claim {CLAIM_ERRORS}"),
        (
            {"jti": 1234567890},
            400,
            f"Invalid 'jti' claim {CLAIM_ERRORS} - must be a unique string value such as a GUID",
        ),
        ({"aud": "https://elsewhere"}, 401, f"Missing or invalid 'aud' claim {CLAIM_ERRORS}"),
        ({"drop": ("aud",)}, 401, f"Missing or invalid 'aud' claim {CLAIM_ERRORS}"),
        ({"drop": ("exp",)}, 400, f"Missing 'exp' claim {CLAIM_ERRORS}"),
        (
            {"exp": str(int(time.time()) + 300)},
            400,
            f"Invalid 'exp' claim {CLAIM_ERRORS} - must be an integer",
        ),
        (
            {"exp": int(time.time()) + 360},
            400,
            f"Invalid 'exp' claim {CLAIM_ERRORS} - more than 5 minutes in future",
        ),
        (
            {"exp": int(time.time()) - 20},
            400,
            f"Invalid 'exp' claim {CLAIM_ERRORS} - JWT has expired",
        ),
    ],
)
async def test_rejects_a_bad_assertion(
    client: httpx2.AsyncClient,
    sign: Sign,
    assertion_args: dict[str, Any],
    status: int,
    description: str,
) -> None:
    response = await request_token(client, token_form(sign(**assertion_args)))

    assert response.status_code == status
    body = response.json()
    assert body["error"] == "invalid_request"
    assert body["error_description"] == description
    assert body["message_id"]


async def test_rejects_an_assertion_signed_by_another_key(
    client: httpx2.AsyncClient, sign: Sign
) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    response = await request_token(client, token_form(sign(key=stranger)))

    assert response.status_code == 401
    assert response.json()["error_description"] == (
        "JWT signature verification failed due to invalid token"
    )


@pytest.mark.parametrize(
    ("overrides", "error", "description"),
    [
        ({"grant_type": "<drop>"}, "invalid_request", "grant_type is missing"),
        ({"grant_type": "authorization_code"}, "unsupported_grant_type", "grant_type is invalid"),
        (
            {"client_assertion_type": "jwt"},
            "invalid_request",
            f"Missing or invalid client_assertion_type - must be '{ASSERTION_TYPE}'",
        ),
        ({"client_assertion": "<drop>"}, "invalid_request", "Missing client_assertion"),
        ({"client_assertion": "invalid"}, "invalid_request", "Malformed JWT in client_assertion"),
    ],
)
async def test_rejects_a_bad_form(
    client: httpx2.AsyncClient, sign: Sign, overrides: dict[str, str], error: str, description: str
) -> None:
    response = await request_token(client, token_form(sign(), **overrides))

    assert response.status_code == 400
    assert response.json()["error"] == error
    assert response.json()["error_description"] == description


async def test_no_token_endpoint_and_no_auth_when_auth_is_off() -> None:
    async with serve(make_app()) as client:
        token = await client.post("/oauth2/token", data={"grant_type": "client_credentials"})
        patient = await get_patient(client, NORMAL)

    assert token.status_code == 404
    assert patient.status_code == 200


def test_auth_without_a_public_key_fails_at_start_up() -> None:
    with pytest.raises(ValueError, match="PDS_SIM_PUBLIC_KEY_PATH"):
        make_app(auth=True)
