"""Ingest's wiring of the platform's busy sharing: the PDS limit is shared among the instances
with lookups to make, with ingest's timings, and the share in force is on ingest's /metrics
(the mechanism itself is tested in libs/platform/tests)."""

import asyncio

from prometheus_client import REGISTRY

from cohort_platform.testing import eventually
from ingest.bootstrap import pds_rate_sharer
from ingest.config import IngestSettings

from ..fakes import FakePresence

SETTINGS = IngestSettings(
    pds_rate_limit=6.0, pds_rate_refresh_s=0.01, pds_rate_lease_s=0.05, pds_rate_linger_s=0.05
)


def gauge(name: str) -> float | None:
    return REGISTRY.get_sample_value(name)


async def test_a_lookup_registers_the_instance_and_its_share_is_on_the_metrics() -> None:
    presence = FakePresence(others=2)
    sharer = pds_rate_sharer(SETTINGS, presence)
    await sharer.start()
    try:
        assert not presence.joined  # no lookup yet: no share held
        lookup = asyncio.create_task(sharer.acquire())

        async def shared() -> bool:
            return gauge("ingest_pds_rate_limit_per_second") == 2.0

        await eventually(shared)
        await asyncio.wait_for(lookup, timeout=5)
        assert presence.joined
        assert gauge("ingest_pds_rate_sharing_instances") == 3
    finally:
        await sharer.stop()
    assert not presence.joined
    assert gauge("ingest_pds_rate_limit_per_second") == 0
