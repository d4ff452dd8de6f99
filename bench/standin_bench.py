"""The in-process MongoDB stand-in (``cohort_standin``) at campaign's scale: prints figures.

Run from the repository root (no MongoDB, no RabbitMQ):

    .venv/bin/python bench/standin_bench.py [--docs 100000] [--old /work/main]

It fills a ``recipients`` collection shaped like campaign's (``_id`` a hex string,
``campaign_id``, ``org_id``, ``list_id``, ``row_number``, ``nhs_number``, ``status``,
``contact``, ``updated_at``) with indexes ``(campaign_id, status, list_id, row_number)`` and
unique ``(campaign_id, nhs_number)``, then times:

1. **insert:** ``insert_many`` in batches of 200 (rows/s);
2. **indexed find:** 200 READY recipients of one campaign in list order (ms, median);
3. **update_one by _id** (µs, median over many);
4. **bulk_write** of 200 conditional ``UpdateOne``s (ms, median);
5. **count by status** via ``aggregate`` ``$match`` + ``$group`` (ms, median).

``--old DIR`` also runs the same steps in DIR's virtualenv against the stand-in DIR has
(campaign's mongomock-based ``mongo_standin``, from before ``cohort_standin``), without the
unique index: mongomock checks a unique index by reading every document."""

import argparse
import asyncio
import importlib
import json
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pymongo import ASCENDING, UpdateOne

STATUSES = ["READY"] * 6 + ["QUEUED", "SENDING", "DELIVERED", "FAILED"]


def recipients(n: int, campaign_ids: list[str]) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    list_id = str(uuid.uuid4())
    return [
        {
            "_id": uuid.uuid4().hex,
            "campaign_id": campaign_ids[i % len(campaign_ids)],
            "org_id": "A81001",
            "list_id": list_id,
            "row_number": i,
            "nhs_number": f"{9000000000 + i}",
            "status": STATUSES[i % len(STATUSES)],
            "contact": f"+4477009{i:05d}",
            "updated_at": now,
        }
        for i in range(n)
    ]


def open_client(impl: str) -> Any:
    if impl == "old":
        # Only an older checkout's virtualenv (--old) has campaign's mongomock-based stand-in,
        # so it is imported by name: this tree has no such module for mypy to check.
        old = importlib.import_module("campaign.adapters.mongo_standin")
        return old.StandinClient()
    from cohort_standin import StandinClient

    return StandinClient()


async def close(client: Any) -> None:
    closing = client.close()
    if asyncio.iscoroutine(closing):
        await closing


async def _median_s(fn: Any, rounds: int) -> float:
    times = []
    for i in range(rounds):
        start = time.perf_counter()
        await fn(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


async def measure(impl: str, n: int) -> dict[str, float]:
    client = open_client(impl)
    coll = client["bench"]["recipients"]
    await coll.create_index(
        [("campaign_id", ASCENDING), ("status", ASCENDING), ("list_id", ASCENDING),
         ("row_number", ASCENDING)]
    )  # fmt: skip
    if impl == "new":
        await coll.create_index(
            [("campaign_id", ASCENDING), ("nhs_number", ASCENDING)], unique=True
        )
    campaigns = [str(uuid.uuid4()) for _ in range(2)]
    docs = recipients(n, campaigns)
    start = time.perf_counter()
    for i in range(0, n, 200):
        await coll.insert_many(docs[i : i + 200], ordered=False)
    insert_s = time.perf_counter() - start
    campaign = campaigns[0]
    ready = {"campaign_id": campaign, "status": "READY"}
    order = [("list_id", ASCENDING), ("row_number", ASCENDING)]

    async def find(_: int) -> None:
        found = await coll.find(ready).sort(order).limit(200).to_list(None)
        assert len(found) == 200

    ids = [d["_id"] for d in docs]

    async def update(i: int) -> None:
        await coll.update_one({"_id": ids[i * 7 % n]}, {"$set": {"updated_at": datetime.now(UTC)}})

    async def bulk(i: int) -> None:
        batch = ids[i * 200 % n : i * 200 % n + 200]
        ops = [UpdateOne({"_id": d, "status": "READY"}, {"$set": {"batch": i}}) for d in batch]
        await coll.bulk_write(ops, ordered=False)

    async def count(_: int) -> None:
        pipeline = [{"$match": {"campaign_id": campaign}},
                    {"$group": {"_id": "$status", "n": {"$sum": 1}}}]  # fmt: skip
        await (await coll.aggregate(pipeline)).to_list(None)

    figures = {
        "insert rows/s": n / insert_s,
        "indexed find of 200 READY in list order (ms)": await _median_s(find, 30) * 1e3,
        "update_one by _id (µs)": await _median_s(update, 2000) * 1e6,
        "bulk_write of 200 conditional UpdateOnes (ms)": await _median_s(bulk, 20) * 1e3,
        "count by status via aggregate (ms)": await _median_s(count, 10) * 1e3,
    }
    await close(client)
    return figures


def run_old(directory: Path, n: int) -> dict[str, float] | None:
    python = directory / ".venv" / "bin" / "python"
    command = [str(python), str(Path(__file__).resolve()), "--impl", "old", "--docs", str(n)]
    done = subprocess.run(command, cwd=directory, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(f"old stand-in failed:\n{done.stderr[-2000:]}", file=sys.stderr)
        return None
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--old", type=Path, help="a checkout of main with its own .venv")
    parser.add_argument("--impl", choices=["new", "old"], default="new", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.impl == "old":
        print(json.dumps(asyncio.run(measure("old", args.docs))))
        return
    new = asyncio.run(measure("new", args.docs))
    old = run_old(args.old, args.docs) if args.old else None
    print(f"{args.docs:,} recipients; medians")
    print(f"{'figure':<48} {'old (mongomock)':>16} {'new (cohort_standin)':>21}")
    for name, value in new.items():
        before = f"{old[name]:,.1f}" if old else "-"
        print(f"{name:<48} {before:>16} {value:>21,.1f}")
    print(f"insert of all {args.docs:,} (s): new {args.docs / new['insert rows/s']:.2f}"
          + (f", old {args.docs / old['insert rows/s']:.2f}" if old else ""))  # fmt: skip


if __name__ == "__main__":
    main()
