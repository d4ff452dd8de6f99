"""Per-routing-key message metrics, in every service (a broker middleware): how long messages
waited in their queue before a handler took them (publish time, set by FastStream on every
message, to now), how long handling took, and how many were handled or failed.

The wait is the queue's age as its consumers see it: RabbitMQ's own metrics give depths, not
ages, and a quorum queue has no head-message timestamp."""

import time
from datetime import UTC, datetime
from typing import Any

from faststream import BaseMiddleware
from faststream.message import StreamMessage
from prometheus_client import Counter, Histogram

from cohort_contracts.routing import ALL_ROUTES

_KEYS = frozenset(route.routing_key for route in ALL_ROUTES)
#: Replies arrive on private queues named per process; one label for them all.
REPLY = "rpc_reply"
_WAIT_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600)

HANDLED = Counter(
    "cohort_messages_handled",
    "Messages handled, by routing key and outcome (ok, error: redelivered or dead-lettered)",
    ["routing_key", "outcome"],
)
WAIT = Histogram(
    "cohort_message_wait_seconds",
    "Time from publish to a handler taking the message: the age of the queue's work",
    ["routing_key"],
    buckets=_WAIT_BUCKETS,
)
HANDLING = Histogram(
    "cohort_message_handling_seconds", "Time a handler took, by routing key", ["routing_key"]
)


def _key(raw: Any) -> str:
    key = str(getattr(raw, "routing_key", "") or "")
    return key if key in _KEYS else REPLY


class MessageMetrics(BaseMiddleware):
    async def consume_scope(self, call_next: Any, msg: StreamMessage[Any]) -> Any:
        raw = getattr(msg, "raw_message", None)
        key = _key(raw)
        published = getattr(raw, "timestamp", None)
        if isinstance(published, datetime):
            sent = published if published.tzinfo else published.replace(tzinfo=UTC)
            WAIT.labels(key).observe(max(0.0, (datetime.now(UTC) - sent).total_seconds()))
        started = time.perf_counter()
        outcome = "error"
        try:
            result = await call_next(msg)
            outcome = "ok"
            return result
        finally:
            HANDLING.labels(key).observe(time.perf_counter() - started)
            HANDLED.labels(key, outcome).inc()
