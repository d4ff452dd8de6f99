"""Opens a service's database: a real server at ``MONGODB_URL``, or the in-process stand-in when
it is unset (development and tests only: its data is lost when the process stops, and the
service says so loudly).

The conventions every store follows: single-document atomic updates conditional on the state
they change (no transactions, so a standalone server or a replica set both work), identity by
``_id`` or a unique index, aware UTC datetimes, and every query served by an index the service
lists (``IndexSpec``) with the queries it serves."""

import logging
from collections.abc import Sequence
from typing import Any, ClassVar, cast

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

log = logging.getLogger(__name__)

Document = dict[str, Any]
#: (collection, keys, ``create_index`` options)
IndexSpec = tuple[str, list[tuple[str, int]], dict[str, Any]]
#: MongoDB's duplicate key error code.
DUPLICATE_KEY = 11000


class MongoHandle:
    """A service's database. A service subclasses it to name its ``INDEXES`` and what its
    stand-in loses on exit, so its stores and tests open it with just the URL and the name."""

    INDEXES: ClassVar[Sequence[IndexSpec]] = ()
    LOST_ON_EXIT: ClassVar[str] = "Its data is lost when this process stops."

    def __init__(
        self,
        url: str | None,
        database: str,
        *,
        indexes: Sequence[IndexSpec] | None = None,
        lost_on_exit: str | None = None,
    ) -> None:
        self.standin = url is None
        self._indexes = list(self.INDEXES if indexes is None else indexes)
        self._lost_on_exit = self.LOST_ON_EXIT if lost_on_exit is None else lost_on_exit
        if url is None:
            self._client: Any = _standin_client()
        else:
            self._client = AsyncMongoClient(url, serverSelectionTimeoutMS=5000, tz_aware=True)
        self.db = cast(AsyncDatabase[Document], self._client[database])

    def warn_if_standin(self) -> None:
        if self.standin:
            log.warning(
                "MONGODB_URL is not set: using the in-process MongoDB stand-in. %s",
                self._lost_on_exit,
            )

    async def ensure_indexes(self) -> None:
        """Creates the service's indexes; creating an existing index is a no-op."""
        for collection, keys, options in self._indexes:
            await self.db[collection].create_index(keys, **options)

    async def ping(self) -> bool:
        await self._client.admin.command("ping")
        return True

    async def close(self) -> None:
        await self._client.close()


def _standin_client() -> Any:
    # ``cohort_standin`` (libs/standin) is a development dependency, never in a deployed image.
    try:
        from cohort_standin import StandinClient
    except ImportError:
        raise RuntimeError(
            "MONGODB_URL is not set and the in-process MongoDB stand-in is not installed: "
            "set MONGODB_URL; the in-process stand-in is a development dependency "
            "(uv sync with the dev group)."
        ) from None
    return StandinClient()
