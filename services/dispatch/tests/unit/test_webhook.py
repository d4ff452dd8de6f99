"""The receipt URL's credentials, which the gateway must verify identically."""

import hashlib
import hmac
from urllib.parse import parse_qs, urlsplit

from cohort_platform.webhooks import receipt_token
from dispatch.domain.webhook import receipt_url


def test_token_is_hmac_sha256_of_the_org_under_the_secret_in_hex() -> None:
    expected = hmac.new(b"s3cret-s3cret-s3cret", b"A81001", hashlib.sha256).hexdigest()
    assert receipt_token("s3cret-s3cret-s3cret", "A81001") == expected
    assert len(expected) == 64


def test_token_known_vector() -> None:
    # Pinned so a change to the definition cannot go unnoticed by the gateway.
    assert receipt_token("key", "The quick brown fox jumps over the lazy dog") == (
        "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
    )


def test_tokens_differ_by_org_and_secret() -> None:
    assert receipt_token("secret-one-secret", "A81001") != receipt_token(
        "secret-one-secret", "A81002"
    )
    assert receipt_token("secret-one-secret", "A81001") != receipt_token(
        "secret-two-secret", "A81001"
    )


def test_url_carries_org_and_token_as_query_parameters() -> None:
    url = receipt_url("http://gw.test/v1/webhooks/firetext/receipts", "s" * 20, "A81001")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "http://gw.test/v1/webhooks/firetext/receipts"
    )
    assert parse_qs(parts.query) == {
        "org": ["A81001"],
        "token": [receipt_token("s" * 20, "A81001")],
    }


def test_url_extends_an_existing_query() -> None:
    url = receipt_url("http://gw.test/r?v=1", "s" * 20, "A81001")
    assert parse_qs(urlsplit(url).query)["v"] == ["1"]
    assert parse_qs(urlsplit(url).query)["org"] == ["A81001"]
