"""The credentials dispatch puts into the ``receipt`` URL it gives Firetext, which the gateway's
receipt webhook checks. Firetext cannot sign its callbacks, so the URL carries them: the
organisation and an HMAC of it under the shared webhook secret. The token is a credential:
never log it, nor the URL that carries it."""

from urllib.parse import urlencode

from cohort_platform.webhooks import receipt_token


def receipt_url(base_url: str, secret: str, org_id: str) -> str:
    """``{base_url}?org={org_id}&token={token}``; joined with ``&`` if the base has a query."""
    query = urlencode({"org": org_id, "token": receipt_token(secret, org_id)})
    return f"{base_url}{'&' if '?' in base_url else '?'}{query}"
