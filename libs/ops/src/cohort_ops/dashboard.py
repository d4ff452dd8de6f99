"""The Grafana dashboard ``deploy/observability/grafana/cohort.json``, written from this table of
panels so it stays consistent (one datasource variable, unique ids, a grid without overlaps).
``python -m cohort_ops.dashboard --write`` regenerates it; a test fails when it drifts and when
a panel names a metric nothing exports."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .generated import print_or_write

ROOT = Path(__file__).resolve().parents[4]
DASHBOARD = ROOT / "deploy" / "observability" / "grafana" / "cohort.json"
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
#: The work queues, not their DLQs nor the EHR integration's queue.
WORK = 'queue=~"$namespace\\\\..+",queue!~".+\\\\.dlq"'
DLQ = 'queue=~"$namespace\\\\..+\\\\.dlq"'


@dataclass(frozen=True)
class Panel:
    title: str
    exprs: tuple[tuple[str, str], ...]  # (PromQL, legend)
    unit: str = "short"
    description: str = ""


ROWS: tuple[tuple[str, tuple[Panel, ...]], ...] = (
    (
        "Queues",
        (
            Panel(
                "Queue depth (ready + unacked)",
                ((f"sum by (queue) (rabbitmq_detailed_queue_messages{{{WORK}}})", "{{queue}}"),),
                description="Work waiting in each queue; KEDA scales each service on its own.",
            ),
            Panel(
                "Queue age: time messages waited (p95)",
                (
                    (
                        "histogram_quantile(0.95, sum by (le, routing_key) "
                        '(rate(cohort_message_wait_seconds_bucket{routing_key!="rpc_reply"}[5m])))',
                        "{{routing_key}}",
                    ),
                ),
                unit="s",
                description="From publish to a handler taking the message.",
            ),
            Panel(
                "Dead-letter queues",
                ((f"sum by (queue) (rabbitmq_detailed_queue_messages{{{DLQ}}})", "{{queue}}"),),
                description="Should be 0. Inspect with `cohort dlq list`.",
            ),
            Panel(
                "Consumers per queue",
                ((f"sum by (queue) (rabbitmq_detailed_queue_consumers{{{WORK}}})", "{{queue}}"),),
            ),
        ),
    ),
    (
        "Throughput",
        (
            Panel(
                "Rows resolved per second",
                (("sum by (outcome) (rate(ingest_rows_resolved_total[5m]))", "{{outcome}}"),),
                unit="ops",
            ),
            Panel(
                "Messages handled per second",
                (
                    (
                        "sum by (routing_key) "
                        '(rate(cohort_messages_handled_total{outcome="ok"}[5m]))',
                        "{{routing_key}}",
                    ),
                    (
                        'sum(rate(cohort_messages_handled_total{outcome="error"}[5m]))',
                        "failed (retried)",
                    ),
                ),
                unit="ops",
            ),
            Panel(
                "SMS and email sent per second",
                (
                    (
                        "sum by (channel, status) (rate(dispatch_send_outcomes_total[5m]))",
                        "{{channel}} {{status}}",
                    ),
                ),
                unit="ops",
            ),
            Panel(
                "Receipts per second",
                (
                    (
                        "sum(rate(cohort_messages_handled_total"
                        '{routing_key="dispatch.firetext_receipt"}[5m]))',
                        "receipts",
                    ),
                    (
                        "sum(rate(cohort_messages_handled_total"
                        '{routing_key="dispatch.delivery_reported"}[5m]))',
                        "outcomes recorded",
                    ),
                ),
                unit="ops",
            ),
        ),
    ),
    (
        "PDS and Firetext",
        (
            Panel(
                "PDS latency (p50, p95)",
                (
                    (
                        "histogram_quantile(0.5, sum by (le) "
                        "(rate(ingest_pds_request_seconds_bucket[5m])))",
                        "p50",
                    ),
                    (
                        "histogram_quantile(0.95, sum by (le) "
                        "(rate(ingest_pds_request_seconds_bucket[5m])))",
                        "p95",
                    ),
                ),
                unit="s",
            ),
            Panel(
                "PDS responses and retries",
                (
                    (
                        "sum by (status_class) (rate(ingest_pds_requests_total[5m]))",
                        "{{status_class}}",
                    ),
                    ("sum by (cause) (rate(ingest_pds_retries_total[5m]))", "retry: {{cause}}"),
                    ("sum(ingest_pds_rate_limit_per_second)", "allowed req/s (all instances)"),
                ),
                unit="reqps",
                description="retry: throttled is PDS answering 429.",
            ),
            Panel(
                "Firetext latency (p50, p95)",
                (
                    (
                        "histogram_quantile(0.5, sum by (le, provider) "
                        "(rate(dispatch_provider_call_seconds_bucket[5m])))",
                        "{{provider}} p50",
                    ),
                    (
                        "histogram_quantile(0.95, sum by (le, provider) "
                        "(rate(dispatch_provider_call_seconds_bucket[5m])))",
                        "{{provider}} p95",
                    ),
                ),
                unit="s",
            ),
            Panel(
                "Provider calls by outcome",
                (
                    (
                        "sum by (provider, outcome) "
                        "(rate(dispatch_provider_call_seconds_count[5m]))",
                        "{{provider}} {{outcome}}",
                    ),
                    (
                        "sum by (reason_code) (increase(dispatch_sending_blocked_total[15m]))",
                        "blocked: {{reason_code}}",
                    ),
                ),
                unit="ops",
            ),
        ),
    ),
    (
        "Money and records",
        (
            Panel(
                "SMS credit balance",
                (("min by (account) (dispatch_sms_credit_balance)", "{{account}}"),),
                description="Read every DISPATCH_CREDIT_CHECK_INTERVAL_S.",
            ),
            Panel(
                "Save-to-record outbox backlog",
                (
                    ("max(campaign_outbox_backlog)", "waiting"),
                    ("sum(increase(campaign_outbox_stalls_total[15m]))", "stalled passes"),
                ),
            ),
            Panel(
                "Receipt timeouts",
                (
                    (
                        "sum by (outcome) (increase(campaign_receipt_timeouts_total[1h]))",
                        "{{outcome}}",
                    ),
                ),
            ),
            Panel(
                "API requests by status",
                (
                    (
                        "sum by (status) (rate(gateway_http_requests_total[5m]))",
                        "{{status}}",
                    ),
                ),
                unit="reqps",
            ),
        ),
    ),
)


def _panel(panel: Panel, panel_id: int, x: int, y: int) -> dict[str, Any]:
    return {
        "id": panel_id,
        "type": "timeseries",
        "title": panel.title,
        "description": panel.description,
        "datasource": DATASOURCE,
        "gridPos": {"h": 8, "w": 6, "x": x, "y": y},
        "fieldConfig": {"defaults": {"unit": panel.unit}, "overrides": []},
        "options": {"legend": {"displayMode": "list", "placement": "bottom"}},
        "targets": [
            {
                "refId": chr(ord("A") + i),
                "datasource": DATASOURCE,
                "expr": expr,
                "legendFormat": legend,
            }
            for i, (expr, legend) in enumerate(panel.exprs)
        ],
    }


def build() -> dict[str, Any]:
    panels: list[dict[str, Any]] = []
    y = 0
    for title, row in ROWS:
        panels.append(
            {
                "id": len(panels) + 1,
                "type": "row",
                "title": title,
                "collapsed": False,
                "gridPos": {"h": 1, "w": 24, "x": 0, "y": y},
                "panels": [],
            }
        )
        y += 1
        for index, panel in enumerate(row):
            panels.append(_panel(panel, len(panels) + 1, (index % 4) * 6, y + (index // 4) * 8))
        y += 8 * ((len(row) + 3) // 4)
    return {
        "uid": "cohort-overview",
        "title": "Cohort",
        "tags": ["cohort"],
        "timezone": "utc",
        "schemaVersion": 39,
        "version": 1,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {
            "list": [
                {"name": "datasource", "type": "datasource", "query": "prometheus"},
                {
                    "name": "namespace",
                    "type": "custom",
                    "query": "cohort",
                    "current": {"text": "cohort", "value": "cohort"},
                    "description": "COHORT_NAMESPACE: the prefix of every queue",
                },
            ]
        },
        "panels": panels,
    }


def render() -> str:
    return json.dumps(build(), indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    return print_or_write("python -m cohort_ops.dashboard", DASHBOARD, render, argv)


if __name__ == "__main__":
    raise SystemExit(main())
