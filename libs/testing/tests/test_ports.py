import socket

import pytest

from cohort_testing import ports
from cohort_testing.ports import RANGE_ENV, free_port


def test_a_port_is_never_given_twice() -> None:
    # Without the record of ports given, the kernel repeats a port within a few hundred calls.
    given = [free_port() for _ in range(1000)]

    assert len(set(given)) == len(given)


def test_the_port_given_can_be_bound() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", free_port()))


def test_a_range_gives_its_own_ports_skipping_one_in_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ports, "_given", set())
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        busy = int(listener.getsockname()[1])
        monkeypatch.setenv(RANGE_ENV, f"{busy}-{busy + 3}")
        given = [free_port() for _ in range(3)]

        assert given == [busy + 1, busy + 2, busy + 3]
        with pytest.raises(RuntimeError, match="every port in the range is taken or given"):
            free_port()
