"""Hand-written fakes for the gateway's ports, and data builders."""

import asyncio
from datetime import UTC, datetime
from typing import TypeVar
from uuid import UUID, uuid4

from pydantic import BaseModel

from cohort_contracts.campaign_requests import (
    CancelCampaign,
    CreateCampaign,
    GetCampaign,
    GetPatientList,
    GetReview,
    GetUnsuccessfulRows,
    ListCampaigns,
    ListRecipients,
    RegisterPatientList,
    SendCampaign,
    SetMessage,
)
from cohort_contracts.campaign_views import (
    CampaignPage,
    CampaignView,
    MessageContent,
    PatientListView,
    RecipientPage,
    ReviewView,
    UnsuccessfulRow,
    UnsuccessfulRowsPage,
)
from cohort_contracts.envelope import Message
from cohort_contracts.routing import Route
from cohort_contracts.vocabulary import (
    UPLOAD_REASON_TEXT,
    CampaignStatus,
    ListStatus,
    UploadReason,
)
from gateway.ports import CampaignError, PublishFailed

T = TypeVar("T", bound=BaseModel)


def now() -> datetime:
    return datetime.now(UTC)


def make_campaign(**overrides: object) -> CampaignView:
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
    return CampaignView.model_validate(values)


def make_unsuccessful_row(
    row_number: int, cells: list[str], **overrides: object
) -> UnsuccessfulRow:
    reason = overrides.pop("reason_code", UploadReason.NOT_FOUND)
    assert isinstance(reason, UploadReason)
    return UnsuccessfulRow(
        row_number=row_number, cells=cells, reason_code=reason, reason=UPLOAD_REASON_TEXT[reason]
    )


class FakeCampaign:
    """Campaign's request/reply API in memory, scoped by org as the real one is."""

    def __init__(self) -> None:
        self.requests: list[Message] = []
        self.campaigns: dict[UUID, CampaignView] = {}
        self.lists: dict[UUID, PatientListView] = {}
        self.columns: dict[UUID, list[str]] = {}
        self.unsuccessful: dict[UUID, list[UnsuccessfulRow]] = {}
        self.fail_with: Exception | None = None
        self.delay_s = 0.0

    def add_campaign(self, **overrides: object) -> CampaignView:
        campaign = make_campaign(**overrides)
        self.campaigns[campaign.id] = campaign
        return campaign

    def add_list(
        self, campaign: CampaignView, columns: list[str], rows: list[UnsuccessfulRow]
    ) -> UUID:
        list_id = uuid4()
        self.lists[list_id] = PatientListView(
            id=list_id,
            campaign_id=campaign.id,
            channel="sms",
            filename="list.csv",
            status=ListStatus.COMPLETE,
            total_rows=len(rows),
            processed_rows=len(rows),
            succeeded=0,
            failed=len(rows),
            failed_by_reason=[],
            created_at=now(),
        )
        self.columns[list_id] = columns
        self.unsuccessful[list_id] = rows
        return list_id

    def sent(self, kind: type[Message]) -> list[Message]:
        return [r for r in self.requests if isinstance(r, kind)]

    async def request(self, request: Message, result_type: type[T]) -> T:
        self.requests.append(request)
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.fail_with is not None:
            raise self.fail_with
        result = self._answer(request)
        if not isinstance(result, result_type):
            raise AssertionError(f"{type(request).__name__} answered with {type(result)}")
        return result

    def _answer(self, request: Message) -> BaseModel:
        match request:
            case CreateCampaign():
                return self.add_campaign(
                    org_id=request.org_id,
                    name=request.name,
                    type=request.type,
                    created_by=request.actor,
                )
            case ListCampaigns():
                mine = [c for c in self.campaigns.values() if c.org_id == request.org_id]
                return CampaignPage(
                    items=mine, total=len(mine), page=request.page, page_size=request.page_size
                )
            case GetCampaign() | SetMessage() | SendCampaign() | CancelCampaign():
                return self._change(request)
            case RegisterPatientList():
                self._campaign(request.org_id, request.campaign_id)
                view = PatientListView(
                    id=request.list_id,
                    campaign_id=request.campaign_id,
                    channel=request.channel,
                    filename=request.filename,
                    status=ListStatus.RESOLVING,
                    total_rows=request.total_rows,
                    processed_rows=0,
                    succeeded=0,
                    failed=0,
                    failed_by_reason=[],
                    created_at=now(),
                )
                self.lists[request.list_id] = view
                self.columns[request.list_id] = request.columns
                return view
            case GetPatientList():
                return self._list(request.org_id, request.campaign_id, request.list_id)
            case GetUnsuccessfulRows():
                self._list(request.org_id, request.campaign_id, request.list_id)
                rows = [
                    r
                    for r in self.unsuccessful.get(request.list_id, [])
                    if r.row_number > request.after_row
                ]
                page = rows[: request.limit]
                more = len(rows) > request.limit
                return UnsuccessfulRowsPage(
                    columns=self.columns[request.list_id],
                    rows=page,
                    next_after=page[-1].row_number if more else None,
                )
            case GetReview():
                campaign = self._campaign(request.org_id, request.campaign_id)
                return ReviewView(
                    campaign_id=campaign.id,
                    status=campaign.status,
                    recipient_count=0,
                    recipients_by_channel={},
                    excluded_by_reason=[],
                    previews=[],
                    total_fragments=0,
                    lists_resolving=0,
                )
            case ListRecipients():
                self._campaign(request.org_id, request.campaign_id)
                return RecipientPage(
                    items=[], total=0, page=request.page, page_size=request.page_size
                )
        raise AssertionError(f"unexpected request {type(request).__name__}")

    def _change(
        self, request: GetCampaign | SetMessage | SendCampaign | CancelCampaign
    ) -> CampaignView:
        campaign = self._campaign(request.org_id, request.campaign_id)
        if isinstance(request, SetMessage):
            campaign = campaign.model_copy(
                update={"message": MessageContent(body=request.body, subject=request.subject)}
            )
        elif isinstance(request, SendCampaign):
            campaign = campaign.model_copy(update={"status": CampaignStatus.SENDING})
        elif isinstance(request, CancelCampaign):
            campaign = campaign.model_copy(update={"status": CampaignStatus.CANCELLED})
        self.campaigns[campaign.id] = campaign
        return campaign

    def _campaign(self, org_id: str, campaign_id: UUID) -> CampaignView:
        campaign = self.campaigns.get(campaign_id)
        if campaign is None or campaign.org_id != org_id:
            raise CampaignError("not_found", "No such campaign.", {"campaign_id": str(campaign_id)})
        return campaign

    def _list(self, org_id: str, campaign_id: UUID, list_id: UUID) -> PatientListView:
        self._campaign(org_id, campaign_id)
        view = self.lists.get(list_id)
        if view is None or view.campaign_id != campaign_id:
            raise CampaignError("not_found", "No such patient list.", {"list_id": str(list_id)})
        return view


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
