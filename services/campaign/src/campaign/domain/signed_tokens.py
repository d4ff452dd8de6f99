"""What Cohort's three signed tokens (a patient's link, an email's unsubscribe link, a
patient's session on their link's pages) are made of: unpadded base64url text and an
HMAC-SHA256 truncated to 128 bits (RFC 2104 §5 allows it: half the hash, well above its
80-bit floor). Each token signs a message of its own shape, with a purpose of its own, so one
key never signs two kinds of token the same way."""

import base64
import hmac
import re

#: An organisation's ODS code, as a token's first segment names it.
ODS_CODE = re.compile(r"^[A-Z0-9]{3,10}$")
#: A recipient id: 16 bytes in 32 lower-case hex digits.
RECIPIENT_ID = re.compile(r"^[0-9a-f]{32}$")
SIGNATURE_BYTES = 16
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]+$")


def encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode(text: str) -> bytes | None:
    """The bytes of unpadded base64url text; None for anything else."""
    # Strict: the decoder would otherwise skip stray characters, so that many spellings of a
    # token would be accepted as the same one.
    if not _BASE64URL.match(text):
        return None
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        return None


def signature(secret: bytes, message: bytes) -> str:
    # hmac.digest: the one-shot C implementation, several times faster than hmac.new for the
    # many links a review renders.
    return encode(hmac.digest(secret, message, "sha256")[:SIGNATURE_BYTES])


def same_signature(given: str, expected: str) -> bool:
    """Compared as text in constant time, so only the one canonical spelling of a signature is
    accepted (base64 leaves spare bits that would otherwise let a token have several)."""
    return hmac.compare_digest(given.encode("ascii", "replace"), expected.encode("ascii"))
