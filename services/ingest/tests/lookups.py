"""Lookups a test leaves waiting (a held list) while it watches what they do."""

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from cohort_contracts.vocabulary import UploadReason
from ingest.adapters.pds import PdsPatientDirectory
from ingest.domain.patient import PdsPatient
from ingest.ports import LookupContext


@asynccontextmanager
async def waiting_lookups(
    directory: PdsPatientDirectory, numbers: Iterable[str], context: LookupContext
) -> AsyncIterator[list[asyncio.Task[PdsPatient | UploadReason]]]:
    """One lookup a number, running for the block; on leaving it, whatever still waits is
    cancelled (a held lookup never ends on its own) and the directory closed."""
    lookups = [asyncio.create_task(directory.lookup(n, context)) for n in numbers]
    try:
        yield lookups
    finally:
        for lookup in lookups:
            lookup.cancel()
        await asyncio.gather(*lookups, return_exceptions=True)
        await directory.aclose()
