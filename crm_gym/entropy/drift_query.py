"""Schema drift in queries: SQL, SOQL and SOSL written with drifted names run on the canonical store.

`drift_pipeline` gives the query tool a pipeline whose name resolution happens in the drifted schema (so an
unknown name, a canonical name of a renamed item included, fails with the drifted names that exist and a
suggestion), after which one pass writes the resolved tree with canonical names. Result columns keep the
names the query used: plain fields and ``*`` come back under their drifted names.

The other direction serves an oracle that knows the map: `query_out` and `sosl_out` rewrite a canonical
query with the drifted names, token by token, so the text keeps its shape (relationship paths stay paths).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from sqlglot import Dialect, exp
from sqlglot.errors import TokenError
from sqlglot.optimizer.scope import Scope, traverse_scope
from sqlglot.tokens import Token, TokenType

from crm_gym.api.names import find_field, find_object
from crm_gym.api.soql import DEFAULT_PIPELINE, Pipeline, QueryContext, parse, relationship_name, resolve_names
from crm_gym.api.sosl import Returning, SoslRequest, format_sosl, parse_sosl
from crm_gym.entropy.drift_view import DriftView
from crm_gym.errors import CrmError, CrmGymError, DriftedNameError

_CACHED_TRANSLATIONS_PER_MAP = 256  # an episode's queries, with room for a policy that repeats them

# -- agent-visible -> canonical ------------------------------------------------------------------------


@dataclass(frozen=True)
class DriftedNames:
    """The query pass that resolves names in the drifted schema, then writes the tree canonically.

    Equal for the same `DriftView` (views are cached per map), so translations are cached across episodes.
    """

    view: DriftView

    def __call__(self, tree: exp.Query, ctx: QueryContext) -> exp.Query:
        """Resolve ``tree`` against the drifted schema and rewrite it with the canonical names."""
        try:
            resolve_names(tree, QueryContext(self.view.visible, ctx.today))
        except CrmError as err:
            used = {identifier.name for identifier in tree.find_all(exp.Identifier)}
            raise DriftedNameError(str(err), stale_names=self.view.stale_names(used)) from err
        _Canonicalizer(self.view).run(tree)
        return tree


def drift_pipeline(view: DriftView, base: Pipeline = DEFAULT_PIPELINE) -> Pipeline:
    """``base`` with `resolve_names` replaced by a `DriftedNames` pass (``base`` itself when nothing is renamed)."""
    if resolve_names not in base.passes:
        raise CrmGymError("drift_pipeline needs a pipeline that contains resolve_names.")
    if view.drift.is_identity:
        return base
    drifted = DriftedNames(view)
    return Pipeline(
        passes=tuple(drifted if p is resolve_names else p for p in base.passes),
        column_passes=base.column_passes,
        # kept with the view, so they go when the view does (each episode draws a map: one shared cache keyed by
        # pipeline kept thousands of views alive, 90 MB per 1,000 episodes at high drift)
        translations=view.derived(("query-translations", base), OrderedDict),
        cache_size=_CACHED_TRANSLATIONS_PER_MAP,
    )


class _Canonicalizer:
    """Rewrites a tree resolved in the drifted schema with canonical object and field names."""

    def __init__(self, view: DriftView) -> None:
        self.view = view

    def run(self, tree: exp.Query) -> None:
        scopes = list(traverse_scope(tree))  # innermost first
        renames: list[tuple[exp.Column, str, str]] = []  # column, canonical object, visible field
        claimed: set[int] = set()
        for scope in scopes:
            if not isinstance(scope.expression, exp.Select):
                continue
            order = scope.expression.args.get("order")
            for column in [*scope.columns, *(order.find_all(exp.Column) if order else [])]:
                if id(column) in claimed or isinstance(column.this, exp.Star):
                    continue
                claimed.add(id(column))
                owner = self._owner(column, scope)
                if owner is not None:
                    renames.append((column, owner, column.name))
        for scope in scopes:
            if isinstance(scope.expression, exp.Select):
                self._expand_stars(scope.expression)
        for column, owner, visible in renames:
            self._rename_column(column, owner, visible)
        tables = {id(t): t for scope in scopes for t in scope.sources.values() if isinstance(t, exp.Table)}
        for table in tables.values():
            visible = table.name
            table.set("this", exp.to_identifier(self.view.object_in(visible)))
            if not table.alias:  # the resolved columns are qualified with the visible name
                table.set("alias", exp.TableAlias(this=exp.to_identifier(visible)))

    def _table_object(self, source: object) -> str | None:
        """The canonical object a scope source reads (None for a subquery or CTE)."""
        return self.view.object_in(source.name) if isinstance(source, exp.Table) else None

    def _owner(self, column: exp.Column, scope: Scope) -> str | None:
        """The canonical object whose field ``column`` names (None for a subquery column or result alias)."""
        current: Scope | None = scope
        if column.table:
            while current is not None:
                if column.table in current.sources:
                    return self._table_object(current.sources[column.table])
                current = current.parent
            return None
        name = column.name
        while current is not None:
            if current is scope and name.lower() in _result_aliases(current.expression) and _in_order_by(column):
                return None  # ORDER BY reads a result alias first; elsewhere SQLite reads the column first
            for source in current.sources.values():
                owner = self._table_object(source)
                if owner is not None and name in self.view.visible_object(owner).fields:
                    return owner
            if any(not isinstance(s, exp.Table) for s in current.sources.values()):
                return None  # a column of a subquery or CTE: SQLite resolves it
            current = current.parent
        return None

    def _value(self, column: exp.Column, owner: str, canonical: str) -> exp.Expression:
        """The column as the agent sees its values: a type field's object names are drifted."""
        if canonical not in self.view.type_fields:
            return column
        renamed = [
            (v, self.view.object_out(v))
            for v in self.view.schema.objects[owner].fields[canonical].values
            if self.view.object_out(v) != v
        ]
        if not renamed:
            return column
        case = exp.Case(this=column.copy(), default=column.copy())
        for old, new in renamed:
            case = case.when(exp.Literal.string(old), exp.Literal.string(new))
        return exp.Paren(this=case)

    def _rename_column(self, column: exp.Column, owner: str, visible: str) -> None:
        canonical = self.view.drift.canonical_field(owner, visible) or visible
        column.set("this", exp.to_identifier(canonical))
        value = self._value(column, owner, canonical)
        is_projection = isinstance(column.parent, exp.Select) and column.arg_key == "expressions"
        if is_projection and (canonical != visible or value is not column):
            column.replace(exp.alias_(value.copy(), visible, quoted=True))
        elif value is not column:
            column.replace(value.copy())

    def _projection(self, owner: str, alias: str, visible: str) -> exp.Expression:
        """One field of a ``*`` expansion: the canonical column under its drifted name."""
        canonical = self.view.drift.canonical_field(owner, visible) or visible
        column = exp.column(canonical, table=alias, quoted=True)
        return exp.alias_(self._value(column, owner, canonical), visible, quoted=True)

    def _expand_stars(self, select: exp.Select) -> None:
        """``*`` and ``alias.*`` over an object become its fields under their drifted names."""
        if not any(_is_star(p) for p in select.expressions):
            return
        sources = [select.args["from_"].this] if select.args.get("from_") else []
        sources += [join.this for join in select.args.get("joins") or []]
        expanded: list[exp.Expression] = []
        for projection in select.expressions:
            if not _is_star(projection):
                expanded.append(projection)
                continue
            wanted = projection.table if isinstance(projection, exp.Column) else None
            for source in sources:
                alias = source.alias_or_name
                if wanted is not None and alias != wanted:
                    continue
                if isinstance(source, exp.Table):
                    owner = self.view.object_in(source.name)
                    expanded += [self._projection(owner, alias, f) for f in self.view.visible_object(owner).fields]
                else:
                    expanded.append(exp.Column(this=exp.Star(), table=exp.to_identifier(alias)))
        select.set("expressions", expanded)


def _result_aliases(query: exp.Expression) -> set[str]:
    if not isinstance(query, exp.Select):
        return set()
    return {p.alias.lower() for p in query.expressions if isinstance(p, exp.Alias)}


def _in_order_by(column: exp.Column) -> bool:
    order = column.find_ancestor(exp.Order, exp.Select)
    return isinstance(order, exp.Order)


def _is_star(projection: exp.Expression) -> bool:
    return isinstance(projection, exp.Star) or (
        isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
    )


def sosl_in(view: DriftView, text: str) -> str:
    """A SOSL statement written with drifted names, rewritten with the canonical ones (names in any case)."""
    request = parse_sosl(text)
    returning = []
    for item in request.returning:
        owner = view.object_in(item.object, exact=False)
        fields = tuple(view.field_in(owner, f, exact=False) for f in item.fields)
        returning.append(Returning(object=owner, fields=fields, limit=item.limit))
    return format_sosl(SoslRequest(text=request.text, returning=tuple(returning), limit=request.limit))


# -- canonical -> agent-visible (an oracle that knows the map) ----------------------------------------------


def sosl_out(view: DriftView, text: str) -> str:
    """A canonical SOSL statement rewritten with the drifted names."""
    request = parse_sosl(text)
    returning = []
    for item in request.returning:
        spec = find_object(view.schema, item.object)
        if spec is None:
            returning.append(item)
            continue
        fields = tuple(view.field_out(spec.name, find_field(spec, f) or f) for f in item.fields)
        returning.append(Returning(object=view.object_out(spec.name), fields=fields, limit=item.limit))
    return format_sosl(SoslRequest(text=request.text, returning=tuple(returning), limit=request.limit))


_NAMES = {TokenType.VAR, TokenType.IDENTIFIER}


def query_out(view: DriftView, text: str) -> str:
    """A canonical SQL or SOQL query rewritten with the drifted names, keeping its shape.

    Tables and table qualifiers take the drifted object names, fields the drifted field names, and a
    relationship hop (``Account.Name`` on Contact) the relationship name of the drifted reference field.
    String literals in a query that uses a type field (``entity_type = 'Opportunity'``) name the drifted object.
    """
    if view.drift.is_identity:
        return text
    try:
        tree = parse(text)
    except CrmError:
        return text  # not a query: it fails the same way under any names
    tables = {t.name.lower() for t in tree.find_all(exp.Table) if not t.alias}
    aliases = {t.alias.lower() for t in tree.find_all(exp.Table) if t.alias}
    aliases |= {cte.alias.lower() for cte in tree.find_all(exp.CTE)}
    try:
        tokens = Dialect.get_or_raise("sqlite").tokenize(text)
    except TokenError as err:
        raise CrmGymError(f"Cannot tokenize the canonical query {text!r}: {err}") from err
    results = {a.alias.lower() for a in tree.find_all(exp.Alias)}
    mentions_type_field = any(t.text in view.type_fields for t in tokens)
    pieces, position, depth, order_depth = [], 0, 0, None
    for index, token in enumerate(tokens):
        following = tokens[index + 1].token_type if index + 1 < len(tokens) else None
        previous = tokens[index - 1].token_type if index else None
        depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(token.token_type, 0)
        if token.token_type is TokenType.ORDER_BY or (order_depth is not None and depth < order_depth):
            order_depth = depth if token.token_type is TokenType.ORDER_BY else None
        # Functions, aliases and the query's own result names keep their spelling; ORDER BY reads a result
        # name before a column, as SQLite does.
        own = following is TokenType.L_PAREN or previous is TokenType.ALIAS or token.text.lower() in aliases
        own = own or (order_depth is not None and token.text.lower() in results)
        if token.token_type is TokenType.STRING:
            new = view.drift.objects.get(token.text) if mentions_type_field else None
        else:
            new = None if own else _name_out(view, token, tables, qualifies=following is TokenType.DOT)
        if new is not None and new != token.text:
            quote = text[token.start] if token.token_type in (TokenType.IDENTIFIER, TokenType.STRING) else ""
            pieces += [text[position : token.start], f"{quote}{new}{quote}"]
            position = token.end + 1
    return "".join([*pieces, text[position:]])


def _name_out(view: DriftView, token: Token, tables: set[str], *, qualifies: bool) -> str | None:
    """The drifted spelling of a name token: a table (or its qualifier), a relationship hop or a field."""
    if qualifies and token.text.lower() in tables:
        return _object_out(view, token.text)
    if token.text in view.drift.objects and not qualifies:
        return view.drift.objects[token.text]  # also a keyword-like name such as Case or Order
    if token.token_type not in _NAMES:
        return None
    return _hop_out(view, token.text) if qualifies else _field_out(view, token.text)


def _object_out(view: DriftView, name: str) -> str | None:
    spec = find_object(view.schema, name)
    return view.object_out(spec.name) if spec is not None else None


def _field_out(view: DriftView, name: str) -> str | None:
    lowered = name.lower()
    return next((new for old, new in view.drift.fields.items() if old.lower() == lowered), None)


def _hop_out(view: DriftView, hop: str) -> str | None:
    """A relationship hop's drifted spelling: that of the reference field it names, else of the target object."""
    lowered = hop.lower()
    references = {f for obj in view.schema.objects.values() for f in obj.references()}
    for reference in sorted(references):
        if reference.lower() == lowered:
            return view.drift.fields.get(reference)
        if relationship_name(reference).lower() == lowered or reference.lower() in (lowered + "id", lowered + "_id"):
            renamed = view.drift.fields.get(reference)
            return relationship_name(renamed) if renamed else None
    return view.drift.objects.get(hop)
