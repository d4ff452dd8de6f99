"""An organisations file for tests (the gateway's, campaign's and record's GATEWAY_/CAMPAIGN_/
RECORD_ORGANISATIONS_FILE): two networks, three practices."""

import json
from pathlib import Path

PRACTICE_A, PRACTICE_A2, PRACTICE_B = "A81001", "A81002", "B82002"
NETWORK_A, NETWORK_B = "U12345", "U99999"

ORGANISATIONS = {
    "organisations": [
        {"ods": PRACTICE_A, "name": "Example Surgery", "network": NETWORK_A},
        {"ods": PRACTICE_A2, "name": "Riverside Practice", "network": NETWORK_A},
        {"ods": PRACTICE_B, "name": "Hilltop Medical", "network": NETWORK_B},
    ],
    "networks": [
        {"ods": NETWORK_A, "name": "Example PCN"},
        {"ods": NETWORK_B, "name": "Hilltop PCN"},
    ],
}


def write_organisations(directory: Path, content: object = ORGANISATIONS) -> Path:
    path = directory / "organisations.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path
