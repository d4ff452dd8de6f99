"""``python -m <simulator>``: serve an app quietly."""

from collections.abc import Callable
from typing import Protocol, TypeVar

import uvicorn
from starlette.applications import Starlette


class Listening(Protocol):
    """The part of a simulator's settings that says where it listens."""

    @property
    def host(self) -> str: ...

    @property
    def port(self) -> int: ...


S = TypeVar("S", bound=Listening)


def serve(app: Starlette, host: str, port: int) -> None:
    """No access log: the simulated APIs carry NHS numbers, phone numbers, message text and
    API keys in their request lines."""
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


def serve_simulator(create_app: Callable[[S], Starlette], settings: S) -> None:
    """A simulator's ``python -m``: its app, made from its settings, where they say."""
    serve(create_app(settings), settings.host, settings.port)
