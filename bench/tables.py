"""The figures, as plain-text tables."""

from collections.abc import Sequence

from .pds_client import ClientResult
from .pipeline import PipelineResult, ingest_rows


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        first, *rest = (str(c) for c in cells)
        return "  ".join(
            [first.ljust(widths[0]), *(c.rjust(w) for c, w in zip(rest, widths[1:], strict=True))]
        )

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def _metric_sum(metrics: dict[str, float], prefix: str) -> float:
    return sum(value for key, value in metrics.items() if key.startswith(prefix))


def summary(result: PipelineResult) -> str:
    config, final = result.config, result.final
    failed = {r["reason_code"]: r["count"] for r in final.get("failed_by_reason", [])}
    ingest_rate, ingest_done = result.ingest_rate()
    list_rate, list_done = result.list_rate()
    rows = [
        ["rows uploaded", f"{config.rows:,}"],
        ["gateway accept time (upload request)", f"{result.accept_s:.2f} s"],
        ["rows/s resolved by ingest (first to last)", f"{ingest_rate:,.1f}"],
        ["  ingest done, after upload start", f"{ingest_done:.1f} s ({result.ingest_resolved:,})"],
        ["rows/s recorded in the list (first to last)", f"{list_rate:,.1f}"],
        ["  list done, after upload start", f"{list_done:.1f} s ({result.processed:,})"],
        ["list complete", "yes" if result.complete else "NO (stopped waiting)"],
        ["succeeded / failed", f"{final.get('succeeded', 0):,} / {final.get('failed', 0):,}"],
    ]
    unresolved = sum(ingest_rows(m, failed_only=True) for m in result.ingest_metrics.values())
    rows.append(["rows ingest could not resolve (its metrics)", f"{unresolved:,}"])
    if result.poll_errors:
        rows.append(["progress polls that failed (campaign busy)", str(result.poll_errors)])
    if failed:
        rows.append(["failed by reason", ", ".join(f"{k} {v}" for k, v in failed.items())])
    seconds, requests, throttled = result.pds_window()
    served = requests - throttled
    rows += [
        ["PDS simulator: requests (of which 429)", f"{requests:,} ({throttled:,})"],
        [
            "PDS simulator: requests/s, answered (non-429)/s",
            f"{requests / seconds:,.1f}, {served / seconds:,.1f}" if seconds else "-",
        ],
    ]
    if config.ingest_instances > 1:
        retries = sum(
            _metric_sum(m, 'ingest_pds_retries_total{cause="throttled"')
            for m in result.ingest_metrics.values()
        )
        per_instance = [f"{ingest_rows(m):,}" for m in result.ingest_metrics.values()]
        rows += [
            ["429s retried by ingest (its metrics)", f"{retries:,.0f}"],
            ["rows resolved by each ingest instance", " / ".join(per_instance)],
        ]
    return table(["figure", "value"], rows)


def processes(result: PipelineResult) -> str:
    wall = result.wall_s or 1.0
    rows_done = max(result.processed, result.ingest_resolved, 1)
    rows = []
    listed = 0.0
    for name, (cpu_s, start_rss, peak_rss) in sorted(
        result.processes.items(), key=lambda item: -item[1][0]
    ):
        listed += cpu_s
        # Campaign may lag far behind ingest, and while it is busy its progress cannot be
        # read: per-row figures for it only when the list completed.
        per_row = rows_done if name != "campaign" else result.processed if result.complete else 0
        rows.append(
            [
                name,
                f"{cpu_s:.1f}",
                f"{cpu_s / wall:.2f}",
                f"{cpu_s / per_row * 1e6:,.0f}" if per_row else "n/a",
                f"{per_row / cpu_s:,.0f}" if per_row and cpu_s else "n/a",
                f"{start_rss:.0f}",
                f"{peak_rss:.0f}",
            ]
        )
    other = result.machine_cpu_s - listed
    rows.append(["(rest of the machine)", f"{other:.1f}", f"{other / wall:.2f}", "", "", "", ""])
    rows.append(
        [
            "whole machine (2 cores)",
            f"{result.machine_cpu_s:.1f}",
            f"{result.machine_cpu_s / wall:.2f}",
            f"{result.machine_cpu_s / rows_done * 1e6:,.0f}",
            "",
            "",
            "",
        ]
    )
    headers = [
        "process",
        "CPU s",
        "cores",
        "CPU µs/row",
        "rows/s per core",
        "RSS start MB",
        "peak RSS MB",
    ]
    return table(headers, rows)


def clients(results: list[ClientResult]) -> str:
    rows = []
    for result in results:
        low, high = result.spread("requests_per_s")
        rows.append(
            [
                result.name,
                f"{result.median('requests_per_s'):,.0f} [{low:,.0f}-{high:,.0f}]",
                f"{result.median('client_cpu_us'):,.0f}",
                f"{result.median('server_cpu_us'):,.0f}",
                str(sum(r.failures for r in result.rounds)),
            ]
        )
    headers = ["client", "req/s median [range]", "client CPU µs/req", "sim CPU µs/req", "failed"]
    return table(headers, rows)


def bottleneck(result: PipelineResult) -> str:
    """Which process was busiest: a Python service is one thread, so one near 1.0 core caps
    the pipeline; a whole machine near 2.0 cores means everything is competing for CPU."""
    wall = result.wall_s or 1.0
    services = {
        name: cpu / wall
        for name, (cpu, _, _) in result.processes.items()
        if name not in ("rabbitmq", "bench (this process)")
    }
    if not services:
        return ""
    name, cores = max(services.items(), key=lambda item: item[1])
    machine = result.machine_cpu_s / wall
    verdict = [f"busiest service: {name} at {cores:.2f} cores on average (1.0 is its ceiling)"]
    if machine >= 1.8:
        verdict.append(f"the machine was CPU-bound ({machine:.2f} of 2 cores busy)")
    else:
        verdict.append(f"the machine had headroom ({machine:.2f} of 2 cores busy)")
    return "; ".join(verdict)
