"""The OpenID Connect client (authlib): authorization code with PKCE (S256) against the provider
named by ``WEB_OIDC_ISSUER``; authlib checks the ID token (signature from the provider's JWKS,
``iss``, ``aud``, ``exp``, the nonce) before the app sees it."""

from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App

from .config import WebSettings

CLIENT = "provider"


def make_oauth(settings: WebSettings) -> OAuth | None:
    if settings.oidc_issuer is None:
        return None
    oauth = OAuth()
    oauth.register(
        CLIENT,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret.get_secret_value() or None,
        server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": settings.oidc_scope, "code_challenge_method": "S256"},
    )
    return oauth


def provider(oauth: OAuth) -> StarletteOAuth2App:
    client = oauth.create_client(CLIENT)  # type: ignore[no-untyped-call]
    assert isinstance(client, StarletteOAuth2App)
    return client
