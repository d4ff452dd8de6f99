"""How a failed handler's message is settled.

A payload that does not validate never reaches the handler: FastStream's default policy rejects
it without requeue, so it goes straight to the dead-letter queue. Anything the handler raises is
treated as transient and the message is *rejected with requeue*: quorum queues count rejections
towards ``x-delivery-limit`` on every RabbitMQ version (4.3 stopped counting nacks), so a message
that keeps failing is dead-lettered after the bounded number of deliveries, never looped forever.
``PermanentError`` skips the retries.

Before a message goes back, ``pause_before_redelivery`` holds it for a while that doubles with
each delivery. Without it, a failure that lasts a moment (a connection being re-established
after a broker restart) met every message in flight in a burst of instant redeliveries: five
send batches used up five deliveries each in 150 ms and were dead-lettered, though nothing was
wrong with them."""

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

from faststream import BaseMiddleware
from faststream.exceptions import AckMessage, NackMessage, RejectMessage
from faststream.message import StreamMessage

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


def delivery_number(msg: StreamMessage[Any]) -> int:
    """Which delivery of the message this is: 1 for the first (quorum queues count earlier
    ones in ``x-delivery-count``, absent on a first delivery)."""
    headers = getattr(getattr(msg, "raw_message", None), "headers", None) or {}
    count = headers.get("x-delivery-count", 0)
    return (count if isinstance(count, int) else 0) + 1


def redelivery_pause(delivery: int, first_s: float, longest_s: float) -> float:
    """Seconds to hold a message whose ``delivery``-th handling failed before it goes back."""
    return float(min(longest_s, first_s * 2 ** min(delivery - 1, 30)))


def pause_before_redelivery(first_s: float, longest_s: float) -> type[BaseMiddleware]:
    """A broker middleware holding a message that is going back to its queue (rejected or
    nacked with requeue) for ``redelivery_pause`` first. The message stays unacknowledged
    meanwhile: a consumer that dies returns it as it would have anyway."""

    class PauseBeforeRedelivery(BaseMiddleware):
        async def consume_scope(self, call_next: Any, msg: StreamMessage[Any]) -> Any:
            try:
                return await call_next(msg)
            except (RejectMessage, NackMessage) as exc:
                # aio-pika's defaults: reject drops (dead-letters), nack requeues.
                default = isinstance(exc, NackMessage)
                if exc.extra_options.get("requeue", default):
                    pause = redelivery_pause(delivery_number(msg), first_s, longest_s)
                    await asyncio.sleep(pause)
                raise

    return PauseBeforeRedelivery
