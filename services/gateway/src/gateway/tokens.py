"""Development bearer tokens: ``python -m gateway.tokens --org A81001 [--user alice]``.

Prints an HS256 JWT signed with ``GATEWAY_JWT_SECRET`` (the same default as the gateway's
settings), with the ``sub``, ``org``, ``iss``, ``aud`` and ``exp`` claims the gateway requires,
and ``roles`` (``--role sender`` or ``viewer``). A gateway with ``GATEWAY_OIDC_ISSUER`` refuses
them."""

import argparse
import re
import sys
from datetime import UTC, datetime, timedelta

import jwt

from .config import DEFAULT_AUDIENCE, DEFAULT_ISSUER, GatewaySettings

ALGORITHM = "HS256"
ODS_CODE = re.compile(r"^[A-Z0-9]{3,10}$")


def issue_token(
    secret: str,
    user: str,
    org: str,
    ttl: timedelta = timedelta(hours=8),
    *,
    issuer: str = DEFAULT_ISSUER,
    audience: str = DEFAULT_AUDIENCE,
    roles: list[str] | None = None,
) -> str:
    """``roles`` None: no roles claim, which the gateway takes as a sender."""
    if not ODS_CODE.match(org):
        raise ValueError("org must be an ODS code: 3-10 capital letters or digits")
    now = datetime.now(UTC)
    claims = {
        "sub": user,
        "org": org,
        "iss": issuer,
        "aud": audience,
        "iat": now,
        "exp": now + ttl,
    }
    if roles is not None:
        claims["roles"] = roles
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gateway.tokens", description=__doc__)
    parser.add_argument("--org", required=True, help="ODS code of the organisation, e.g. A81001")
    parser.add_argument("--user", default="dev-user", help="user id (the token's sub)")
    parser.add_argument(
        "--role",
        choices=["sender", "viewer"],
        default="sender",
        help="sender: may compose and send; viewer: may only read",
    )
    parser.add_argument("--ttl-hours", type=float, default=8.0, help="lifetime in hours")
    args = parser.parse_args(argv)
    settings = GatewaySettings()
    try:
        token = issue_token(
            settings.jwt_secret.get_secret_value(),
            args.user,
            args.org,
            timedelta(hours=args.ttl_hours),
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            roles=[args.role],
        )
    except ValueError as exc:
        parser.error(str(exc))
    sys.stdout.write(token + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
