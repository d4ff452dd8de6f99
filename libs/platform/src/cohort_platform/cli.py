"""``cohort``: the operator's command line. ``cohort dlq list|show|replay|purge``.

Reads ``RABBITMQ_URL`` and ``COHORT_NAMESPACE`` like every service (``--url`` and
``--namespace`` override them). Nothing here prints a payload unless ``--show-payload`` is
given, and then it warns first: a payload can hold NHS numbers, names and contact details."""

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from .dlq import DeadLetter, DeadLetters, UnknownQueue, resolve_route
from .settings import RabbitSettings

PAYLOAD_WARNING = (
    "WARNING: message payloads can hold patient data (NHS numbers, names, dates of birth, "
    "phone numbers, email addresses, message text). Do not copy them into tickets, chat or "
    "logs.\n"
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cohort", description=__doc__)
    parser.add_argument("--url", help="RabbitMQ URL (default: RABBITMQ_URL)")
    parser.add_argument("--namespace", help="queue prefix (default: COHORT_NAMESPACE)")
    groups = parser.add_subparsers(dest="group", required=True)
    dlq = groups.add_parser("dlq", help="dead-letter queues").add_subparsers(
        dest="action", required=True
    )
    listing = dlq.add_parser("list", help="every DLQ with its depth and the x-death reasons")
    listing.add_argument("--sample", type=int, default=1000, help="messages read per DLQ")
    show = dlq.add_parser("show", help="messages' ids, routes, reasons and headers")
    show.add_argument("queue", help="e.g. ingest.resolve-rows.dlq (or its work queue)")
    show.add_argument("--limit", type=int, default=20)
    show.add_argument("--message-id", action="append", dest="message_ids")
    show.add_argument(
        "--show-payload", action="store_true", help="print bodies too (may hold patient data)"
    )
    replay = dlq.add_parser("replay", help="publish messages again to their original key")
    replay.add_argument("queue")
    chosen = replay.add_mutually_exclusive_group(required=True)
    chosen.add_argument("--message-id", action="append", dest="message_ids")
    chosen.add_argument("--all", action="store_true")
    purge = dlq.add_parser("purge", help="delete messages for good")
    purge.add_argument("queue")
    gone = purge.add_mutually_exclusive_group(required=True)
    gone.add_argument("--message-id", action="append", dest="message_ids")
    gone.add_argument("--all", action="store_true")
    purge.add_argument("--yes", action="store_true", help="required: purging cannot be undone")
    return parser


def _settings(args: argparse.Namespace) -> RabbitSettings:
    overrides: dict[str, Any] = {}
    if args.url:
        overrides["rabbitmq_url"] = args.url
    if args.namespace:
        overrides["cohort_namespace"] = args.namespace
    return RabbitSettings(**overrides)


def _describe(letter: DeadLetter, show_payload: bool) -> dict[str, Any]:
    death = letter.first_death
    entry: dict[str, Any] = {
        "message_id": letter.message_id,
        "correlation_id": letter.correlation_id,
        "reason": letter.reason,
        "exchange": death.exchange if death else None,
        "routing_key": death.routing_key if death else None,
        "died_in": death.queue if death else None,
        "died_at": death.time.isoformat() if death and death.time else None,
        "times_dead_lettered": sum(d.count for d in letter.deaths),
        "content_type": letter.content_type,
        "reply_to": letter.reply_to,
        "headers": letter.headers,
        "payload_bytes": len(letter.body),
    }
    if show_payload:
        entry["payload"] = letter.body.decode("utf-8", errors="replace")
    return entry


async def _list(dead: DeadLetters, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    for summary in await dead.summaries(sample=args.sample):
        reasons = ", ".join(f"{r}={n}" for r, n in sorted(summary.reasons.items())) or "-"
        out.write(f"{summary.queue}\t{summary.depth}\t{reasons}\n")
    return 0


async def _show(dead: DeadLetters, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.show_payload:
        err.write(PAYLOAD_WARNING)
    letters = await dead.show(resolve_route(args.queue), limit=args.limit)
    chosen = [m for m in letters if not args.message_ids or m.message_id in args.message_ids]
    out.write(json.dumps([_describe(m, args.show_payload) for m in chosen], indent=2) + "\n")
    return 0


async def _replay(dead: DeadLetters, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    result = await dead.replay(resolve_route(args.queue), None if args.all else args.message_ids)
    for message_id in result.replayed:
        out.write(f"replayed {message_id}\n")
    for message_id, why in result.skipped.items():
        err.write(f"not replayed {message_id}: {why}\n")
    for message_id in result.not_found:
        err.write(f"not found {message_id}\n")
    if result.duplicates_removed:
        out.write(f"removed {result.duplicates_removed} duplicate copies\n")
    return 1 if result.not_found or result.skipped else 0


async def _purge(dead: DeadLetters, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if not args.yes:
        err.write("cohort: purge deletes messages for good; add --yes\n")
        return 2
    route = resolve_route(args.queue)
    removed = await dead.purge(route, None if args.all else args.message_ids)
    out.write(f"purged {removed} from {dead.dlq_name(route)}\n")
    return 0


_ACTIONS = {"list": _list, "show": _show, "replay": _replay, "purge": _purge}


async def run(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    args = _parser().parse_args(argv)
    try:
        return await _ACTIONS[args.action](DeadLetters(_settings(args)), args, out, err)
    except UnknownQueue as exc:
        err.write(f"cohort: {exc}\n")
        return 2


def main() -> None:
    raise SystemExit(asyncio.run(run(sys.argv[1:], sys.stdout, sys.stderr)))


if __name__ == "__main__":
    main()
