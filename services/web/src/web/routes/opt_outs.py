"""The organisation's opt-out list: patients who replied STOP, used an email's unsubscribe link,
or whom staff added. No campaign messages them. Removing one is only for the patient's own
request, so it asks first."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cohort_http.session_forms import make_form, posted_form, see_other

from ..api_client import NotFound
from ..api_views import Suppression
from ..forms import ActionForm, OptOutForm
from .common import Page, PageDep, check_action, render, submit

router = APIRouter()

#: How each opt-out came about, in staff's words.
SOURCES = {
    "reply": "Replied STOP",
    "email_link": "Unsubscribed from an email",
    "staff": "Added by staff",
}


@router.get("/opt-outs")
async def opt_outs_page(request: Request, page: PageDep) -> Response:
    context = {
        "nav": "opt-outs",
        "opt_outs": await page.api.suppressions(),
        "SOURCES": SOURCES,
        "done": request.query_params.get("done", ""),
    }
    return render(request, "opt_outs/list.html", context)


@router.get("/opt-outs/new")
async def new_opt_out_page(request: Request, page: PageDep) -> Response:
    return _new_page(request, make_form(request, OptOutForm))


@router.post("/opt-outs/new")
async def add_opt_out(request: Request, page: PageDep) -> Response:
    form = await posted_form(request, OptOutForm)
    added = await submit(
        form, lambda: page.api.add_suppression(form.contact.data or ""), lambda _: "contact"
    )
    if added is not None:
        return see_other("/opt-outs?done=added")
    return _new_page(request, form, status=400)


def _new_page(request: Request, form: OptOutForm, *, status: int = 200) -> Response:
    return render(request, "opt_outs/new.html", {"nav": "opt-outs", "form": form}, status)


async def _opt_out(page: Page, suppression_id: str) -> Suppression:
    found = next((s for s in await page.api.suppressions() if s.id == suppression_id), None)
    if found is None:
        raise NotFound(404, "not_found", "No such opt-out.", {})
    return found


@router.get("/opt-outs/{suppression_id}/remove")
async def remove_page(request: Request, suppression_id: str, page: PageDep) -> Response:
    context = {
        "nav": "opt-outs",
        "opt_out": await _opt_out(page, suppression_id),
        "form": make_form(request, ActionForm),
    }
    return render(request, "opt_outs/remove.html", context)


@router.post("/opt-outs/{suppression_id}/remove")
async def remove(request: Request, suppression_id: str, page: PageDep) -> Response:
    await check_action(request)
    await page.api.remove_suppression((await _opt_out(page, suppression_id)).id)
    return see_other("/opt-outs?done=removed")
