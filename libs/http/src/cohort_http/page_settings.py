"""What both page apps (the web app, ``WEB_*``, and the patient pages, ``PATIENT_*``) are
configured with, read the same way. Each app's settings class sets its ``env_prefix`` and the
defaults that differ: its port (``port: Port = 8080``), how long a gateway request and a session
may take, its development secrets and where its front-end packages are."""

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import SecretStr

from cohort_platform.settings import Port, ServiceSettings

# ``Port`` is passed on: the apps may not import cohort_platform themselves (import-linter).
__all__ = ["PageAppSettings", "Port", "check_secrets"]


class PageAppSettings(ServiceSettings):
    #: Port of the pages and ``/healthz``.
    port: Port
    #: ``production`` refuses the development secrets and cookies without HTTPS.
    environment: Literal["development", "production"] = "development"

    #: The gateway's public API (``/v1``); the app reads and writes only through it.
    gateway_url: str = "http://127.0.0.1:8000"
    #: Timeout of one gateway request.
    gateway_timeout_s: float

    #: Signs the session cookie (itsdangerous); 32 bytes or more.
    session_secret: SecretStr
    #: A session lasts this long.
    session_max_age_s: int
    #: Send the session cookie over HTTPS only (required in production).
    secure_cookies: bool = False

    #: Let the NHS.UK frontend load its Frutiger font from assets.nhs.uk (off: system fonts;
    #: the tests turn it off so that no browser they drive reaches outside this machine).
    nhs_fonts: bool = True
    #: The front-end packages from npm (``make setup`` installs them; never committed).
    node_modules: Path


def check_secrets(
    prefix: str,
    *,
    production: bool,
    secure_cookies: bool,
    secrets: Mapping[str, tuple[str, str]],
) -> None:
    """``secrets``: each setting's name, its value and its development default. Each must be
    32 bytes or more; in production none may be its development default and the cookies must
    be HTTPS-only. A ValueError names the environment variable to fix."""
    for name, (value, _) in secrets.items():
        if len(value.encode()) < 32:
            raise ValueError(f"{prefix}{name.upper()} must be at least 32 bytes")
    if not production:
        return
    for name, (value, development) in secrets.items():
        if value == development:
            raise ValueError(f"set {prefix}{name.upper()} in production")
    if not secure_cookies:
        raise ValueError(f"{prefix}SECURE_COOKIES must be on in production (HTTPS)")
