import socket

from cohort_testing.ports import free_port


def test_a_port_is_never_given_twice() -> None:
    # Without the record of ports given, the kernel repeats a port within a few hundred calls.
    ports = [free_port() for _ in range(1000)]

    assert len(set(ports)) == len(ports)


def test_the_port_given_can_be_bound() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", free_port()))
