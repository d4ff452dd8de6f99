"""What a test's logs hold, whole, so it can check that none of them carries patient data."""

import json

import pytest


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    """Every captured record with all its fields (``extra`` ones too), as one text."""
    return json.dumps([r.__dict__ for r in caplog.records], default=str)
