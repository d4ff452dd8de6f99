"""Answers every request on the campaign request queue with an ``RpcReply``."""

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel

from cohort_contracts import opt_out
from cohort_contracts import patient_links as patient
from cohort_contracts.campaign_requests import (
    ApproveCampaign,
    ArchiveTemplate,
    CampaignRequest,
    CancelCampaign,
    ClaimMessages,
    CreateCampaign,
    CreateTemplate,
    ExcludeRecentlyMessaged,
    GetAudit,
    GetCampaign,
    GetPatientList,
    GetRecipient,
    GetReview,
    GetSendAgain,
    GetUnsuccessfulRows,
    ListCampaigns,
    ListPatientLists,
    ListRecipients,
    ListTemplates,
    RegisterPatientList,
    RemovePatientList,
    ResolveLink,
    ResumeCampaign,
    RpcError,
    RpcReply,
    SendAgain,
    SendBack,
    SendCampaign,
    SetMessage,
    TestSend,
    UpdateTemplate,
)

from ..domain.errors import CampaignError
from . import (
    approval,
    audit_trail,
    campaigns,
    links,
    list_removal,
    lists,
    patient_booking,
    patient_links,
    patient_questionnaire,
    patient_staff,
    reads,
    release,
    repeat_exclusion,
    review,
    send_again,
    send_to_self,
    suppressions,
    templates,
)
from .deps import Deps

log = logging.getLogger(__name__)

Handler = Callable[[Any, Deps], Awaitable[BaseModel]]

HANDLERS: dict[type[BaseModel], Handler] = {
    CreateCampaign: campaigns.create_campaign,
    # With the counts of what patients did through their links.
    ListCampaigns: patient_staff.list_campaigns,
    GetCampaign: patient_staff.get_campaign,
    SetMessage: campaigns.set_message,
    GetReview: review.get_review,
    SendCampaign: campaigns.send_campaign,
    ApproveCampaign: approval.approve_campaign,
    SendBack: approval.send_back,
    ExcludeRecentlyMessaged: repeat_exclusion.exclude_recently_messaged,
    CancelCampaign: campaigns.cancel_campaign,
    GetSendAgain: send_again.get_send_again,
    SendAgain: send_again.send_again,
    ListRecipients: campaigns.list_recipients,
    RegisterPatientList: lists.register_patient_list,
    GetPatientList: lists.get_patient_list,
    RemovePatientList: list_removal.remove_patient_list,
    GetUnsuccessfulRows: lists.get_unsuccessful_rows,
    ClaimMessages: release.claim_messages,
    ResumeCampaign: campaigns.resume_campaign,
    TestSend: send_to_self.send_test,
    GetAudit: audit_trail.get_audit,
    ListTemplates: templates.list_templates,
    CreateTemplate: templates.create_template,
    UpdateTemplate: templates.update_template,
    ArchiveTemplate: templates.archive_template,
    ResolveLink: links.resolve_link,
    ListPatientLists: reads.list_patient_lists,
    GetRecipient: reads.get_recipient,
    # The patient's side of links.
    patient.OpenPatientLink: patient_links.open_link,
    patient.VerifyBirthDate: patient_links.verify_birth_date,
    patient.GetPatientBooking: patient_booking.get_booking,
    patient.ListFreeSlots: patient_booking.list_free_slots,
    patient.BookAppointment: patient_booking.book,
    patient.CancelAppointment: patient_booking.cancel,
    patient.GetPatientQuestionnaire: patient_questionnaire.get_questionnaire,
    patient.SubmitQuestionnaire: patient_questionnaire.submit,
    patient.GetRecipientActivity: patient_staff.get_activity,
    patient.ListQuestionnaireResponses: patient_staff.list_responses,
    patient.ListAppointments: patient_staff.list_appointments,
    patient.ListQuestionnaires: patient_questionnaire.list_questionnaires,
    # Opt-outs.
    opt_out.ListSuppressions: suppressions.list_suppressions,
    opt_out.AddSuppression: suppressions.add_suppression,
    opt_out.RemoveSuppression: suppressions.remove_suppression,
    opt_out.Unsubscribe: suppressions.unsubscribe,
}


async def answer(request: CampaignRequest, deps: Deps) -> RpcReply[Any]:
    """Domain errors become typed error replies; anything else propagates (and the message is
    redelivered) because it is an infrastructure failure, not the caller's fault."""
    if request.actor_name is not None:
        # Before the handler, so that the view it answers already names this person.
        await deps.people.note(request.org_id, request.actor, request.actor_name)
    try:
        result = await HANDLERS[type(request)](request, deps)
    except CampaignError as exc:
        log.info(
            "request refused",
            extra={"kind": request.kind, "code": exc.code, "message_id": str(request.message_id)},
        )
        return RpcReply[Any](
            error=RpcError(code=exc.code, message=exc.message, details=exc.details)
        )
    return RpcReply[Any](result=result)
