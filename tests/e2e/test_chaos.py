"""Issue 15, part 1, at 1,000 patients (``make chaos`` runs 10,000): a campaign through kills
of every service but campaign (on the stand-in its state dies with it; it is killed too where a
real MongoDB runs), a RabbitMQ restart, Firetext timing out and failing, and PDS throttling,
failing and refusing our credentials, ends with every row in one final state with its reason,
no handset messaged twice, nothing dead-lettered, and the API's counts equal to the
simulator's. The run has a RabbitMQ node of its own: the shared one is never restarted."""

import random
from pathlib import Path

import pytest

from .chaos import run_chaos
from .log_scan import service_logs
from .private_broker import available

pytestmark = pytest.mark.e2e


def test_a_campaign_through_chaos_loses_no_one_and_messages_no_one_twice(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    if (reason := available()) is not None:
        pytest.skip(f"no private RabbitMQ node: {reason}")
    log_dir = Path(tmp_path_factory.mktemp("chaos"))

    figures = run_chaos(1000, log_dir, seed=random.randrange(1_000_000), settle_s=240)

    assert figures.problems() == [], figures
    assert figures.recipients_lost == 0
    assert figures.handsets_messaged_twice == 0
    assert figures.failed_work() == {}
    assert figures.api_delivered == figures.simulator_delivered
    # Each list row accounted for: resolved, or failed with its reason (every 100th row has
    # a wrong date of birth); PDS refusing our credentials failed none.
    assert figures.list_succeeded + sum(figures.list_failed_by_reason.values()) == 1000
    assert figures.list_failed_by_reason.get("DATE_OF_BIRTH_MISMATCH") == 10
    assert "PDS_UNAVAILABLE" not in figures.list_failed_by_reason
    # Every planned fault happened: kills of each killable service, one broker restart.
    injected = " ".join(figures.injected)
    for fault in ("SIGKILL ingest", "SIGKILL dispatch", "SIGKILL gateway", "RabbitMQ stop_app"):
        assert fault in injected, figures.injected
    for fault in ("PDS 401", "PDS 429", "PDS 5xx", "Firetext timeout", "Firetext 5xx"):
        assert fault in injected, figures.injected
    assert figures.log_findings == 0
    assert service_logs(log_dir)
