import socket

import pytest

from cohort_testing import ports
from cohort_testing.ports import RANGE_ENV, free_port


@pytest.fixture
def kernel_ports(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernel's ports, as without a range; and a record of ports given that is the test's
    own, so the thousand ports it takes are not missing from a range the next test uses."""
    monkeypatch.delenv(RANGE_ENV, raising=False)
    monkeypatch.setattr(ports, "_given", set())


@pytest.mark.usefixtures("kernel_ports")
def test_a_port_is_never_given_twice() -> None:
    # Without the record of ports given, the kernel repeats a port within a few hundred calls.
    given = [free_port() for _ in range(1000)]

    assert len(set(given)) == len(given)


@pytest.mark.usefixtures("kernel_ports")
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
