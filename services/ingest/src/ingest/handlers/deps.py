"""What every ingest handler is given (built by ``bootstrap``)."""

from dataclasses import dataclass

from ..ports import Clock, EventPublisher, PatientDirectory


@dataclass(frozen=True)
class Dependencies:
    directory: PatientDirectory
    publisher: EventPublisher
    clock: Clock
