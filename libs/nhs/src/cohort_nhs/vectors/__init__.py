"""Test vectors: what our code and the simulators' own implementations must both answer."""

import json
from importlib import resources
from typing import Any


def load(name: str) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads(resources.files(__name__).joinpath(name).read_text())
    return cases
