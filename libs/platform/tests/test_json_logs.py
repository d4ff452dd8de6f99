"""One JSON line a record, ids only: the web apps' lines and the services' (which add the trace)."""

import json
import logging
import sys

from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from cohort_platform.json_logs import JsonFormatter
from cohort_platform.logs import TracedJsonFormatter


def record(**extra: object) -> logging.LogRecord:
    try:
        raise ValueError("no patient 943 476 5919")
    except ValueError:
        exc_info = sys.exc_info()
    made = logging.makeLogRecord({"name": "web.app", "levelname": "WARNING", "msg": "sent %s"})
    made.args = ("3",)
    made.exc_info = exc_info
    made.__dict__.update(extra)
    return made


def test_a_line_holds_the_event_its_ids_and_the_exception_type_only() -> None:
    line = json.loads(JsonFormatter("web").format(record(campaign_id="c1", _private="x")))

    assert {k: v for k, v in line.items() if k != "ts"} == {
        "level": "warning",
        "service": "web",
        "logger": "web.app",
        "event": "sent 3",
        "campaign_id": "c1",
        "error": "ValueError",
    }


def test_a_service_line_carries_its_trace() -> None:
    context = SpanContext(0xABC, 0xDEF, is_remote=False, trace_flags=TraceFlags(1))
    with trace.use_span(NonRecordingSpan(context)):
        line = json.loads(TracedJsonFormatter("campaign").format(record()))

    assert line["trace_id"] == f"{0xABC:032x}"
    assert "trace_id" not in json.loads(TracedJsonFormatter("campaign").format(record()))
