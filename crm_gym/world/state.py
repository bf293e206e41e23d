"""Result types for the state of a world: row changes and diffs."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class RowChange(BaseModel):
    """One created, deleted or changed record, with its before and after images."""

    model_config = ConfigDict(frozen=True)

    object: str
    record_id: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None

    @property
    def changed_fields(self) -> dict[str, tuple[Any, Any]]:
        """Field -> (before, after) for every field whose value differs."""
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return {k: (before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)}


class StateDiff(BaseModel):
    """Everything that changed in a world since its baseline, sorted by object and id."""

    model_config = ConfigDict(frozen=True)

    created: list[RowChange] = Field(default_factory=list)
    deleted: list[RowChange] = Field(default_factory=list)
    changed: list[RowChange] = Field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """True when nothing changed."""
        return not (self.created or self.deleted or self.changed)

    def touched(self) -> list[RowChange]:
        """Every change, created then changed then deleted."""
        return [*self.created, *self.changed, *self.deleted]

    def summary(self) -> str:
        """One line per change, for logs and reports."""
        lines = [f"+ {c.object} {c.record_id}" for c in self.created]
        for c in self.changed:
            fields = ", ".join(f"{k}: {b!r} -> {a!r}" for k, (b, a) in c.changed_fields.items())
            lines.append(f"~ {c.object} {c.record_id} ({fields})")
        lines += [f"- {c.object} {c.record_id}" for c in self.deleted]
        return "\n".join(lines) if lines else "(no changes)"
