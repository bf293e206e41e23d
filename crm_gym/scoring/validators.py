"""State validators: a task's state assertions checked against the world's diff since the seed state.

Expected values come from the task, never from the agent's own arguments (Arc's validators compared the
final state with what the agent sent, so a wrong agent passed). `progress` is the step reward's signal;
`passed` is the verdict at the end.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict

from crm_gym.tasks.model import (
    NoOtherChanges,
    RecordChanged,
    RecordCreated,
    RecordDeleted,
    RecordUnchanged,
    StateExpectation,
)
from crm_gym.world.state import RowChange, StateDiff
from crm_gym.world.world import World


class CheckResult(BaseModel):
    """The verdict on one assertion, with one readable sentence saying why."""

    model_config = ConfigDict(frozen=True)

    name: str
    passed: bool
    reason: str


class StateReport(BaseModel):
    """Every assertion's verdict, the progress fraction and the overall verdict."""

    model_config = ConfigDict(frozen=True)

    checks: tuple[CheckResult, ...]
    progress: float
    passed: bool


def values_equal(expected: Any, actual: Any) -> bool:
    """Compare an expected field value with the stored one (numbers within float tolerance)."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected == actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return math.isclose(float(expected), float(actual), rel_tol=1e-9, abs_tol=1e-9)
    return expected == actual


def _mismatches(expected: dict[str, Any], row: dict[str, Any]) -> list[str]:
    return [f"{k} is {row.get(k)!r}, expected {v!r}" for k, v in expected.items() if not values_equal(v, row.get(k))]


class _Evaluation:
    """Evaluates assertions over one diff and remembers which changes they account for."""

    def __init__(self, world: World, diff: StateDiff) -> None:
        self.world = world
        self.diff = diff
        self.explained: dict[tuple[str, str], set[str] | None] = {}  # None = the whole record is explained

    def record_created(self, a: RecordCreated) -> CheckResult:
        candidates = [c for c in self.diff.created if c.object == a.object and not _mismatches(a.match, c.after or {})]
        if len(candidates) != 1:
            found = "no" if not candidates else f"{len(candidates)}"
            return CheckResult(name=a.name, passed=False, reason=f"{found} new {a.object} matches {a.match!r}")
        created = candidates[0]
        self.explained[(a.object, created.record_id)] = None
        problems = _mismatches(a.fields, created.after or {})
        reason = "; ".join(problems) if problems else f"{a.object} {created.record_id} created as expected"
        return CheckResult(name=a.name, passed=not problems, reason=reason)

    def record_changed(self, a: RecordChanged) -> CheckResult:
        self.explained[(a.object, a.record_id)] = set(a.fields)
        row = self.world.get(a.object, a.record_id)
        if row is None:
            return CheckResult(name=a.name, passed=False, reason=f"{a.object} {a.record_id} no longer exists")
        problems = _mismatches(a.fields, row)
        reason = "; ".join(problems) if problems else f"{a.object} {a.record_id} has the expected values"
        return CheckResult(name=a.name, passed=not problems, reason=reason)

    def record_deleted(self, a: RecordDeleted) -> CheckResult:
        self.explained[(a.object, a.record_id)] = None
        gone = self.world.get(a.object, a.record_id) is None
        reason = f"{a.object} {a.record_id} " + ("was deleted" if gone else "still exists")
        return CheckResult(name=a.name, passed=gone, reason=reason)

    def record_unchanged(self, a: RecordUnchanged) -> CheckResult:
        change = next((c for c in self.diff.touched() if (c.object, c.record_id) == (a.object, a.record_id)), None)
        if change is None:
            return CheckResult(name=a.name, passed=True, reason=f"{a.object} {a.record_id} is untouched")
        what = "deleted" if change.after is None else ", ".join(change.changed_fields)
        return CheckResult(name=a.name, passed=False, reason=f"{a.object} {a.record_id} changed: {what}")

    def no_other_changes(self, a: NoOtherChanges) -> CheckResult:
        collateral = [c for c in self.diff.touched() if not self._is_explained(c)]
        if not collateral:
            return CheckResult(name=a.name, passed=True, reason="no collateral changes")
        listed = "; ".join(_describe(c) for c in collateral[:5])
        more = f" and {len(collateral) - 5} more" if len(collateral) > 5 else ""
        return CheckResult(name=a.name, passed=False, reason=f"unexpected changes: {listed}{more}")

    def _is_explained(self, change: RowChange) -> bool:
        key = (change.object, change.record_id)
        if key in self.explained:
            fields = self.explained[key]
            return fields is None or set(change.changed_fields) <= fields
        return change.after is None and self._cascaded(change)

    def _cascaded(self, change: RowChange) -> bool:
        # A deletion that the database cascaded from an expected deletion is part of it, not collateral.
        deleted_ids = {record_id for (_, record_id), fields in self.explained.items() if fields is None}
        deleted_ids |= {c.record_id for c in self.diff.deleted}
        spec = self.world.schema.objects[change.object]
        return any((change.before or {}).get(f) in deleted_ids for f in spec.references())


def _describe(change: RowChange) -> str:
    if change.before is None:
        return f"created {change.object} {change.record_id}"
    if change.after is None:
        return f"deleted {change.object} {change.record_id}"
    return f"changed {change.object} {change.record_id} ({', '.join(change.changed_fields)})"


_POSITIVE = (RecordCreated, RecordChanged, RecordDeleted)


def check_state(expectation: StateExpectation, world: World, diff: StateDiff | None = None) -> StateReport:
    """Check every assertion against ``world`` and its diff since the seed state.

    ``progress`` is the share of positive assertions (created, changed, deleted) that hold, times whether the
    guards (unchanged, no other changes) hold; with no positive assertion it is 1 while the guards hold.
    """
    evaluation = _Evaluation(world, diff if diff is not None else world.diff())
    handlers = {
        RecordCreated: evaluation.record_created,
        RecordChanged: evaluation.record_changed,
        RecordDeleted: evaluation.record_deleted,
        RecordUnchanged: evaluation.record_unchanged,
    }
    ordered = sorted(expectation.assertions, key=lambda a: isinstance(a, NoOtherChanges))  # guards see all others
    results: dict[str, CheckResult] = {}
    for assertion in ordered:
        if isinstance(assertion, NoOtherChanges):
            results[assertion.name] = evaluation.no_other_changes(assertion)
        else:
            results[assertion.name] = handlers[type(assertion)](assertion)
    checks = tuple(results[a.name] for a in expectation.assertions)
    positive = [results[a.name].passed for a in expectation.assertions if isinstance(a, _POSITIVE)]
    guards_hold = all(results[a.name].passed for a in expectation.assertions if not isinstance(a, _POSITIVE))
    share = sum(positive) / len(positive) if positive else 1.0
    return StateReport(checks=checks, progress=share if guards_hold else 0.0, passed=all(c.passed for c in checks))
