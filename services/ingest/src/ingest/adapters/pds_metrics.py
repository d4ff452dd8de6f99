"""Ingest's PDS metrics (requests, retries, the shared rate limit, refused credentials), served
at ``/metrics`` (cohort_platform.health). The rows counter is the rows handler's
(``handlers.rows``).

Labels come from small fixed sets (reason codes, status classes, retry causes), never from row
or patient data (DESIGN §4). Every label value is created at import, so each series exists at
zero before its first event and ``rate()``/``increase()`` see the first one."""

from typing import Literal, get_args

from prometheus_client import Counter, Gauge, Histogram

StatusClass = Literal["2xx", "3xx", "4xx", "5xx", "no_response"]
RetryCause = Literal["throttled", "server_error", "timeout", "transport", "unauthorized", "token"]

PDS_REQUESTS = Counter(
    "ingest_pds_requests",
    "HTTP requests sent to PDS (each attempt), by response status class; no_response for "
    "timeouts and connection errors.",
    ["status_class"],
)
PDS_REQUEST_SECONDS = Histogram(
    "ingest_pds_request_seconds",
    "Time PDS took to answer one request (each attempt), by response status class.",
    ["status_class"],
)
PDS_RETRIES = Counter(
    "ingest_pds_retries",
    "PDS requests sent again for the same lookup (same X-Request-ID), by cause.",
    ["cause"],
)
PDS_RATE_LIMIT = Gauge(
    "ingest_pds_rate_limit_per_second",
    "PDS requests per second this instance may make now: its share of the deployment's limit "
    "among the instances with lookups to make (0 while it has none, or is waiting to join).",
)
PDS_CREDENTIALS_REFUSED = Gauge(
    "ingest_pds_credentials_refused",
    "1 while PDS refuses this instance's credentials (401/403, or the token endpoint refuses "
    "our key) and lookups are held; 0 otherwise. A configuration fault: alert on it.",
)
PDS_SHARING_INSTANCES = Gauge(
    "ingest_pds_rate_sharing_instances",
    "Instances with lookups to make, this one included, at its last count while it had some: "
    "the instances sharing the PDS limit.",
)

for _status_class in get_args(StatusClass):
    PDS_REQUESTS.labels(status_class=_status_class)
for _cause in get_args(RetryCause):
    PDS_RETRIES.labels(cause=_cause)


def status_class(status: int | None) -> StatusClass:
    if status is None:
        return "no_response"
    if status >= 500:
        return "5xx"
    if status >= 400:
        return "4xx"
    if status >= 300:
        return "3xx"
    return "2xx"
