"""How every generated file here is made: ``python -m cohort_ops.<module>`` prints it, and
``--write`` writes it where it is committed (a test fails when the two differ)."""

import argparse
import sys
from collections.abc import Callable
from pathlib import Path


def print_or_write(
    prog: str, document: Path, render: Callable[[], str], argv: list[str] | None
) -> int:
    """A generator's ``main``: the text ``render`` makes, to stdout or, with ``--write``, to
    ``document``; the process's exit status."""
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--write", action="store_true", help=f"write {document}")
    write = parser.parse_args(argv).write
    text = render()
    if write:
        document.parent.mkdir(parents=True, exist_ok=True)
        document.write_text(text)
    else:
        sys.stdout.write(text)
    return 0
