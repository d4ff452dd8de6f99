"""Bearer-token authentication: an HS256 JWT naming the user (``sub``) and organisation (``org``,
a practice or a network), and the organisations the request may read and act for.

Routes under ``/v1`` (webhooks and patient links aside) use ``AuthenticatedRoute``, which checks
the token before FastAPI reads the request body: an anonymous caller gets 401, not a 422 about
its JSON or a 413 about a file it should never have been able to upload."""

import re
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import Annotated, Any

import jwt
from fastapi import Depends, Header, Request, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ...caller import Caller
from ...config import GatewaySettings
from ...organisations import NotAMember, Organisations, PracticeNotNamed
from .errors import ApiError
from .wiring import get_wiring

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["exp", "sub", "org", "iss", "aud"]
ODS_CODE = re.compile(r"^[A-Z0-9]{3,10}$")
ACT_FOR_HEADER = "X-Act-For-Org"
_CALLER_KEY = "gateway.caller"

bearer = HTTPBearer(
    auto_error=False,
    bearerFormat="JWT",
    description="HS256 JWT with claims sub (user id), org (ODS code), iss, aud and exp.",
)


def unauthorized(message: str, *, token_sent: bool) -> ApiError:
    # RFC 6750 §3: no error attribute when the request had no credentials at all.
    challenge = 'Bearer error="invalid_token"' if token_sent else "Bearer"
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": challenge})


def verify_token(token: str, settings: GatewaySettings) -> Caller:
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret.get_secret_value(),
            algorithms=[ALGORITHM],
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            leeway=settings.jwt_leeway_s,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError:
        raise unauthorized("The token has expired. Sign in again.", token_sent=True) from None
    except jwt.MissingRequiredClaimError as exc:
        raise unauthorized(f"The token has no '{exc.claim}' claim.", token_sent=True) from None
    except jwt.InvalidTokenError:
        raise unauthorized("The token is not valid.", token_sent=True) from None
    user, org = claims.get("sub"), claims.get("org")
    if not isinstance(user, str) or not user:
        raise unauthorized("The token's 'sub' claim is not a user id.", token_sent=True)
    if not isinstance(org, str) or not ODS_CODE.match(org):
        raise unauthorized("The token's 'org' claim is not an ODS code.", token_sent=True)
    return Caller(user_id=user, org_id=org)


def authenticate(request: Request) -> Caller:
    """The token's own user and organisation, verified once per request."""
    cached = request.scope.get(_CALLER_KEY)
    if isinstance(cached, Caller):
        return cached
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized(
            "Sign in first: send an 'Authorization: Bearer <token>' header.", token_sent=False
        )
    caller = verify_token(token.strip(), get_wiring(request).settings)
    request.scope[_CALLER_KEY] = caller
    return caller


def reading_caller(request: Request) -> Caller:
    """For reads and for changes to something that exists: campaign looks it up within the
    caller's scope (a network: all its practices, unless the request names one of them)."""
    identity = authenticate(request)
    organisations = get_wiring(request).organisations
    named = _named_org(request)
    if named is None:
        scope = organisations.readable_by(identity.org_id)
        return replace(identity, org_scope=scope)
    practice = _acting_for(organisations, identity, named)
    return replace(identity, org_id=practice, org_scope=(practice,))


def acting_caller(request: Request) -> Caller:
    """For creating something: it belongs to one practice, which a network user must name."""
    identity = authenticate(request)
    practice = _acting_for(get_wiring(request).organisations, identity, _named_org(request))
    return replace(identity, org_id=practice, org_scope=(practice,))


def _named_org(request: Request) -> str | None:
    named = request.headers.get(ACT_FOR_HEADER)
    if named is None:
        return None
    named = named.strip().upper()
    if not ODS_CODE.match(named):
        raise ApiError(
            422,
            "invalid",
            f"The {ACT_FOR_HEADER} header must be an ODS code (3-10 letters or digits).",
            {"fields": [f"header.{ACT_FOR_HEADER}"]},
        )
    return named


def _acting_for(organisations: Organisations, identity: Caller, named: str | None) -> str:
    try:
        return organisations.acting_for(identity.org_id, named)
    except PracticeNotNamed:
        raise ApiError(
            422,
            "invalid",
            f"You are signed in for a network: name the practice you are acting for in the "
            f"{ACT_FOR_HEADER} header (its ODS code).",
            {"fields": [f"header.{ACT_FOR_HEADER}"]},
        ) from None
    except NotAMember:
        # 404, not 403: whether an organisation exists, or is someone else's, is not the
        # caller's to learn (the same answer as for another practice's campaign).
        raise ApiError(
            404,
            "not_found",
            f"There is no practice {named} among those you may act for.",
            {"org": str(named)},
        ) from None


class AuthenticatedRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def authenticated(request: Request) -> Response:
            authenticate(request)
            return await handle(request)

        return authenticated


ActForOrg = Annotated[
    str | None,
    Header(
        alias=ACT_FOR_HEADER,
        description="Network users: the ODS code of the member practice to act for. Required "
        "when creating; optional elsewhere, where it narrows what is seen to that practice.",
    ),
]


async def current_caller(
    request: Request,
    # Declared so that OpenAPI shows them; ``reading_caller`` does the checking.
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    _act_for: ActForOrg = None,
) -> Caller:
    return reading_caller(request)


async def current_actor(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    _act_for: ActForOrg = None,
) -> Caller:
    return acting_caller(request)


CallerDep = Annotated[Caller, Depends(current_caller)]
ActorDep = Annotated[Caller, Depends(current_actor)]
