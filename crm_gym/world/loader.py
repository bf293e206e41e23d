"""Load an org from a SQLite dump in the CRMArena-Pro layout (Salesforce table and column names).

The dump's tables are matched to the profile's objects and its columns to the schema's fields by name
(case-insensitively, plus a few aliases seen in CRMArena-Pro exports); unknown columns are dropped, missing
ones stay empty, and values are normalised to the schema's types (dates with a time part, booleans as text,
lists as JSON or Python literals). Rows are copied in dependency order, so every constraint of the schema
is checked by SQLite; anything that does not fit raises `OrgLoadError` naming the table, column and row.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from crm_gym.errors import OrgLoadError, SchemaError
from crm_gym.world.ddl import META_TABLE, quote_ident
from crm_gym.world.schema import FieldSpec, ObjectSpec, Schema
from crm_gym.world.world import World

# Column names used by some CRMArena-Pro exports for fields the schema names differently.
COLUMN_ALIASES: dict[str, dict[str, str]] = {
    "VoiceCallTranscript__c": {"transcriptbody__c": "Body__c"},
    "Issue__c": {"issuedescription__c": "Description__c"},
}
# Generator metadata carried over when the dump is a saved crm_gym world.
_CARRIED_META = ("today", "policies", "planted")
_MAX_REPORTED = 5
_BASIC_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")


def insertion_order(schema: Schema) -> list[str]:
    """Objects ordered so that every record's references point at objects inserted before it.

    Self-references are ignored; the schema order breaks ties, so the result is deterministic.
    """
    deps: dict[str, set[str]] = {}
    for name, obj in schema.objects.items():
        targets: set[str] = set()
        for field_name, spec in obj.references().items():
            if spec.type == "reference" and spec.to:
                targets.add(spec.to)
            else:
                targets.update(schema.polymorphic_targets(name, field_name))
        deps[name] = targets - {name}
    ordered: list[str] = []
    while len(ordered) < len(deps):
        ready = [n for n in schema.objects if n not in ordered and deps[n] <= set(ordered)]
        if not ready:
            cycle = sorted(n for n in deps if n not in ordered)
            raise SchemaError(f"References form a cycle among {cycle}; no insertion order exists.")
        ordered.extend(ready[:1])
    return ordered


def load_org(path: str | Path, profile: str = "crmarena_pro_b2b", *, allow_missing_tables: bool = False) -> World:
    """Open a SQLite dump in the CRMArena-Pro layout as a `World` of ``profile``.

    Args:
        path: The SQLite file, e.g. CRMArena-Pro's ``crmarenapro_b2b_data.db``. It is opened read-only.
        profile: The org profile whose schema the rows are loaded into.
        allow_missing_tables: Load a partial dump: objects without a table stay empty instead of raising.

    Raises:
        OrgLoadError: The file is missing or not SQLite, a table or primary-key column is missing, a value
            cannot be read as its field's type, or rows break the schema's constraints.
    """
    path = Path(path)
    if not path.is_file():
        raise OrgLoadError(f"No org dump at {str(path)!r}: the file does not exist.")
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = _tables(source, path)
        world = World.empty(profile)
        missing = [name for name in world.schema.objects if name.lower() not in tables]
        if missing and not allow_missing_tables:
            raise OrgLoadError(
                f"The dump {path.name!r} has no table for {', '.join(missing)}. Pass allow_missing_tables=True "
                "to load a partial dump."
            )
        with world.bulk_load():
            for name in insertion_order(world.schema):
                if name.lower() in tables:
                    _copy_table(source, tables[name.lower()], world, world.schema.objects[name])
            _carry_meta(source, tables, world)
        return world
    finally:
        source.close()


def _tables(source: sqlite3.Connection, path: Path) -> dict[str, str]:
    try:
        names = [r[0] for r in source.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")]
    except sqlite3.DatabaseError as err:
        raise OrgLoadError(f"{path.name!r} is not a readable SQLite database: {err}.") from err
    return {n.lower(): n for n in names}


def _copy_table(source: sqlite3.Connection, table: str, world: World, obj: ObjectSpec) -> None:
    columns = [r[1] for r in source.execute(f"PRAGMA table_info({quote_ident(table)})")]
    fields = {f.lower(): f for f in obj.fields}
    aliases = COLUMN_ALIASES.get(obj.name, {})
    mapping = {c: fields.get(c.lower()) or aliases.get(c.lower()) for c in columns}
    mapping = {c: f for c, f in mapping.items() if f is not None}
    if obj.primary_key not in mapping.values():
        raise OrgLoadError(f"Table {table!r} has no {obj.primary_key!r} column (columns: {', '.join(columns)}).")
    selected = ", ".join(quote_ident(c) for c in mapping)
    pk_index = list(mapping.values()).index(obj.primary_key)
    rows, problems, bad_rows = [], [], 0
    for values in source.execute(f"SELECT {selected} FROM {quote_ident(table)}"):
        row: dict[str, Any] = {}
        found = len(problems)
        for (column, field), value in zip(mapping.items(), values, strict=True):
            try:
                row[field] = normalise(obj.fields[field], value)
            except ValueError as err:
                problems.append(f"row {obj.primary_key}={values[pk_index]!r}: column {column!r} = {value!r}: {err}")
        bad_rows += len(problems) > found
        rows.append(row)
    if problems:
        raise OrgLoadError(_summary(table, bad_rows, len(rows), problems, "have values of the wrong type"))
    _insert(world, obj, table, rows)


def _insert(world: World, obj: ObjectSpec, table: str, rows: list[dict[str, Any]]) -> None:
    conn = world.conn
    conn.execute("SAVEPOINT load_table")
    try:
        world.insert_many(obj.name, rows)
    except sqlite3.IntegrityError:
        conn.execute("ROLLBACK TO load_table")
        failures = []
        for row in rows:  # find every row at fault; good rows stay, so clashes between rows show too
            conn.execute("SAVEPOINT load_row")
            try:
                world.insert_many(obj.name, [row])
            except sqlite3.IntegrityError as err:
                failures.append(
                    f"row {obj.primary_key}={row.get(obj.primary_key)!r}: {_explain(world, obj, row, str(err))}"
                )
                conn.execute("ROLLBACK TO load_row")
            conn.execute("RELEASE load_row")
        raise OrgLoadError(
            _summary(table, len(failures), len(rows), failures, "break the schema's constraints")
        ) from None
    finally:
        conn.execute("RELEASE load_table")


def _explain(world: World, obj: ObjectSpec, row: dict[str, Any], detail: str) -> str:
    if "FOREIGN KEY" not in detail:
        return detail
    dangling = [
        f"{name} = {row[name]!r} points at no {spec.to}"
        for name, spec in obj.references().items()
        if spec.type == "reference" and row.get(name) is not None and not world.exists(spec.to or "", row[name])
    ]
    return "; ".join(dangling) or detail


def _summary(table: str, count: int, total: int, problems: list[str], what: str) -> str:
    shown = "; ".join(problems[:_MAX_REPORTED])
    more = f"; and {count - _MAX_REPORTED} more" if count > _MAX_REPORTED else ""
    return f"Table {table!r}: {count} of {total} rows {what}: {shown}{more}."


def _carry_meta(source: sqlite3.Connection, tables: dict[str, str], world: World) -> None:
    if META_TABLE in tables:
        marks = ", ".join("?" for _ in _CARRIED_META)
        rows = source.execute(f"SELECT key, value FROM {META_TABLE} WHERE key IN ({marks})", _CARRIED_META)
        world.conn.executemany(f"INSERT OR REPLACE INTO {META_TABLE} VALUES (?, ?)", rows.fetchall())
    for name in world.schema.objects:  # new ids continue after the loaded ones
        count = world.count(name)
        world.conn.execute(f"INSERT OR REPLACE INTO {META_TABLE} VALUES (?, ?)", (f"seq:{name}", str(count)))


# -- value normalisation ---------------------------------------------------------------------------------------


def _to_date(value: Any) -> str:
    text = str(value).strip()
    if len(text) > 10:  # a date-time: check it is one, keep the day as written
        _to_datetime(text)
    return dt.date.fromisoformat(text[:10]).isoformat()


def _to_datetime(value: Any) -> str:
    text = str(value).strip().replace(" ", "T", 1)
    if len(text) == 10:
        text += "T00:00:00"
    text = _BASIC_OFFSET.sub(r"\1:\2", text)  # Salesforce's "+0000" -> "+00:00"
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool | int) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "t"):
        return True
    if text in ("false", "0", "no", "f"):
        return False
    raise ValueError("expected a boolean (true/false or 1/0)")


def _to_int(value: Any) -> int:
    number = float(value)
    if not number.is_integer():
        raise ValueError("expected a whole number")
    return int(number)


def _to_list(value: Any) -> list[str]:
    text = str(value).strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            parsed = ast.literal_eval(text)
        return [str(v) for v in parsed]
    return [part.strip() for part in text.split(",") if part.strip()]


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "date": _to_date,
    "datetime": _to_datetime,
    "boolean": _to_bool,
    "integer": _to_int,
    "number": float,
    "list": _to_list,
}


def normalise(spec: FieldSpec, value: Any) -> Any:
    """One dump value in the form the schema stores; raise ValueError saying what was expected.

    Empty strings become NULL except in free-text fields; numbers in text fields become text.
    """
    if value is None:
        return None
    if isinstance(value, str) and not value.strip() and spec.type not in ("string", "text"):
        return None
    converter = _CONVERTERS.get(spec.type)
    if converter is None:
        return value if isinstance(value, str) else str(value)
    try:
        return converter(value)
    except (ValueError, SyntaxError, TypeError) as err:
        raise ValueError(f"expected {spec.allowed()}") from err
