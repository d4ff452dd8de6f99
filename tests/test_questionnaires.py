"""The staff web app offers exactly the questionnaires the campaign service has (its library of
FHIR R4 Questionnaire resources), so no campaign can send a link to one that does not exist."""

from campaign.domain.questionnaire_library import LIBRARY
from web.forms import QUESTIONNAIRES


def test_the_web_app_offers_the_library() -> None:
    assert {qid for qid, _ in QUESTIONNAIRES} == set(LIBRARY)


def test_every_questionnaire_is_a_fhir_r4_questionnaire() -> None:
    for questionnaire in LIBRARY.values():
        resource = questionnaire.resource
        assert resource["resourceType"] == "Questionnaire"
        assert resource["status"] == "active"
        assert resource["url"].endswith("/" + questionnaire.id)
        link_ids = [item["linkId"] for item in resource["item"]]
        assert len(link_ids) == len(set(link_ids))
        for item in resource["item"]:
            for condition in item.get("enableWhen", []):
                assert condition["question"] in link_ids[: link_ids.index(item["linkId"])]
