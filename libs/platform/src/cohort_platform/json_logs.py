"""The JSON log line every process writes, with ids only in ``extra`` (DESIGN §4: no patient data
in logs). Pure Python, no broker or tracing, so that the web app and the patient pages write the
same lines (through ``cohort_http.serving``); the services add the trace id (``logs``)."""

import logging
import sys
from datetime import UTC, datetime
from typing import Any

import orjson

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}

#: Loggers that say too much at INFO: the HTTP clients log every request URL (a PDS URL ends in
#: the NHS number).
_CHATTY = ("httpx2", "httpx", "httpcore", "hpack", "aiosmtplib")


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def context(self) -> dict[str, Any]:
        """What the moment adds to every line (nothing here; the services' trace id)."""
        return {}

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "service": self._service,
            "logger": record.name,
            "event": record.getMessage(),
        }
        entry |= self.context()
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            # The exception's type only: exception messages (pydantic's especially) can quote
            # the input, which may be patient data or what a user typed.
            entry["error"] = record.exc_info[0].__name__
        return orjson.dumps(entry, default=str).decode()


def log_json_to_stdout(formatter: logging.Formatter, level: str) -> None:
    """Every logger's lines through ``formatter`` to stdout, and nothing else."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn's access log prints request paths, which can carry a link token or a secret (and
    # query strings are nobody's business).
    logging.getLogger("uvicorn.access").disabled = True
    for chatty in _CHATTY:
        logging.getLogger(chatty).setLevel(logging.WARNING)
