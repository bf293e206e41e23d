"""The episode's fixed prompt: a system text built from the observation (persona, context, schema summary)."""

from __future__ import annotations

from typing import Any

INSTRUCTIONS = (
    "Use the tools to read or change the CRM. Use only the object and field names listed in the schema above. "
    "When you know the final answer, reply with it as plain text and no tool call: that reply ends the task. "
    "For a task that only asks you to change records, make the changes, then reply with a short confirmation."
)


def system_prompt(observation: dict[str, Any]) -> str:
    """The system text of an episode: who the user is, the task's context, the schema and how to answer."""
    sections = [
        str(observation.get("persona", "")).strip(),
        "## Context\n" + str(observation.get("context", "")).strip(),
        "## CRM schema: object(field, ...)\n" + str(observation.get("schema", "")).strip(),
        "## How to work\n" + INSTRUCTIONS,
    ]
    return "\n\n".join(s for s in sections if s)
