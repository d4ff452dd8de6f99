"""A local OpenID Connect provider for tests: ``oidc-provider-mock`` (PyPI), run by ``uv tool
run`` in an environment of its own, since it needs Python 3.12+ and Flask, neither of which is
Cohort's. It signs ID tokens with an RSA key it makes when it starts, so a restart is a key
rotation. Tests skip, saying why, where no Python 3.12+ is installed."""

import glob
import json
import os
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from .child_server import ChildServer

PACKAGE = "oidc-provider-mock==0.4.8"


def python_for_the_provider() -> str | None:
    """An installed interpreter the provider runs on (3.12 or later), if any."""
    candidates = [os.environ.get("OIDC_PROVIDER_PYTHON", "")]
    candidates += sorted(glob.glob(str(Path.home() / ".pyenv/versions/3.1[2-9]*/bin/python3")))
    candidates += [shutil.which(f"python3.{minor}") or "" for minor in (12, 13, 14)]
    for candidate in filter(None, candidates):
        probe = [candidate, "-c", "import sys; sys.exit(sys.version_info < (3, 12))"]
        if subprocess.run(probe, capture_output=True, check=False).returncode == 0:
            return candidate
    return None


class OidcProvider(ChildServer):
    """``users``: claims of the users it signs in (each with ``sub``)."""

    def __init__(
        self, python: str, log_dir: Path, users: list[dict[str, Any]], token_max_age_s: int = 300
    ) -> None:
        super().__init__("oidc-provider", log_dir, None)
        self.python = python
        self.users = users
        self.token_max_age_s = token_max_age_s

    @property
    def issuer(self) -> str:
        return self.url

    def start(self) -> "OidcProvider":
        uv = shutil.which("uv") or str(Path.home() / ".local/bin/uv")
        command = [uv, "tool", "run", "--python", self.python, "--from", PACKAGE]
        command += ["oidc-provider-mock", "--port", str(self.port)]
        command += ["--token-max-age", str(self.token_max_age_s)]
        for user in self.users:
            command += ["--user-claims", json.dumps(user)]
        self._run(command, {}, "/.well-known/openid-configuration", 120)
        return self

    def id_token(self, sub: str, client_id: str) -> str:
        """Sign ``sub`` in as a browser would (authorize, pick the user, exchange the code)."""
        redirect = "http://client.test/callback"
        query = urllib.parse.urlencode(
            {
                "client_id": client_id,
                "response_type": "code",
                "redirect_uri": redirect,
                "scope": "openid profile email",
                "state": "s",
                "nonce": "n",
            }
        )
        form = urllib.parse.urlencode({"sub": sub}).encode()
        request = urllib.request.Request(f"{self.issuer}/oauth2/authorize?{query}", data=form)
        location = _redirect_of(request)
        code = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["code"][0]
        exchange = urllib.parse.urlencode(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect,
                "client_id": client_id,
                "client_secret": "any",
            }
        ).encode()
        with urllib.request.urlopen(f"{self.issuer}/oauth2/token", data=exchange) as response:
            return str(json.load(response)["id_token"])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _redirect_of(request: urllib.request.Request) -> str:
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(request)
    except urllib.error.HTTPError as exc:
        if exc.code in (302, 303):
            return str(exc.headers["Location"])
        raise
    raise AssertionError("the provider did not redirect back")
