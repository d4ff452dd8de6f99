"""Every Prometheus metric a Cohort process exports, as the code registers it, and the
RabbitMQ metrics the dashboards and alerts also use; and the metric names a PromQL expression
refers to. ``tests/test_observability.py`` checks every alert rule and dashboard panel against
these, so a renamed metric cannot leave an alert silently watching nothing."""

import importlib
import re

from prometheus_client import REGISTRY

#: Each service's process entry point; importing it registers every metric the service has.
SERVICE_MODULES = (
    "gateway.entrypoints.app",
    "campaign.entrypoints.app",
    "ingest.entrypoints.app",
    "dispatch.entrypoints.app",
    "record.entrypoints.app",
)

#: From RabbitMQ's rabbitmq_prometheus plugin, scraped at ``/metrics/detailed`` with
#: ``family=queue_coarse_metrics`` and ``family=queue_consumer_count`` (per-queue series with
#: ``vhost`` and ``queue`` labels), and the aggregated ``/metrics`` for node health.
RABBITMQ_METRICS = frozenset(
    {
        "rabbitmq_detailed_queue_messages_ready",
        "rabbitmq_detailed_queue_messages_unacked",
        "rabbitmq_detailed_queue_messages",
        "rabbitmq_detailed_queue_consumers",
        "rabbitmq_alarms_memory_used_watermark",
        "rabbitmq_alarms_free_disk_space_watermark",
        "rabbitmq_identity_info",
    }
)
#: Prometheus' own, for every scrape target.
PROMETHEUS_METRICS = frozenset({"up"})

_FUNCTION_WORDS = """
    sum min max avg count stddev stdvar topk bottomk quantile count_values group rate irate
    increase delta idelta deriv histogram_quantile abs absent absent_over_time ceil floor round
    clamp clamp_min clamp_max label_replace label_join vector scalar time timestamp sort
    sort_desc avg_over_time min_over_time max_over_time sum_over_time count_over_time
    last_over_time present_over_time changes resets predict_linear by without on ignoring
    group_left group_right and or unless bool offset inf nan"""
_FUNCTIONS = frozenset(_FUNCTION_WORDS.split())
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_MATCHERS = re.compile(r"\{[^}]*\}")
_RANGES = re.compile(r"\[[^\]]*\]")
_GROUPINGS = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_NUMBERS = re.compile(r"(?<![A-Za-z0-9_:])[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_IDENTIFIER = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")


_SUFFIXES = {
    "counter": ("_total",),
    "gauge": ("",),
    "histogram": ("_bucket", "_sum", "_count"),
    "summary": ("_sum", "_count", ""),
    "info": ("_info",),
}


def exported() -> set[str]:
    """Every sample name the services expose on ``/metrics`` (``_total``, ``_bucket``, …),
    including labelled metrics that have no series yet."""
    for module in SERVICE_MODULES:
        importlib.import_module(module)
    names = set()
    for family in REGISTRY.collect():
        names |= {family.name + suffix for suffix in _SUFFIXES.get(family.type, ("",))}
        names |= {sample.name for sample in family.samples}
    return names


def known() -> set[str]:
    return exported() | RABBITMQ_METRICS | PROMETHEUS_METRICS


def referenced(expr: str) -> set[str]:
    """The metric names in a PromQL expression: what is left once strings, label matchers,
    ranges, groupings, numbers and function and keyword names are taken out."""
    text = _STRINGS.sub(" ", expr)
    text = _MATCHERS.sub(" ", text)
    text = _RANGES.sub(" ", text)
    text = _GROUPINGS.sub(" ", text)
    text = _NUMBERS.sub(" ", text)
    return {word for word in _IDENTIFIER.findall(text) if word not in _FUNCTIONS}
