"""CPU time and memory of running processes, read from /proc (Linux only)."""

import os
from dataclasses import dataclass
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ProcSample:
    cpu_s: float
    rss_mb: float
    peak_rss_mb: float


def sample(pid: int) -> ProcSample:
    """CPU seconds (user + system) so far, resident and peak resident memory (VmHWM)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    # The command name (field 2) may contain spaces; the numeric fields follow its ")".
    fields = stat[stat.rindex(")") + 2 :].split()
    utime, stime = int(fields[11]), int(fields[12])
    memory = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            memory[name] = int(value.split()[0]) / 1024
    return ProcSample(
        cpu_s=(utime + stime) / _TICKS,
        rss_mb=memory.get("VmRSS", 0.0),
        peak_rss_mb=memory.get("VmHWM", 0.0),
    )


def machine_busy_s() -> float:
    """CPU seconds all cores have spent not idle since boot (``/proc/stat``)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / _TICKS


def find_broker_pid() -> int | None:
    """The local RabbitMQ (Erlang VM) if it runs on this machine: its CPU is part of the cost."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() == "beam.smp":
                return int(entry.name)
        except OSError:
            continue
    return None


class CpuMeter:
    """CPU seconds used by each named process (and the whole machine) between ``start`` and
    ``stop``; peak memory is the process's own high-water mark, whenever it was reached."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = dict(pids)
        self._start: dict[str, ProcSample] = {}
        self._end: dict[str, ProcSample] = {}
        self._machine = (0.0, 0.0)

    def start(self) -> None:
        self._start = {name: sample(pid) for name, pid in self.pids.items()}
        self._machine = (machine_busy_s(), 0.0)

    def stop(self) -> None:
        self._end = {name: sample(pid) for name, pid in self.pids.items()}
        self._machine = (self._machine[0], machine_busy_s())

    def cpu_s(self, name: str) -> float:
        return self._end[name].cpu_s - self._start[name].cpu_s

    def start_rss_mb(self, name: str) -> float:
        return self._start[name].rss_mb

    def peak_rss_mb(self, name: str) -> float:
        return self._end[name].peak_rss_mb

    @property
    def machine_cpu_s(self) -> float:
        return self._machine[1] - self._machine[0]
