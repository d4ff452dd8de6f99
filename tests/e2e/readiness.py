"""A run started as a person starts it (``make run``, ``scripts/run.sh``), and waiting for it
to answer on its ports."""

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2

from .paths import ROOT


@contextmanager
def running(
    command: list[str], env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """``command`` from the repository root, in a session of its own (so Ctrl-C reaches every
    process it starts), its output in ``log``; stopped with Ctrl-C when the block ends."""
    with log.open("wb") as out:
        run = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield run
    finally:
        os.killpg(run.pid, signal.SIGINT)  # Ctrl-C, as a person stops it
        run.wait(timeout=60)


def answers(url: str, timeout: float = 5.0) -> bool:
    """Whether ``url`` answers 200 now; not listening yet, or failing, is not an answer."""
    try:
        return httpx2.get(url, timeout=timeout).status_code == 200
    except httpx2.HTTPError:
        return False


def answers_within(url: str, seconds: float) -> bool:
    """Whether ``url`` answers 200 before ``seconds`` are up."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if answers(url):
            return True
        time.sleep(0.3)
    return False


def wait_ready(
    urls: list[str], run: subprocess.Popen[bytes], log: Path, seconds: float = 120
) -> None:
    """Waits until every one of ``urls`` answers 200; fails the test, with the end of the run's
    log, if the run exits first or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    for url in urls:
        while not answers(url):
            assert run.poll() is None, log.read_text()[-4000:]
            assert time.monotonic() < deadline, f"{url} never became ready"
            time.sleep(0.3)
