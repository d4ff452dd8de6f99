"""``make bench-campaign``: the whole journey through the public API (see bench/journey.py)."""

import sys
from pathlib import Path

# The repository root instead of bench/ itself: the benchmark imports ``bench`` and the
# end-to-end harness (``tests.e2e``) as packages.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.journey import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
