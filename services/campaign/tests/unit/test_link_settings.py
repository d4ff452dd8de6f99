"""Settings for links and practice names: the organisations file, the secret, the warning."""

import json
import logging
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from campaign.adapters.organisations_file import OrganisationsFile
from campaign.bootstrap import build_renderer, warn_if_insecure
from campaign.config import CampaignSettings
from campaign.domain.model import Campaign, Message
from cohort_contracts.campaign_settings import QuestionnaireSettings

DIRECTORY = {
    "organisations": [
        {"ods": "A81001", "name": "Riverside Surgery", "network": "U12345"},
        {"ods": "A81002", "name": "Hillside Medical Centre", "network": "U12345"},
    ],
    "networks": [{"ods": "U12345", "name": "North Town PCN", "members": ["A81001", "A81002"]}],
}


def test_names_come_from_the_gateways_organisations_file(tmp_path: Path) -> None:
    path = tmp_path / "organisations.json"
    path.write_text(json.dumps(DIRECTORY))
    assert OrganisationsFile.read(path).names() == {
        "A81001": "Riverside Surgery",
        "A81002": "Hillside Medical Centre",
        "U12345": "North Town PCN",
    }
    assert OrganisationsFile.read(None).names() == {}


def test_a_configured_file_that_cannot_be_read_stops_startup(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        OrganisationsFile.read(tmp_path / "missing.json").names()
    broken = tmp_path / "broken.json"
    broken.write_text('{"organisations": [{"ods": "A81001"}]}')
    with pytest.raises(ValidationError):
        OrganisationsFile.read(broken).names()


def test_the_renderer_is_built_from_settings(tmp_path: Path) -> None:
    path = tmp_path / "organisations.json"
    path.write_text(json.dumps(DIRECTORY))
    settings = CampaignSettings(
        organisations_file=path,
        link_secret=SecretStr("a-real-secret"),
        link_base_url="https://links.example.nhs.uk/x/",
    )
    renderer = build_renderer(settings, OrganisationsFile.read(path).names())
    campaign = Campaign(uuid.uuid4(), "A81002", "c", "questionnaire", "u", datetime.now(UTC))
    campaign.questionnaire = QuestionnaireSettings(questionnaire_id="q", title="the survey")
    campaign.message = Message("From ((practice_name))")
    body = renderer.render(campaign, uuid.uuid4().hex, "Ann", "Jones").body
    assert body.startswith("From Hillside Medical Centre\n\nPlease complete the survey: ")
    assert "https://links.example.nhs.uk/x/A81002." in body


def test_the_development_link_secret_is_warned_about(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        warn_if_insecure(CampaignSettings())
        assert "CAMPAIGN_LINK_SECRET" in caplog.text
        caplog.clear()
        warn_if_insecure(CampaignSettings(link_secret=SecretStr("a-real-secret")))
        assert caplog.text == ""
