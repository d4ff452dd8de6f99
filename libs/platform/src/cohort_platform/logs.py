"""The services' structured JSON logs (``json_logs``), each line tied to its trace."""

from typing import Any

from opentelemetry import trace

from .json_logs import JsonFormatter, log_json_to_stdout
from .tracing import configure_tracing


class TracedJsonFormatter(JsonFormatter):
    def context(self) -> dict[str, Any]:
        span = trace.get_current_span().get_span_context()
        if not span.is_valid:
            return {}
        # Ties the line to its trace when tracing is on.
        return {"trace_id": format(span.trace_id, "032x")}


def configure_logging(service: str, level: str = "INFO") -> None:
    """Logs, and traces when a collector is configured: the one call every service makes as it
    starts (``tracing.configure_tracing``)."""
    log_json_to_stdout(TracedJsonFormatter(service), level)
    configure_tracing(service)
