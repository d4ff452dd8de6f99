from datetime import date

import pytest

from .fakes import FixedClock

TODAY = date(2026, 11, 27)


@pytest.fixture
def today() -> date:
    return TODAY


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(TODAY)
