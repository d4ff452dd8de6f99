"""A patient answering their questionnaire, and the views of questionnaires and responses that
patients and staff read. Answers are checked against the FHIR Questionnaire (types, ranges,
choices, which questions apply) and kept as a FHIR ``QuestionnaireResponse``, once per
recipient: a repeated submission returns the response already stored."""

import json
import uuid
from datetime import UTC, datetime

from cohort_contracts.patient_links import (
    AnsweredQuestion,
    EnableWhen,
    GetPatientQuestionnaire,
    ListQuestionnaires,
    OptionView,
    PatientQuestionnaireView,
    QuestionnaireList,
    QuestionnaireResponseView,
    QuestionnaireView,
    QuestionView,
    SubmitQuestionnaire,
)
from cohort_questionnaire import answer_text

from ..domain.errors import Conflict
from ..domain.model import Campaign
from ..domain.questionnaire_library import LIBRARY
from ..domain.questionnaires import (
    Questionnaire,
    QuestionnaireResponse,
    check_answers,
    response_resource,
)
from ..domain.rendering import display_name
from .deps import Deps
from .patient_links import LinkTarget, patient_deps, record_event, resolve_session

RESPONSE_IDS = uuid.UUID("9d2d1c0b-3f1e-4f7a-8f55-1c7c3f4e2a10")


def questionnaire_view(q: Questionnaire) -> QuestionnaireView:
    return QuestionnaireView(
        id=q.id,
        title=q.title,
        description=q.description,
        fhir_json=q.json,
        questions=[
            QuestionView(
                link_id=x.link_id,
                text=x.text,
                type=x.type,
                required=x.required,
                hint=x.hint,
                options=[OptionView(code=o.code, display=o.display) for o in x.options],
                min_value=x.min_value,
                max_value=x.max_value,
                unit=x.unit,
                max_length=x.max_length,
                enable_when=[EnableWhen(link_id=a, code=b) for a, b in x.enable_when],
            )
            for x in q.questions
        ],
    )


def response_view(q: Questionnaire, response: QuestionnaireResponse) -> QuestionnaireResponseView:
    items = []
    for question in q.questions:
        if question.link_id in response.answers:
            values = [answer_text(question, v) for v in response.answers[question.link_id]]
            items.append(
                AnsweredQuestion(link_id=question.link_id, text=question.text, answers=values)
            )
    return QuestionnaireResponseView(
        status="completed", authored=response.authored, items=items, fhir_json=response.fhir_json
    )


def questionnaire_of(campaign: Campaign) -> Questionnaire:
    settings = campaign.questionnaire
    found = None if settings is None else LIBRARY.get(settings.questionnaire_id)
    if found is None:
        raise Conflict("This questionnaire is not available. Contact your GP practice.")
    return found


async def _target(deps: Deps, req: GetPatientQuestionnaire | SubmitQuestionnaire) -> LinkTarget:
    target = await resolve_session(deps, req.token, req.session, req.org_id)
    if target.campaign.questionnaire is None:
        raise Conflict("This link is not for a questionnaire.")
    return target


async def _view(deps: Deps, target: LinkTarget) -> PatientQuestionnaireView:
    q = questionnaire_of(target.campaign)
    stored = await patient_deps(deps).responses.get(target.recipient.id)
    return PatientQuestionnaireView(
        practice=target.practice,
        given_name=display_name(target.recipient.given_name),
        questionnaire=questionnaire_view(q),
        response=None if stored is None else response_view(q, stored),
    )


async def get_questionnaire(req: GetPatientQuestionnaire, deps: Deps) -> PatientQuestionnaireView:
    return await _view(deps, await _target(deps, req))


async def submit(req: SubmitQuestionnaire, deps: Deps) -> PatientQuestionnaireView:
    target = await _target(deps, req)
    q = questionnaire_of(target.campaign)
    patient = patient_deps(deps)
    if await patient.responses.get(target.recipient.id) is not None:
        return await _view(deps, target)  # answered already (a repeat, or a second tab)
    given: dict[str, list[str]] = {}
    for answer in req.answers:
        given.setdefault(answer.link_id, []).extend(answer.values)
    answers = check_answers(q, given)
    now = datetime.now(UTC)
    response_id = uuid.uuid5(RESPONSE_IDS, target.recipient.id).hex
    resource = response_resource(q, answers, response_id, target.recipient.nhs_number, now)
    added = await patient.responses.add(
        QuestionnaireResponse(
            org_id=target.campaign.org_id,
            campaign_id=target.campaign.id,
            recipient_id=target.recipient.id,
            answers=answers,
            fhir_json=json.dumps(resource, ensure_ascii=False),
            authored=now,
        )
    )
    if added:
        await record_event(deps, target, "answered", now, "once")
    return await _view(deps, target)


async def list_questionnaires(req: ListQuestionnaires, deps: Deps) -> QuestionnaireList:
    return QuestionnaireList(items=[questionnaire_view(q) for q in LIBRARY.values()])
