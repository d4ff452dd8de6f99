"""Web app settings, read from ``WEB_*`` environment variables."""

from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from cohort_http.body_limit import DEFAULT_MAX_BODY_BYTES
from cohort_http.page_settings import PageAppSettings, Port, check_secrets

ROOT = Path(__file__).resolve().parents[4]
#: ``make setup`` installs the front-end packages here (``npm ci``); they are never committed.
NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"

# Development defaults. The JWT ones are the gateway's own development defaults, so a token the
# dev sign-in issues is one a development gateway accepts.
DEV_SESSION_SECRET = "dev-only-cohort-web-session-secret-change-me"
DEV_JWT_SECRET = "dev-only-cohort-gateway-jwt-secret-change-me"


class WebSettings(PageAppSettings):
    model_config = SettingsConfigDict(env_prefix="WEB_", extra="ignore")

    port: Port = 8080
    #: Timeout of one gateway request (an upload's whole file goes in one).
    gateway_timeout_s: float = Field(default=30.0, gt=0, le=300)
    session_secret: SecretStr = SecretStr(DEV_SESSION_SECRET)
    #: A session ends this long after sign-in, whatever happens meanwhile.
    session_max_age_s: int = Field(default=8 * 3600, ge=60, le=24 * 3600)
    #: The NHS.UK frontend and htmx packages from npm.
    node_modules: Path = NODE_MODULES

    #: Development sign-in: pick a user from ``users_file``; the app issues its own token.
    #: Refused in production.
    dev_sign_in: bool = False
    #: The users development sign-in offers (JSON: name, role, organisation, test phone and email).
    users_file: Path = ROOT / "config" / "dev-users.json"
    #: Development sign-in's HS256 token key: the gateway's ``GATEWAY_JWT_SECRET``. A secret.
    jwt_secret: SecretStr = SecretStr(DEV_JWT_SECRET)
    #: ``iss`` of development sign-in's tokens (``GATEWAY_JWT_ISSUER``).
    jwt_issuer: str = "cohort"
    #: ``aud`` of development sign-in's tokens (``GATEWAY_JWT_AUDIENCE``).
    jwt_audience: str = "cohort-gateway"

    #: OpenID Connect sign-in (NHS CIS2 in England): the provider's issuer URL; set, staff sign in
    #: there (authorization code with PKCE) and its ID token is the bearer token sent to the
    #: gateway (whose GATEWAY_OIDC_AUDIENCE is then this client id).
    oidc_issuer: str | None = None
    #: This app's client id at the provider.
    oidc_client_id: str = "cohort-web"
    #: This app's client secret at the provider, if it gave one. A secret.
    oidc_client_secret: SecretStr = SecretStr("")
    #: Scopes asked for; the provider's organisation and role claims come with them.
    oidc_scope: str = "openid profile email"

    #: Sign-in attempts one client address may make a minute.
    sign_in_per_minute: int = Field(default=10, ge=1, le=10_000)
    #: Sign-in attempts one client address may make at once.
    sign_in_burst: int = Field(default=5, ge=1, le=10_000)
    #: Request bodies: a patient list upload may be this large (the gateway's own cap is
    #: GATEWAY_MAX_UPLOAD_BYTES), and every other form this large; beyond, 413.
    max_upload_bytes: int = Field(default=21 * 1024 * 1024, ge=1024)
    #: Largest body of any other form (413 above it).
    max_body_bytes: int = Field(default=DEFAULT_MAX_BODY_BYTES, ge=1024, le=16 * 1024 * 1024)

    #: Seconds open connections (live progress streams) get to finish when the app stops.
    shutdown_grace_s: int = Field(default=5, ge=0, le=120)

    @model_validator(mode="after")
    def _safe_in_production(self) -> "WebSettings":
        production = self.environment == "production"
        check_secrets(
            "WEB_",
            production=production,
            secure_cookies=self.secure_cookies,
            secrets={
                "session_secret": (self.session_secret.get_secret_value(), DEV_SESSION_SECRET)
            },
        )
        if production and self.dev_sign_in:
            raise ValueError("WEB_DEV_SIGN_IN must be off in production")
        return self
