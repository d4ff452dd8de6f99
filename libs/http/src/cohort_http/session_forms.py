"""Forms of the page apps (the web app's and the patient pages'): each carries a CSRF token,
WTForms' ``SessionCSRF`` (an HMAC, under the app's session secret, of a value kept in the
signed session cookie, with a time limit), and a post whose token fails is refused whole."""

from typing import Any, TypeVar, cast

from fastapi import Request
from fastapi.responses import RedirectResponse
from wtforms import Form
from wtforms.csrf.session import SessionCSRF

from .page_settings import PageAppSettings


class SessionForm(Form):
    """A form made for one request's session. An app's forms set their token's lifetime,
    ``csrf_time_limit``, in a ``Meta`` of their own (WTForms merges it with this one)."""

    class Meta:
        csrf = True
        csrf_class = SessionCSRF

    def __init__(self, formdata: Any = None, *, secret: bytes, session: Any, **kwargs: Any):
        super().__init__(formdata, meta={"csrf_secret": secret, "csrf_context": session}, **kwargs)

    @property
    def csrf_failed(self) -> bool:
        return bool(self["csrf_token"].errors)


F = TypeVar("F", bound=SessionForm)


class CsrfFailed(Exception):
    """The form's token is missing, forged or too old: the page has expired."""


def make_form(request: Request, kind: type[F], formdata: Any = None, **kw: Any) -> F:
    """A ``kind`` form for this request's session (``formdata``: what was posted, if anything)."""
    settings = cast(PageAppSettings, request.app.state.settings)
    secret = settings.session_secret.get_secret_value().encode()
    return kind(formdata, secret=secret, session=request.session, **kw)


def validated(form: F) -> F:
    """``form`` validated (set any choices first); a failed CSRF check raises ``CsrfFailed``."""
    form.validate()
    if form.csrf_failed:
        raise CsrfFailed()
    return form


async def posted_form(request: Request, kind: type[F], **kw: Any) -> F:
    """The form as posted, validated; a failed CSRF check raises ``CsrfFailed``."""
    return validated(make_form(request, kind, await request.form(), **kw))


def see_other(url: str) -> RedirectResponse:
    """After a post, the page to go to (303: the browser follows it with a GET)."""
    return RedirectResponse(url, status_code=303)
