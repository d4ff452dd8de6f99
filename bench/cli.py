"""``python bench/ingest_bench.py``: the ingest pipeline benchmark of issue 3 (not a test)."""

import argparse
import io
import os
import shutil
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from .pds_client import run_client_bench
from .pipeline import PipelineConfig, PipelineResult, ingest_rows, run_pipeline
from .procstats import sample
from .tables import bottleneck, clients, processes, summary

SECTIONS = ("unthrottled", "throttled", "client")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/ingest_bench.py", description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the unthrottled run")
    parser.add_argument(
        "--throttled-rows", type=int, default=2_000, help="rows in the 20 req/s run"
    )
    parser.add_argument("--concurrency", type=int, default=50, help="INGEST_PDS_CONCURRENCY")
    parser.add_argument("--throttled-rate", type=float, default=20.0, help="PDS req/s, run 2")
    parser.add_argument("--throttled-instances", type=int, default=3, help="ingest processes")
    parser.add_argument("--client-requests", type=int, default=3_000, help="per client round")
    parser.add_argument("--client-rounds", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=1_200.0, help="seconds per upload")
    parser.add_argument(
        "--wait-for",
        choices=("auto", "list", "ingest"),
        default="auto",
        help="run 1 ends when the list is complete, or when ingest has resolved every row "
        "(campaign may still be recording them); auto: the list with MONGODB_URL set, else "
        "ingest, because campaign's in-process stand-in slows down as it fills",
    )
    parser.add_argument(
        "--sections",
        default=",".join(SECTIONS),
        help=f"comma-separated, of: {', '.join(SECTIONS)}",
    )
    parser.add_argument("--keep-logs", action="store_true", help="keep service logs on success")
    args = parser.parse_args(argv)
    args.sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    if unknown := set(args.sections) - set(SECTIONS):
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    if args.wait_for == "auto":
        args.wait_for = "list" if os.environ.get("MONGODB_URL") else "ingest"
    return args


def _report(title: str, result: PipelineResult, wait_for: str = "list") -> bool:
    print(f"\n{title}\n")
    print(summary(result))
    print()
    print(processes(result))
    print()
    print(bottleneck(result))
    rows = result.config.rows
    if wait_for == "ingest":
        return result.ingest_resolved >= rows
    return result.complete and result.processed == rows


class Terminated(BaseException):
    """SIGTERM: unwinds through every ``finally`` (which stops the child processes), and is
    not an ``Exception``, so nothing on the way mistakes it for a failure to handle."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


def run(args: argparse.Namespace, log_dir: Path) -> bool:
    ok = True
    if "unthrottled" in args.sections:
        config = PipelineConfig(
            label="run 1, PDS simulator unthrottled",
            rows=args.rows,
            ingest_instances=1,
            pds_sim_rate_limit=0,
            ingest_pds_rate_limit=100_000,
            concurrency=args.concurrency,
            timeout_s=args.timeout,
        )
        if args.wait_for == "ingest":
            print("\nrun 1 ends when ingest has resolved every row (--wait-for ingest)")
        result = run_pipeline(config, log_dir / "unthrottled", args.wait_for)
        title = f"Run 1: {args.rows:,} rows, PDS unthrottled, 1 ingest"
        ok &= _report(title, result, args.wait_for)
        unresolved = sum(ingest_rows(m, failed_only=True) for m in result.ingest_metrics.values())
        if result.final.get("failed") or unresolved:
            print("\nFAILED: every row is a valid synthetic patient; failures are unexpected")
            ok = False
    if "throttled" in args.sections:
        config = PipelineConfig(
            label=f"run 2, PDS simulator limited to {args.throttled_rate:g} req/s",
            rows=args.throttled_rows,
            ingest_instances=args.throttled_instances,
            pds_sim_rate_limit=args.throttled_rate,
            ingest_pds_rate_limit=args.throttled_rate,
            concurrency=args.concurrency,
            timeout_s=args.timeout,
        )
        result = run_pipeline(config, log_dir / "throttled")
        title = (
            f"Run 2: {args.throttled_rows:,} rows, PDS limited to {args.throttled_rate:g} req/s "
            f"(simulator and INGEST_PDS_RATE_LIMIT), {args.throttled_instances} ingest instances"
        )
        ok &= _report(title, result)
    if "client" in args.sections:
        results = run_client_bench(
            args.client_requests, args.concurrency, args.client_rounds, log_dir / "client"
        )
        print(f"\nPDS client alone, concurrency {args.concurrency}, against the simulator\n")
        print(clients(results))
        ok &= not any(r.failures for result in results for r in result.rounds)
    return ok


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Progress lines as they happen, also when the output goes to a file.
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)
    signal.signal(signal.SIGTERM, _on_sigterm)
    log_dir = Path(tempfile.mkdtemp(prefix="cohort-bench-"))
    started = time.monotonic()
    calibration = min(_calibrate() for _ in range(5))
    print(f"cohort ingest benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; logs in {log_dir}")
    print(f"calib_us {calibration:.0f} (best of 5 sum(range(1000)); ~17 quiet, 22-36 busy)")
    try:
        ok = run(args, log_dir)
    except KeyboardInterrupt:
        print(f"\ninterrupted; processes stopped; logs in {log_dir}")
        return 130
    except Terminated:
        print(f"\nterminated; processes stopped; logs in {log_dir}")
        return 143
    except Exception as exc:
        print(f"\nFAILED: {exc}\nlogs in {log_dir}", file=sys.stderr)
        return 1
    print(f"\ntotal {time.monotonic() - started:.0f} s, bench CPU {sample_self():.0f} s")
    if not ok:
        print(f"FAILED: see above; logs in {log_dir}", file=sys.stderr)
        return 1
    if not args.keep_logs:
        shutil.rmtree(log_dir, ignore_errors=True)
    return 0


def _calibrate() -> float:
    t0 = time.perf_counter()
    sum(range(1000))
    return (time.perf_counter() - t0) * 1e6


def sample_self() -> float:
    return sample(os.getpid()).cpu_s
