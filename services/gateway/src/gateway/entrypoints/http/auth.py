"""Bearer-token authentication: a JWT naming the user (``sub``), the organisation (a practice or
a network) and the user's roles, and the organisations the request may read and act for.

Tokens are the identity provider's (``GATEWAY_OIDC_ISSUER``) or, for development, HS256 tokens
signed with ``GATEWAY_JWT_SECRET``; ``ports.TokenVerifier`` checks them. Routes under ``/v1``
(webhooks and patient links aside) use ``AuthenticatedRoute``, which checks the token and the
caller's role before FastAPI reads the request body: an anonymous caller gets 401, not a 422
about its JSON or a 413 about a file it should never have been able to upload."""

from collections.abc import Callable, Coroutine, Sequence
from dataclasses import replace
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.routing import BaseRoute

from ...adapters.oidc_keys import KeysUnavailable
from ...domain.caller import Caller
from ...domain.identity import ODS_CODE, SENDER, VIEWER, TokenRefused
from ...domain.organisations import NotAMember, Organisations, PracticeNotNamed
from .errors import ERROR_DESCRIPTIONS, ApiError
from .wiring import wiring_of

ACT_FOR_HEADER = "X-Act-For-Org"
_CALLER_KEY = "gateway.caller"
#: Methods a viewer may use; anything else changes something, and needs a sender.
READING = frozenset({"GET", "HEAD", "OPTIONS"})

bearer = HTTPBearer(
    auto_error=False,
    bearerFormat="JWT",
    description="A JWT from the identity provider (RS256/ES256), or in development an HS256 "
    "token, with claims sub (user id), org (ODS code), roles, iss, aud and exp.",
)


def unauthorized(message: str, *, token_sent: bool) -> ApiError:
    # RFC 6750 §3: no error attribute when the request had no credentials at all.
    challenge = 'Bearer error="invalid_token"' if token_sent else "Bearer"
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": challenge})


async def verify_request(request: Request) -> Caller:
    """The token's own user, organisation and roles, verified once per request."""
    cached = request.scope.get(_CALLER_KEY)
    if isinstance(cached, Caller):
        return cached
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized(
            "Sign in first: send an 'Authorization: Bearer <token>' header.", token_sent=False
        )
    try:
        caller = await wiring_of(request).verifier.verify(token.strip())
    except TokenRefused as exc:
        raise unauthorized(str(exc), token_sent=True) from None
    except KeysUnavailable:
        raise ApiError(
            503, "unavailable", "Sign-in cannot be checked just now. Try again in a minute."
        ) from None
    request.scope[_CALLER_KEY] = caller
    return caller


def authenticate(request: Request) -> Caller:
    """The caller ``verify_request`` found; every staff route's class verified it first."""
    cached = request.scope.get(_CALLER_KEY)
    if not isinstance(cached, Caller):
        raise RuntimeError("the route does not verify its caller: use AuthenticatedRoute")
    return cached


def require_role(request: Request, caller: Caller) -> None:
    if request.method in READING:
        if VIEWER not in caller.roles:
            raise ApiError(
                403,
                "forbidden",
                "Your account has no Cohort role: ask your organisation's administrator for one.",
            )
    elif SENDER not in caller.roles:
        raise ApiError(
            403,
            "forbidden",
            "You may view campaigns but not change or send them: that needs the sender role.",
        )


def reading_caller(request: Request) -> Caller:
    """For reads and for changes to something that exists: campaign looks it up within the
    caller's scope (a network: all its practices, unless the request names one of them)."""
    identity = authenticate(request)
    organisations = wiring_of(request).organisations
    named = _named_org(request)
    if named is None:
        scope = organisations.readable_by(identity.org_id)
        return replace(identity, org_scope=scope)
    practice = _acting_for(organisations, identity, named)
    return replace(identity, org_id=practice, org_scope=(practice,))


def acting_caller(request: Request) -> Caller:
    """For creating something: it belongs to one practice, which a network user must name."""
    identity = authenticate(request)
    practice = _acting_for(wiring_of(request).organisations, identity, _named_org(request))
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


class SignedInRoute(APIRoute):
    """Verifies the bearer token before anything else; any role will do."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def signed_in(request: Request) -> Response:
            self.check(request, await verify_request(request))
            return await handle(request)

        return signed_in

    def check(self, request: Request, caller: Caller) -> None:
        """What else the caller must be allowed (nothing, here)."""


class AuthenticatedRoute(SignedInRoute):
    """Reading needs the viewer role (which senders have); anything else, the sender role."""

    def check(self, request: Request, caller: Caller) -> None:
        require_role(request, caller)


ActForOrg = Annotated[
    str | None,
    Header(
        alias=ACT_FOR_HEADER,
        pattern=r"^\s*[A-Za-z0-9]{3,10}\s*$",
        description="Network users: the ODS code of the member practice to act for. Required "
        "when creating; optional elsewhere, where it narrows what is seen to that practice.",
    ),
]


async def _staff_headers(
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    _act_for: ActForOrg = None,
) -> None:
    """Declared so that OpenAPI shows them; ``reading_caller`` and ``acting_caller`` do the
    checking."""


StaffHeaders = Annotated[None, Depends(_staff_headers)]


async def current_caller(request: Request, _headers: StaffHeaders) -> Caller:
    return reading_caller(request)


async def current_actor(request: Request, _headers: StaffHeaders) -> Caller:
    return acting_caller(request)


CallerDep = Annotated[Caller, Depends(current_caller)]
ActorDep = Annotated[Caller, Depends(current_actor)]


def document_common_errors(spec: dict[str, Any], routes: Sequence[BaseRoute]) -> None:
    """Add to the OpenAPI document the answers routes give whatever their own code does: 401
    (the token) on signed-in routes, 403 (the role) on ``AuthenticatedRoute``s, 404 (a practice
    outside the caller's reach) and 422 where ``X-Act-For-Org`` is taken, and 400 (a body that
    cannot be parsed) and 413 (over ``GATEWAY_MAX_BODY_BYTES``) wherever a body is."""
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    for route in routes:
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods or ():
            operation = spec["paths"][route.path_format][method.lower()]
            statuses = _common_statuses(route, operation)
            responses = operation.setdefault("responses", {})
            for status in statuses:
                described = {"description": ERROR_DESCRIPTIONS[status], "content": error}
                responses.setdefault(str(status), described)


def _common_statuses(route: APIRoute, operation: dict[str, Any]) -> list[int]:
    statuses = [400, 413] if "requestBody" in operation else []
    if isinstance(route, SignedInRoute):
        statuses.append(401)
    if isinstance(route, AuthenticatedRoute):
        statuses.append(403)
    if ACT_FOR_HEADER in {p["name"] for p in operation.get("parameters", [])}:
        statuses += [404, 422]
    return statuses
