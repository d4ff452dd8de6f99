"""How a failed handler's message is settled.

A payload that does not validate never reaches the handler: FastStream's default policy rejects
it without requeue, so it goes straight to the dead-letter queue. Anything the handler raises is
treated as transient and the message is *rejected with requeue*: quorum queues count rejections
towards ``x-delivery-limit`` on every RabbitMQ version (4.3 stopped counting nacks), so a message
that keeps failing is dead-lettered after the bounded number of deliveries, never looped forever.
``PermanentError`` skips the retries."""

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from faststream.exceptions import AckMessage, NackMessage, RejectMessage

P = ParamSpec("P")
R = TypeVar("R")


class PermanentError(Exception):
    """A message that can never be handled; dead-letter it now."""


def redeliver_on_error(func: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    @functools.wraps(func)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await func(*args, **kwargs)
        except (AckMessage, NackMessage, RejectMessage):
            raise
        except PermanentError as exc:
            raise RejectMessage(requeue=False) from exc
        except Exception as exc:
            raise RejectMessage(requeue=True) from exc

    return wrapper
