import pytest
from pydantic import ValidationError

from cohort_platform.webhooks import DEV_WEBHOOK_SECRET
from dispatch.config import Settings


def test_defaults() -> None:
    settings = Settings()
    assert (settings.host, settings.port) == ("127.0.0.1", 8103)
    assert settings.chunk_size == 25
    assert settings.sms_rate_limit == 20
    assert settings.firetext_base_url == "http://127.0.0.1:9002"
    assert settings.sms_sender_id == "Cohort"
    assert settings.uses_dev_secrets
    assert settings.webhook_secret.get_secret_value() == DEV_WEBHOOK_SECRET


def test_reads_dispatch_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPATCH_SMS_PROVIDER", "stub")
    monkeypatch.setenv("DISPATCH_CHUNK_SIZE", "50")
    monkeypatch.setenv("DISPATCH_WEBHOOK_SECRET", "a-real-secret-of-some-length")
    settings = Settings()
    assert (settings.sms_provider, settings.chunk_size) == ("stub", 50)
    assert not settings.uses_dev_secrets


@pytest.mark.parametrize("sender_id", ["AB", "TwelveLetter", "Dr Smith", "Surgery!", ""])
def test_sender_id_must_be_3_to_11_letters_or_digits(sender_id: str) -> None:
    with pytest.raises(ValidationError):
        Settings(sms_sender_id=sender_id)


@pytest.mark.parametrize("sender_id", ["GPs", "Cohort", "HighStSurg1"])
def test_valid_sender_ids(sender_id: str) -> None:
    assert Settings(sms_sender_id=sender_id).sms_sender_id == sender_id


@pytest.mark.parametrize("secret", ["changeme", "CHANGEME", "changethis", "short"])
def test_refuses_placeholder_webhook_secrets(secret: str) -> None:
    with pytest.raises(ValidationError):
        Settings(webhook_secret=secret)


def test_secrets_are_not_printed() -> None:
    settings = Settings(firetext_api_key="live-key-123")
    assert "live-key-123" not in repr(settings)
    assert DEV_WEBHOOK_SECRET not in repr(settings)
