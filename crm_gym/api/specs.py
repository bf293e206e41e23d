"""Tool specs for OpenAI (Chat Completions and Responses) and Anthropic, from the one tool definition."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from crm_gym.api.registry import ToolDef
from crm_gym.world.schema import Schema

SpecFlavor = Literal["openai_chat", "openai_responses", "anthropic"]


def tool_spec(definition: ToolDef, schema: Schema, flavor: SpecFlavor) -> dict[str, Any]:
    """One tool in one provider's format."""
    parameters = definition.parameters_schema(schema)
    if flavor == "openai_chat":
        return {
            "type": "function",
            "function": {
                "name": definition.name,
                "description": definition.description,
                "parameters": parameters,
            },
        }
    if flavor == "openai_responses":
        return {
            "type": "function",
            "name": definition.name,
            "description": definition.description,
            "parameters": parameters,
            "strict": False,
        }
    if flavor == "anthropic":
        return {"name": definition.name, "description": definition.description, "input_schema": parameters}
    raise ValueError(f"Unknown spec flavor {flavor!r}; expected 'openai_chat', 'openai_responses' or 'anthropic'.")


def tool_specs(definitions: Iterable[ToolDef], schema: Schema, flavor: SpecFlavor) -> list[dict[str, Any]]:
    """Every tool in one provider's format, sorted by name for a stable prompt prefix."""
    return [tool_spec(d, schema, flavor) for d in sorted(definitions, key=lambda d: d.name)]
