"""The one reason the PDS simulator's patients cannot produce while PDS is up: PDS_UNAVAILABLE,
with the simulator failing every request (its own stack, so the other tests keep a working PDS)."""

from collections.abc import Iterator

import pytest

from cohort_contracts.vocabulary import UploadReason

from .own_stack import run_stack
from .sending_flow import api, create
from .stack import Stack
from .test_uploads import upload_and_check
from .upload_files import ListFile, csv_text

pytestmark = pytest.mark.e2e


PDS_DOWN = {
    "PDS_SIM_ERROR_RATE": "1",
    "INGEST_PDS_RETRY_ATTEMPTS": "2",
    "INGEST_PDS_BACKOFF_INITIAL_S": "0.05",
    "INGEST_PDS_BACKOFF_MAX_S": "0.1",
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    yield from run_stack(tmp_path_factory, PDS_DOWN)


def test_rows_pds_could_not_answer_are_pds_unavailable(stack: Stack) -> None:
    client = api(stack)
    campaign_id = create(client, "Uploads: PDS down")
    columns = ["NHS Number", "Date of Birth"]
    recognised = {"NHS number": "NHS Number", "date of birth": "Date of Birth"}
    f = ListFile("down.csv", b"", columns, {**recognised, "given name": None, "family name": None})
    rows = [
        f.add(None, UploadReason.PDS_UNAVAILABLE, ["9999012221", "12/07/1984"]),
        # Checked before PDS is asked, so still their own reasons.
        f.add(None, UploadReason.INVALID_NHS_NUMBER, ["9999012222", "12/07/1984"]),
        f.add(None, UploadReason.INVALID_DATE_OF_BIRTH, ["9999012221", "29/02/80"]),
    ]
    f.content = csv_text([columns, *rows]).encode()

    upload_and_check(client, campaign_id, f)
