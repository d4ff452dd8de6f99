"""Hand-written fakes for the gateway's ports, and data builders."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from uuid import UUID, uuid4

from cohort_contracts import campaign_requests as rq
from cohort_contracts import campaign_views as views
from cohort_contracts import opt_out
from cohort_contracts import patient_links as patient
from cohort_contracts.envelope import Message, Model
from cohort_contracts.ingest import ResolveRows
from cohort_contracts.routing import Route
from cohort_contracts.vocabulary import (
    UPLOAD_REASON_TEXT,
    CampaignStatus,
    ListStatus,
    RecipientStatus,
    SendReason,
    UploadReason,
)
from gateway.ports import CampaignError, EncodedMessage, PublishFailed

M = TypeVar("M", bound=Message)

BUILTIN = views.TemplateView(
    id="builtin-flu", name="Flu", type="basic", body="Book your flu jab.", version=1, builtin=True
)


def now() -> datetime:
    return datetime.now(UTC)


def make_campaign(**overrides: object) -> views.CampaignView:
    values: dict[str, object] = {
        "id": uuid4(),
        "org_id": "A81001",
        "name": "Flu clinic",
        "type": "basic",
        "status": CampaignStatus.DRAFT,
        "created_by": "user-1",
        "created_at": now(),
    }
    values.update(overrides)
    return views.CampaignView.model_validate(values)


def make_list(**overrides: object) -> views.PatientListView:
    """A patient list as campaign answers its registration: resolving, nothing processed yet."""
    values: dict[str, object] = {
        "id": uuid4(),
        "campaign_id": uuid4(),
        "channel": "sms",
        "filename": "list.csv",
        "status": ListStatus.RESOLVING,
        "total_rows": 0,
        "processed_rows": 0,
        "succeeded": 0,
        "failed": 0,
        "failed_by_reason": [],
        "created_at": now(),
    }
    values.update(overrides)
    return views.PatientListView.model_validate(values)


def make_recipient(row_number: int, **overrides: object) -> views.RecipientView:
    values: dict[str, object] = {
        "id": uuid4().hex,
        "list_id": uuid4(),
        "row_number": row_number,
        "nhs_number": "9434765919",
        "given_name": "Ann",
        "family_name": "Smith",
        "channel": "sms",
        "contact": "447700900123",
        "status": RecipientStatus.DELIVERED,
        "updated_at": datetime(2026, 11, 27, 9, 30, tzinfo=UTC),
    }
    values.update(overrides)
    return views.RecipientView.model_validate(values)


def make_unsuccessful_row(
    row_number: int, cells: list[str], **overrides: object
) -> views.UnsuccessfulRow:
    reason = overrides.pop("reason_code", UploadReason.NOT_FOUND)
    assert isinstance(reason, UploadReason)
    return views.UnsuccessfulRow(
        row_number=row_number, cells=cells, reason_code=reason, reason=UPLOAD_REASON_TEXT[reason]
    )


def not_found(what: str) -> CampaignError:
    return CampaignError("not_found", f"No such {what}.")


class FakeCampaign:
    """Campaign's request/reply API in memory. Like the real one it finds things only within
    the request's ``readable_orgs`` and answers each request with its ``REPLY_TYPES`` type."""

    def __init__(self) -> None:
        self.requests: list[Message] = []
        self.campaigns: dict[UUID, views.CampaignView] = {}
        self.lists: dict[UUID, views.PatientListView] = {}
        self.columns: dict[UUID, list[str]] = {}
        self.unsuccessful: dict[UUID, list[views.UnsuccessfulRow]] = {}
        self.recipients: dict[UUID, list[views.RecipientView]] = {}
        self.templates: dict[str, views.TemplateView] = {BUILTIN.id: BUILTIN}
        self.links: dict[str, views.LinkView] = {}
        self.suppressions: dict[str, opt_out.SuppressionView] = {}
        self.fail_with: Exception | None = None
        self.delay_s = 0.0

    def add_campaign(self, **overrides: object) -> views.CampaignView:
        campaign = make_campaign(**overrides)
        self.campaigns[campaign.id] = campaign
        return campaign

    def add_template(self, org_id: str, **overrides: object) -> views.TemplateView:
        values: dict[str, object] = {"id": uuid4().hex, "name": "Ours", "type": "basic"}
        values |= {"body": "Hello ((first_name))", "version": 1, "builtin": False}
        template = views.TemplateView.model_validate(values | {"org_id": org_id} | overrides)
        self.templates[template.id] = template
        return template

    def add_suppression(
        self, org_id: str, contact: str = "447700900001"
    ) -> opt_out.SuppressionView:
        event = opt_out.SuppressionEvent(action="added", source="reply", by="patient", at=now())
        view = opt_out.SuppressionView(
            id=uuid4().hex,
            org_id=org_id,
            contact=contact,
            source="reply",
            active=True,
            created_at=now(),
            updated_at=now(),
            history=[event],
        )
        self.suppressions[view.id] = view
        return view

    def _opt_out(self, request: Message) -> Model | None:
        """Opt-out lists, found only within the caller's organisations, as campaign does."""
        match request:
            case opt_out.ListSuppressions():
                orgs = request.readable_orgs
                items = [s for s in self.suppressions.values() if s.org_id in orgs and s.active]
                return opt_out.SuppressionList(items=items)
            case opt_out.AddSuppression():
                return self.add_suppression(request.org_id, request.contact)
            case opt_out.RemoveSuppression():
                found = self.suppressions.get(request.suppression_id)
                if found is None or found.org_id not in request.readable_orgs:
                    raise not_found("Opt-out")
                removed = found.model_copy(update={"active": False})
                self.suppressions[found.id] = removed
                return removed
            case opt_out.Unsubscribe():
                if not request.token.endswith(".good-signature"):
                    raise not_found("Link")
                return opt_out.UnsubscribeResult(practice_name="Riverside Surgery")
        return None

    def add_link(self, token: str, campaign: views.CampaignView, *, expired: bool = False) -> None:
        expires = now() + timedelta(days=-1 if expired else 7)
        self.links[token] = views.LinkView(
            campaign_id=campaign.id,
            org_id=campaign.org_id,
            type=campaign.type,
            patient_reference="ref-1",
            expires_at=expires,
        )

    def add_list(
        self, campaign: views.CampaignView, columns: list[str], rows: list[views.UnsuccessfulRow]
    ) -> UUID:
        list_id = uuid4()
        self.lists[list_id] = make_list(id=list_id, campaign_id=campaign.id, total_rows=len(rows))
        self.columns[list_id] = columns
        self.unsuccessful[list_id] = rows
        return list_id

    def sent(self, kind: type[M]) -> list[M]:
        return [r for r in self.requests if isinstance(r, kind)]

    async def request(self, request: Message) -> Model:
        self.requests.append(request)
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.fail_with is not None:
            raise self.fail_with
        result = self._patient(request) or self._opt_out(request) or self._answer(request)
        expected = rq.REPLY_TYPES[type(request)]
        if not isinstance(result, expected):
            raise AssertionError(f"{type(request).__name__} answered with {type(result)}")
        return result

    def _patient(self, request: Message) -> Model | None:
        """Staff reads of what patients did: found within the caller's organisations, empty."""
        match request:
            case patient.GetRecipientActivity():
                self._campaign(request, request.campaign_id)
                return patient.RecipientActivity(recipient_id=request.recipient_id)
            case patient.ListAppointments():
                self._campaign(request, request.campaign_id)
                return patient.AppointmentsPage(items=[], total=0, page=1, page_size=100)
            case patient.ListQuestionnaireResponses():
                self._campaign(request, request.campaign_id)
                questionnaire = patient.QuestionnaireView(
                    id="q", title="Q", description="", questions=[], fhir_json="{}"
                )
                return patient.QuestionnaireResponsesPage(
                    questionnaire=questionnaire, items=[], total=0, page=1, page_size=500
                )
            case patient.ListQuestionnaires():
                return patient.QuestionnaireList(items=[])
        return None

    def _answer(self, request: Message) -> Model:  # noqa: C901 - one case per request kind
        match request:
            case rq.CreateCampaign():
                settings = request.model_dump(
                    include={"name", "type", "allow_replies", "booking", "questionnaire"}
                )
                return self.add_campaign(
                    org_id=request.org_id, created_by=request.actor, **settings
                )
            case rq.ListCampaigns():
                mine = [
                    c
                    for c in self.campaigns.values()
                    if c.org_id in request.readable_orgs and request.status in (None, c.status)
                ]
                return views.CampaignPage(
                    items=mine, total=len(mine), page=request.page, page_size=request.page_size
                )
            case rq.RegisterPatientList():
                self._campaign(request, request.campaign_id)
                view = make_list(
                    id=request.list_id,
                    campaign_id=request.campaign_id,
                    filename=request.filename,
                    total_rows=request.total_rows,
                )
                self.lists[request.list_id] = view
                self.columns[request.list_id] = request.columns
                return view
            case rq.GetPatientList():
                return self._list(request, request.campaign_id, request.list_id)
            case rq.GetUnsuccessfulRows():
                return self._unsuccessful(request)
            case rq.RemovePatientList():
                return self._remove_list(request)
            case rq.GetReview() | rq.ExcludeRecentlyMessaged():
                campaign = self._campaign(request, request.campaign_id)
                return views.ReviewView(
                    campaign_id=campaign.id,
                    status=campaign.status,
                    recipient_count=0,
                    recipients_by_channel={},
                    excluded_by_reason=[],
                    previews=[],
                    total_fragments=0,
                    lists_resolving=0,
                    credit_balance=120,
                    credits_needed=40,
                )
            case rq.ListRecipients():
                return self._recipients(request)
            case rq.ListPatientLists():
                self._campaign(request, request.campaign_id)
                items = [v for v in self.lists.values() if v.campaign_id == request.campaign_id]
                return views.PatientListsView(campaign_id=request.campaign_id, items=items)
            case rq.GetRecipient():
                self._campaign(request, request.campaign_id)
                for r in self.recipients.get(request.campaign_id, []):
                    if r.id == request.recipient_id:
                        return r
                raise not_found("recipient")
            case rq.TestSend():
                campaign = self._campaign(request, request.campaign_id)
                body = campaign.message.body if campaign.message else ""
                return views.TestSendResult(to=request.to, body=body, fragments=1)
            case rq.GetAudit():
                campaign = self._campaign(request, request.campaign_id)
                entry = views.AuditEntry(at=now(), actor=campaign.created_by, action="created")
                return views.AuditLog(campaign_id=campaign.id, entries=[entry])
            case rq.ResolveLink():
                return self._link(request)
            case rq.GetSendAgain():
                campaign = self._campaign(request, request.campaign_id)
                count = views.SendAgainCount(reason_code=SendReason.PHONE_NOT_REACHABLE, count=2)
                return views.SendAgainView(campaign_id=campaign.id, patients=2, by_reason=[count])
            case rq.SendAgain():
                # Like campaign: the new draft is the source's practice's, whoever asked for it.
                source = self._campaign(request, request.campaign_id)
                return self.add_campaign(
                    org_id=source.org_id,
                    name=request.name,
                    type=source.type,
                    message=source.message,
                    created_by=request.actor,
                    follows_up=source.id,
                )
            case (
                rq.ListTemplates()
                | rq.CreateTemplate()
                | rq.UpdateTemplate()
                | rq.ArchiveTemplate()
            ):
                return self._template_request(request)
            case (
                rq.GetCampaign()
                | rq.SetMessage()
                | rq.SendCampaign()
                | rq.ApproveCampaign()
                | rq.SendBack()
                | rq.CancelCampaign()
                | rq.ResumeCampaign()
            ):
                return self._change(request)
        raise AssertionError(f"unexpected request {type(request).__name__}")

    def _change(
        self,
        request: rq.GetCampaign
        | rq.SetMessage
        | rq.SendCampaign
        | rq.ApproveCampaign
        | rq.SendBack
        | rq.CancelCampaign
        | rq.ResumeCampaign,
    ) -> views.CampaignView:
        campaign = self._campaign(request, request.campaign_id)
        update: dict[str, object] = {}
        match request:
            case rq.SetMessage(template_id=str(template_id)):
                template = self._template(request, template_id)
                update["message"] = views.MessageContent(body=template.body)
                update |= {"template_id": template.id, "template_version": template.version}
            case rq.SetMessage(body=str(body)):
                update["message"] = views.MessageContent(body=body, subject=request.subject)
            case rq.SendCampaign(send_at=datetime() as send_at):
                update |= {"status": CampaignStatus.SCHEDULED, "send_at": send_at}
            case rq.SendCampaign() | rq.ApproveCampaign() | rq.ResumeCampaign():
                update["status"] = CampaignStatus.SENDING
            case rq.SendBack():
                update |= {"status": CampaignStatus.DRAFT, "sent_back_reason": request.reason}
                update["sent_back_by"] = request.actor
            case rq.CancelCampaign():
                update["status"] = CampaignStatus.CANCELLED
        campaign = campaign.model_copy(update=update)
        self.campaigns[campaign.id] = campaign
        return campaign

    def _template_request(
        self,
        request: rq.ListTemplates | rq.CreateTemplate | rq.UpdateTemplate | rq.ArchiveTemplate,
    ) -> Model:
        match request:
            case rq.ListTemplates():
                items = [
                    t
                    for t in self.templates.values()
                    if (t.builtin or t.org_id in request.readable_orgs)
                    and request.type in (None, t.type)
                    and (request.include_archived or not t.archived)
                ]
                return views.TemplateList(items=items)
            case rq.CreateTemplate():
                fields = request.model_dump(include={"name", "type", "body", "subject"})
                return self.add_template(request.org_id, **fields)
            case rq.UpdateTemplate():
                template = self._template(request, request.template_id, writable=True)
                changes = request.model_dump(include={"name", "body", "subject"}, exclude_none=True)
                changes["version"] = template.version + 1
            case rq.ArchiveTemplate():
                template = self._template(request, request.template_id, writable=True)
                changes = {"archived": True}
        template = template.model_copy(update=changes)
        self.templates[template.id] = template
        return template

    def _template(
        self, request: rq.CampaignRequest, template_id: str, *, writable: bool = False
    ) -> views.TemplateView:
        template = self.templates.get(template_id)
        if template is None or not (
            (template.builtin and not writable) or template.org_id in request.readable_orgs
        ):
            raise not_found("template")
        return template

    def _campaign(self, request: rq.CampaignRequest, campaign_id: UUID) -> views.CampaignView:
        campaign = self.campaigns.get(campaign_id)
        if campaign is None or campaign.org_id not in request.readable_orgs:
            raise CampaignError("not_found", "No such campaign.", {"campaign_id": str(campaign_id)})
        return campaign

    def _list(
        self, request: rq.CampaignRequest, campaign_id: UUID, list_id: UUID
    ) -> views.PatientListView:
        self._campaign(request, campaign_id)
        view = self.lists.get(list_id)
        if view is None or view.campaign_id != campaign_id:
            raise CampaignError("not_found", "No such patient list.", {"list_id": str(list_id)})
        return view

    def _remove_list(self, request: rq.RemovePatientList) -> views.CampaignView:
        """Like campaign: only a draft's most recent list (lists are kept oldest first), and
        the patients it added go with it."""
        self._list(request, request.campaign_id, request.list_id)
        campaign = self.campaigns[request.campaign_id]
        if campaign.status != CampaignStatus.DRAFT:
            raise CampaignError(
                "conflict", "This campaign is no longer a draft, so its lists cannot be removed."
            )
        ours = [i for i, v in self.lists.items() if v.campaign_id == request.campaign_id]
        if ours[-1] != request.list_id:
            raise CampaignError(
                "conflict",
                "Only the most recently uploaded list can be removed. Remove the lists "
                "uploaded after it first.",
                {"list_id": str(request.list_id)},
            )
        for store in (self.lists, self.columns, self.unsuccessful):
            store.pop(request.list_id, None)
        everyone = self.recipients.get(campaign.id)
        if everyone is not None:
            self.recipients[campaign.id] = [r for r in everyone if r.list_id != request.list_id]
        return campaign

    def _unsuccessful(self, request: rq.GetUnsuccessfulRows) -> views.UnsuccessfulRowsPage:
        self._list(request, request.campaign_id, request.list_id)
        rows = [
            r
            for r in self.unsuccessful.get(request.list_id, [])
            if r.row_number > request.after_row
        ]
        page = rows[: request.limit]
        more = len(rows) > request.limit
        return views.UnsuccessfulRowsPage(
            columns=self.columns[request.list_id],
            rows=page,
            next_after=page[-1].row_number if more else None,
        )

    def _recipients(self, request: rq.ListRecipients) -> views.RecipientPage:
        self._campaign(request, request.campaign_id)
        everyone = self.recipients.get(request.campaign_id, [])
        matching = [r for r in everyone if request.status in (None, r.status)]
        start = (request.page - 1) * request.page_size
        if request.after is not None:  # campaign's cursor: list id and row number
            list_id, row = request.after.rsplit(":", 1)
            start = 1 + next(
                i
                for i, r in enumerate(matching)
                if (str(r.list_id), r.row_number) == (list_id, int(row))
            )
        items = matching[start : start + request.page_size]
        full = len(items) == request.page_size
        return views.RecipientPage(
            items=items,
            total=len(matching),
            page=request.page,
            page_size=request.page_size,
            next_after=f"{items[-1].list_id}:{items[-1].row_number}" if full else None,
        )

    def _link(self, request: rq.ResolveLink) -> views.LinkView:
        link = self.links.get(request.token)
        if link is None or link.org_id != request.org_id:
            raise not_found("link")
        if link.expires_at < now():
            raise CampaignError("gone", "This link has expired.")
        return link


class FakePublisher:
    """Records what was published; can be slowed down or made to fail."""

    def __init__(self, *, delay_s: float = 0.0, failures: int = 0, fail_always: bool = False):
        self.published: list[tuple[Route, Message]] = []
        self.attempts = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self._delay_s = delay_s
        self._failures = failures
        self._fail_always = fail_always

    async def publish_encoded(self, route: Route, message: EncodedMessage) -> None:
        """Recorded as the contract model it must decode to (a body that does not is a bug)."""
        decoded = ResolveRows.model_validate_json(message.body)
        assert decoded.message_id == message.message_id
        assert decoded.correlation_id == message.correlation_id
        await self.publish(route, decoded)

    async def publish(self, route: Route, message: Message) -> None:
        self.attempts += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self._delay_s)
            if self._fail_always or self._failures > 0:
                self._failures -= 1
                raise PublishFailed(route.routing_key)
            self.published.append((route, message))
        finally:
            self.in_flight -= 1
