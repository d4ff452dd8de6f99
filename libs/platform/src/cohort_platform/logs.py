"""Structured JSON logs. Only ids go in ``extra`` (DESIGN §4: no patient data in logs)."""

import logging
import sys
from datetime import UTC, datetime
from typing import Any

import orjson
from opentelemetry import trace

from .tracing import configure_tracing

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "service": self._service,
            "logger": record.name,
            "event": record.getMessage(),
        }
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            # Ties the line to its trace when tracing is on.
            entry["trace_id"] = format(span.trace_id, "032x")
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            # The exception's type only: exception messages (pydantic's especially) can quote
            # the input, which may be patient data.
            entry["error"] = record.exc_info[0].__name__
        return orjson.dumps(entry, default=str).decode()


def configure_logging(service: str, level: str = "INFO") -> None:
    """Logs, and traces when a collector is configured: the one call every service makes as it
    starts (``tracing.configure_tracing``)."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn's access log prints request paths, which can carry a link token or a secret; the
    # HTTP clients log every request URL at INFO, and a PDS URL ends in the NHS number.
    logging.getLogger("uvicorn.access").disabled = True
    for chatty in ("httpx2", "httpx", "httpcore", "hpack", "aiosmtplib"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    configure_tracing(service)
