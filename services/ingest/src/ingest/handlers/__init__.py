"""One async function per command: ``resolve_rows`` (an uploaded batch) and
``recheck_patients`` (recipients looked up again before they are sent)."""

from .deps import Dependencies
from .rechecks import recheck_patients
from .rows import resolve_rows

__all__ = ["Dependencies", "recheck_patients", "resolve_rows"]
