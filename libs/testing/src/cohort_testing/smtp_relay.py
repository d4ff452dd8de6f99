"""A real SMTP server (aiosmtpd) on a loopback port, for the tests of the email path: the
handler a test passes decides what the server answers and keeps what it accepted."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiosmtpd.controller import Controller

from .ports import free_port


@contextmanager
def smtp_relay(handler: Any) -> Iterator[int]:
    """Serves ``handler`` (aiosmtpd's ``handle_MAIL``/``handle_RCPT``/``handle_DATA`` hooks)
    in a thread of its own until the block ends; yields the port."""
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
