"""The credentials in the Firetext ``receipt`` URL, shared by dispatch (which writes the URL)
and the gateway (which checks it). Firetext cannot sign its callbacks, so the URL carries the
organisation and an HMAC of it under the shared webhook secret. The token is a credential:
never log it, nor a URL that carries it."""

import hashlib
import hmac

#: The development default of ``GATEWAY_WEBHOOK_SECRET`` and ``DISPATCH_WEBHOOK_SECRET``; both
#: services warn when it is in use and refuse it in production.
DEV_WEBHOOK_SECRET = "cohort-dev-webhook-secret-not-for-production"


def receipt_token(secret: str, org_id: str) -> str:
    """``HMAC-SHA256(key=secret as UTF-8, msg=org_id as UTF-8)`` as 64 lowercase hex digits."""
    return hmac.new(secret.encode("utf-8"), org_id.encode("utf-8"), hashlib.sha256).hexdigest()


def token_is_valid(secret: str, org_id: str, token: str) -> bool:
    return hmac.compare_digest(receipt_token(secret, org_id).encode(), token.encode())
