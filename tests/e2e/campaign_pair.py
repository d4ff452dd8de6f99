"""Two campaign instances in one process, sharing one in-process store.

With a real MongoDB two campaign processes share the database; the in-process stand-in cannot
be shared between processes, so the scale-out test runs both instances here instead: each has
its own broker connection, consumers, releaser, sweeper and outbox drainer, exactly as two
processes would, and only the store is shared. Ports: ``CAMPAIGN_PORT`` and
``CAMPAIGN_SECOND_PORT``. Run as ``python -m tests.e2e.campaign_pair`` from the repository."""

import asyncio
import contextlib
import os
import signal

import uvicorn

from campaign.adapters.mongo_database import MongoHandle
from campaign.config import CampaignSettings
from campaign.entrypoints.app import create_app


async def serve() -> None:
    settings = CampaignSettings()
    mongo = MongoHandle(None, settings.mongodb_database)
    ports = [settings.port, int(os.environ["CAMPAIGN_SECOND_PORT"])]
    servers = [
        uvicorn.Server(
            uvicorn.Config(
                create_app(settings, mongo=mongo), host=settings.host, port=port, log_config=None
            )
        )
        for port in ports
    ]

    def stop_all() -> None:
        for server in servers:
            server.should_exit = True

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop_all)
    for server in servers:
        # Each uvicorn server would take the signals for itself; here they stop both.
        server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
    try:
        await asyncio.gather(*(s.serve() for s in servers))
    finally:
        await mongo.close()


if __name__ == "__main__":
    asyncio.run(serve())
