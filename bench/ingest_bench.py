"""Ingest pipeline benchmark (issue 3). Run from the repository root:

    uv run python bench/ingest_bench.py [--rows 100000] [--throttled-rows 2000]

See bench/README.md for what it measures and the figures last measured."""

import sys
from pathlib import Path

# The repository root instead of bench/ itself: the benchmark imports ``bench`` and the
# end-to-end tests' ``tests.e2e`` as packages, and bench/'s modules must not shadow others.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
