"""The built-in questionnaires: FHIR R4 ``Questionnaire`` resources for primary care. Answer
codes are SNOMED CT where a concept fits (smoking status findings, contact preferences);
readings carry UCUM units. The asthma questions are the Royal College of Physicians' "3
questions" (public), with reliever use, not a licensed instrument."""

from typing import Any

from .questionnaires import EXT, ITEM_CONTROL, Questionnaire, parse

SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
LOINC = "http://loinc.org"
BASE_URL = "https://cohort.example.nhs.uk/fhir/Questionnaire/"
Resource = dict[str, Any]


def _hint(link_id: str, text: str) -> Resource:
    control = {
        "coding": [{"system": "http://hl7.org/fhir/questionnaire-item-control", "code": "help"}]
    }
    return {
        "linkId": f"{link_id}-hint",
        "type": "display",
        "text": text,
        "extension": [{"url": ITEM_CONTROL, "valueCodeableConcept": control}],
    }


def _options(*pairs: tuple[str, str], system: str | None = SNOMED) -> list[Resource]:
    return [
        {"valueCoding": {**({"system": system} if system else {}), "code": c, "display": d}}
        for c, d in pairs
    ]


def _range(low: int, high: int, unit: tuple[str, str] | None = None) -> list[Resource]:
    extensions: list[Resource] = [
        {"url": EXT + "minValue", "valueInteger": low},
        {"url": EXT + "maxValue", "valueInteger": high},
    ]
    if unit is not None:
        coding = {"system": UCUM, "code": unit[0], "display": unit[1]}
        extensions.append({"url": EXT + "questionnaire-unit", "valueCoding": coding})
    return extensions


def _pressure(which: str, place: str, loinc: str, bounds: tuple[int, int], hint: str) -> Resource:
    """One number of a blood pressure reading (``which`` is systolic or diastolic), in mmHg and
    coded in LOINC, so the GP record files it as that observation."""
    return {
        "linkId": which,
        "text": f"What was the {place} number ({which})?",
        "type": "integer",
        "required": True,
        "code": [{"system": LOINC, "code": loinc}],
        "extension": _range(*bounds, ("mm[Hg]", "mmHg")),
        "item": [_hint(which, f"{hint} in 120/80.")],
    }


def _questionnaire(qid: str, title: str, description: str, items: list[Resource]) -> Resource:
    return {
        "resourceType": "Questionnaire",
        "id": qid,
        "url": BASE_URL + qid,
        "version": "1",
        "name": qid.replace("-", "_"),
        "title": title,
        "status": "active",
        "subjectType": ["Patient"],
        "publisher": "Cohort",
        "description": description,
        "item": items,
    }


def _when(link_id: str, code: str) -> list[Resource]:
    return [
        {"question": link_id, "operator": "=", "answerCoding": {"system": SNOMED, "code": code}}
    ]


SMOKER, OCCASIONAL = "77176002", "428041000124106"
SMOKING = _questionnaire(
    "smoking-status",
    "Smoking status",
    "Whether you smoke, so your record is up to date and you can be offered help to stop.",
    [
        {
            "linkId": "smoking",
            "text": "Do you smoke?",
            "type": "choice",
            "required": True,
            "answerOption": _options(
                (SMOKER, "Yes, every day"),
                (OCCASIONAL, "Yes, sometimes"),
                ("8517006", "I used to smoke"),
                ("266919005", "I have never smoked"),
            ),
            "item": [_hint("smoking", "Include cigarettes, cigars and pipes, but not vapes.")],
        },
        {
            "linkId": "cigarettes-per-day",
            "text": "About how many cigarettes do you smoke a day?",
            "type": "integer",
            "required": True,
            "enableWhen": _when("smoking", SMOKER) + _when("smoking", OCCASIONAL),
            "enableBehavior": "any",
            "extension": _range(0, 100, ("{cigarettes}/d", "a day")),
        },
        {
            "linkId": "wants-help",
            "text": "Would you like help to stop smoking?",
            "type": "boolean",
            "required": True,
            "enableWhen": _when("smoking", SMOKER) + _when("smoking", OCCASIONAL),
            "enableBehavior": "any",
        },
        {
            "linkId": "vapes",
            "text": "Do you use an e-cigarette or vape?",
            "type": "boolean",
            "required": True,
        },
    ],
)

BLOOD_PRESSURE = _questionnaire(
    "blood-pressure-home",
    "Home blood pressure reading",
    "A blood pressure reading you took at home, so your GP can check it.",
    [
        _pressure("systolic", "top", "8480-6", (60, 260), "The higher number, for example 120"),
        _pressure("diastolic", "bottom", "8462-4", (30, 160), "The lower number, for example 80"),
        {
            "linkId": "reading-date",
            "text": "When did you take the reading?",
            "type": "date",
            "required": True,
            "item": [_hint("reading-date", "For example, 15 3 2026")],
        },
        {
            "linkId": "rested",
            "text": "Had you been sitting down and resting for 5 minutes before the reading?",
            "type": "boolean",
            "required": True,
        },
    ],
)

_IN_THE_LAST_MONTH = "In the last month"
ASTHMA = _questionnaire(
    "asthma-control",
    "Asthma check",
    "How your asthma has been in the last month, before your asthma review.",
    [
        {
            "linkId": "sleep",
            "text": f"{_IN_THE_LAST_MONTH}, have you had difficulty sleeping because of your "
            "asthma symptoms (including cough)?",
            "type": "boolean",
            "required": True,
        },
        {
            "linkId": "daytime",
            "text": f"{_IN_THE_LAST_MONTH}, have you had your usual asthma symptoms during the "
            "day (cough, wheeze, chest tightness or breathlessness)?",
            "type": "boolean",
            "required": True,
        },
        {
            "linkId": "activities",
            "text": f"{_IN_THE_LAST_MONTH}, has your asthma interfered with your usual "
            "activities (for example housework, work or school)?",
            "type": "boolean",
            "required": True,
        },
        {
            "linkId": "reliever",
            "text": "In the last week, how many times did you use your reliever (usually blue) "
            "inhaler?",
            "type": "integer",
            "required": True,
            "extension": _range(0, 200),
            "item": [_hint("reliever", "Count each time you used it. Enter 0 if you did not.")],
        },
    ],
)


def _new_detail(link_id: str, text: str, max_length: int) -> Resource:
    """A contact detail asked for only when the patient says theirs changed (may stay empty)."""
    return {
        "linkId": link_id,
        "text": text,
        "type": "string",
        "required": False,
        "maxLength": max_length,
        "enableWhen": [{"question": "details-changed", "operator": "=", "answerBoolean": True}],
        "item": [_hint(link_id, "Leave this empty if it has not changed.")],
    }


CONTACT = _questionnaire(
    "contact-details-check",
    "Check your contact details",
    "Whether we have the right details to contact you.",
    [
        {
            "linkId": "details-changed",
            "text": "Have your mobile number or email address changed in the last year?",
            "type": "boolean",
            "required": True,
        },
        _new_detail("new-mobile", "What is your mobile number?", 20),
        _new_detail("new-email", "What is your email address?", 200),
        {
            "linkId": "preferred-contact",
            "text": "How would you like us to contact you?",
            "type": "choice",
            "required": True,
            "answerOption": _options(
                ("sms", "Text message"),
                ("email", "Email"),
                ("phone", "Phone call"),
                ("letter", "Letter"),
                system="https://cohort.example.nhs.uk/fhir/CodeSystem/contact-method",
            ),
        },
    ],
)

LIBRARY: dict[str, Questionnaire] = {
    q.id: q for q in (parse(r) for r in (SMOKING, BLOOD_PRESSURE, ASTHMA, CONTACT))
}
