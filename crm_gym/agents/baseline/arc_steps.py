"""The steps Arc plans are made of: calling a tool, correcting a rejected value once, finding records by name,
reading fields, and phrasing answers and refusals.

Steps are sub-generators (``record = yield from find_client(ctx, name)``): they yield env actions, receive each
result text and return what they found. Arguments and fields are written with canonical names and resolved
through ``ctx.names``, so the same steps run under schema drift.
"""

from __future__ import annotations

import json
import re
from collections.abc import Generator, Iterable
from dataclasses import dataclass
from typing import Any

from crm_gym.agents.baseline.arc_text import dates, picklist_value, same_name, words_to_number
from crm_gym.agents.baseline.plan import PlanContext

Record = dict[str, Any]
Step = Generator[dict[str, Any], str, Any]

_NOT_ALLOWED = re.compile(r"(?P<value>'[^']*'|-?[\d.]+) is not allowed; (?P<rule>.+)", re.DOTALL)
_INVALID_ARGUMENT = re.compile(r"argument '[^']+': (?P<value>'[^']*'|\S+) is invalid")
_QUOTED_VALUE = re.compile(r"'([^']*)'")
_ALLOWED_EXTENSIONS = re.compile(r"\\\.\(([a-z0-9|]+)\)\$")


@dataclass(frozen=True)
class Reply:
    """A tool's answer: the parsed JSON output, or the error text."""

    data: Any = None
    error: str | None = None

    @property
    def results(self) -> list[Record]:
        """The records of a search result (empty for an error or another shape)."""
        found = self.data.get("results") if isinstance(self.data, dict) else None
        return [r for r in found if isinstance(r, dict)] if isinstance(found, list) else []


def parse_reply(text: str) -> Reply:
    """Read a tool result text: ``Error: ...`` or JSON."""
    if text.startswith("Error:"):
        return Reply(error=text.removeprefix("Error:").strip())
    try:
        return Reply(data=json.loads(text))
    except (json.JSONDecodeError, TypeError):
        return Reply(data=text)


def call(ctx: PlanContext, tool: str, **args: Any) -> Step:
    """Call ``tool`` with canonical argument names (None values left out); returns the `Reply`."""
    visible = {ctx.names.argument(tool, name): value for name, value in args.items() if value is not None}
    return parse_reply((yield {"tool": tool, "args": visible}))


def write(ctx: PlanContext, tool: str, **args: Any) -> Step:
    """Call a tool that changes the CRM; when the error names a value it can correct (a picklist spelling, a date
    format, a number in words, an upper-case file extension), retry once with the corrected value."""
    reply = yield from call(ctx, tool, **args)
    if reply.error is None:
        return reply
    fixed = corrected(reply.error, args)
    if fixed is None:
        return reply
    return (yield from call(ctx, tool, **fixed))


def corrected(error: str, args: dict[str, Any]) -> dict[str, Any] | None:
    """The arguments with the value the error rejects replaced by the allowed value it clearly meant, or None.

    >>> corrected("Opportunity.stage: 'negotiations' is not allowed; expected one of 'Proposal', 'Negotiation' "
    ...           "(case-sensitive).", {"stage": "negotiations", "amount": 5.0})
    {'stage': 'Negotiation', 'amount': 5.0}
    >>> corrected("Opportunity.probability: 125 is not allowed; expected a whole number >= 1, <= 99.",
    ...           {"probability": 125}) is None
    True
    """
    found = _NOT_ALLOWED.search(error) or _INVALID_ARGUMENT.search(error)
    if not found:
        return None
    shown = found["value"].strip("'")
    names = [name for name, value in args.items() if str(value) == shown]
    if not names:
        return None
    value = args[names[0]]
    rule = found.groupdict().get("rule") or ""
    fixed = _fix(str(value), rule, error)
    if fixed is None or fixed == value:
        return None
    return {**args, names[0]: fixed}


def _fix(value: str, rule: str, error: str) -> Any:
    extensions = _ALLOWED_EXTENSIONS.search(error)
    if extensions:
        stem, _, extension = value.rpartition(".")
        return f"{stem}.{extension.lower()}" if stem and extension.lower() in extensions[1].split("|") else None
    allowed = _QUOTED_VALUE.findall(rule) if "one of" in rule else []
    if allowed:
        return picklist_value(value, allowed)
    if "date" in rule:
        found = dates(value)
        return found[0] if found else None
    number = words_to_number(value)
    if number is not None:
        return int(number) if "integer" in error else number
    return None


def field(ctx: PlanContext, record: Record | None, object_name: str, name: str) -> Any:
    """A record's field by canonical object and field name (the episode's name first, then the canonical one)."""
    if not isinstance(record, dict):
        return None
    visible = ctx.names.field(object_name, name)
    return record.get(visible, record.get(name))


def record_id(ctx: PlanContext, record: Record | None, object_name: str) -> str | None:
    """A record's UUID (``<object>_id``)."""
    value = field(ctx, record, object_name, f"{object_name.lower()}_id")
    return value if isinstance(value, str) else None


def named(ctx: PlanContext, records: Iterable[Record], object_name: str, name: str) -> Record | None:
    """The record whose name is exactly ``name`` (ignoring case), or None: look-alikes are never picked."""
    return next((r for r in records if same_name(field(ctx, r, object_name, "name"), name)), None)


def find_client(ctx: PlanContext, name: str) -> Step:
    """The client named exactly ``name``, or None."""
    reply = yield from call(ctx, "client_search", query=name)
    return named(ctx, reply.results, "Client", name)


def find_deal(ctx: PlanContext, name: str) -> Step:
    """The opportunity named exactly ``name``, or None."""
    reply = yield from call(ctx, "opportunity_search", query=name)
    return named(ctx, reply.results, "Opportunity", name)


def client_deals(ctx: PlanContext, client: Record, **filters: Any) -> Step:
    """The client's opportunities (optionally filtered: query, stage, min_amount, ...)."""
    reply = yield from call(ctx, "opportunity_search", client_id=record_id(ctx, client, "Client"), limit=50, **filters)
    return reply.results


def find_client_deal(ctx: PlanContext, client_name: str, theme: str) -> Step:
    """The opportunity "<client> - <theme>" of the client named exactly ``client_name``, or None."""
    client = yield from find_client(ctx, client_name)
    if client is None:
        return None
    deals = yield from client_deals(ctx, client, query=theme)
    full = f"{field(ctx, client, 'Client', 'name')} - {theme}"
    return named(ctx, deals, "Opportunity", full) or (deals[0] if len(deals) == 1 else None)


def deal_quotes(ctx: PlanContext, deal: Record) -> Step:
    """The opportunity's quotes, by version."""
    reply = yield from call(ctx, "quote_search", opportunity_id=record_id(ctx, deal, "Opportunity"), limit=50)
    return by_version(ctx, reply.results)


def by_version(ctx: PlanContext, quotes: Iterable[Any]) -> list[Record]:
    """Quotes sorted by version (the latest last)."""
    found = [q for q in quotes if isinstance(q, dict)]
    return sorted(found, key=lambda q: (_number(field(ctx, q, "Quote", "version")), record_id(ctx, q, "Quote") or ""))


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def amount_of(ctx: PlanContext, record: Record, object_name: str) -> float:
    """A record's amount (0 when empty)."""
    return _number(field(ctx, record, object_name, "amount"))


def allowed_values(ctx: PlanContext, tool: str, argument: str) -> list[str]:
    """The picklist a tool's argument accepts (its JSON-schema enum), in the episode's names."""
    properties = ctx.tools.get(tool, {}).get("properties", {})
    spec = properties.get(ctx.names.argument(tool, argument), {})
    return [v for v in spec.get("enum", ()) if isinstance(v, str)]


def id_list(ctx: PlanContext, records: Iterable[Record], object_name: str, label: str = "name") -> dict[str, str]:
    """The final answer listing the records' ids, one a line with a label."""
    lines = [f"- {record_id(ctx, r, object_name)} ({field(ctx, r, object_name, label)})" for r in records]
    return {"answer": "\n".join(lines) if lines else f"I found no matching {object_name.lower()} records."}


def decline(doing: str, reason: str) -> dict[str, str]:
    """The final answer declining a request: what could not be done and why.

    >>> decline("update the opportunity", "it is closed.")
    {'answer': "I can't update the opportunity: it is closed. I made no change."}
    """
    return {"answer": f"I can't {doing}: {reason} I made no change."}


def not_found(kind: str, name: str) -> str:
    """The reason a named record cannot be acted on."""
    return f'there is no {kind} named exactly "{name}" in the CRM.'
