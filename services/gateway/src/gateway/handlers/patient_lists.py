"""Accepting a patient list: read it through, register it with campaign, queue its rows."""

import asyncio
import functools
import itertools
import logging
from collections import deque
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import IO
from uuid import UUID, uuid4

import anyio
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_incrementing

from cohort_contracts.campaign_requests import RegisterPatientList
from cohort_contracts.campaign_views import PatientListView
from cohort_contracts.routing import RESOLVE_ROWS
from cohort_contracts.vocabulary import Channel
from cohort_platform.tracing import new_trace

from ..domain.caller import Caller
from ..domain.uploads import (
    DataRow,
    FileFormat,
    FileLimits,
    PreparedUpload,
    batched,
    prepare_upload,
)
from ..ports import CampaignClient, EncodedMessage, Publisher, PublishFailed, expect
from .row_batches import BatchHeader, encode_batch

log = logging.getLogger("gateway.patient_lists")

# A publish the broker did not confirm is retried with the same message_id, so a copy that did
# arrive is recognised by ingest as the same batch.
PUBLISH_ATTEMPTS = 3
RETRY_DELAY_S = 0.5
#: Batches read and serialised per call to the worker thread: each call costs a thread hand-off
#: (about 0.1 ms of the event loop's time), which per batch was a tenth of an upload's CPU.
READ_AHEAD = 8


@dataclass(frozen=True)
class UploadLimits:
    max_rows: int
    batch_size: int
    publish_window: int
    max_unpacked_bytes: int = 256 * 1024 * 1024


class RowsNotQueued(Exception):
    """The list was registered but not all of its rows could be published."""

    def __init__(self, list_id: UUID, campaign_id: UUID) -> None:
        super().__init__(str(list_id))
        self.list_id = list_id
        # So that the answer can name the removal that frees the campaign.
        self.campaign_id = campaign_id


@dataclass(frozen=True)
class AcceptedList:
    view: PatientListView
    format: FileFormat
    #: Each column we look for, and the file's own name for it (None: not in the file).
    columns_recognised: dict[str, str | None]


async def accept_patient_list(
    campaign: CampaignClient,
    publisher: Publisher,
    caller: Caller,
    *,
    campaign_id: UUID,
    channel: Channel,
    filename: str,
    file: IO[bytes],
    limits: UploadLimits,
) -> AcceptedList:
    """Raises ``UploadRejected`` before anything is sent if the file is not sound as a whole."""
    file_limits = FileLimits(max_rows=limits.max_rows, max_unpacked_bytes=limits.max_unpacked_bytes)
    prepared = await anyio.to_thread.run_sync(
        functools.partial(prepare_upload, file, filename, file_limits)
    )
    try:
        view = await _register_and_queue(
            campaign,
            publisher,
            caller,
            prepared,
            limits,
            campaign_id=campaign_id,
            channel=channel,
            filename=filename,
        )
    finally:
        prepared.close()
    return AcceptedList(view, prepared.format, prepared.layout.recognised())


async def _register_and_queue(
    campaign: CampaignClient,
    publisher: Publisher,
    caller: Caller,
    prepared: PreparedUpload,
    limits: UploadLimits,
    *,
    campaign_id: UUID,
    channel: Channel,
    filename: str,
) -> PatientListView:
    layout = prepared.layout
    # The rows belong to the practice acted for; a network user uploading names that practice.
    upload = BatchHeader(
        correlation_id=caller.correlation_id,
        org_id=caller.org_id,
        campaign_id=campaign_id,
        list_id=uuid4(),
        channel=channel,
    )
    registered = await campaign.request(
        RegisterPatientList(
            **caller.envelope(),
            campaign_id=campaign_id,
            list_id=upload.list_id,
            channel=channel,
            filename=filename,
            columns=list(layout.columns),
            total_rows=layout.total_rows,
        )
    )
    view = expect(registered, PatientListView)
    messages = _messages(upload, batched(prepared.rows(), limits.batch_size))
    try:
        count = await _publish_batches(publisher, upload, messages, limits.publish_window)
    finally:
        messages.close()
    log.info(
        "patient list queued",
        extra={
            "org_id": caller.org_id,
            "campaign_id": str(campaign_id),
            "list_id": str(upload.list_id),
            "correlation_id": str(caller.correlation_id),
            "format": prepared.format,
            "rows": layout.total_rows,
            "batches": count,
        },
    )
    return view


def _messages(
    upload: BatchHeader, batches: Generator[list[DataRow], None, None]
) -> Generator[EncodedMessage, None, None]:
    try:
        for number, batch in enumerate(batches):
            yield encode_batch(upload, number, batch)
    finally:
        batches.close()


async def _publish_batches(
    publisher: Publisher,
    upload: BatchHeader,
    messages: Generator[EncodedMessage, None, None],
    window: int,
) -> int:
    """Publish every batch with at most ``window`` awaiting their confirms; the file is read
    and each batch serialised in a thread, ``READ_AHEAD`` batches at a time, only as fast as
    confirms free slots. anyio's thread call waits for the thread even when cancelled, so the
    file is never read after we return."""
    slots = asyncio.Semaphore(window)
    read_more = functools.partial(_take, messages, READ_AHEAD)
    ready: deque[EncodedMessage] = deque()

    async def send(message: EncodedMessage, batch_number: int) -> None:
        # Each batch is a trace of its own (its PDS lookups, its rows recorded), linked to the
        # upload request's.
        try:
            with new_trace("upload batch", list_id=str(upload.list_id), batch=batch_number):
                await _publish_with_retry(publisher, message)
        finally:
            slots.release()

    count = 0
    try:
        async with asyncio.TaskGroup() as tasks:
            while True:
                await slots.acquire()
                if not ready:
                    ready.extend(await anyio.to_thread.run_sync(read_more))
                if not ready:
                    break
                tasks.create_task(send(ready.popleft(), count))  # batches come in order
                count += 1
    except* PublishFailed:
        log.error(
            "patient list rows not all queued",
            extra={"list_id": str(upload.list_id), "campaign_id": str(upload.campaign_id)},
        )
        raise RowsNotQueued(upload.list_id, upload.campaign_id) from None
    return count


def _take(messages: Iterator[EncodedMessage], most: int) -> list[EncodedMessage]:
    return list(itertools.islice(messages, most))


async def _publish_with_retry(publisher: Publisher, message: EncodedMessage) -> None:
    """The same message (same id) again after an unconfirmed publish, so a batch the broker
    did take after all is dropped by ingest's idempotency rather than resolved twice."""
    retrying = AsyncRetrying(
        retry=retry_if_exception_type(PublishFailed),
        stop=stop_after_attempt(PUBLISH_ATTEMPTS),
        wait=wait_incrementing(start=RETRY_DELAY_S, increment=RETRY_DELAY_S),
        reraise=True,
    )
    async for attempt in retrying:
        with attempt:
            await publisher.publish_encoded(RESOLVE_ROWS, message)
