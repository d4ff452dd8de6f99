"""Where the repository is, for everything the end-to-end tests start from its root."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
