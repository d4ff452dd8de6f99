"""Response headers on everything the gateway answers: the API's JSON and CSV may hold patient
data, so nothing may frame it, sniff it into something else, send it on as a referrer or keep
it in a cache; the offline API docs (Swagger UI, ReDoc) get a policy that lets their own
scripts run and nothing from elsewhere. HSTS when the gateway is reached over TLS."""

from starlette.types import ASGIApp, Receive, Scope, Send

from cohort_http.http_middleware import HttpMiddleware
from cohort_http.security_headers import with_default_headers

#: JSON and CSV: nothing in them is ever to be run or loaded by a browser.
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
#: Swagger UI and ReDoc start themselves with an inline script (FastAPI's pages); their files
#: come from the gateway itself (fastapi-offline), never a CDN.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'"
)
DOCS = ("/docs", "/redoc", "/static-offline-docs")
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"


class SecurityHeaders(HttpMiddleware):
    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        super().__init__(app)
        #: Always send HSTS (the gateway is behind a TLS-terminating proxy).
        self.hsts = hsts

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        docs = str(scope.get("path", "")).startswith(DOCS)
        headers = {"Content-Security-Policy": DOCS_POLICY if docs else API_POLICY, **HEADERS}
        if not docs:
            headers["Cache-Control"] = "no-store"
        if self.hsts or scope.get("scheme") == "https":
            headers["Strict-Transport-Security"] = HSTS
        await self.app(scope, receive, with_default_headers(send, headers))
