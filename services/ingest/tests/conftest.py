from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from .fakes import FixedClock
from .fhir import NHS_NUMBER, make_patient
from .pds_stub import PdsStub
from .token_stub import new_rsa_key

TODAY = date(2026, 11, 27)


@pytest.fixture
def today() -> date:
    return TODAY


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(TODAY)


@pytest.fixture
def stub() -> PdsStub:
    """A PDS that knows one patient, ``NHS_NUMBER``."""
    return PdsStub(patients={NHS_NUMBER: make_patient()})


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    """A signing key per module: making one takes a while."""
    return new_rsa_key()
