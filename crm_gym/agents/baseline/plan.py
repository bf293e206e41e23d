"""The contract between the baseline policy and its per-task plans.

A plan is a generator: it yields env actions one at a time, is sent the text of each tool result (or error),
and ends by yielding a final ``{"answer": TEXT}``. Plans see only what the env shows (prompt, persona, context,
schema summary, tool parameters) and resolve the canonical CRM names they know into the episode's drifted names
through `NameResolver`.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, Protocol

Plan = Generator[dict[str, Any], str, None]


class NameResolver(Protocol):
    """Finds the names the episode uses for canonical objects, fields and tool arguments (drift-aware)."""

    def object(self, canonical: str) -> str:
        """The visible name of a canonical object (e.g. "Opportunity" -> "Deal")."""
        ...

    def field(self, canonical_object: str, canonical_field: str) -> str:
        """The visible name of a canonical field of a canonical object."""
        ...

    def argument(self, tool: str, canonical_argument: str) -> str:
        """The visible name of a tool's canonical argument."""
        ...


@dataclass(frozen=True)
class PlanContext:
    """What a plan may read: the observation's texts, the episode's tool parameters and the name resolver."""

    prompt: str
    persona: str
    context: str
    schema: str
    tools: dict[str, dict[str, Any]]  # tool name -> JSON-schema parameters, in the episode's names
    names: NameResolver
