"""What the patient has told the NHS about being contacted, from PDS's extensions (retrieve
only; reference/pds.md §2): ``Extension-UKCore-ContactPreference`` (``PreferredContactMethod``,
where code 8 is "No Telephone contact") and ``Extension-UKCore-NHSCommunication`` (``language``
and ``interpreterRequired``; a patient may have several). Read leniently like the rest of the
resource: an extension of the wrong shape is ignored."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

CONTACT_PREFERENCE = (
    "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-ContactPreference"
)
NHS_COMMUNICATION = "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSCommunication"
#: UKCore-PreferredContactMethod: 8 "No Telephone contact".
NO_TELEPHONE_CONTACT = "8"


@dataclass(frozen=True)
class LanguageNeed:
    code: str
    display: str
    interpreter_required: bool


@dataclass(frozen=True)
class ContactPreferences:
    no_telephone_contact: bool = False
    languages: tuple[LanguageNeed, ...] = ()

    @property
    def language(self) -> str | None:
        """The first language recorded, as PDS displays it (``French``), else its code."""
        return self.languages[0].display if self.languages else None

    @property
    def interpreter_required(self) -> bool:
        return any(need.interpreter_required for need in self.languages)


def _mappings(value: object) -> list[Mapping[str, object]]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def _first_coding(ext: Mapping[str, object]) -> tuple[str, str] | None:
    concept = ext.get("valueCodeableConcept")
    if not isinstance(concept, Mapping):
        return None
    for coding in _mappings(concept.get("coding")):
        code = coding.get("code")
        if isinstance(code, str) and code.strip():
            display = coding.get("display")
            text = display.strip() if isinstance(display, str) and display.strip() else code
            return code.strip(), text
    return None


def _language(ext: Mapping[str, object]) -> LanguageNeed | None:
    parts = {part.get("url"): part for part in _mappings(ext.get("extension"))}
    language = _first_coding(parts["language"]) if "language" in parts else None
    if language is None:
        return None
    interpreter = parts.get("interpreterRequired", {}).get("valueBoolean") is True
    return LanguageNeed(language[0], language[1], interpreter)


def _no_telephone(ext: Mapping[str, object]) -> bool:
    for part in _mappings(ext.get("extension")):
        if part.get("url") == "PreferredContactMethod":
            coding = _first_coding(part)
            if coding is not None and coding[0] == NO_TELEPHONE_CONTACT:
                return True
    return False


def read_preferences(resource: Mapping[str, object]) -> ContactPreferences:
    no_telephone, languages = False, []
    for ext in _mappings(resource.get("extension")):
        if ext.get("url") == CONTACT_PREFERENCE:
            no_telephone = no_telephone or _no_telephone(ext)
        elif ext.get("url") == NHS_COMMUNICATION and (need := _language(ext)) is not None:
            languages.append(need)
    return ContactPreferences(no_telephone, tuple(languages))
