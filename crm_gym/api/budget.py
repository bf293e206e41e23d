"""The work budget of one query or search: counted deterministically, with a wall-clock backstop.

A call's work is counted in *steps*: SQLite VM instructions (a progress handler runs every 1,000 of them), plus
what the query's accounting functions charge (`crm_gym.api.sql_functions`, placed by `crm_gym.api.query_cost`):
the bytes each row carries times how often they are read, and the output of every function that makes values.
Bytes of rows that can go to temporary storage (sorts, DISTINCT, subqueries, recursion) are counted apart
against a memory budget. Both counts depend only on the query and the data, never on the machine's load, so the
same episode is stopped at the same point on any machine.

The wall clock is read at the same moments. It stops a call that the counts failed to bound, and that raises
`WallClockBackstopError` (an infrastructure failure, never the agent's) instead of `CrmError`.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import NoReturn

from crm_gym import config
from crm_gym.errors import CrmError, CrmGymError, WallClockBackstopError

# What work costs in VM steps (about 20 ns each on the reference machine; measured, see benchmarks/README.md):
BYTES_PER_STEP = 8  # reading or copying 8 bytes
CALL_STEPS = 80  # one call of a Python accounting function from SQLite, with its arguments
DELEGATED_CALL_STEPS = 300  # one costly function run on the bare connection (`crm_gym.api.sql_functions`)
PROGRESS_STEPS = 1_000  # VM steps between two calls of the progress handler
METER_KEY = "work_meter"  # where the running call's meter sits in `OrgConnection.extensions`
_MIB = 2**20


@dataclass(frozen=True)
class WorkBudget:
    """What one call may spend: steps (time, deterministic), temporary bytes (memory), and the wall-clock backstop.

    The defaults are read from `crm_gym.config` when a budget is made.
    """

    steps: int = field(default_factory=lambda: config.QUERY_MAX_STEPS)
    temp_bytes: int = field(default_factory=lambda: config.QUERY_MAX_TEMP_BYTES)
    backstop_seconds: float = field(default_factory=lambda: config.WORK_BACKSTOP_SECONDS)


class BudgetStop(Exception):
    """Raised inside an accounting function to stop the statement; `metered` turns it into the right error."""


class WorkMeter:
    """The work one call has done so far, against its `WorkBudget`."""

    def __init__(self, budget: WorkBudget) -> None:
        """Start counting from zero; the backstop's clock starts now."""
        self.budget = budget
        self.max_steps, self.max_temp_bytes = budget.steps, budget.temp_bytes
        self.steps = 0
        self.temp_bytes = 0
        self._deadline = time.monotonic() + budget.backstop_seconds
        self.stop_reason: str | None = None  # "steps", "temp", "refused" or "backstop"
        self.refusal = ""

    def charge(self, steps: int, temp_bytes: int = 0) -> None:
        """Add work; raise `BudgetStop` once a budget is spent. (The clock is read by `on_progress` only: VM steps
        run between any two charges.)"""
        self.steps += steps
        self.temp_bytes += temp_bytes
        if self.steps > self.max_steps or self.temp_bytes > self.max_temp_bytes:
            raise BudgetStop(self._stop())

    def refuse(self, message: str) -> NoReturn:
        """Stop the statement with an agent-facing message (a value the query asked for cannot be made)."""
        self.stop_reason, self.refusal = "refused", message
        raise BudgetStop(message)

    def on_progress(self) -> int:
        """The progress handler: count the VM steps since the last call; non-zero interrupts the statement."""
        self.steps += PROGRESS_STEPS
        if self.steps > self.max_steps or self.temp_bytes > self.max_temp_bytes or time.monotonic() > self._deadline:
            self._stop()
            return 1
        return 0

    def _stop(self) -> str:
        """Record why the call stops (the first reason found sticks)."""
        if self.stop_reason is None:
            if self.steps > self.budget.steps:
                self.stop_reason = "steps"
            elif self.temp_bytes > self.budget.temp_bytes:
                self.stop_reason = "temp"
            else:
                self.stop_reason = "backstop"
        return self.stop_reason

    def error(self, hint: str) -> CrmError | WallClockBackstopError:
        """The exception for why the call stopped (call only once it has)."""
        if self.stop_reason == "backstop":
            return WallClockBackstopError(
                f"A query was still running after {self.budget.backstop_seconds:g} s of wall-clock time, within its "
                f"work budget ({self.steps:,} of {self.budget.steps:,} steps): stopped as an infrastructure failure."
            )
        if self.stop_reason == "temp":
            return CrmError(
                f"The query would hold more than {_bytes(self.budget.temp_bytes)} of rows in temporary storage "
                f"(sorting, grouping, DISTINCT, subqueries, recursion) and was stopped. {hint}"
            )
        if self.stop_reason == "refused":
            return CrmError(self.refusal)
        return CrmError(f"The query exceeded its work budget of {self.budget.steps:,} steps and was stopped. {hint}")


def _bytes(count: int) -> str:
    return f"{count / _MIB:g} MiB" if count >= _MIB else f"{count:,} bytes"


@contextmanager
def metered(conn: sqlite3.Connection, budget: WorkBudget, *, hint: str) -> Iterator[WorkMeter]:
    """Count the work of every statement run on ``conn`` inside the block against ``budget``.

    A statement that spends its budget fails with `CrmError` (its message ends with ``hint``, how to ask for less);
    one that outlives the backstop fails with `WallClockBackstopError`. The progress handler is removed on exit.
    """
    extensions = getattr(conn, "extensions", None)
    if extensions is None:
        raise CrmGymError("A metered call needs the connection of a World (crm_gym.world.world.OrgConnection).")
    meter = WorkMeter(budget)
    outer = extensions.get(METER_KEY)
    extensions[METER_KEY] = meter
    conn.set_progress_handler(meter.on_progress, PROGRESS_STEPS)
    try:
        yield meter
    except sqlite3.Error as err:
        if meter.stop_reason is not None:
            raise meter.error(hint) from err
        raise
    finally:
        conn.set_progress_handler(None, 0)
        extensions[METER_KEY] = outer
