"""Response headers for every page and file of the web app and the patient pages: a
Content-Security-Policy that allows no inline script (nor inline style, nor any other origin),
no framing, no sniffing, no referrer; pages (not static files) are never cached."""

from collections.abc import Mapping

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .http_middleware import HttpMiddleware

#: Where the NHS.UK frontend's CSS loads the Frutiger font from (NHS services only).
NHS_FONTS = "https://assets.nhs.uk"


def csp(font_origin: str | None) -> str:
    fonts = f"'self' {font_origin}" if font_origin else "'self'"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            f"font-src {fonts}",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), geolocation=(), microphone=(), payment=(), usb=()",
}


#: Where the apps serve static files from: these may be cached.
STATIC_PREFIXES = ("/assets/", "/nhsuk/", "/static/", "/vendor/")


class SecurityHeaders(HttpMiddleware):
    def __init__(
        self,
        app: ASGIApp,
        *,
        hsts: bool = False,
        font_origin: str | None = None,
        static_prefixes: tuple[str, ...] = STATIC_PREFIXES,
    ):
        super().__init__(app)
        self.hsts = hsts
        self.csp = csp(font_origin)
        self.static_prefixes = static_prefixes

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = {"Content-Security-Policy": self.csp, **HEADERS}
        if self.hsts:
            headers["Strict-Transport-Security"] = "max-age=31536000"
        if not str(scope.get("path", "")).startswith(self.static_prefixes):
            # Pages can show patient data: never kept by the browser or a proxy.
            headers["Cache-Control"] = "no-store"
        await self.app(scope, receive, with_default_headers(send, headers))


def with_default_headers(send: Send, headers: Mapping[str, str]) -> Send:
    """``send``, setting each of ``headers`` on the response's start unless the app set it
    itself (a route that chose its own, e.g. a cache policy, keeps it)."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            response_headers = MutableHeaders(scope=message)
            for name, value in headers.items():
                response_headers.setdefault(name, value)
        await send(message)

    return sending
