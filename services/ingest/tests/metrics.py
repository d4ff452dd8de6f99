"""Reading ingest's Prometheus counters in tests: the registry is process-wide, so tests look
at how much a counter moved, not at its value."""

from collections.abc import Iterable, Mapping
from contextlib import ExitStack
from types import TracebackType

from prometheus_client import REGISTRY


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


class Delta:
    """``with Delta("ingest_pds_retries_total", cause="token") as d: ...``, then ``d.value``."""

    def __init__(self, name: str, **labels: str) -> None:
        self.name = name
        self.labels = labels
        self.value = 0.0
        self._before = 0.0

    def __enter__(self) -> "Delta":
        self._before = sample(self.name, **self.labels)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.value = sample(self.name, **self.labels) - self._before


def deltas(stack: ExitStack, name: str, label: str, values: Iterable[str]) -> dict[str, Delta]:
    """A ``Delta`` of counter ``name`` for each of ``values`` of ``label``, entered on ``stack``
    (read their ``value`` once the stack has closed)."""
    return {v: stack.enter_context(Delta(name, **{label: v})) for v in values}


def moved(counted: Mapping[str, Delta]) -> dict[str, float]:
    """How far each of ``deltas``' counters moved, by label value."""
    return {v: d.value for v, d in counted.items()}
