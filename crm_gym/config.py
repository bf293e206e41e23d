"""Defaults and locations used across crm_gym, kept in one place."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir() -> Path:
    """Return the folder of packaged data (``data/`` at the repo root, ``crm_gym/_data`` in a wheel)."""
    installed = PACKAGE_DIR / "_data"
    if installed.is_dir():
        return installed
    return PACKAGE_DIR.parent / "data"


SCHEMA_DIR_NAME = "schemas"
DEFAULT_PROFILE = "arc"

# Query tool bounds: an agent's query can never run away.
QUERY_MAX_ROWS = 200
QUERY_MAX_BYTES = 64_000
QUERY_MAX_SECONDS = 1.0

SEARCH_MAX_RESULTS = 50
