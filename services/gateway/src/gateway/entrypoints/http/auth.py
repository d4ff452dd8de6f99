"""Bearer-token authentication: an HS256 JWT naming the user (``sub``) and organisation (``org``).

Routes under ``/v1`` (webhooks aside) use ``AuthenticatedRoute``, which checks the token before
FastAPI reads the request body: an anonymous caller gets 401, not a 422 about its JSON or a 413
about a file it should never have been able to upload."""

import re
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ...caller import Caller
from ...config import GatewaySettings
from .errors import ApiError
from .wiring import get_wiring

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["exp", "sub", "org", "iss", "aud"]
ODS_CODE = re.compile(r"^[A-Z0-9]{3,10}$")
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
    """The request's caller, verified once per request."""
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


class AuthenticatedRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def authenticated(request: Request) -> Response:
            authenticate(request)
            return await handle(request)

        return authenticated


async def current_caller(
    request: Request,
    # Declared so that OpenAPI shows the bearer scheme; ``authenticate`` does the checking.
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    return authenticate(request)


CallerDep = Annotated[Caller, Depends(current_caller)]
