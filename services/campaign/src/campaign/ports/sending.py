"""What releasing and sending run on besides the stores: leases, the release log, receipts that
arrive before their message is recorded, the provider's credit and the broker."""

from typing import Protocol
from uuid import UUID

from cohort_contracts.envelope import Message
from cohort_contracts.routing import Route


class Leases(Protocol):
    """Time-limited exclusive claims shared by every instance of the service: whoever holds a
    lease does the work it names (releasing one campaign, draining the outbox), so scaling out
    never does that work twice. ``acquire`` also renews a lease the caller already holds."""

    async def acquire(self, name: str, holder: str, ttl_s: float) -> bool: ...
    async def release(self, name: str, holder: str) -> None: ...


class Wakeup(Protocol):
    """Tells a background loop there is work (``asyncio.Event`` is one)."""

    def set(self) -> None: ...


class ReleaseLog(Protocol):
    """Send batches released to dispatch, so a crash between marking and publishing is healed."""

    async def opened(self, batch_id: UUID, campaign_id: UUID, org_id: str) -> None: ...
    async def published(self, batch_id: UUID) -> None: ...
    async def unpublished(self, older_than_s: float) -> list[tuple[UUID, UUID, str]]: ...
    async def claim_republish(self, batch_id: UUID, older_than_s: float) -> bool:
        """True for exactly one of several instances sweeping the same orphaned batch."""
        ...


class EarlyReceipts(Protocol):
    """Receipts for a shared provider reference campaign cannot match yet (see the adapter)."""

    async def keep(
        self, org_id: str, provider_reference: str, receipt_json: str, key: str
    ) -> None: ...
    async def waiting(self, org_id: str, provider_reference: str) -> list[tuple[str, str]]:
        """(key, receipt JSON) of every receipt kept for this reference."""
        ...

    async def discard(self, key: str) -> None: ...


class CreditSource(Protocol):
    async def balance(self, org_id: str) -> int | None:
        """The organisation's SMS credits at its provider, or None if it cannot be read now."""
        ...


class Publisher(Protocol):
    async def publish(self, route: Route, message: Message) -> None: ...
