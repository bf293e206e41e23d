"""The query pass that gives SQL's date and time functions the org's today instead of the wall clock.

SQLite reads the machine's clock for ``CURRENT_DATE``, ``CURRENT_TIME``, ``CURRENT_TIMESTAMP``, a time value
'now' (written or computed: ``date('n' || 'ow')``, a field holding 'now'), and a date function given no time
value at all (``date()``, ``unixepoch()``); the modifiers 'localtime' and 'utc' read the machine's time zone.
`pin_clock` rewrites each of these so that a query means the same thing on every machine and every day: the
keywords and literal 'now' become the org's today at midnight, a missing time value becomes that literal, a
computed time value goes through ``crm_time_value`` and a computed modifier through ``crm_modifier`` (see
`crm_gym.api.sql_functions`), and 'localtime' and 'utc' become the no-op '+0 days' (the org keeps no time zone).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp
from sqlglot.optimizer.scope import Scope, traverse_scope

from crm_gym.api.sql_functions import NO_OP_MODIFIER
from crm_gym.errors import CrmError

if TYPE_CHECKING:
    from crm_gym.api.soql import QueryContext

DATE_FUNCTIONS = frozenset({"date", "time", "datetime", "julianday", "unixepoch", "strftime", "timediff"})
_CLOCK_KEYWORDS = (exp.CurrentDate, exp.CurrentTimestamp, exp.CurrentTime, exp.CurrentDatetime)
_ZONES = ("localtime", "utc")
_NO_TODAY = "This org has no 'today' set, so 'now' and CURRENT_DATE are unknown; use explicit dates."


def pin_clock(tree: exp.Query, ctx: QueryContext) -> exp.Query:
    """Rewrite every reading of the wall clock or the time zone in ``tree`` (see the module docstring)."""
    now = f"{ctx.today.isoformat()}T00:00:00" if ctx.today else None
    for node in list(tree.find_all(*_CLOCK_KEYWORDS)):
        if now is None:
            raise CrmError(_NO_TODAY)
        if isinstance(node, exp.CurrentTime):
            node.replace(exp.Literal.string("00:00:00"))
        elif isinstance(node, exp.CurrentDate):
            node.replace(exp.Literal.string(now[:10]))
        else:
            node.replace(exp.Literal.string(now))
    if not any(_date_call(node) for node in tree.find_all(exp.Date, exp.TimeToStr, exp.Anonymous)):
        return tree  # most queries call no date function: no need for their scopes
    for scope in traverse_scope(tree):
        dated = _date_columns(scope, ctx)
        for node in list(scope.expression.find_all(exp.Date, exp.TimeToStr, exp.Anonymous)):
            call = _date_call(node)
            if call is not None and _scope_of(node, scope):
                node.replace(_pinned(*call, now=now, dated=dated))
    return tree


def _scope_of(node: exp.Expression, scope: Scope) -> bool:
    """Whether ``node`` belongs to ``scope``'s own SELECT (not to a subquery inside it)."""
    parent = node.parent
    while parent is not None and parent is not scope.expression:
        if isinstance(parent, exp.Query):
            return False
        parent = parent.parent
    return parent is scope.expression


def _date_call(node: exp.Expression) -> tuple[str, list[exp.Expression]] | None:
    """(function name, arguments in SQLite's order) of a date function call, whatever node sqlglot made of it."""
    if isinstance(node, exp.Anonymous) and node.name.lower() in DATE_FUNCTIONS:
        return node.name.lower(), list(node.expressions)
    if isinstance(node, exp.Date):
        return "date", [a for a in (node.this, *node.expressions) if a is not None]
    if isinstance(node, exp.TimeToStr):
        value = node.this.this if isinstance(node.this, exp.TsOrDsToTimestamp) else node.this
        return "strftime", [a for a in (node.args.get("format"), value) if a is not None]
    return None


def _pinned(name: str, args: list[exp.Expression], *, now: str | None, dated: set[tuple[str, str]]) -> exp.Expression:
    first = 1 if name == "strftime" else 0  # strftime's format comes before the time value
    values = 2 if name == "timediff" else 1
    args = list(args)
    while len(args) < first + values:  # SQLite reads the clock for a missing time value
        if now is None:
            raise CrmError(_NO_TODAY)
        args.append(exp.Literal.string(now))
    for index in range(first, first + values):
        args[index] = _time_value(args[index], now, dated)
    for index in range(first + values, len(args)):
        args[index] = _modifier(args[index])
    return exp.Anonymous(this=name, expressions=args)


def _time_value(value: exp.Expression, now: str | None, dated: set[tuple[str, str]]) -> exp.Expression:
    if isinstance(value, exp.Literal):
        if value.is_string and value.this.lower() == "now":
            if now is None:
                raise CrmError(_NO_TODAY)
            return exp.Literal.string(now)
        return value
    if isinstance(value, exp.Column) and (value.table.lower(), value.name.lower()) in dated:
        return value  # a date field holds an ISO date: its CHECK constraint refuses 'now'
    pinned = exp.Literal.string(now) if now is not None else exp.Null()
    return exp.Anonymous(this="crm_time_value", expressions=[value, pinned])


def _modifier(value: exp.Expression) -> exp.Expression:
    if isinstance(value, exp.Literal):
        return exp.Literal.string(NO_OP_MODIFIER) if value.is_string and value.this.strip().lower() in _ZONES else value
    return exp.Anonymous(this="crm_modifier", expressions=[value])


def _date_columns(scope: Scope, ctx: QueryContext) -> set[tuple[str, str]]:
    """(table alias, field), lower case, of every date and date-time field of this SELECT's tables: such a field
    holds an ISO value (its CHECK constraint refuses 'now'). Columns are qualified by then (`resolve_names`)."""
    out = set()
    for alias, (_node, source) in scope.selected_sources.items():
        obj = ctx.schema.objects.get(source.name) if isinstance(source, exp.Table) else None
        if obj is not None:
            dated = [name for name, spec in obj.fields.items() if spec.type in ("date", "datetime")]
            out.update((alias.lower(), name.lower()) for name in dated)
    return out
