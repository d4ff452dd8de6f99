"""Development bearer tokens: ``python -m gateway.entrypoints.dev_tokens --org A81001
[--user alice]`` (``make token ORG=...``).

Prints an HS256 JWT signed with ``GATEWAY_JWT_SECRET`` (the same default as the gateway's
settings), with the ``sub``, ``org``, ``iss``, ``aud`` and ``exp`` claims the gateway requires,
``roles`` (``--role sender`` or ``viewer``) and, with ``--name``, the ``name`` staff read where
this user acts. A gateway with ``GATEWAY_OIDC_ISSUER`` refuses them."""

import argparse
import sys
from datetime import timedelta

from ..adapters.token_verifiers import issue_token
from ..config import GatewaySettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gateway.entrypoints.dev_tokens", description=__doc__
    )
    parser.add_argument("--org", required=True, help="ODS code of the organisation, e.g. A81001")
    parser.add_argument("--user", default="dev-user", help="user id (the token's sub)")
    parser.add_argument(
        "--role",
        choices=["sender", "viewer"],
        default="sender",
        help="sender: may compose and send; viewer: may only read",
    )
    parser.add_argument("--name", help="the person's name, as an identity provider gives it")
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
            name=args.name,
        )
    except ValueError as exc:
        parser.error(str(exc))
    sys.stdout.write(token + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
