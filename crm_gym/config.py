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
# Bytes of rows a query may hold in temporary storage (sorting, grouping, DISTINCT, subqueries, recursion), as
# counted by crm_gym.api.query_cost; temporary storage is in memory, never on disk.
QUERY_MAX_TEMP_BYTES = 32 * 2**20
# Bytes of any one value a query makes or reads (SQLite's SQLITE_LIMIT_LENGTH while it runs).
QUERY_MAX_VALUE_BYTES = 256 * 2**10
# Wall-clock seconds after which a query or search still running is stopped as an infrastructure failure
# (crm_gym.errors.WallClockBackstopError). The work budget stops calls long before; this only catches its failure.
WORK_BACKSTOP_SECONDS = 30.0

SEARCH_MAX_RESULTS = 50
SEARCH_MAX_CHARS = 1_000
# Distinct words or phrases one search may combine, and how many of them may be prefix* searches.
SEARCH_MAX_TERMS = 16
SEARCH_MAX_PREFIX_TERMS = 4

# What one action may carry (a dict action, or the JSON text of one): characters of text in total, nesting
# depth of lists and objects, and values (every string, number, list and object counts one).
ACTION_MAX_CHARS = 100_000
ACTION_MAX_DEPTH = 32
ACTION_MAX_VALUES = 10_000
# A final answer longer than this is refused (the agent may answer again, shorter).
ANSWER_MAX_CHARS = 10_000
# Text and list fields with no max_length in the schema take at most this many characters (Salesforce's
# long text area default); lists at most this many items of at most 255 characters each.
TEXT_MAX_CHARS = 32_000
LIST_MAX_ITEMS = 200

# An org's "today" lives in the world (``_meta`` key below), never the wall clock; this is the fallback.
TODAY_META_KEY = "today"
DEFAULT_TODAY = "2025-01-15"

# 7-dimension score: Entropic's budgets, and the documented token fallback when a policy reports no usage.
TOKEN_BUDGET = 10_000
QUERY_BUDGET = 20
CHARS_PER_TOKEN = 4

# Answer evaluator: a free-text answer passes at this token F1 (SQuAD normalisation) against the closest gold answer.
