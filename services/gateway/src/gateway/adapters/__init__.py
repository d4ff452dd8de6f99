"""Adapters: all of the gateway's I/O to the broker."""

from aio_pika.exceptions import AMQPError, ChannelInvalidStateError
from faststream.exceptions import IncorrectState

#: What a publish can raise when the broker is unreachable, refuses a message or is too slow.
BROKER_ERRORS: tuple[type[BaseException], ...] = (
    AMQPError,
    ChannelInvalidStateError,
    IncorrectState,
    OSError,
    TimeoutError,
)
