"""Questionnaires as FHIR R4 ``Questionnaire`` resources (a small built-in library for primary
care), the questions they ask, checking a patient's answers, and the ``QuestionnaireResponse``
the answers make. The library is in ``questionnaire_library.py``."""

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from cohort_questionnaire import check_value

from .errors import InvalidMessage

Resource = dict[str, Any]
#: The item types the library uses (FHIR ``Questionnaire.item.type``).
QuestionType = Literal["choice", "boolean", "integer", "decimal", "date", "string", "text"]
EXT = "http://hl7.org/fhir/StructureDefinition/"
ITEM_CONTROL = EXT + "questionnaire-itemControl"
NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"


@dataclass(frozen=True)
class Option:
    code: str
    display: str
    system: str | None = None


@dataclass(frozen=True)
class Question:
    link_id: str
    text: str
    type: QuestionType
    required: bool
    hint: str | None = None
    options: tuple[Option, ...] = ()
    min_value: float | None = None
    max_value: float | None = None
    unit: str | None = None
    max_length: int | None = None
    #: (question link id, answer code): asked only when one of these holds.
    enable_when: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Questionnaire:
    id: str
    title: str
    description: str
    questions: tuple[Question, ...]
    resource: Resource = field(compare=False)

    @property
    def json(self) -> str:
        return json.dumps(self.resource, ensure_ascii=False)

    def question(self, link_id: str) -> Question | None:
        return next((q for q in self.questions if q.link_id == link_id), None)


def parse(resource: Resource) -> Questionnaire:
    return Questionnaire(
        id=resource["id"],
        title=resource["title"],
        description=resource.get("description", ""),
        questions=tuple(_question(item) for item in resource["item"] if item["type"] != "display"),
        resource=resource,
    )


def _extension(item: Resource, name: str) -> Any:
    for ext in item.get("extension", []):
        if ext["url"] == EXT + name:
            return next(v for k, v in ext.items() if k.startswith("value"))
    return None


def _question(item: Resource) -> Question:
    hint = next(
        (c["text"] for c in item.get("item", []) if c["type"] == "display"),
        None,
    )
    unit = _extension(item, "questionnaire-unit")
    return Question(
        link_id=item["linkId"],
        text=item["text"],
        type=item["type"],
        required=bool(item.get("required", False)),
        hint=hint,
        options=tuple(
            Option(
                o["valueCoding"]["code"],
                o["valueCoding"]["display"],
                o["valueCoding"].get("system"),
            )
            for o in item.get("answerOption", [])
        ),
        min_value=_extension(item, "minValue"),
        max_value=_extension(item, "maxValue"),
        unit=None if unit is None else unit.get("display"),
        max_length=item.get("maxLength"),
        enable_when=tuple(
            (
                w["question"],
                w["answerCoding"]["code"]
                if "answerCoding" in w
                else str(w.get("answerBoolean")).lower(),
            )
            for w in item.get("enableWhen", [])
        ),
    )


def enabled(question: Question, answers: dict[str, list[str]]) -> bool:
    """FHIR ``enableWhen`` with ``enableBehavior: any`` and the ``=`` operator."""
    if not question.enable_when:
        return True
    return any(code in answers.get(link_id, []) for link_id, code in question.enable_when)


def check_answers(
    questionnaire: Questionnaire, given: dict[str, list[str]]
) -> dict[str, list[str]]:
    """The answers to keep (questions not enabled by the others are dropped); raises
    ``InvalidMessage`` naming the first question answered wrongly or left out."""
    unknown = set(given) - {q.link_id for q in questionnaire.questions}
    if unknown:
        raise InvalidMessage(
            "Answers name questions this questionnaire does not ask.", field=sorted(unknown)[0]
        )
    kept: dict[str, list[str]] = {}
    for question in questionnaire.questions:
        if not enabled(question, kept):
            continue
        values = [v.strip() for v in given.get(question.link_id, []) if v.strip()]
        if not values:
            if question.required:
                raise InvalidMessage(
                    f"Answer the question: {question.text}", field=question.link_id
                )
            continue
        for value in values:
            if problem := check_value(question, value):
                raise InvalidMessage(problem, field=question.link_id)
        kept[question.link_id] = values[:1] if question.type != "choice" else values
    return kept


def _fhir_answer(question: Question, value: str) -> Resource:
    if question.type == "choice":
        option = next(o for o in question.options if o.code == value)
        coding = {"code": option.code, "display": option.display}
        return {"valueCoding": {"system": option.system, **coding} if option.system else coding}
    if question.type == "boolean":
        return {"valueBoolean": value == "true"}
    if question.type == "integer":
        return {"valueInteger": int(value)}
    if question.type == "decimal":
        return {"valueDecimal": float(value)}
    if question.type == "date":
        return {"valueDate": value}
    return {"valueString": value}


@dataclass(frozen=True)
class QuestionnaireResponse:
    """A recipient's completed questionnaire: the answers by question, and as the FHIR
    ``QuestionnaireResponse`` they made (``response_resource``)."""

    org_id: str
    campaign_id: UUID
    recipient_id: str
    answers: dict[str, list[str]]
    fhir_json: str
    authored: datetime


def response_resource(
    questionnaire: Questionnaire,
    answers: dict[str, list[str]],
    response_id: str,
    nhs_number: str,
    authored: datetime,
) -> Resource:
    """The answers as a FHIR R4 ``QuestionnaireResponse`` about the patient (NHS number)."""
    items = []
    for question in questionnaire.questions:
        if question.link_id in answers:
            items.append(
                {
                    "linkId": question.link_id,
                    "text": question.text,
                    "answer": [_fhir_answer(question, v) for v in answers[question.link_id]],
                }
            )
    resource = questionnaire.resource
    return {
        "resourceType": "QuestionnaireResponse",
        "id": response_id,
        "questionnaire": f"{resource['url']}|{resource['version']}",
        "status": "completed",
        "subject": {"identifier": {"system": NHS_NUMBER_SYSTEM, "value": nhs_number}},
        "authored": authored.isoformat(timespec="seconds"),
        "item": items,
    }
