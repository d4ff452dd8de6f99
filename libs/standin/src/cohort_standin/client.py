"""``StandinClient``: an in-process stand-in for ``pymongo.AsyncMongoClient``.

Databases and collections spring into being when first written, as on the server, and live
as long as the client. The client is bound to no event loop and holds no thread: closing it
only forgets the data."""

import asyncio
from datetime import tzinfo
from typing import Any

from bson.codec_options import CodecOptions
from pymongo.helpers_shared import _check_command_response

from .codec import Codec
from .collection import StandinCollection
from .store import CollectionStore
from .write_commands import command_error

Document = dict[str, Any]


class StandinDatabase:
    def __init__(self, client: "StandinClient", name: str) -> None:
        self.client = client
        self.name = name

    def __getitem__(self, name: str) -> StandinCollection:
        return self.get_collection(name)

    def __getattr__(self, name: str) -> StandinCollection:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.get_collection(name)

    def __repr__(self) -> str:
        return f"StandinDatabase({self.name!r})"

    def get_collection(self, name: str) -> StandinCollection:
        stores = self.client._databases.setdefault(self.name, {})
        store = stores.get(name)
        if store is None:
            store = stores[name] = CollectionStore(self.name, name)
        return StandinCollection(self, name, store)

    async def list_collection_names(self, **options: Any) -> list[str]:
        await asyncio.sleep(0)
        stores = self.client._databases.get(self.name, {})
        return [name for name, store in stores.items() if store.exists]

    async def drop_collection(self, name: str, **options: Any) -> None:
        await asyncio.sleep(0)
        self.client._databases.get(self.name, {}).pop(name, None)

    async def command(self, command: str | Document, **options: Any) -> Document:
        await asyncio.sleep(0)
        name = command if isinstance(command, str) else next(iter(command))
        if name in ("ping", "hello", "isMaster", "ismaster"):
            return {"ok": 1.0}
        if name == "buildInfo" or name == "buildinfo":
            return {"version": "7.0.0-standin", "versionArray": [7, 0, 0, 0], "ok": 1.0}
        _check_command_response(command_error(59, f"no such command: '{name}'"), None)
        return {}


class StandinClient:
    """Keeps every database in this process. ``tz_aware`` defaults to True (campaign's setting;
    ``AsyncMongoClient``'s default is False)."""

    def __init__(self, *, tz_aware: bool = True, tzinfo: tzinfo | None = None) -> None:
        options: CodecOptions[Document] = CodecOptions(tz_aware=tz_aware, tzinfo=tzinfo)
        self.codec = Codec(options)
        self._databases: dict[str, dict[str, CollectionStore]] = {}
        self.admin = StandinDatabase(self, "admin")

    @property
    def codec_options(self) -> CodecOptions[Document]:
        return self.codec.options

    def __getitem__(self, name: str) -> StandinDatabase:
        return StandinDatabase(self, name)

    def __getattr__(self, name: str) -> StandinDatabase:
        if name.startswith("_"):
            raise AttributeError(name)
        return StandinDatabase(self, name)

    def get_database(self, name: str) -> StandinDatabase:
        return StandinDatabase(self, name)

    async def list_database_names(self) -> list[str]:
        await asyncio.sleep(0)
        return [name for name, stores in self._databases.items()
                if any(store.exists for store in stores.values())]  # fmt: skip

    async def drop_database(self, name_or_database: "str | StandinDatabase") -> None:
        await asyncio.sleep(0)
        name = name_or_database if isinstance(name_or_database, str) else name_or_database.name
        self._databases.pop(name, None)

    async def close(self) -> None:
        await asyncio.sleep(0)
        self._databases.clear()

    async def __aenter__(self) -> "StandinClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
