"""The fake GP system: a thread per practice mailbox, and an HTTP face for tests:
``GET /healthz``, ``GET /_sim/documents`` (every document collected, with its checks and the
answer given), ``POST /_sim/reset`` (forget them)."""

import dataclasses
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from mesh_client import MeshClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .config import Settings
from .practice import Practice, known_behaviour, wait_for_mesh


def parse_behaviours(text: str) -> dict[str, str]:
    """``1=not_registered,2=rejected`` → ``{"1": "not_registered", "2": "rejected"}``. A
    misspelt behaviour fails at start rather than quietly answering 20009 for every patient."""
    behaviours = {}
    for pair in filter(str.strip, text.split(",")):
        digit, _, behaviour = (part.strip() for part in pair.partition("="))
        if len(digit) != 1 or not digit.isdigit():
            raise ValueError(f"FAKE_GP_BEHAVIOURS: {digit!r} is not one digit")
        behaviours[digit] = known_behaviour(behaviour)
    return behaviours


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()
    behaviours = parse_behaviours(settings.behaviours)
    default = known_behaviour(settings.default)
    stop = threading.Event()
    practices: list[Practice] = []
    threads: list[threading.Thread] = []

    def start_practice(mailbox: str) -> None:
        # The client is made, used and closed on its own thread (mesh-client is not
        # thread-safe).
        def run() -> None:
            client = MeshClient(
                settings.mesh_url,
                mailbox,
                settings.mesh_password.get_secret_value(),
                shared_key=settings.mesh_shared_key.get_secret_value().encode(),
                max_retries=0,
                timeout=30,
                application_name="cohort-fake-gp",
            )
            wait_for_mesh(client)
            practice = Practice(
                mailbox,
                client,
                behaviours,
                default,
                settings.ack_workflow_id,
            )
            practices.append(practice)
            practice.run(stop, settings.poll_interval_s)

        thread = threading.Thread(target=run, name=f"fake-gp-{mailbox}", daemon=True)
        thread.start()
        threads.append(thread)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        for mailbox in filter(None, (m.strip() for m in settings.mailboxes.split(","))):
            start_practice(mailbox)
        try:
            yield
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=10)

    async def healthz(_: Request) -> JSONResponse:
        ready = len(practices) == len(threads)
        return JSONResponse({"status": "ok" if ready else "starting"}, 200 if ready else 503)

    async def documents(_: Request) -> JSONResponse:
        found = [dataclasses.asdict(r) for p in practices for r in p.snapshot()]
        return JSONResponse(found)

    async def reset(_: Request) -> JSONResponse:
        for practice in practices:
            with practice.lock:
                practice.received.clear()
        return JSONResponse({"status": "reset"})

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/_sim/documents", documents),
            Route("/_sim/reset", reset, methods=["POST"]),
        ],
        lifespan=lifespan,
    )
