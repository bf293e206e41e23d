"""Read-only SQL and the SOQL that CRMArena-Pro agents write, translated to SQLite over the org's objects.

One `Pipeline` serves both languages, as passes over the sqlglot syntax tree:

1. parse: SOQL date literals become marker calls (`crm_gym.api.date_literals`), then sqlglot parses exactly
   one SELECT (anything else is refused before it reaches the database);
2. `name_outputs`: result columns keep the names the query used (``Account.Name``, ``COUNT()``);
3. `resolve_names`: objects and fields are found case-insensitively and written canonically; parent
   relationship paths (``Account.Name`` on Contact through ``AccountId``, ``OrderItemId__r.Product2Id``
   through ``OrderItemId__c``) become LEFT JOINs; a wrong name raises `CrmError` with a suggestion;
4. rewrites: `rewrite_soql_functions` (``COUNT()``, ``CALENDAR_MONTH()`` ...), `rewrite_date_literals`
   (ranges relative to the world's today), `crm_gym.api.clock.pin_clock` (``CURRENT_DATE``, ``date('now')``,
   ``date()``: the org's today, never the wall clock), `rewrite_null_comparisons` (``= null`` means ``IS NULL``);
5. `crm_gym.api.query_cost.bound_work` makes the query's work countable by its budget;
6. SQLite SQL is generated with every identifier quoted.

A later step that renames objects and fields (schema drift) adds one pass before `resolve_names` with
`Pipeline.with_pass` and one column pass with `Pipeline.with_column_pass`; nothing else changes.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, SqlglotError, TokenError
from sqlglot.optimizer.scope import Scope, traverse_scope

from crm_gym.api.clock import pin_clock
from crm_gym.api.date_literals import MARKER, date_range, mark_date_literals
from crm_gym.api.names import did_you_mean, find_field, resolve_object, unknown_field_message
from crm_gym.api.query_cost import bound_work
from crm_gym.config import QUERY_MAX_CHARS
from crm_gym.errors import CrmError
from crm_gym.world.schema import ObjectSpec, Schema


@dataclass(frozen=True)
class QueryContext:
    """What a translation may consult: the org's schema and its 'today' (None when the org has none)."""

    schema: Schema
    today: dt.date | None = None


AstPass = Callable[[exp.Query, QueryContext], exp.Query]
ColumnPass = Callable[[list[str], QueryContext], list[str]]

_CACHED_TRANSLATIONS = 4096  # covers every distinct oracle query of a 2,200-task split
_EXAMPLE = "SELECT Id, Name FROM Account WHERE Name LIKE 'A%' ORDER BY Name LIMIT 10"


def parse(text: str) -> exp.Query:
    """Parse one SELECT statement (SQL or SOQL); `CrmError` for anything else or for a syntax error."""
    if not isinstance(text, str) or not text.strip():
        raise CrmError(f"The query is empty. Write one SELECT statement, e.g. {_EXAMPLE}.")
    if len(text) > QUERY_MAX_CHARS:
        raise CrmError(f"The query is {len(text)} characters long; at most {QUERY_MAX_CHARS} are accepted.")
    try:
        statements = [s for s in sqlglot.parse(mark_date_literals(text), read="sqlite") if s is not None]
    except ParseError as err:
        raise CrmError(f"Could not parse the query: {_parse_error_text(err)}. Example: {_EXAMPLE}.") from err
    except (TokenError, ValueError) as err:  # ValueError: a number too long to convert (a 4,000-digit literal)
        raise CrmError(f"Could not parse the query: {err}. Example: {_EXAMPLE}.") from err
    except RecursionError as err:
        raise CrmError("The query is nested too deeply to parse; simplify it.") from err
    if len(statements) != 1:
        raise CrmError(f"Run one statement at a time; the query holds {len(statements)}.")
    statement = statements[0]
    if not isinstance(statement, exp.Query):
        kind = statement.key.upper() if not isinstance(statement, exp.Command) else statement.name.upper()
        raise CrmError(
            f"The query tool only runs SELECT statements (read-only); got {kind}. "
            "Use create, update or delete to change records."
        )
    if statement.find(exp.Dot):
        raise CrmError("A relationship path may follow at most 3 relationships, e.g. Account.Owner.Name.")
    return statement


def _parse_error_text(err: ParseError) -> str:
    if not err.errors:
        return str(err)
    first = err.errors[0]
    near = (first.get("highlight") or "").strip()
    where = f" near {near!r}" if near else ""
    return f"{first.get('description', 'syntax error')}{where} (line {first.get('line')}, column {first.get('col')})"


# -- pass: output names ----------------------------------------------------------------------------------


def _leftmost_select(tree: exp.Query) -> exp.Select | None:
    while isinstance(tree, exp.SetOperation):
        tree = tree.this
    return tree if isinstance(tree, exp.Select) else None


def _from_aliases(select: exp.Select) -> set[str]:
    tables = [j.this for j in select.args.get("joins") or []]
    if select.args.get("from_"):
        tables.append(select.args["from_"].this)
    return {t.alias_or_name.lower() for t in tables}


def name_outputs(tree: exp.Query, ctx: QueryContext) -> exp.Query:
    """Name each result column as the query wrote it: ``Account.Name``, ``COUNT()``; plain fields keep theirs."""
    select = _leftmost_select(tree)
    if select is None:
        return tree
    sources = _from_aliases(select)
    named = []
    for projection in select.expressions:
        plain = isinstance(projection, exp.Column) and (
            not projection.table or (len(projection.parts) == 2 and projection.table.lower() in sources)
        )
        if isinstance(projection, exp.Alias | exp.Star) or plain or isinstance(projection.this, exp.Star):
            named.append(projection)
        else:
            named.append(exp.alias_(projection, projection.sql(dialect="sqlite"), quoted=True))
    select.set("expressions", named)
    return tree


# -- pass: names, fields and relationship paths ----------------------------------------------------------


@dataclass
class _ScopeNames:
    """The names visible in one SELECT scope."""

    scope: Scope
    tables: dict[str, tuple[str, ObjectSpec]] = field(default_factory=dict)  # lower alias -> (alias, object)
    derived: dict[str, list[str] | None] = field(default_factory=dict)  # lower alias -> column names or unknown
    joins: dict[str, str] = field(default_factory=dict)  # lower-case join alias -> join alias
    outputs: set[str] = field(default_factory=set)  # lower-case names of result aliases
    parent: _ScopeNames | None = None

    @property
    def primary(self) -> tuple[str, ObjectSpec] | None:
        """The first object in FROM: where SOQL relationship paths start."""
        return next(iter(self.tables.values()), None)


def resolve_names(tree: exp.Query, ctx: QueryContext) -> exp.Query:
    """Check every object and field name, write them canonically, and turn relationship paths into joins."""
    scopes = list(traverse_scope(tree))  # innermost first
    names: dict[int, _ScopeNames] = {}
    for scope in reversed(scopes):
        names[id(scope)] = _scope_names(scope, ctx.schema, names.get(id(scope.parent)) if scope.parent else None)
    claimed: set[int] = set()
    for scope in scopes:
        if not isinstance(scope.expression, exp.Select):
            continue
        order = scope.expression.args.get("order")
        # sqlglot leaves ORDER BY names that match a result column out of scope.columns; joins need them qualified
        ordering = list(order.find_all(exp.Column)) if order else []
        for column in [*scope.columns, *ordering]:
            if id(column) not in claimed:  # a column belongs to the innermost scope that lists it
                claimed.add(id(column))
                _resolve_column(column, names[id(scope)], ctx.schema)
    for scope_names in names.values():
        if scope_names.joins:
            _qualify_star(scope_names)
    return tree


def _qualify_star(names: _ScopeNames) -> None:
    """``SELECT *`` keeps meaning the FROM's own columns once relationship joins are added."""
    select = names.scope.expression
    sources = [alias for alias, _ in names.tables.values()] + list(names.derived)
    expanded = []
    for projection in select.expressions:
        if isinstance(projection, exp.Star):
            expanded.extend(exp.Column(this=exp.Star(), table=exp.to_identifier(a)) for a in sources)
        else:
            expanded.append(projection)
    select.set("expressions", expanded)


def _scope_names(scope: Scope, schema: Schema, parent: _ScopeNames | None) -> _ScopeNames:
    names = _ScopeNames(scope=scope, parent=parent)
    for alias, source in scope.sources.items():
        if isinstance(source, exp.Table):
            if not isinstance(source.this, exp.Identifier):
                raise CrmError(
                    f"FROM must name an object, got {source.this.sql(dialect='sqlite')!r}. "
                    f"Objects in this org: {', '.join(sorted(schema.objects))}."
                )
            obj = resolve_object(schema, source.name)
            source.set("this", exp.to_identifier(obj.name))
            source.set("db", None)
            source.set("catalog", None)
            names.tables[alias.lower()] = (alias if source.alias else obj.name, obj)
        else:
            names.derived[alias.lower()] = _derived_columns(source.expression)
    if isinstance(scope.expression, exp.Select):
        names.outputs = {p.alias.lower() for p in scope.expression.expressions if isinstance(p, exp.Alias)}
    return names


def _derived_columns(query: exp.Expression) -> list[str] | None:
    """Column names of a subquery or CTE (its alias list, else its SELECT names); None when unknown."""
    while isinstance(query.parent, exp.SetOperation):  # a recursive CTE's anchor stands for the whole union
        query = query.parent
    holder = query.parent
    if isinstance(holder, exp.CTE | exp.Subquery) and holder.alias_column_names:
        return list(holder.alias_column_names)
    selects = query.named_selects if isinstance(query, exp.Query) else []
    return None if "*" in selects or not selects else selects


def _resolve_column(column: exp.Column, names: _ScopeNames, schema: Schema) -> None:
    if isinstance(column.this, exp.Star):
        return  # "alias.*": SQLite checks the alias
    *path, name = [p.name for p in column.parts]
    if not path:
        _resolve_unqualified(column, name, names)
        return
    start, hops = _path_start(path, names)
    if start is None:
        return  # a column of a derived table or CTE: SQLite checks it
    owner, alias, obj = start
    for hop in hops:
        alias, obj = _join_for(owner, schema, alias, obj, hop)
    canonical = find_field(obj, name)
    if canonical is None:
        raise CrmError(unknown_field_message(obj, name))
    column.set("catalog", None)
    column.set("db", None)
    column.set("table", exp.to_identifier(alias))
    column.set("this", exp.to_identifier(canonical))


def _chain(names: _ScopeNames) -> list[_ScopeNames]:
    chain, current = [], names
    while current is not None:
        chain.append(current)
        current = current.parent
    return chain


def _resolve_unqualified(column: exp.Column, name: str, names: _ScopeNames) -> None:
    lowered = name.lower()
    for scope in _chain(names):
        if lowered in scope.outputs and scope is names:
            return
        owners = [(a, o) for a, o in scope.tables.values() if find_field(o, name)]
        derived = [a for a, cols in scope.derived.items() if cols is not None and lowered in map(str.lower, cols)]
        if len(owners) + len(derived) > 1:
            which = ", ".join([*(f"{a} ({o.name})" for a, o in owners), *derived])
            first = owners[0][0] if owners else derived[0]  # two subqueries or CTEs may share a column name
            raise CrmError(f"Column {name!r} is ambiguous: it is in {which}. Qualify it, e.g. {first}.{name}.")
        if owners:
            column.set("this", exp.to_identifier(find_field(owners[0][1], name)))
            if scope is names:  # qualified, so that joins added for relationship paths cannot make it ambiguous
                column.set("table", exp.to_identifier(owners[0][0]))
            return
        if derived or any(cols is None for cols in scope.derived.values()):
            return
    if column.this.quoted:
        # SQLite reads an unknown "double-quoted" name as a string literal; agents often mean exactly that.
        column.replace(exp.Literal.string(name))
        return
    objects = list(names.tables.values())
    if len(objects) == 1:
        raise CrmError(unknown_field_message(objects[0][1], name))
    listed = "; ".join(f"{o.name}: {', '.join(o.fields)}" for _, o in objects) or "no object is in FROM"
    suggestion = did_you_mean(name, [f for _, o in objects for f in o.fields])
    raise CrmError(f"Unknown column {name!r}.{suggestion} Fields by object: {listed}.")


def _path_start(path: list[str], names: _ScopeNames) -> tuple[tuple[_ScopeNames, str, ObjectSpec] | None, list[str]]:
    """Where a dotted path starts: a table alias in scope, or (SOQL) the scope's main object."""
    first = path[0].lower()
    for scope in _chain(names):
        if first in scope.tables:
            alias, obj = scope.tables[first]
            return (scope, alias, obj), path[1:]
        if first in scope.derived:
            if len(path) > 1:
                raise CrmError(f"{path[0]!r} is a subquery, not an object: relationship paths cannot start there.")
            return None, []
    if names.primary is None:
        raise CrmError(f"Unknown table or relationship {path[0]!r}: this SELECT reads no object.")
    alias, obj = names.primary
    return (names, alias, obj), path


def _join_for(owner: _ScopeNames, schema: Schema, alias: str, obj: ObjectSpec, hop: str) -> tuple[str, ObjectSpec]:
    """The alias of the LEFT JOIN that follows relationship ``hop`` from ``alias`` (added to ``owner`` once)."""
    reference, target = _relationship(schema, obj, hop)
    join_alias = f"{alias}.{relationship_name(reference)}"  # canonical, so two spellings share one join
    if join_alias.lower() not in owner.joins:
        owner.joins[join_alias.lower()] = join_alias
        on = exp.column(target.primary_key, table=join_alias).eq(exp.column(reference, table=alias))
        table = exp.Table(this=exp.to_identifier(target.name), alias=exp.TableAlias(this=exp.to_identifier(join_alias)))
        owner.scope.expression.append("joins", exp.Join(this=table, side="LEFT", on=on))
    return owner.joins[join_alias.lower()], target


def relationship_name(reference: str) -> str:
    """The SOQL relationship name of a reference field: AccountId -> Account, Issue__c -> Issue__r."""
    if reference.endswith("__c"):
        return reference[:-3] + "__r"
    for suffix in ("Id", "_id"):
        if reference.endswith(suffix) and len(reference) > len(suffix):
            return reference[: -len(suffix)]
    return reference


def _relationship(schema: Schema, obj: ObjectSpec, hop: str) -> tuple[str, ObjectSpec]:
    references = obj.references()
    lowered = hop.lower()
    match = next(
        (
            name
            for name in references
            if lowered in (name.lower(), relationship_name(name).lower())
            or name.lower() in (lowered + "id", lowered + "_id")
        ),
        None,
    )
    if match is None:
        by_target = [n for n, s in references.items() if s.type == "reference" and (s.to or "").lower() == lowered]
        match = by_target[0] if len(by_target) == 1 else None
    if match is None:
        listed = ", ".join(
            f"{relationship_name(n)} ({n} -> {s.to or '/'.join(schema.polymorphic_targets(obj.name, n))})"
            for n, s in references.items()
        )
        suggestion = did_you_mean(hop, [relationship_name(n) for n in references])
        raise CrmError(
            f"{obj.name} has no field or relationship {hop!r}.{suggestion} "
            f"Relationships of {obj.name}: {listed or 'none'}."
        )
    spec = references[match]
    if spec.type != "reference":
        targets = " or ".join(schema.polymorphic_targets(obj.name, match))
        raise CrmError(
            f"{obj.name}.{match} may point at {targets}, so {hop}.<field> cannot be followed. "
            f"Select {match} and query the target object by that id."
        )
    return match, schema.objects[spec.to or ""]


# -- rewrite passes --------------------------------------------------------------------------------------

_SOQL_FUNCTIONS = {
    "CALENDAR_YEAR": "CAST(STRFTIME('%Y', :x) AS INTEGER)",
    "FISCAL_YEAR": "CAST(STRFTIME('%Y', :x) AS INTEGER)",
    "CALENDAR_MONTH": "CAST(STRFTIME('%m', :x) AS INTEGER)",
    "FISCAL_MONTH": "CAST(STRFTIME('%m', :x) AS INTEGER)",
    "CALENDAR_QUARTER": "(CAST(STRFTIME('%m', :x) AS INTEGER) + 2) / 3",
    "FISCAL_QUARTER": "(CAST(STRFTIME('%m', :x) AS INTEGER) + 2) / 3",
    "DAY_IN_MONTH": "CAST(STRFTIME('%d', :x) AS INTEGER)",
    "DAY_IN_YEAR": "CAST(STRFTIME('%j', :x) AS INTEGER)",
    "DAY_IN_WEEK": "CAST(STRFTIME('%w', :x) AS INTEGER) + 1",
    "WEEK_IN_YEAR": "(CAST(STRFTIME('%j', :x) AS INTEGER) - 1) / 7 + 1",
    "HOUR_IN_DAY": "CAST(STRFTIME('%H', :x) AS INTEGER)",
    "DAY_ONLY": "DATE(:x)",
    "COUNT_DISTINCT": "COUNT(DISTINCT :x)",
}


def rewrite_soql_functions(tree: exp.Query, ctx: QueryContext) -> exp.Query:
    """``COUNT()`` counts rows; SOQL date functions and ``COUNT_DISTINCT`` become their SQLite equivalents."""
    for count in tree.find_all(exp.Count):
        if count.this is None:
            count.set("this", exp.Star())
    for call in list(tree.find_all(exp.Anonymous)):
        template = _SOQL_FUNCTIONS.get(call.name.upper())
        if template is None:
            continue
        if len(call.expressions) != 1:
            raise CrmError(f"{call.name.upper()}() takes exactly one field, got {len(call.expressions)} arguments.")
        rewritten = exp.replace_placeholders(sqlglot.parse_one(template, read="sqlite"), x=call.expressions[0])
        call.replace(exp.Paren(this=rewritten))
    return tree


_COMPARISONS: dict[type[exp.Expression], type[exp.Expression]] = {
    exp.EQ: exp.EQ,
    exp.NEQ: exp.NEQ,
    exp.GT: exp.LT,
    exp.GTE: exp.LTE,
    exp.LT: exp.GT,
    exp.LTE: exp.GTE,
}


def rewrite_date_literals(tree: exp.Query, ctx: QueryContext) -> exp.Query:
    """Compare fields with the range a date literal stands for (``CloseDate = THIS_MONTH`` is a month)."""
    for marker in list(tree.find_all(exp.Anonymous)):
        if marker.name.upper() != MARKER or marker.parent is None:
            continue
        args = [a.this if isinstance(a, exp.Literal) else None for a in marker.expressions]
        if not 1 <= len(args) <= 2 or args[0] is None or (len(args) == 2 and not str(args[1]).isdigit()):
            raise CrmError(f"{MARKER}() is internal: write date literals such as 2024-01-31 or THIS_MONTH.")
        literal = args[0]
        start, end = date_range(literal, int(args[1]) if len(args) == 2 else None, ctx.today)
        parent = marker.parent
        if type(parent) in _COMPARISONS:
            marker_first = parent.this is marker
            op = _COMPARISONS[type(parent)] if marker_first else type(parent)
            other = parent.expression if marker_first else parent.this
            parent.replace(_in_range(other, op, start, end))
        elif isinstance(parent, exp.In) and not literal[0].isdigit():
            raise CrmError(f"IN (...) takes exact dates; compare with {literal} using = instead.")
        else:
            marker.replace(exp.Literal.string(start.isoformat()))
    return tree


def _in_range(value: exp.Expression, op: type[exp.Expression], start: dt.date, end: dt.date) -> exp.Expression:
    """``value op literal`` where the literal is the half-open range [start, end) of ISO dates."""
    low, high = exp.Literal.string(start.isoformat()), exp.Literal.string(end.isoformat())

    def compare(kind: type[exp.Expression], bound: exp.Literal) -> exp.Expression:
        return kind(this=value.copy(), expression=bound.copy())

    inside = exp.Paren(this=exp.and_(compare(exp.GTE, low), compare(exp.LT, high)))
    if op is exp.EQ:
        return inside
    if op is exp.NEQ:
        return exp.Paren(this=exp.Not(this=inside))
    # after the range, from its start, before its start, up to its end
    kind, bound = {exp.GT: (exp.GTE, high), exp.GTE: (exp.GTE, low), exp.LT: (exp.LT, low), exp.LTE: (exp.LT, high)}[op]
    return compare(kind, bound)


def rewrite_null_comparisons(tree: exp.Query, ctx: QueryContext) -> exp.Query:
    """``x = null`` means ``x IS NULL`` and ``x != null`` means ``x IS NOT NULL``, as in SOQL."""
    for node in list(tree.find_all(exp.EQ, exp.NEQ)):
        if isinstance(node.expression, exp.Null) or isinstance(node.this, exp.Null):
            value = node.this if isinstance(node.expression, exp.Null) else node.expression
            test = exp.Is(this=value.copy(), expression=exp.Null())
            node.replace(test if isinstance(node, exp.EQ) else exp.Not(this=test))
    return tree


# -- the pipeline ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Translation:
    """The SQLite statement for a query, and the names of the CTEs it defines (tables it may read too)."""

    sql: str
    ctes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pipeline:
    """The passes a query goes through, in order, and the passes over its result column names.

    >>> from crm_gym.world.schema import load_schema
    >>> ctx = QueryContext(load_schema("arc"))
    >>> sql = DEFAULT_PIPELINE.translate("SELECT client.status FROM contact WHERE title = null", ctx).sql
    >>> print(sql.replace(" LEFT JOIN", "\\nLEFT JOIN").replace(" WHERE", "\\nWHERE"))
    SELECT "Contact.client"."status" AS "client.status" FROM "Contact"
    LEFT JOIN "Client" AS "Contact.client" ON "Contact.client"."client_id" = "Contact"."client_id"
    WHERE "Contact"."title" IS NULL

    A costlier query also gets the accounting term of `crm_gym.api.query_cost` (``WHERE CRM_ROW(...) AND ...``).
    """

    passes: tuple[AstPass, ...]
    column_passes: tuple[ColumnPass, ...] = ()
    translations: OrderedDict[tuple[Any, ...], Translation] | None = field(default=None, compare=False, repr=False)
    """Where this pipeline keeps its translations; None: in the schema, for every pipeline without one. A pipeline
    of one episode's drift keeps its own (`crm_gym.entropy.drift_query.drift_pipeline`), so they go with it."""
    cache_size: int = field(default=_CACHED_TRANSLATIONS, compare=False)

    def with_pass(self, new: AstPass, *, before: AstPass) -> Pipeline:
        """A pipeline with ``new`` inserted just before the pass ``before``."""
        index = self.passes.index(before)
        return replace(self, passes=(*self.passes[:index], new, *self.passes[index:]))

    def with_column_pass(self, new: ColumnPass) -> Pipeline:
        """A pipeline that also renames result columns with ``new`` (after the existing column passes)."""
        return replace(self, column_passes=(*self.column_passes, new))

    def translate(self, text: str, ctx: QueryContext) -> Translation:
        """SQLite SQL for one SQL or SOQL query; `CrmError` when it is not one valid SELECT over the org.

        Translations are pure functions of (pipeline, text, schema, today), so the last ``cache_size`` are kept
        (per schema, or in ``translations``): an episode replayed, or a policy that repeats its queries, skips parsing.
        """
        cache = self.translations
        if cache is None:
            cache = ctx.schema.derived(("query-translations",), OrderedDict)
        key = (self, text, ctx.today)
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
        translation = self._translate(text, ctx)
        cache[key] = translation
        if len(cache) > self.cache_size:
            cache.popitem(last=False)
        return translation

    def _translate(self, text: str, ctx: QueryContext) -> Translation:
        tree = parse(text)
        try:
            for step in self.passes:
                tree = step(tree, ctx)
            ctes = tuple(sorted({cte.alias for cte in tree.find_all(exp.CTE)}))
            return Translation(sql=tree.sql(dialect="sqlite", identify=True), ctes=ctes)
        except RecursionError as err:
            raise CrmError("The query is nested too deeply; simplify it.") from err
        except SqlglotError as err:  # a shape sqlglot parses but cannot analyse, e.g. "RECURSIVE UNION SELECT 1"
            raise CrmError(f"Could not read the query: {err}. Example: {_EXAMPLE}.") from err

    def output_columns(self, columns: list[str], ctx: QueryContext) -> list[str]:
        """The result's column names as the agent should see them."""
        for step in self.column_passes:
            columns = step(columns, ctx)
        return columns


DEFAULT_PIPELINE = Pipeline(
    passes=(
        name_outputs,
        resolve_names,
        rewrite_soql_functions,
        rewrite_date_literals,
        pin_clock,
        rewrite_null_comparisons,
        bound_work,
    )
)
