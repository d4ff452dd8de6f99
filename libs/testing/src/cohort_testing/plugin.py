"""pytest plugin (loaded in every project through its entry point): the ``rabbitmq_url`` and
``mongodb_url`` fixtures, and a report header saying which servers this run uses.

A test that needs a server it cannot have is skipped with the reason (see ``servers``); run
with ``-rs`` to see the reasons, grouped into one line each."""

import pytest

from .servers import SHARED as _servers
from .servers import Server


def pytest_report_header(config: pytest.Config) -> str:
    rabbit, mongo = _servers.plan()
    return f"servers: {rabbit.describe('RabbitMQ')}; {mongo.describe('MongoDB')}"


def pytest_unconfigure(config: pytest.Config) -> None:
    _servers.stop()


def _url_or_skip(server: Server, name: str) -> str:
    if server.url is None:
        pytest.skip(f"no {name}: {server.source}")
    return server.url


@pytest.fixture(scope="session")
def rabbitmq_url() -> str:
    return _url_or_skip(_servers.rabbitmq(), "RabbitMQ")


@pytest.fixture(scope="session")
def mongodb_url() -> str:
    return _url_or_skip(_servers.mongodb(), "real MongoDB")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per skip reason with its count, so what did not run (and why) is never lost in
    a quiet run."""
    reasons: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reason = reason.removeprefix("Skipped: ")
        reasons[reason] = reasons.get(reason, 0) + 1
    for reason, count in sorted(reasons.items()):
        terminalreporter.write_line(f"skipped {count}: {reason}")
