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
# Work budget in SQLite VM steps (about 1 s here), not wall time: whether a query is stopped must not
# depend on the machine's load, or the same episode could end differently.
QUERY_MAX_STEPS = 50_000_000
QUERY_MAX_CHARS = 20_000

SEARCH_MAX_RESULTS = 50
SEARCH_MAX_CHARS = 1_000

# An org's "today" lives in the world (``_meta`` key below), never the wall clock; this is the fallback.
TODAY_META_KEY = "today"
DEFAULT_TODAY = "2025-01-15"

# 7-dimension score: Entropic's budgets, and the documented token fallback when a policy reports no usage.
TOKEN_BUDGET = 10_000
QUERY_BUDGET = 20
CHARS_PER_TOKEN = 4

# Answer evaluator: a free-text answer passes at this token F1 (SQuAD normalisation) against the closest gold answer.
