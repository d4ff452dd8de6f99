"""Settings fail fast on unsafe secrets; the dev-token CLI signs what the gateway accepts."""

import jwt
import pytest
from pydantic import ValidationError

from cohort_platform.webhooks import DEV_WEBHOOK_SECRET
from gateway.config import GatewaySettings
from gateway.entrypoints.dev_tokens import main


def test_defaults() -> None:
    settings = GatewaySettings()

    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.max_upload_bytes == 20 * 1024 * 1024
    assert (settings.max_rows, settings.batch_size) == (100_000, 200)
    assert settings.webhook_secret.get_secret_value() == DEV_WEBHOOK_SECRET


def test_env_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_PORT", "9001")
    monkeypatch.setenv("GATEWAY_MAX_ROWS", "5")

    assert (GatewaySettings().port, GatewaySettings().max_rows) == (9001, 5)


def test_production_refuses_dev_secrets() -> None:
    with pytest.raises(ValidationError, match="production"):
        GatewaySettings(environment="production")


def test_short_jwt_secret_is_refused() -> None:
    with pytest.raises(ValidationError, match="32 bytes"):
        GatewaySettings(jwt_secret="short")


def test_cli_prints_a_token_the_gateway_accepts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--org", "A81001", "--user", "alice", "--name", "Alice Smith"]) == 0

    settings = GatewaySettings()
    claims = jwt.decode(
        capsys.readouterr().out.strip(),
        settings.jwt_secret.get_secret_value(),
        algorithms=["HS256"],
        audience=settings.jwt_audience,
        issuer=settings.jwt_issuer,
    )
    assert (claims["sub"], claims["org"], claims["name"]) == ("alice", "A81001", "Alice Smith")
