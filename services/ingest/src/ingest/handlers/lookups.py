"""Looking up many NHS numbers in PDS at once, for uploads and re-checks alike."""

import asyncio
from collections.abc import Iterable

from cohort_contracts.vocabulary import UploadReason

from ..domain.patient import PdsPatient
from ..ports import LookupContext, PatientDirectory


async def look_up_all(
    directory: PatientDirectory, nhs_numbers: Iterable[str], context: LookupContext
) -> dict[str, PdsPatient | UploadReason]:
    """One lookup per distinct number (a list may repeat a patient), in sorted order. The
    directory bounds concurrency and rate; TaskGroup cancels the other lookups if one raises."""
    numbers = sorted(set(nhs_numbers))
    async with asyncio.TaskGroup() as group:
        tasks = {n: group.create_task(directory.lookup(n, context)) for n in numbers}
    return {n: task.result() for n, task in tasks.items()}
