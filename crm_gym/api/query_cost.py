"""The work a query can do, made countable: the last pass over the query's syntax tree (`bound_work`).

SQLite's progress handler counts VM steps, not the work inside one step: a function that makes a megabyte
(``printf('%.*c', 1000000, 'x')``, ``zeroblob``), values copied into sorts and temporary tables, text scanned by
LIKE. This pass makes that work visible to the budget (`crm_gym.api.budget`) with a cost model read off the tree
and the org's schema:

- Each value a SELECT reads counts its bytes once per row the SELECT visits, times how often they are processed:
  every enclosing function or operator reads its input once and copies what it passes on, and LIKE and GLOB read
  their subject once per character of the pattern. Values of a bounded size (numbers, dates, ids, enums, strings
  the schema keeps short) are summed when the query is translated; the others (long text, columns of subqueries
  and CTEs, uncorrelated scalar subqueries) are measured as the query runs.
- An always-true ``crm_row(...)`` term, first in the WHERE clause and depending on every table of the SELECT,
  charges each row visited. A SELECT that sorts, groups, removes duplicates, or feeds a subquery, CTE, set
  operation or recursion (one that can fill temporary storage) also counts each row's bytes against the memory
  budget. A SELECT with nothing costly gets no term: one table's short values, sorted or not, are bounded by its
  VM steps and by the table's size.
- Functions whose output can be much bigger than their input run through ``crm_call`` (printf, format,
  zeroblob, replace, hex, quote), which charges that output; group_concat as a window function through
  ``crm_value``.

The rewritten query returns the rows of the original: the term is always true and ``crm_call`` runs SQLite's
own function (see `crm_gym.api.sql_functions`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from sqlglot import exp
from sqlglot.optimizer.scope import Scope, ScopeType, traverse_scope

from crm_gym.api.names import find_field
from crm_gym.api.sql_functions import COSTLY_FUNCTIONS
from crm_gym.world.schema import FieldSpec, ObjectSpec, Schema

if TYPE_CHECKING:
    from crm_gym.api.soql import QueryContext

LIKE_PATTERN_MAX = 1_000  # SQLITE_LIMIT_LIKE_PATTERN_LENGTH while an agent's query runs
_SHORT_TEXT = 256  # strings the schema bounds to this many characters are sized statically
_CHEAP_ROW = 256  # weighted bytes per row under which a SELECT needs no term (about 32 steps, a few VM steps' time)
_CHEAP_TABLE_ROW = 4_096  # the same for the query's own SELECT over one table: at most the table's rows pay it
_ROW_OVERHEAD = 64  # bytes a row takes in a sort or temporary table besides its values
_MAX_FUNCTION_ARGS = 120  # under SQLite's 127 arguments per call
_STATIC_SIZE = {
    "integer": 8,
    "number": 8,
    "boolean": 8,
    "date": 10,
    "datetime": 32,
    "id": 40,
    "reference": 40,
    "polymorphic_reference": 40,
}
# Nodes whose output is small (a number, a truth value, a short date) whatever their input: inputs are read once.
_SMALL_OUTPUT = (
    exp.Predicate,
    exp.Connector,
    exp.Not,
    exp.Length,
    exp.Count,
    exp.Sum,
    exp.Avg,
    exp.Typeof,
    exp.Unicode,
    exp.Abs,
    exp.Round,
    exp.StrPosition,
    exp.Add,
    exp.Sub,
    exp.Mul,
    exp.Div,
    exp.Mod,
    exp.Neg,
    exp.Date,
    exp.TimeToStr,
)
_SMALL_ANONYMOUS = frozenset({"julianday", "unixepoch", "date", "time", "datetime", "strftime", "total", "sign"})
# Nodes that only carry their child's value on: it is processed as often as they are.
_PASS_THROUGH = (
    exp.Paren,
    exp.Alias,
    exp.Ordered,
    exp.Where,
    exp.Having,
    exp.Group,
    exp.Order,
    exp.Qualify,
    exp.Distinct,
    exp.Window,
    exp.WindowSpec,
)
_WINDOW_GROWING = (exp.GroupConcat,)


def bound_work(tree: exp.Query, ctx: QueryContext) -> exp.Query:
    """Add the accounting described in the module docstring to every SELECT of ``tree``."""
    for scope in list(traverse_scope(tree)):  # innermost first: an outer SELECT copies finished subqueries
        if isinstance(scope.expression, exp.Select):
            _ScopeCost(scope, ctx.schema).apply()
    return tree


def _feeds_temp(scope: Scope) -> bool:
    """Whether the rows of this SELECT can go to temporary storage (a sort, a temporary table, a queue).

    Any SELECT inside another may be materialised (a subquery, a CTE, a recursion read twice); the arms of a
    top-level UNION ALL stream their rows out."""
    select = scope.expression
    if any(select.args.get(key) for key in ("order", "group", "distinct")):
        return True
    parent = scope.parent
    streamed = (
        parent is not None
        and parent.is_root
        and isinstance(parent.expression, exp.Union)
        and not parent.expression.args.get("distinct")
    )
    if not scope.is_root and not streamed:
        return True
    own = [node for node in select.find_all(exp.Window, exp.Distinct) if _owning_select(node) is select]
    return bool(own)


def _owning_select(node: exp.Expression) -> exp.Expression | None:
    parent = node.parent
    while parent is not None and not isinstance(parent, exp.Select):
        parent = parent.parent
    return parent


def _correlated(query: exp.Expression) -> bool:
    """Whether a subquery names a table it does not define (an enclosing SELECT's). Unqualified names count as
    its own: SQLite looks them up in the innermost SELECT first, and `resolve_names` qualifies the others."""
    defined = {table.alias_or_name.lower() for table in query.find_all(exp.Table)}
    defined |= {node.alias.lower() for node in query.find_all(exp.Subquery, exp.CTE) if node.alias}
    return any(column.table and column.table.lower() not in defined for column in query.find_all(exp.Column))


def _reference(name: str, alias: str) -> exp.Column:
    """A column of a source; a subquery without an alias cannot be named, so its columns go unqualified."""
    return exp.column(name, table=alias or None, quoted=True)


def _static_size(spec: FieldSpec) -> int | None:
    """Bytes a field's value takes at most, when the schema bounds it to a short size; None when it may be long."""
    if spec.type in _STATIC_SIZE:
        return _STATIC_SIZE[spec.type]
    if spec.type == "enum":
        return max((len(v) for v in spec.values), default=1)
    if spec.type in ("string", "email", "phone", "url") and spec.max_length and spec.max_length <= _SHORT_TEXT:
        return spec.max_length
    return None


def _costly_call(node: exp.Expression) -> tuple[str, list[exp.Expression]] | None:
    """(SQLite name, arguments) when ``node`` calls one of `COSTLY_FUNCTIONS`."""
    if isinstance(node, exp.Anonymous) and node.name.lower() in COSTLY_FUNCTIONS:
        return node.name.lower(), list(node.expressions)
    arguments: dict[type[exp.Expression], Callable[[Any], list[Any]]] = {
        exp.Replace: lambda n: [n.this, n.expression, n.args.get("replacement")],
        exp.Hex: lambda n: [n.this],
        exp.Format: lambda n: [n.this, *n.expressions],
    }
    for kind, args in arguments.items():
        if type(node) is kind:
            return kind.__name__.lower(), [a for a in args(node) if a is not None]
    return None


class _ScopeCost:
    """The cost of one row of one SELECT, and the rewrite that charges it."""

    def __init__(self, scope: Scope, schema: Schema) -> None:
        self.scope, self.schema = scope, schema
        self.select: exp.Select = scope.expression
        self.feeds_temp = _feeds_temp(scope)
        self.weighted = 0  # static bytes times weight, per row
        self.row_bytes = _ROW_OVERHEAD  # static bytes of one row
        self.measured: dict[Any, list[Any]] = {}  # key -> [weight, expression]: sized as the query runs
        self._sources_of: dict[int, list[tuple[str, ObjectSpec | Scope]]] = {}

    # -- the walk ---------------------------------------------------------------------------------------------

    def apply(self) -> None:
        """Walk the SELECT, rewrite its costly calls and add its ``crm_row`` term when one is needed."""
        for root in self._roots():
            self._walk(root, 1)
        for projection in self.select.expressions:
            if isinstance(projection, exp.Star) or (
                isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
            ):
                self._star(projection.table if isinstance(projection, exp.Column) else None)
        sources = self._sources(self.scope)
        one_table = len(sources) == 1 and isinstance(sources[0][1], ObjectSpec)
        # Rows of one table with short values need no per-row charge: VM steps count them within a small factor,
        # and a sort or temporary table of them holds at most that table's short columns. The query itself reads
        # such a table once, so its rows may weigh more before their count matters.
        cheap = _CHEAP_TABLE_ROW if one_table and self.scope.is_root else _CHEAP_ROW
        if not (self.measured or self.weighted > cheap or (self.feeds_temp and not one_table)):
            return
        pins = self._pins()
        if pins:
            self._add_terms(pins)

    def _roots(self) -> Iterator[exp.Expression]:
        """The expressions evaluated per row of this SELECT (its sources' own SELECTs are separate scopes)."""
        args = self.select.args
        yield from list(args.get("expressions") or [])
        yield from (args[key] for key in ("where", "group", "having", "order", "qualify", "distinct") if args.get(key))
        yield from list(args.get("windows") or [])
        yield from (join.args["on"] for join in args.get("joins") or [] if join.args.get("on") is not None)

    def _walk(self, node: exp.Expression, weight: int) -> exp.Expression:
        """Account for ``node`` processed ``weight`` times per row; return it (or the call that replaced it)."""
        if isinstance(node, exp.Subquery | exp.Query):
            self._subquery(node, weight)
            return node
        if isinstance(node, exp.Column):
            if not isinstance(node.this, exp.Star):
                self._column(node, weight)
            return node
        if isinstance(node, exp.Literal):
            self._static(len(node.this) if node.is_string else 8, weight)
            return node
        if isinstance(node, exp.HexString):
            self._static(len(node.this) // 2, weight)
            return node
        costly = _costly_call(node)
        if costly is not None:
            return self._charged_call(node, *costly, weight)
        if isinstance(node, exp.Window) and isinstance(node.this, _WINDOW_GROWING):
            return self._charged_window(node, weight)
        if isinstance(node, exp.Like | exp.Glob):
            pattern = node.expression
            factor = len(pattern.this) if isinstance(pattern, exp.Literal) else LIKE_PATTERN_MAX
            self._walk(node.this, max(1, factor))
            self._walk(pattern, 1)
            return node
        for child in list(node.iter_expressions()):
            self._walk(child, self._child_weight(node, weight))
        return node

    @staticmethod
    def _child_weight(node: exp.Expression, weight: int) -> int:
        if isinstance(node, _PASS_THROUGH):
            return weight
        small = isinstance(node, exp.Anonymous) and node.name.lower() in _SMALL_ANONYMOUS
        if small or isinstance(node, _SMALL_OUTPUT):
            return 1
        return weight + 1  # read once, and its output (which carries the input) is processed like the node

    def _static(self, size: int, weight: int) -> None:
        self.weighted += size * weight
        self.row_bytes += size

    def _measure(self, expression: exp.Expression, weight: int, key: Any = None) -> None:
        """Measure ``expression`` as the query runs; ``key`` (its SQL by default) merges repeated reads."""
        entry = self.measured.setdefault(key or expression.sql(dialect="sqlite"), [0, expression])
        entry[0] += weight

    def _column(self, column: exp.Column, weight: int) -> None:
        owner = self._owner(column)
        if owner is None:
            return  # a result alias: its expression is accounted where it is defined
        alias, source = owner
        if isinstance(source, ObjectSpec):
            field = find_field(source, column.name)
            size = _static_size(source.fields[field]) if field else None
            if size is not None:
                self._static(size, weight)
                return
        self._measure(_reference(column.name, alias), weight, key=(alias.lower(), column.name.lower()))

    def _star(self, table: str | None) -> None:
        """``*`` or ``t.*``: every column of the sources it names is in the row once."""
        for alias, source in self._sources(self.scope):
            if table is not None and alias.lower() != table.lower():
                continue
            for name in self._columns_of(source):
                self._column(_reference(name, alias), 1)

    def _subquery(self, node: exp.Expression, weight: int) -> None:
        """An uncorrelated scalar subquery's value is computed once and then copied into every row: measure it.
        EXISTS, IN and correlated subqueries are charged by their own SELECT's term."""
        if isinstance(node.parent, exp.Exists | exp.In) or _correlated(node):
            return
        value = node.copy()
        value.set("alias", None)  # a result name given to the subquery itself
        self._measure(value, weight)

    # -- rewrites ---------------------------------------------------------------------------------------------

    def _charged_call(self, node: exp.Expression, name: str, args: list[exp.Expression], weight: int) -> exp.Expression:
        walked = [self._walk(arg, 1) for arg in args]
        call = exp.Anonymous(
            this="crm_call",
            expressions=[
                exp.Literal.number(weight),
                exp.Literal.number(int(self.feeds_temp)),
                exp.Literal.string(name),
                *walked,
            ],
        )
        node.replace(call)
        return call

    def _charged_window(self, node: exp.Window, weight: int) -> exp.Expression:
        for child in list(node.iter_expressions()):
            self._walk(child, 1)
        call = exp.Anonymous(this="crm_value", expressions=[exp.Literal.number(weight), exp.Literal.number(1)])
        node.replace(call)
        call.append("expressions", node)
        return call

    def _add_terms(self, pins: list[exp.Expression]) -> None:
        measured = [part for weight, value in self.measured.values() for part in (exp.Literal.number(weight), value)]
        step = max(2, (_MAX_FUNCTION_ARGS - 4 - len(pins)) // 2 * 2)
        chunks = [measured[i : i + step] for i in range(0, len(measured), step)] or [[]]
        terms = []
        for index, chunk in enumerate(chunks):
            head = [
                exp.Literal.number(int(self.feeds_temp)),
                exp.Literal.number(self.weighted if index == 0 else 0),
                exp.Literal.number(self.row_bytes if index == 0 else 0),
                exp.Literal.number(len(pins)),
            ]
            terms.append(exp.Anonymous(this="crm_row", expressions=[*head, *(p.copy() for p in pins), *chunk]))
        where = self.select.args.get("where")
        condition = exp.and_(*terms, exp.Paren(this=where.this)) if where else exp.and_(*terms)
        self.select.set("where", exp.Where(this=condition))

    # -- sources --------------------------------------------------------------------------------------------

    def _pins(self) -> list[exp.Expression]:
        """One cheap expression per table of the SELECT (``typeof`` reads no content), so the term runs per row."""
        pins = []
        for alias, source in self._sources(self.scope):
            columns = self._columns_of(source)
            if columns:
                pins.append(exp.func("typeof", _reference(columns[0], alias)))
        return pins

    def _sources(self, scope: Scope) -> list[tuple[str, ObjectSpec | Scope]]:
        """(alias, object or subquery scope) of each table a SELECT reads, computed once per scope."""
        if id(scope) not in self._sources_of:
            self._sources_of[id(scope)] = self._selected(scope)
        return self._sources_of[id(scope)]

    def _selected(self, scope: Scope) -> list[tuple[str, ObjectSpec | Scope]]:
        out: list[tuple[str, ObjectSpec | Scope]] = []
        for alias, (_node, source) in scope.selected_sources.items():
            if isinstance(source, exp.Table):
                obj = self.schema.objects.get(source.name)
                if obj is not None:
                    out.append((alias, obj))
            elif isinstance(source, Scope):
                out.append((alias, source))
        return out

    def _columns_of(self, source: ObjectSpec | Scope) -> list[str]:
        """A source's column names: an object's fields, or a subquery's or CTE's result columns."""
        if isinstance(source, ObjectSpec):
            return list(source.fields)
        holder = source.expression
        while isinstance(holder.parent, exp.SetOperation):  # a recursive CTE's anchor stands for the whole union
            holder = holder.parent
        if isinstance(holder.parent, exp.CTE | exp.Subquery) and holder.parent.alias_column_names:
            return list(holder.parent.alias_column_names)
        select = source.expression
        while isinstance(select, exp.SetOperation):
            select = select.this
        if not isinstance(select, exp.Select):
            return []
        names: list[str] = []
        for projection in select.expressions:
            star = isinstance(projection, exp.Star) or (
                isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
            )
            if not star:
                names.append(projection.alias_or_name)
                continue
            table = projection.table.lower() if isinstance(projection, exp.Column) else None
            for alias, inner in self._sources(source):
                if table is None or alias.lower() == table:
                    names.extend(self._columns_of(inner))
        return names

    def _owner(self, column: exp.Column) -> tuple[str, ObjectSpec | Scope] | None:
        """The (alias, source) a column reads, in this SELECT or (from a subquery) an enclosing one; None for a
        result alias or a name this pass cannot place (SQLite then checks it)."""
        outputs = {p.alias.lower() for p in self.select.expressions if isinstance(p, exp.Alias)}
        if not column.table and column.name.lower() in outputs:
            return None
        scope: Scope | None = self.scope
        while scope is not None:
            sources = self._sources(scope)
            if column.table:
                match = [(a, s) for a, s in sources if a.lower() == column.table.lower()]
            else:
                match = [(a, s) for a, s in sources if self._has_column(s, column.name)]
            if match:
                return match[0]
            # only a subquery in an expression may read its enclosing SELECT's tables (SQLite has no LATERAL)
            scope = scope.parent if scope.scope_type == ScopeType.SUBQUERY else None
        return None

    def _has_column(self, source: ObjectSpec | Scope, name: str) -> bool:
        if isinstance(source, ObjectSpec):
            return find_field(source, name) is not None
        return name.lower() in (c.lower() for c in self._columns_of(source))
