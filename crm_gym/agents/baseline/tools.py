"""Tool calls for plans: SQL templates in canonical names, rendered in the episode's names, and result parsing.

A template writes ``[Object]`` for an object and ``[Object.Field]`` for a field; `render` swaps in the names the
episode shows. Plans alias every selected column, so results read the same with and without drift.
"""

from __future__ import annotations

import json
import re
from collections.abc import Generator
from typing import Any

from crm_gym.agents.baseline.plan import NameResolver, PlanContext

Rows = list[dict[str, Any]]
Call = Generator[dict[str, Any], str, Any]
_NAME = re.compile(r"\[(\w+)(?:\.(\w+))?\]")


def literal(value: str) -> str:
    """A SQL string literal (single quotes doubled)."""
    return "'" + str(value).replace("'", "''") + "'"


def render(template: str, names: NameResolver) -> str:
    """The template with ``[Object]`` and ``[Object.Field]`` replaced by the episode's names."""

    def swap(match: re.Match[str]) -> str:
        obj, field = match[1], match[2]
        return names.field(obj, field) if field else f'"{names.object(obj)}"'

    return _NAME.sub(swap, template)


def parse_rows(text: str) -> Rows:
    """The rows of a query result as dicts keyed by column; [] for an error or anything else."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        return []
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
        return []
    columns = data.get("columns") or []
    return [dict(zip(columns, row, strict=False)) for row in data["rows"] if isinstance(row, list)]


def query(ctx: PlanContext, template: str) -> Call:
    """Run one SQL template; returns its rows."""
    text = yield {"tool": "query", "args": {ctx.names.argument("query", "sql"): render(template, ctx.names)}}
    return parse_rows(text)
