"""PDS authentication settings: complete or refused at start-up."""

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from ingest.adapters.tokens import SignedJwtTokenProvider, StaticTokenProvider
from ingest.bootstrap import build_token_provider
from ingest.config import IngestSettings

from ..token_stub import new_rsa_key, private_pem


@pytest.fixture(scope="module")
def key_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("keys") / "pds-key.pem"
    path.write_bytes(private_pem(new_rsa_key()))
    return path


def test_signed_jwt_settings_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, key_path: Path
) -> None:
    monkeypatch.setenv("INGEST_PDS_AUTH", "signed-jwt")
    monkeypatch.setenv("INGEST_PDS_API_KEY", "api-key")
    monkeypatch.setenv("INGEST_PDS_PRIVATE_KEY_PATH", str(key_path))
    monkeypatch.setenv("INGEST_PDS_KEY_ID", "key-1")
    monkeypatch.setenv("INGEST_PDS_TOKEN_URL", "https://int.api.service.nhs.uk/oauth2/token")
    settings = IngestSettings()
    assert settings.pds_auth == "signed-jwt"
    assert settings.pds_api_key == SecretStr("api-key")
    assert (settings.pds_private_key_path, settings.pds_key_id) == (key_path, "key-1")
    assert settings.pds_token_url == "https://int.api.service.nhs.uk/oauth2/token"


def test_defaults_are_no_auth_against_the_local_simulator() -> None:
    settings = IngestSettings()
    assert settings.pds_auth == "off"
    assert settings.pds_token_url == "http://127.0.0.1:9001/oauth2/token"
    assert (settings.pds_rate_limit, settings.pds_rate_refresh_s) == (5.0, 0.1)
    assert (settings.pds_rate_lease_s, settings.pds_rate_linger_s) == (0.5, 0.5)
    assert build_token_provider(settings) is None


def test_a_refresh_period_as_long_as_the_lease_is_refused() -> None:
    # A share would lapse between counts, and the instance would stop between them.
    with pytest.raises(ValidationError, match="shorter than INGEST_PDS_RATE_LEASE_S"):
        IngestSettings(pds_rate_refresh_s=1.0, pds_rate_lease_s=1.0)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"pds_auth": "static"}, "needs INGEST_PDS_ACCESS_TOKEN"),
        ({"pds_access_token": "abc"}, "INGEST_PDS_AUTH is off"),
        (
            {"pds_auth": "signed-jwt", "pds_api_key": "k"},
            "needs INGEST_PDS_PRIVATE_KEY_PATH, INGEST_PDS_KEY_ID",
        ),
        ({"pds_auth": "basic"}, "pds_auth"),
    ],
)
def test_incomplete_auth_settings_are_refused(values: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        IngestSettings.model_validate(values)


async def test_providers_built_for_each_mode(key_path: Path) -> None:
    static = build_token_provider(
        IngestSettings(pds_auth="static", pds_access_token=SecretStr("abc"))
    )
    assert isinstance(static, StaticTokenProvider)
    signed = build_token_provider(
        IngestSettings(
            pds_auth="signed-jwt",
            pds_api_key=SecretStr("k"),
            pds_private_key_path=key_path,
            pds_key_id="key-1",
        )
    )
    assert isinstance(signed, SignedJwtTokenProvider)
    await signed.aclose()


def test_an_unreadable_private_key_stops_start_up(tmp_path: Path) -> None:
    settings = IngestSettings(
        pds_auth="signed-jwt",
        pds_api_key=SecretStr("k"),
        pds_private_key_path=tmp_path / "absent.pem",
        pds_key_id="key-1",
    )
    with pytest.raises(ValueError, match=r"absent\.pem"):
        build_token_provider(settings)
