import pytest
from pydantic import ValidationError

from cohort_platform.webhooks import DEV_WEBHOOK_SECRET
from dispatch.config import Settings


def test_defaults() -> None:
    settings = Settings()
    assert (settings.host, settings.port) == ("127.0.0.1", 8103)
    assert settings.chunk_size == 50
    assert settings.sms_group_size == 50
    assert settings.sms_rate_limit == 20
    assert settings.firetext_accounts == {}
    assert settings.email_senders == {}
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


def test_per_organisation_accounts_and_senders_are_read_as_json(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "DISPATCH_FIRETEXT_ACCOUNTS",
        '{"A81001": {"api_key": "own-key-123456", "sender_id": "HighStSurg"}}',
    )
    monkeypatch.setenv("DISPATCH_EMAIL_SENDERS", '{"A81001": "surgery@example.nhs.uk"}')
    settings = Settings()

    account = settings.firetext_accounts["A81001"]
    assert (account.api_key.get_secret_value(), account.sender_id) == (
        "own-key-123456",
        "HighStSurg",
    )
    assert settings.email_senders == {"A81001": "surgery@example.nhs.uk"}
    assert "own-key-123456" not in repr(settings)


@pytest.mark.parametrize("sender_id", ["AB", "TwelveLetter", "Dr Smith"])
def test_an_organisations_sender_id_is_checked_at_startup(sender_id: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(firetext_accounts={"A81001": {"api_key": "k-123456789", "sender_id": sender_id}})
    assert "k-123456789" not in str(refused.value)


@pytest.mark.parametrize(
    "accounts",
    [
        {"A81001": {"apikey": "misspelt-key-123"}},  # the key under a wrong name
        {"A81001": {"api_key": "misspelt-key-123", "extra": "misspelt-key-123"}},
        {"not an ods code": {"api_key": "misspelt-key-123"}},
    ],
)
def test_a_bad_account_setting_never_quotes_the_key(accounts: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(firetext_accounts=accounts)
    assert "misspelt-key-123" not in str(refused.value)


@pytest.mark.parametrize("address", ["surgery", "surgery@", "a b@example.org"])
def test_an_organisations_email_sender_must_be_an_address(address: str) -> None:
    with pytest.raises(ValidationError):
        Settings(email_senders={"A81001": address})
