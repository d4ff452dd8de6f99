"""A hand-written fake of the gateway's /v1 API, in memory, for page tests: the same paths,
shapes, error body and tenancy (another organisation's campaign is a 404) as the real one."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import jwt
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

JWT_SECRET = "test-web-jwt-secret-that-is-long-enough-for-hs256"
NETWORKS = {"U12345": ["A81001", "A81002"]}
NAMES = {
    "A81001": "Example Surgery",
    "A81002": "Riverside Medical Centre",
    "B82002": "Hillview Practice",
    "U12345": "Example Primary Care Network",
}


def now() -> str:
    return datetime.now(UTC).isoformat()


def error(status: int, code: str, message: str, **details: Any) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details}}
    return JSONResponse(body, status_code=status)


def one_page(items: list[dict[str, Any]], page: int, page_size: int) -> dict[str, Any]:
    """A page of ``items`` as the gateway's list routes answer it."""
    start = (page - 1) * page_size
    return {
        "items": items[start : start + page_size],
        "total": len(items),
        "page": page,
        "page_size": page_size,
    }


def make_recipient(**fields: Any) -> dict[str, Any]:
    """A recipient as the gateway's API answers it: a delivered text to Ann Jones."""
    return {
        "id": uuid4().hex,
        "list_id": str(uuid4()),
        "row_number": 1,
        "nhs_number": "9434765919",
        "given_name": "Ann",
        "family_name": "Jones",
        "channel": "sms",
        "contact": "447700900123",
        "status": "delivered",
        "reason_code": None,
        "reason": None,
        "updated_at": now(),
        "reply": None,
        "replied_at": None,
        "link_opened_at": None,
    } | fields


class Refused(Exception):
    def __init__(self, response: JSONResponse) -> None:
        self.response = response


class FakeGateway:
    def __init__(self) -> None:
        #: (issuer, audience) of an OpenID Connect provider whose ID tokens to accept instead.
        self.oidc: tuple[str, str] | None = None
        #: What /v1/me says the signed-in user may do.
        self.roles: list[str] = ["sender", "viewer"]
        self.campaigns: dict[str, dict[str, Any]] = {}
        self.lists: dict[str, dict[str, Any]] = {}
        self.unsuccessful: dict[str, str] = {}
        self.recipients: dict[str, list[dict[str, Any]]] = {}
        self.templates: dict[str, dict[str, Any]] = {
            "builtin:flu": {
                "id": "builtin:flu",
                "name": "Flu vaccination",
                "type": "basic",
                "body": "Hello ((first_name)), your flu vaccination is due at ((practice_name)).",
                "subject": None,
                "version": 1,
                "builtin": True,
            }
        }
        self.audit: dict[str, list[dict[str, Any]]] = {}
        #: Names the gateway's audit views give (user id -> name).
        self.people: dict[str, str] = {}
        self.suppressions: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, dict[str, str], Any]] = []
        self.review_overrides: dict[str, Any] = {}
        #: Sends to more patients than this wait for approval (None: never).
        self.approval_above: int | None = None
        #: The time a send's ``send_at`` is checked against (None: the real time now).
        self.clock: datetime | None = None
        self.down = False
        self.reject_tokens = False
        #: Recipient id -> what they did with their link (``/activity``).
        self.activity: dict[str, dict[str, Any]] = {}
        #: Recipient ids an earlier send-again took (each patient is sent again once only).
        self.sent_again: set[str] = set()
        #: Campaign cannot count who to send again to just now (``/send-again`` answers 500).
        self.send_again_broken = False
        self.app = self._build()

    def _check_send_at(self, send_at: datetime) -> None:
        """The campaign service's limits on a scheduled send, in its words."""
        current = self.clock or datetime.now(UTC)
        if send_at <= current:
            raise Refused(
                error(422, "invalid", "Choose a time in the future to send.", field="send_at")
            )
        if send_at - current > timedelta(days=7):
            message = "A send can be scheduled up to 7 days ahead."
            raise Refused(error(422, "invalid", message, field="send_at"))

    # -- builders ---------------------------------------------------------------------
    def add_campaign(self, org: str = "A81001", **fields: Any) -> dict[str, Any]:
        campaign = {
            "id": str(uuid4()),
            "org_id": org,
            "name": "Flu clinic",
            "type": "basic",
            "status": "draft",
            "created_by": "priya.shah",
            "created_at": now(),
            "message": None,
            "counts": {
                "recipients": 0,
                "queued": 0,
                "sent": 0,
                "delivered": 0,
                "failed": 0,
                "cancelled": 0,
                "outcome_unknown": 0,
            },
            "allow_replies": False,
            "booking": None,
            "questionnaire": None,
            "paused_reason": None,
            "template_id": None,
        } | fields
        self.campaigns[campaign["id"]] = campaign
        self.audit[campaign["id"]] = [
            {"at": now(), "actor": campaign["created_by"], "action": "created", "details": {}}
        ]
        self.recipients.setdefault(campaign["id"], [])
        return campaign

    def add_list(self, campaign: dict[str, Any], **fields: Any) -> dict[str, Any]:
        patient_list = {
            "id": str(uuid4()),
            "campaign_id": campaign["id"],
            "channel": "sms",
            "filename": "flu-list.csv",
            "status": "complete",
            "total_rows": 3,
            "processed_rows": 3,
            "succeeded": 2,
            "failed": 1,
            "failed_by_reason": [
                {
                    "reason_code": "DATE_OF_BIRTH_MISMATCH",
                    "reason": "The date of birth does not match PDS. Check it in your "
                    "clinical system.",
                    "count": 1,
                }
            ],
            "created_at": now(),
        } | fields
        self.lists[patient_list["id"]] = patient_list
        self.unsuccessful[patient_list["id"]] = (
            "NHS Number,Date of Birth,row_number,reason_code,reason\r\n"
            "9434765919,01/01/1901,3,DATE_OF_BIRTH_MISMATCH,The date of birth does not match\r\n"
        )
        return patient_list

    def add_recipient(self, campaign: dict[str, Any], **fields: Any) -> dict[str, Any]:
        list_id = next(
            (lid for lid, p in self.lists.items() if p["campaign_id"] == campaign["id"]),
            str(uuid4()),
        )
        row_number = len(self.recipients[campaign["id"]]) + 1
        added = make_recipient(**({"list_id": list_id, "row_number": row_number} | fields))
        self.recipients[campaign["id"]].append(added)
        return added

    def add_template(self, org: str = "A81001", **fields: Any) -> dict[str, Any]:
        template = {
            "id": uuid4().hex,
            "name": "Our reminder",
            "type": "basic",
            "body": "Dear ((first_name)), please call us.",
            "subject": None,
            "version": 1,
            "builtin": False,
            "archived": False,
            "org_id": org,
        } | fields
        self.templates[template["id"]] = template
        return template

    def add_suppression(self, org: str = "A81001", **fields: Any) -> dict[str, Any]:
        suppression: dict[str, Any] = {
            "id": uuid4().hex,
            "org_id": org,
            "contact": "447700900123",
            "source": "reply",
            "active": True,
            "created_at": now(),
            "updated_at": now(),
            "history": [{"action": "added", "source": "reply", "by": "patient", "at": now()}],
        } | fields
        self.suppressions[suppression["id"]] = suppression
        return suppression

    def last(self, method: str, path_end: str) -> Any:
        for m, path, _headers, body in reversed(self.requests):
            if m == method and path.endswith(path_end):
                return body
        raise AssertionError(f"no {method} …{path_end}")

    # -- the API ----------------------------------------------------------------------
    def _build(self) -> FastAPI:  # noqa: C901 - one small handler per route
        app = FastAPI()
        fake = self

        @app.middleware("http")
        async def record(request: Request, call_next: Any) -> Response:
            if fake.down:
                return error(503, "unavailable", "The campaign service did not answer in time.")
            body = await request.body()
            parsed: Any = None
            if request.headers.get("content-type", "").startswith("application/json"):
                parsed = json.loads(body or b"null")
            fake.requests.append((request.method, request.url.path, dict(request.headers), parsed))
            try:
                return await call_next(request)  # type: ignore[no-any-return]
            except Refused as exc:
                return exc.response

        @app.exception_handler(Refused)
        async def refused(request: Request, exc: Refused) -> JSONResponse:
            return exc.response

        @app.get("/v1/me")
        async def me(request: Request) -> dict[str, Any]:
            org, _ = fake._identity(request)
            practices = NETWORKS.get(org, [org])
            return {
                "user": "someone",
                "organisation": {"ods": org, "name": NAMES.get(org)},
                "is_network": org in NETWORKS,
                "practices": [{"ods": p, "name": NAMES.get(p)} for p in practices],
                "roles": fake.roles,
            }

        @app.get("/v1/campaigns")
        async def campaigns(
            request: Request, status: str | None = None, page: int = 1, page_size: int = 50
        ) -> dict[str, Any]:
            orgs = fake._readable(request)
            items = [
                c
                for c in fake.campaigns.values()
                if c["org_id"] in orgs and status in (None, c["status"])
            ]
            return one_page(items, page, page_size)

        @app.post("/v1/campaigns", status_code=201)
        async def create(request: Request) -> dict[str, Any]:
            org = fake._acting(request)
            body = await request.json()
            if body["name"] == "Break it":
                raise Refused(error(422, "invalid", "The name is not allowed.", field="name"))
            return fake.add_campaign(
                org,
                name=body["name"],
                type=body["type"],
                booking=body.get("booking"),
                questionnaire=body.get("questionnaire"),
                allow_replies=body.get("allow_replies", False),
                created_by=fake._identity(request)[1],
            )

        @app.get("/v1/campaigns/{cid}")
        async def campaign(request: Request, cid: UUID) -> dict[str, Any]:
            return fake._campaign(request, cid)

        @app.get("/v1/campaigns/{cid}/patient-lists")
        async def lists(request: Request, cid: UUID) -> dict[str, Any]:
            fake._campaign(request, cid)
            items = [p for p in fake.lists.values() if p["campaign_id"] == str(cid)]
            return {"campaign_id": str(cid), "items": items}

        @app.post("/v1/campaigns/{cid}/patient-lists", status_code=202)
        async def upload(request: Request, cid: UUID) -> dict[str, Any]:
            campaign = fake._campaign(request, cid)
            fake._acting(request)
            form = await request.form()
            upload = form["file"]
            content = await upload.read()  # type: ignore[union-attr]
            if b"NHS" not in content:
                raise Refused(
                    error(
                        422,
                        "missing_column",
                        "The file has no NHS number column. Add a column headed NHS number.",
                    )
                )
            rows = content.count(b"\n")
            if b"NOT QUEUED" in content:
                # As the gateway: registered, but the rows could not all be queued.
                stuck = fake.add_list(campaign, filename=upload.filename, status="resolving")  # type: ignore[union-attr]
                raise Refused(
                    error(503, "unavailable", "Not all rows queued.", list_id=stuck["id"])
                )
            return fake.add_list(
                campaign,
                filename=upload.filename,  # type: ignore[union-attr]
                channel=form["channel"],
                status="resolving",
                total_rows=rows,
                processed_rows=0,
                succeeded=0,
                failed=0,
                failed_by_reason=[],
            )

        @app.get("/v1/campaigns/{cid}/patient-lists/{lid}")
        async def one_list(request: Request, cid: UUID, lid: UUID) -> dict[str, Any]:
            fake._campaign(request, cid)
            found = fake.lists.get(str(lid))
            if found is None or found["campaign_id"] != str(cid):
                raise Refused(error(404, "not_found", "Patient list not found."))
            return found

        @app.delete("/v1/campaigns/{cid}/patient-lists/{lid}")
        async def remove_list(request: Request, cid: UUID, lid: UUID) -> dict[str, Any]:
            # As campaign: only a draft's most recent list, with the patients it added.
            campaign = fake._campaign(request, cid)
            await one_list(request, cid, lid)
            if "sender" not in fake.roles:
                raise Refused(error(403, "forbidden", "You need the sender role to do this."))
            if campaign["status"] != "draft":
                raise Refused(
                    error(409, "conflict", "This campaign has been sent, so its lists stay.")
                )
            ours = [i for i, p in fake.lists.items() if p["campaign_id"] == str(cid)]
            if ours[-1] != str(lid):
                raise Refused(
                    error(
                        409,
                        "conflict",
                        "Only the most recently uploaded list can be removed. Remove the "
                        "lists uploaded after it first.",
                    )
                )
            del fake.lists[str(lid)]
            fake.unsuccessful.pop(str(lid), None)
            fake.recipients[str(cid)] = [
                r for r in fake.recipients[str(cid)] if r["list_id"] != str(lid)
            ]
            return campaign

        @app.get("/v1/campaigns/{cid}/patient-lists/{lid}/unsuccessful.csv")
        async def unsuccessful(request: Request, cid: UUID, lid: UUID) -> Response:
            await one_list(request, cid, lid)
            return Response(
                fake.unsuccessful[str(lid)],
                media_type="text/csv; charset=utf-8",
                headers={
                    "Content-Disposition": f'attachment; filename="unsuccessful-rows-{lid}.csv"'
                },
            )

        @app.get("/v1/templates")
        async def templates(
            request: Request, type: str | None = None, include_archived: bool = False
        ) -> dict[str, Any]:
            orgs = fake._readable(request)
            items = [
                t
                for t in fake.templates.values()
                if (t["builtin"] or t["org_id"] in orgs)
                and type in (None, t["type"])
                and (include_archived or not t.get("archived"))
            ]
            return {"items": items}

        @app.post("/v1/templates", status_code=201)
        async def new_template(request: Request) -> dict[str, Any]:
            org = fake._acting(request)
            body = await request.json()
            return fake.add_template(org, **body)

        @app.put("/v1/templates/{tid}")
        async def change_template(request: Request, tid: str) -> dict[str, Any]:
            template = fake._template(request, tid)
            body = await request.json()
            template |= {k: v for k, v in body.items() if v is not None}
            template["version"] += 1
            return template

        @app.post("/v1/templates/{tid}/archive")
        async def archive_template(request: Request, tid: str) -> dict[str, Any]:
            template = fake._template(request, tid)
            template["archived"] = True
            return template

        @app.get("/v1/suppressions")
        async def suppressions(request: Request) -> dict[str, Any]:
            orgs = fake._readable(request)
            items = [s for s in fake.suppressions.values() if s["org_id"] in orgs and s["active"]]
            return {"items": items}

        @app.post("/v1/suppressions", status_code=201)
        async def add_suppression(request: Request) -> dict[str, Any]:
            org = fake._acting(request)
            contact = (await request.json())["contact"]
            if "@" not in contact and not contact.replace(" ", "").startswith("07"):
                raise Refused(
                    error(422, "invalid", "Enter a UK mobile number, like 07700 900123.",
                          field="contact")
                )  # fmt: skip
            return fake.add_suppression(org, contact=contact, source="staff")

        @app.delete("/v1/suppressions/{sid}")
        async def remove_suppression(request: Request, sid: str) -> dict[str, Any]:
            found = fake.suppressions.get(sid)
            if found is None or found["org_id"] not in fake._readable(request):
                raise Refused(error(404, "not_found", "Opt-out not found."))
            found["active"] = False
            return found

        @app.put("/v1/campaigns/{cid}/message")
        async def message(request: Request, cid: UUID) -> dict[str, Any]:
            campaign = fake._campaign(request, cid)
            body = await request.json()
            if "template_id" in body:
                template = fake.templates[body["template_id"]]
                campaign["message"] = {"body": template["body"], "subject": template["subject"]}
                campaign["template_id"] = template["id"]
            else:
                if "((link))" in body["body"] and campaign["type"] == "basic":
                    raise Refused(
                        error(422, "invalid", "A basic campaign has no link.", field="body")
                    )
                campaign["message"] = {"body": body["body"], "subject": body.get("subject")}
            return campaign

        @app.get("/v1/campaigns/{cid}/review")
        async def review(request: Request, cid: UUID) -> dict[str, Any]:
            campaign = fake._campaign(request, cid)
            ready = [r for r in fake.recipients[str(cid)] if r["status"] == "ready"]
            body = (campaign["message"] or {}).get("body", "")
            return {
                "campaign_id": str(cid),
                "status": campaign["status"],
                "recipient_count": len(ready),
                "recipients_by_channel": {"sms": len(ready)} if ready else {},
                "excluded_by_reason": [],
                "previews": [
                    {
                        "recipient_id": r["id"],
                        "body": body.replace("((first_name))", r["given_name"]),
                        "fragments": 1,
                    }
                    for r in ready[:3]
                ],
                "total_fragments": len(ready),
                "lists_resolving": 0,
                "largest_message_fragments": 1,
                "largest_message_characters": len(body),
                "non_gsm_characters": [],
                "too_long": [],
                "credit_balance": 1000,
                "credits_needed": len(ready),
            } | fake.review_overrides

        @app.post("/v1/campaigns/{cid}/test-send", status_code=202)
        async def test_send(request: Request, cid: UUID) -> dict[str, Any]:
            campaign = fake._campaign(request, cid)
            body = await request.json()
            if body["to"].startswith("0800"):
                raise Refused(error(422, "invalid", "Enter a UK mobile number, like 07700900123."))
            return {"to": body["to"], "body": campaign["message"]["body"], "fragments": 1}

        @app.post("/v1/campaigns/{cid}/send", status_code=202)
        async def send(request: Request, cid: UUID) -> dict[str, Any]:
            campaign = fake._campaign(request, cid)
            body = await request.json()
            ready = [r for r in fake.recipients[str(cid)] if r["status"] == "ready"]
            if body["confirm_recipient_count"] != len(ready):
                raise Refused(error(409, "conflict", "The count changed. Review it again."))
            if body.get("send_at"):
                fake._check_send_at(datetime.fromisoformat(body["send_at"]))
            campaign["status"] = "sending"
            campaign["send_requested_by"] = "priya.shah"
            if body.get("send_at"):
                campaign["status"], campaign["send_at"] = "scheduled", body["send_at"]
            if fake.approval_above is not None and len(ready) > fake.approval_above:
                campaign["status"] = "awaiting_approval"
            details = {"recipients": len(ready)}
            fake.audit[str(cid)].append(
                {"at": now(), "actor": "priya.shah", "action": "sent", "details": details}
            )
            return campaign

        @app.post("/v1/campaigns/{cid}/approve", status_code=202)
        async def approve(request: Request, cid: UUID) -> dict[str, Any]:
            campaign = fake._campaign(request, cid)
            body = await request.json()
            _, user = fake._identity(request)
            if user == campaign.get("send_requested_by"):
                raise Refused(error(403, "forbidden", "Someone else must approve this campaign."))
            campaign["status"], campaign["approved_by"] = "sending", user
            return campaign | {"confirmed": body["confirm_recipient_count"]}

        @app.post("/v1/campaigns/{cid}/send-back")
        async def send_back(request: Request, cid: UUID) -> dict[str, Any]:
            campaign = fake._campaign(request, cid)
            body = await request.json()
            _, user = fake._identity(request)
            if campaign["status"] != "awaiting_approval":
                raise Refused(
                    error(409, "conflict", "Only one awaiting approval can be sent back.")
                )
            campaign |= {
                "status": "draft",
                "sent_back_by": user,
                "sent_back_reason": body["reason"],
            }
            return campaign

        @app.post("/v1/campaigns/{cid}/review/exclude-recently-messaged")
        async def leave_out(request: Request, cid: UUID) -> dict[str, Any]:
            fake._campaign(request, cid)
            fake.review_overrides.pop("repeat_warning", None)
            return await review(request, cid)

        @app.post("/v1/campaigns/{cid}/cancel", status_code=202)
        async def cancel(request: Request, cid: UUID) -> dict[str, Any]:
            campaign = fake._campaign(request, cid)
            campaign["status"] = "cancelled"
            return campaign

        @app.post("/v1/campaigns/{cid}/resume", status_code=202)
        async def resume(request: Request, cid: UUID) -> dict[str, Any]:
            campaign = fake._campaign(request, cid)
            campaign["status"], campaign["paused_reason"] = "sending", None
            return campaign

        @app.get("/v1/campaigns/{cid}/send-again")
        async def send_again_summary(request: Request, cid: UUID) -> dict[str, Any]:
            campaign = fake._campaign(request, cid)
            if fake.send_again_broken:
                raise Refused(error(500, "internal", "Something went wrong."))
            return fake._send_again(campaign)

        @app.post("/v1/campaigns/{cid}/send-again", status_code=201)
        async def send_again(request: Request, cid: UUID) -> dict[str, Any]:
            source = fake._campaign(request, cid)
            summary = fake._send_again(source)
            if summary["cannot_because"] is not None:
                raise Refused(error(409, "conflict", summary["cannot_because"]))
            name = (await request.json())["name"]
            if not 1 <= len(name) <= 200:
                raise Refused(error(422, "invalid", "Enter a name.", fields=["body.name"]))
            fake.sent_again |= {r["id"] for r in fake._unreached(source)}
            return fake.add_campaign(
                source["org_id"],
                name=name,
                type=source["type"],
                message=source["message"],
                created_by=fake._identity(request)[1],
                follows_up=source["id"],
            )

        @app.get("/v1/campaigns/{cid}/audit")
        async def audit(request: Request, cid: UUID) -> dict[str, Any]:
            fake._campaign(request, cid)
            entries = fake.audit[str(cid)]
            return {"campaign_id": str(cid), "entries": entries, "people": fake.people}

        @app.get("/v1/campaigns/{cid}/recipients")
        async def recipients(
            request: Request,
            cid: UUID,
            status: str | None = None,
            page: int = 1,
            page_size: int = 100,
        ) -> dict[str, Any]:
            fake._campaign(request, cid)
            items = [r for r in fake.recipients[str(cid)] if status in (None, r["status"])]
            return one_page(items, page, page_size)

        @app.get("/v1/campaigns/{cid}/recipients.csv")
        async def recipients_csv(request: Request, cid: UUID) -> Response:
            fake._campaign(request, cid)
            rows = "".join(
                f"{r['nhs_number']},{r['status']}\r\n" for r in fake.recipients[str(cid)]
            )
            return Response(
                "nhs_number,status\r\n" + rows,
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="recipients-{cid}.csv"'},
            )

        @app.get("/v1/campaigns/{cid}/recipients/{rid}")
        async def recipient(request: Request, cid: UUID, rid: str) -> dict[str, Any]:
            fake._campaign(request, cid)
            for r in fake.recipients[str(cid)]:
                if r["id"] == rid:
                    return r
            raise Refused(error(404, "not_found", "Patient not found in this campaign."))

        @app.get("/v1/campaigns/{cid}/recipients/{rid}/activity")
        async def activity(request: Request, cid: UUID, rid: str) -> dict[str, Any]:
            fake._campaign(request, cid)
            return {"recipient_id": rid, "events": [], **fake.activity.get(rid, {})}

        @app.get("/v1/campaigns/{cid}/events")
        async def events(request: Request, cid: UUID) -> StreamingResponse:
            campaign = fake._campaign(request, cid)

            async def stream() -> Any:
                data = {"status": campaign["status"], "counts": campaign["counts"]}
                yield f"id: 1\nevent: progress\ndata: {json.dumps(data)}\n\n"

            return StreamingResponse(stream(), media_type="text/event-stream")

        return app

    # -- sending again ----------------------------------------------------------------
    #: Failures another try may get past, as campaign counts them.
    RETRYABLE = frozenset({"PHONE_NOT_REACHABLE", "NETWORK_ERROR", "PROVIDER_UNAVAILABLE"})

    def _unreached(self, campaign: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            r
            for r in self.recipients[campaign["id"]]
            if r["status"] == "failed"
            and r["reason_code"] in self.RETRYABLE
            and r["id"] not in self.sent_again
        ]

    def _send_again(self, campaign: dict[str, Any]) -> dict[str, Any]:
        unreached = self._unreached(campaign)
        by_reason: dict[str, int] = {}
        for r in unreached:
            by_reason[r["reason_code"]] = by_reason.get(r["reason_code"], 0) + 1
        cannot = None
        if campaign["status"] != "completed":
            cannot = "You can send a campaign again once it has finished sending."
        elif not unreached:
            cannot = "Everyone this campaign did not reach has already been sent it again."
        return {
            "campaign_id": campaign["id"],
            "patients": len(unreached),
            "by_reason": [{"reason_code": k, "count": v} for k, v in by_reason.items()],
            "cannot_because": cannot,
        }

    # -- tenancy ----------------------------------------------------------------------
    def _identity(self, request: Request) -> tuple[str, str]:
        if self.reject_tokens:
            raise Refused(error(401, "unauthorized", "The token has expired. Sign in again."))
        _scheme, _, token = request.headers.get("authorization", "").partition(" ")
        try:
            if self.oidc is not None:  # the provider's ID tokens, as the real gateway takes them
                issuer, audience = self.oidc
                key = jwt.PyJWKClient(issuer + "/jwks").get_signing_key_from_jwt(token)
                claims = jwt.decode(
                    token, key, algorithms=["RS256"], audience=audience, issuer=issuer
                )
                return str(claims["org"]), str(claims["sub"])
            claims = jwt.decode(
                token, JWT_SECRET, algorithms=["HS256"], audience="cohort-gateway", issuer="cohort"
            )
        except jwt.InvalidTokenError:
            raise Refused(error(401, "unauthorized", "The token is not valid.")) from None
        return str(claims["org"]), str(claims["sub"])

    def _readable(self, request: Request) -> list[str]:
        org, _ = self._identity(request)
        named = request.headers.get("x-act-for-org")
        members = NETWORKS.get(org, [org])
        if named:
            if named not in members:
                raise Refused(
                    error(
                        404,
                        "not_found",
                        f"There is no practice {named} among those you may act for.",
                    )
                )
            return [named]
        return members

    def _acting(self, request: Request) -> str:
        org, _ = self._identity(request)
        named = request.headers.get("x-act-for-org")
        if org in NETWORKS and not named:
            raise Refused(error(422, "invalid", "Name the practice you act for."))
        return self._readable(request)[0] if named else org

    def _campaign(self, request: Request, cid: UUID) -> dict[str, Any]:
        campaign = self.campaigns.get(str(cid))
        if campaign is None or campaign["org_id"] not in self._readable(request):
            raise Refused(error(404, "not_found", "Campaign not found."))
        return campaign

    def _template(self, request: Request, tid: str) -> dict[str, Any]:
        template = self.templates.get(tid)
        if (
            template is None
            or template["builtin"]
            or template["org_id"] not in self._readable(request)
        ):
            raise Refused(error(404, "not_found", "Template not found."))
        return template
