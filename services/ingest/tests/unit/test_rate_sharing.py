"""Ingest's wiring of the platform's rate sharing: the PDS limit is shared out, and the share in
force is on ingest's /metrics (the mechanism itself is tested in libs/platform/tests)."""

from prometheus_client import REGISTRY

from ingest.bootstrap import pds_rate_sharer
from ingest.config import IngestSettings

from ..fakes import FakeConsumerCounter, FakeRateLimiter


async def test_the_pds_limit_is_shared_and_reported_in_ingest_metrics() -> None:
    limiter = FakeRateLimiter(rate=6.0)
    sharer = pds_rate_sharer(IngestSettings(pds_rate_limit=6.0), limiter, FakeConsumerCounter([3]))

    assert await sharer.refresh() == 2.0
    assert limiter.rate == 2.0
    assert sharer.consumers == 3
    assert REGISTRY.get_sample_value("ingest_pds_rate_limit_per_second") == 2.0
    assert REGISTRY.get_sample_value("ingest_pds_rate_sharing_instances") == 3


async def test_a_failed_count_keeps_the_last_pds_share() -> None:
    limiter = FakeRateLimiter(rate=6.0)
    counter = FakeConsumerCounter([2, ConnectionError("broker gone")])
    sharer = pds_rate_sharer(IngestSettings(pds_rate_limit=6.0), limiter, counter)

    assert await sharer.refresh() == 3.0
    assert await sharer.refresh() == 3.0
    assert limiter.rates_set == [3.0]
