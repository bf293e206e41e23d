"""Hallucination measure: the record ids a final answer claims, and which of them the agent was never shown.

An id counts as hallucinated when the org has no such record or nothing the agent saw (the task context
and every tool result of the episode) contained it. Both halves are checked by the environment.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from crm_gym.scoring.extract import record_ids_in
from crm_gym.world.world import World


class ClaimCheck(BaseModel):
    """How many record ids the answer claims and how many of them are hallucinated."""

    model_config = ConfigDict(frozen=True)

    claims: int
    hallucinated: int
    hallucinated_ids: tuple[str, ...] = ()


def _exists(world: World, record_id: str) -> bool:
    schema = world.schema
    if schema.id_style == "salesforce":
        name = schema.object_for_id_prefix(record_id)
        if name is None:
            return False
        pk = schema.objects[name].primary_key
        return (
            world.conn.execute(f'SELECT 1 FROM "{name}" WHERE substr("{pk}", 1, 15) = ?', (record_id,)).fetchone()
            is not None
        )
    return any(world.exists(name, record_id) for name in schema.objects)


def check_claims(answer: str | None, shown_texts: Iterable[str], world: World) -> ClaimCheck:
    """Check every record id in ``answer`` against the org and against what the agent was shown."""
    claimed = list(dict.fromkeys(record_ids_in(answer or "")))
    shown = {i for text in shown_texts for i in record_ids_in(text)}
    bad = tuple(i for i in claimed if i not in shown or not _exists(world, i))
    return ClaimCheck(claims=len(claimed), hallucinated=len(bad), hallucinated_ids=bad)
