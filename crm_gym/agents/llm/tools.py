"""The episode's tool specs (OpenAI Chat Completions function format) in the other providers' formats."""

from __future__ import annotations

from typing import Any


def _functions(chat_tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [tool["function"] for tool in chat_tools]


def responses_tools(chat_tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The tools as Responses API function tools (same names, descriptions and parameter schemas)."""
    return [
        {
            "type": "function",
            "name": f["name"],
            "description": f.get("description", ""),
            "parameters": f["parameters"],
            "strict": False,
        }
        for f in _functions(chat_tools)
    ]


def anthropic_tools(chat_tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The tools as Anthropic Messages API client tools (``input_schema`` holds the parameter schema)."""
    return [
        {"name": f["name"], "description": f.get("description", ""), "input_schema": f["parameters"]}
        for f in _functions(chat_tools)
    ]
