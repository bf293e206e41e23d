"""The work meter: counts are deterministic, each budget stops a call with its own message, the backstop raises an
infrastructure error, and the connection is left without a handler."""

from __future__ import annotations

import pytest

from crm_gym import CrmError, World
from crm_gym.api.budget import BudgetStop, WorkBudget, WorkMeter, metered
from crm_gym.errors import CrmGymError, WallClockBackstopError

COUNT = "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r LIMIT {n}) SELECT count(*) FROM r"


def test_the_meter_stops_at_the_first_budget_spent() -> None:
    meter = WorkMeter(WorkBudget(steps=100, temp_bytes=10))
    meter.charge(60, 5)
    with pytest.raises(BudgetStop):
        meter.charge(60, 0)
    assert meter.stop_reason == "steps" and meter.steps == 120
    assert "work budget of 100 steps" in str(meter.error("Narrow it."))
    memory = WorkMeter(WorkBudget(steps=100, temp_bytes=10))
    with pytest.raises(BudgetStop):
        memory.charge(1, 11)
    assert "more than 10 bytes of rows" in str(memory.error("")) and isinstance(memory.error(""), CrmError)


def test_steps_are_counted_the_same_on_every_run() -> None:
    world = World.empty("arc")
    counts = []
    for _ in range(3):
        with metered(world.conn, WorkBudget(), hint="") as meter:
            assert world.conn.execute(COUNT.format(n=100_000)).fetchone() == (100_000,)
        counts.append(meter.steps)
    assert counts[0] > 100_000 and len(set(counts)) == 1


def test_a_spent_budget_interrupts_the_statement_and_removes_the_handler() -> None:
    world = World.empty("arc")
    with (
        pytest.raises(CrmError, match="work budget of 50,000 steps"),
        metered(world.conn, WorkBudget(steps=50_000), hint=""),
    ):
        world.conn.execute(COUNT.format(n=10**9)).fetchone()
    assert world.conn.execute(COUNT.format(n=200_000)).fetchone() == (200_000,)  # no handler left


def test_the_backstop_is_an_infrastructure_error_not_the_agents() -> None:
    world = World.empty("arc")
    late = WorkBudget(backstop_seconds=0.0)
    with pytest.raises(WallClockBackstopError, match="infrastructure failure"), metered(world.conn, late, hint=""):
        world.conn.execute(COUNT.format(n=10**6)).fetchone()
    assert not issubclass(WallClockBackstopError, CrmError) and issubclass(WallClockBackstopError, CrmGymError)


def test_metering_needs_a_worlds_connection() -> None:
    import sqlite3

    with (
        pytest.raises(CrmGymError, match="needs the connection of a World"),
        metered(sqlite3.connect(":memory:"), WorkBudget(), hint=""),
    ):
        pass
