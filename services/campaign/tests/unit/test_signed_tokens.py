"""The parts every signed token is made of (patient links, unsubscribe links, sessions)."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from campaign.domain.links import LinkSigner
from campaign.domain.opt_out import UnsubscribeSigner
from campaign.domain.patient_access import SessionSigner
from campaign.domain.signed_tokens import decode, encode, same_signature, signature

from ..builders import LINK_BASE, LINK_SECRET, ORG

RECIPIENT = "0123456789abcdef0123456789abcdef"


def test_encoding_is_unpadded_base64url_and_decodes_back() -> None:
    raw = bytes(range(250, 256)) + b"\x00"
    assert not set(encode(raw)) & set("=+/")
    assert decode(encode(raw)) == raw


@pytest.mark.parametrize("text", ["", "AA AA", "AA+A", "AA/A", "AAAA=", "A", "Ab\u00e9"])
def test_only_unpadded_base64url_decodes(text: str) -> None:
    assert decode(text) is None


def test_a_signature_is_128_bits_and_depends_on_key_and_message() -> None:
    sig = signature(b"key", b"message")
    assert len(decode(sig) or b"") == 16
    assert same_signature(sig, signature(b"key", b"message"))
    assert not same_signature(sig, signature(b"other key", b"message"))
    assert not same_signature(sig, signature(b"key", b"other message"))


@pytest.mark.parametrize("given", ["\u00e9" * 22, "AAAA\u2603", ""])
def test_a_signature_with_other_characters_is_refused_not_an_error(given: str) -> None:
    assert not same_signature(given, signature(b"key", b"message"))


def test_no_signer_raises_on_a_token_with_other_characters() -> None:
    # A forged token is refused like any other wrong one: never an error (a 500 at the gateway).
    link = LinkSigner(LINK_SECRET, LINK_BASE)
    token = link.token(ORG, uuid.uuid4(), RECIPIENT, datetime.now(UTC).date())
    head, _ = token.rsplit(".", 1)
    assert not link.verify(f"{head}.\u00e9\u00e9\u00e9\u00e9", uuid.uuid4())
    unsubscribe = UnsubscribeSigner(b"key")
    head, _ = unsubscribe.token(ORG, RECIPIENT).rsplit(".", 1)
    assert unsubscribe.verify(f"{head}.\u00e9\u00e9\u00e9\u00e9") is None
    assert unsubscribe.verify(f"{ORG}.\u00e9\u00e9.AAAA") is None
    session = SessionSigner(b"key")
    now = datetime.now(UTC)
    good = session.issue(RECIPIENT, now + timedelta(minutes=5))
    payload, signed = good.split(".")
    assert session.valid(good, RECIPIENT, now)
    assert not session.valid(f"{payload}.\u00e9\u00e9", RECIPIENT, now)
    assert not session.valid(f"\u00e9\u00e9.{signed}", RECIPIENT, now)
