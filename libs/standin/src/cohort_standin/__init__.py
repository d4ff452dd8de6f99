"""An in-process MongoDB stand-in behind PyMongo's async API, for development and tests.

``StandinClient()`` answers ``client[db][collection]`` with PyMongo's own result and error
classes; see ``client.py`` for where it starts, and the README beside the package for what it
implements and where it differs from MongoDB 7."""

from .client import StandinClient, StandinDatabase
from .collection import StandinCollection
from .cursor import StandinCommandCursor, StandinCursor

__all__ = [
    "StandinClient",
    "StandinCollection",
    "StandinCommandCursor",
    "StandinCursor",
    "StandinDatabase",
]
