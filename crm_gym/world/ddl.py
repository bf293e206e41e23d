"""SQLite DDL generated from a `Schema`: tables with CHECK, UNIQUE and FOREIGN KEY constraints, plus triggers.

The database itself enforces the integrity rules, so no code path (tool, generator, loader) can break them:
enums and bounds are CHECK constraints, references are foreign keys, primary keys cannot change, and
polymorphic references (``entity_type`` + ``entity_id``) are checked and cascaded by triggers.
Internal tables start with an underscore and are invisible to agents.
"""

from __future__ import annotations

from crm_gym.world.schema import FieldSpec, ObjectSpec, Schema

CHANGELOG_TABLE = "_changelog"
SEARCH_TABLE = "_search"
META_TABLE = "_meta"

_ON_DELETE = {"cascade": "CASCADE", "set_null": "SET NULL", "restrict": "RESTRICT"}


def quote_ident(name: str) -> str:
    """Quote an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _sql_literal(value: str | float) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


def _column_sql(name: str, spec: FieldSpec, obj: ObjectSpec) -> str:
    col = quote_ident(name)
    sql_type = {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER"}.get(spec.type, "TEXT")
    parts = [col, sql_type]
    if spec.type == "email":
        parts.append("COLLATE NOCASE")
    if name == obj.primary_key:
        parts.append("PRIMARY KEY NOT NULL")
    elif spec.required:
        parts.append("NOT NULL")
    if spec.unique and name != obj.primary_key:
        parts.append("UNIQUE")
    checks = _checks(col, spec)
    if checks:
        parts.append(f"CHECK ({col} IS NULL OR ({' AND '.join(checks)}))")
    if spec.type == "reference":
        assert spec.to is not None  # guaranteed by FieldSpec validation
        parts.append(f"REFERENCES {quote_ident(spec.to)} ON DELETE {_ON_DELETE[spec.on_delete]}")
    return " ".join(parts)


def _checks(col: str, spec: FieldSpec) -> list[str]:
    checks: list[str] = []
    if spec.type in ("string", "text", "id", "reference", "polymorphic_reference", "phone", "url", "email"):
        checks.append(f"typeof({col}) = 'text'")
        if spec.required:
            checks.append(f"length(trim({col})) > 0")
    if spec.type == "enum":
        checks.append(f"{col} IN ({', '.join(_sql_literal(v) for v in spec.values)})")
    if spec.type == "integer":
        checks.append(f"typeof({col}) = 'integer'")
    if spec.type == "number":
        checks.append(f"typeof({col}) IN ('integer', 'real')")
    if spec.type == "boolean":
        checks.append(f"{col} IN (0, 1)")
    if spec.min is not None:
        checks.append(f"{col} >= {spec.min!r}")
    if spec.max is not None:
        checks.append(f"{col} <= {spec.max!r}")
    if spec.exclusive_min is not None:
        checks.append(f"{col} > {spec.exclusive_min!r}")
    if spec.max_length is not None:
        checks.append(f"length({col}) <= {spec.max_length}")
    # date() alone passes '2026-02-30' through and gives NULL (which a CHECK accepts) for junk; the no-op
    # modifier normalises impossible days, and IS compares NULL as a mismatch.
    if spec.type == "date":
        checks.append(f"date({col}, '+0 days') IS {col}")
    if spec.type == "datetime":
        day = f"substr({col}, 1, 10)"  # the written day: date() of a value with an offset would shift to UTC
        checks.append(f"datetime({col}) IS NOT NULL AND date({day}, '+0 days') IS {day}")
    if spec.type == "email":
        checks.append(f"{col} = trim({col}) AND {col} LIKE '%_@_%._%' AND instr({col}, ' ') = 0")
    if spec.type == "list":
        checks.append(f"json_valid({col}) AND json_type({col}) = 'array'")
    return checks


def create_table_sql(obj: ObjectSpec) -> str:
    """CREATE TABLE for one object."""
    columns = ",\n  ".join(_column_sql(name, spec, obj) for name, spec in obj.fields.items())
    return f"CREATE TABLE {quote_ident(obj.name)} (\n  {columns}\n)"


def _pk_immutable_trigger(obj: ObjectSpec) -> str:
    table, pk = quote_ident(obj.name), quote_ident(obj.primary_key)
    return (
        f"CREATE TRIGGER {quote_ident('_pk_immutable_' + obj.name)} BEFORE UPDATE OF {pk} ON {table} "
        f"WHEN OLD.{pk} IS NOT NEW.{pk} BEGIN "
        f"SELECT RAISE(ABORT, 'primary key {obj.name}.{obj.primary_key} cannot change'); END"
    )


def _polymorphic_triggers(schema: Schema, obj: ObjectSpec) -> list[str]:
    statements = []
    table = quote_ident(obj.name)
    for name, spec in obj.fields.items():
        if spec.type != "polymorphic_reference":
            continue
        id_col = quote_ident(name)
        targets = schema.polymorphic_targets(obj.name, name)

        def matches_type(target: str, row: str, type_field: str | None = spec.type_field) -> str:
            # With a type field the row names its target; without one, ids are unique across objects.
            return f"{row}.{quote_ident(type_field)} = {_sql_literal(target)} AND " if type_field else ""

        exists = " OR ".join(
            f"({matches_type(t, 'NEW')}EXISTS (SELECT 1 FROM {quote_ident(t)} "
            f"WHERE {quote_ident(schema.objects[t].primary_key)} = NEW.{id_col}))"
            for t in targets
        )
        message = f"{obj.name}.{name} must be {spec.allowed()}"
        for event in ("INSERT", "UPDATE"):
            statements.append(
                f"CREATE TRIGGER {quote_ident(f'_poly_{event.lower()}_{obj.name}_{name}')} BEFORE {event} "
                f"ON {table} WHEN NEW.{id_col} IS NOT NULL AND NOT ({exists}) "
                f"BEGIN SELECT RAISE(ABORT, {_sql_literal(message)}); END"
            )
        for target in targets:
            target_pk = quote_ident(schema.objects[target].primary_key)
            where = f"{matches_type(target, table)}{id_col} = OLD.{target_pk}"
            if spec.on_delete == "cascade":
                action = f"DELETE FROM {table} WHERE {where};"
            elif spec.on_delete == "set_null":
                action = f"UPDATE {table} SET {id_col} = NULL WHERE {where};"
            else:
                message = f"{target} is referenced by {obj.name}.{name}"
                referenced = f"EXISTS (SELECT 1 FROM {table} WHERE {where})"
                action = f"SELECT RAISE(ABORT, {_sql_literal(message)}) WHERE {referenced};"
            statements.append(
                f"CREATE TRIGGER {quote_ident(f'_poly_delete_{target}_{obj.name}_{name}')} BEFORE DELETE "
                f"ON {quote_ident(target)} BEGIN {action} END"
            )
    return statements


def _search_text_expr(prefix: str, obj: ObjectSpec) -> str:
    return " || ' ' || ".join(f"coalesce({prefix}.{quote_ident(f)}, '')" for f in obj.search_fields)


def search_triggers_sql(obj: ObjectSpec) -> list[str]:
    """Triggers that keep the full-text index in step with one object's rows."""
    if not obj.search_fields:
        return []
    table, pk = quote_ident(obj.name), quote_ident(obj.primary_key)
    name = _sql_literal(obj.name)
    insert = (
        f"INSERT INTO {SEARCH_TABLE}(object, record_id, body) VALUES ({name}, NEW.{pk}, "
        f"{_search_text_expr('NEW', obj)});"
    )
    delete = f"DELETE FROM {SEARCH_TABLE} WHERE object = {name} AND record_id = OLD.{pk};"
    return [
        f"CREATE TRIGGER {quote_ident('_fts_ins_' + obj.name)} AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {quote_ident('_fts_del_' + obj.name)} AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {quote_ident('_fts_upd_' + obj.name)} AFTER UPDATE ON {table} BEGIN {delete} {insert} END",
    ]


def search_rebuild_sql(obj: ObjectSpec) -> str | None:
    """One INSERT ... SELECT that indexes every existing row of an object (after a bulk load)."""
    if not obj.search_fields:
        return None
    return (
        f"INSERT INTO {SEARCH_TABLE}(object, record_id, body) SELECT {_sql_literal(obj.name)}, "
        f"{quote_ident(obj.primary_key)}, {_search_text_expr(quote_ident(obj.name), obj)} FROM {quote_ident(obj.name)}"
    )


def _logged_value(name: str, spec: FieldSpec) -> str:
    # json_object() prints reals with 15 significant digits, so 0.30000000000000004 would be logged as 0.3 and
    # an update-then-revert would show as a change; 17 digits as text round-trip exactly (World decodes them).
    col = f"OLD.{quote_ident(name)}"
    if spec.type == "number":
        return f"CASE typeof({col}) WHEN 'real' THEN printf('%!.17g', {col}) ELSE {col} END"
    return col


def changelog_triggers_sql(obj: ObjectSpec) -> list[str]:
    """Triggers that record the first-seen 'before' image of every touched row, for O(changes) diffs."""
    table, pk = quote_ident(obj.name), quote_ident(obj.primary_key)
    name = _sql_literal(obj.name)
    old_json = (
        "json_object(" + ", ".join(f"{_sql_literal(f)}, {_logged_value(f, s)}" for f, s in obj.fields.items()) + ")"
    )

    def log(record_id: str, before: str) -> str:
        # Not INSERT OR IGNORE: inside a foreign-key action (ON DELETE SET NULL) SQLite applies the outer
        # statement's ABORT instead, so a row logged earlier would fail the whole delete.
        return (
            f"INSERT INTO {CHANGELOG_TABLE}(object, record_id, before) SELECT {name}, {record_id}, {before} "
            f"WHERE NOT EXISTS (SELECT 1 FROM {CHANGELOG_TABLE} WHERE object = {name} AND record_id = {record_id});"
        )

    return [
        f"CREATE TRIGGER {quote_ident('_log_ins_' + obj.name)} AFTER INSERT ON {table} "
        f"BEGIN {log(f'NEW.{pk}', 'NULL')} END",
        f"CREATE TRIGGER {quote_ident('_log_upd_' + obj.name)} AFTER UPDATE ON {table} "
        f"BEGIN {log(f'OLD.{pk}', old_json)} END",
        f"CREATE TRIGGER {quote_ident('_log_del_' + obj.name)} AFTER DELETE ON {table} "
        f"BEGIN {log(f'OLD.{pk}', old_json)} END",
    ]


def internal_tables_sql() -> list[str]:
    """Tables the world needs for itself: settings and id counters, the change log and the full-text index."""
    return [
        f"CREATE TABLE {META_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        f"CREATE TABLE {CHANGELOG_TABLE} (object TEXT NOT NULL, record_id TEXT NOT NULL, before TEXT, "
        "PRIMARY KEY (object, record_id))",
        f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5(object UNINDEXED, record_id UNINDEXED, body, "
        "tokenize = 'unicode61 remove_diacritics 2')",
    ]


INDEXED_TYPES = frozenset({"reference", "polymorphic_reference", "date", "datetime"})


def index_sql(obj: ObjectSpec) -> list[str]:
    """An index per reference and date field: the joins and period filters CRM questions are made of."""
    return [
        f"CREATE INDEX {quote_ident(f'_ix_{obj.name}_{name}')} ON {quote_ident(obj.name)} ({quote_ident(name)})"
        for name, spec in obj.fields.items()
        if spec.type in INDEXED_TYPES
    ]


def schema_sql(schema: Schema) -> list[str]:
    """Tables, indexes and integrity triggers (not the search or log triggers, which `World` adds after a bulk
    load)."""
    statements = [create_table_sql(obj) for obj in schema.objects.values()]
    for obj in schema.objects.values():
        statements.extend(index_sql(obj))
        statements.append(_pk_immutable_trigger(obj))
        statements.extend(_polymorphic_triggers(schema, obj))
    return statements
