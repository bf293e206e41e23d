"""`World`: one CRM org in an in-memory SQLite database, with snapshots, a state hash and diffs."""

from __future__ import annotations

import functools
import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from crm_gym.errors import CrmError
from crm_gym.world import ddl
from crm_gym.world.ddl import CHANGELOG_TABLE, META_TABLE, SEARCH_TABLE, quote_ident
from crm_gym.world.ids import deterministic_uuid, salesforce_id
from crm_gym.world.schema import ObjectSpec, Schema, load_schema
from crm_gym.world.state import RowChange, StateDiff

Row = dict[str, Any]
_Method = TypeVar("_Method", bound=Callable[..., Any])


class OrgConnection(sqlite3.Connection):
    """The SQLite connection of a `World`: a plain connection that can also carry the state other layers attach to
    it (``extensions``, e.g. the query accounting functions of `crm_gym.api`), which a plain
    `sqlite3.Connection` cannot hold."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Open the connection as `sqlite3.connect` would."""
        super().__init__(*args, **kwargs)
        self.extensions: dict[str, Any] = {}


def _connect() -> OrgConnection:
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False, factory=OrgConnection)
    _configure(conn)
    return conn


def _configure(conn: sqlite3.Connection) -> None:
    """Settings a connection keeps after `sqlite3.Connection.deserialize` too: foreign keys on, and temporary
    storage (sorts, DISTINCT, materialised subqueries) in memory, where the query budget bounds it, never in
    files (a query once filled a deleted temporary file at 140 MB/s); sorts in the calling thread only."""
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.setlimit(sqlite3.SQLITE_LIMIT_WORKER_THREADS, 0)


def _exclusive(method: _Method) -> _Method:
    """Run ``method`` holding the world's lock (see `World.lock`)."""

    @functools.wraps(method)
    def locked(self: World, *args: Any, **kwargs: Any) -> Any:
        with self.lock:
            return method(self, *args, **kwargs)

    return locked  # type: ignore[return-value]


class World:
    """A CRM org: the schema of its profile and the rows of every object, in SQLite.

    Integrity lives in the database (see `crm_gym.world.ddl`); `World` adds ids, atomic writes,
    snapshots for per-episode reset, a content hash and a diff since the baseline.

    >>> world = World.empty("arc")
    >>> cid = world.insert("Client", {"name": "Acme Corp", "status": "Active"})
    >>> world.get("Client", cid)["name"]
    'Acme Corp'
    >>> [c.object for c in world.diff().created]
    ['Client']
    """

    def __init__(self, schema: Schema, conn: sqlite3.Connection, seed: int = 0) -> None:
        """Wrap an already-built connection; use `World.empty` or `crm_gym.build_org` to make one."""
        self.schema = schema
        self.conn = conn
        self.seed = seed
        self._columns = {name: list(obj.fields) for name, obj in schema.objects.items()}
        self.lock = threading.RLock()
        """Held by every method of the world, by each API call and by each env step: a world serves one thread at
        a time. Two threads that share a world wait for each other (a call runs whole, alone) instead of
        interleaving statements on one connection, which deadlocked: SQLite holds the connection's mutex while
        it calls back into Python, and the other thread held the GIL while it waited for that mutex. Code that
        uses ``conn`` directly from several threads must hold it too."""

    # -- construction -------------------------------------------------------------------------------

    @classmethod
    def empty(cls, profile: str | Schema = "arc", seed: int = 0) -> World:
        """A world with every table and trigger and no rows."""
        schema = load_schema(profile) if isinstance(profile, str) else profile
        conn = _connect()
        for statement in [*ddl.internal_tables_sql(), *ddl.schema_sql(schema)]:
            conn.execute(statement)
        world = cls(schema, conn, seed)
        conn.execute(f"INSERT INTO {META_TABLE} VALUES ('profile', ?), ('seed', ?)", (schema.profile, str(seed)))
        world._install_tracking()
        return world

    def _install_tracking(self) -> None:
        for obj in self.schema.objects.values():
            for statement in [*ddl.search_triggers_sql(obj), *ddl.changelog_triggers_sql(obj)]:
                self.conn.execute(statement)

    def _drop_tracking(self) -> None:
        names = [
            r[0]
            for r in self.conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND "
                "(name LIKE '\\_fts\\_%' ESCAPE '\\' OR name LIKE '\\_log\\_%' ESCAPE '\\')"
            )
        ]
        for name in names:
            self.conn.execute(f"DROP TRIGGER {quote_ident(name)}")

    @contextmanager
    def bulk_load(self) -> Iterator[World]:
        """Load many rows fast: index and change-log triggers are off inside, rebuilt after.

        On exit the full-text index is rebuilt and the baseline is set, so the loaded rows are not
        reported as changes.
        """
        with self.lock:
            yield from self._bulk_load()

    def _bulk_load(self) -> Iterator[World]:
        self._drop_tracking()
        self.conn.execute("BEGIN")
        try:
            yield self
        except BaseException:
            self.conn.execute("ROLLBACK")
            self._install_tracking()
            raise
        self.conn.execute(f"DELETE FROM {SEARCH_TABLE}")
        for obj in self.schema.objects.values():
            rebuild = ddl.search_rebuild_sql(obj)
            if rebuild:
                self.conn.execute(rebuild)
        self.conn.execute("COMMIT")
        self._install_tracking()
        self.mark_baseline()

    # -- ids ----------------------------------------------------------------------------------------

    @_exclusive
    def new_id(self, object_name: str) -> str:
        """The next id for an object, deterministic given the world's seed and history."""
        obj = self.schema.object(object_name)
        key = f"seq:{object_name}"
        row = self.conn.execute(f"SELECT value FROM {META_TABLE} WHERE key = ?", (key,)).fetchone()
        n = int(row[0]) + 1 if row else 1
        self.conn.execute(f"INSERT OR REPLACE INTO {META_TABLE} VALUES (?, ?)", (key, str(n)))
        if self.schema.id_style == "salesforce":
            assert obj.id_prefix is not None  # guaranteed by Schema validation
            return salesforce_id(obj.id_prefix, n, self.seed)
        return deterministic_uuid(self.seed, object_name, n)

    # -- reads --------------------------------------------------------------------------------------

    def _decode(self, obj: ObjectSpec, values: Iterable[Any]) -> Row:
        row = dict(zip(obj.fields, values, strict=True))
        for name, spec in obj.fields.items():
            value = row[name]
            if value is None:
                continue
            if spec.type == "list":
                row[name] = json.loads(value)
            elif spec.type == "boolean":
                row[name] = bool(value)
            elif spec.type == "number" and isinstance(value, str):  # a change-log image (see ddl._logged_value)
                row[name] = float(value)
        return row

    def _encode(self, obj: ObjectSpec, row: Mapping[str, Any]) -> list[Any]:
        values = []
        for name, spec in obj.fields.items():
            value = row.get(name)
            if value is not None and spec.type == "list":
                value = json.dumps(list(value), ensure_ascii=False)
            elif value is not None and spec.type == "boolean":
                value = int(bool(value))
            values.append(value)
        return values

    @_exclusive
    def get(self, object_name: str, record_id: str) -> Row | None:
        """One record as a dict, or None when no record has that id."""
        obj = self.schema.object(object_name)
        cur = self.conn.execute(
            f"SELECT * FROM {quote_ident(object_name)} WHERE {quote_ident(obj.primary_key)} = ?", (record_id,)
        )
        values = cur.fetchone()
        return None if values is None else self._decode(obj, values)

    @_exclusive
    def rows(self, object_name: str, where: str = "", params: Iterable[Any] = ()) -> list[Row]:
        """Every record of an object (optionally filtered by an SQL WHERE clause), ordered by id."""
        obj = self.schema.object(object_name)
        sql = f"SELECT * FROM {quote_ident(object_name)}"
        if where:
            sql += f" WHERE {where}"
        sql += f" ORDER BY {quote_ident(obj.primary_key)}"
        return [self._decode(obj, values) for values in self.conn.execute(sql, tuple(params))]

    @_exclusive
    def meta(self, key: str) -> str | None:
        """A value of the world's internal settings (``_meta``), or None when unset."""
        row = self.conn.execute(f"SELECT value FROM {META_TABLE} WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def today(self) -> str | None:
        """The org's own "today" (ISO date) when its generator set one; nothing reads the wall clock."""
        value = self.meta("today")
        return None if value is None else value[:10]

    @_exclusive
    def count(self, object_name: str | None = None) -> int:
        """Rows of one object, or of all objects."""
        names = [object_name] if object_name else list(self.schema.objects)
        return sum(self.conn.execute(f"SELECT count(*) FROM {quote_ident(n)}").fetchone()[0] for n in names)

    @_exclusive
    def exists(self, object_name: str, record_id: str) -> bool:
        """True when a record of that object has that id."""
        obj = self.schema.object(object_name)
        sql = f"SELECT 1 FROM {quote_ident(object_name)} WHERE {quote_ident(obj.primary_key)} = ?"
        return self.conn.execute(sql, (record_id,)).fetchone() is not None

    # -- writes -------------------------------------------------------------------------------------

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """All writes inside succeed together or not at all (a SAVEPOINT, so it nests)."""
        with self.lock:
            self.conn.execute("SAVEPOINT atomic")
            try:
                yield
            except BaseException:
                self.conn.execute("ROLLBACK TO atomic")
                self.conn.execute("RELEASE atomic")
                raise
            self.conn.execute("RELEASE atomic")

    @_exclusive
    def insert(self, object_name: str, values: Mapping[str, Any]) -> str:
        """Insert one record (values already validated), assigning an id if none is given; return the id."""
        obj = self.schema.object(object_name)
        row = dict(values)
        if row.get(obj.primary_key) is None:
            row[obj.primary_key] = self.new_id(object_name)
        self._execute_write(obj, self._insert_sql(obj), self._encode(obj, row))
        return row[obj.primary_key]

    @_exclusive
    def insert_many(self, object_name: str, rows: Iterable[Mapping[str, Any]]) -> None:
        """Insert many records that already carry their ids (used by generators and loaders)."""
        obj = self.schema.object(object_name)
        self.conn.executemany(self._insert_sql(obj), (self._encode(obj, r) for r in rows))

    def _insert_sql(self, obj: ObjectSpec) -> str:
        cols = ", ".join(quote_ident(c) for c in obj.fields)
        marks = ", ".join("?" for _ in obj.fields)
        return f"INSERT INTO {quote_ident(obj.name)} ({cols}) VALUES ({marks})"

    @_exclusive
    def update(self, object_name: str, record_id: str, values: Mapping[str, Any]) -> None:
        """Set some fields of one record (values already validated)."""
        obj = self.schema.object(object_name)
        if not values:
            return
        unknown = [k for k in values if k not in obj.fields]
        if unknown:
            raise CrmError(f"{object_name} has no field {unknown[0]!r}. Fields: {', '.join(obj.fields)}.")
        encoded = dict(zip(obj.fields, self._encode(obj, {**dict.fromkeys(obj.fields), **values}), strict=True))
        sets = ", ".join(f"{quote_ident(k)} = ?" for k in values)
        sql = f"UPDATE {quote_ident(object_name)} SET {sets} WHERE {quote_ident(obj.primary_key)} = ?"
        self._execute_write(obj, sql, [*(encoded[k] for k in values), record_id])

    @_exclusive
    def delete(self, object_name: str, record_id: str) -> None:
        """Delete one record; dependants cascade or the delete is refused, as the schema says."""
        obj = self.schema.object(object_name)
        sql = f"DELETE FROM {quote_ident(object_name)} WHERE {quote_ident(obj.primary_key)} = ?"
        self._execute_write(obj, sql, [record_id])

    def _execute_write(self, obj: ObjectSpec, sql: str, params: list[Any]) -> None:
        # The database is the last line of defence: a constraint that the tool layer did not catch
        # still surfaces as an agent-facing error. One statement is atomic in SQLite (its trigger actions
        # included: a failed statement is backed out whole), so no savepoint is needed; savepoints would
        # also make FTS5 flush its index once per write.
        try:
            self.conn.execute(sql, params)
        except sqlite3.IntegrityError as err:
            raise CrmError(_integrity_message(obj, str(err))) from err

    # -- snapshots, hash, diff ------------------------------------------------------------------------

    @_exclusive
    def snapshot(self) -> bytes:
        """The whole database as bytes (``sqlite3.Connection.serialize``)."""
        return self.conn.serialize()

    @_exclusive
    def restore(self, snapshot: bytes) -> None:
        """Return to a snapshot taken by `snapshot` (milliseconds; no rebuild)."""
        self.conn.deserialize(snapshot)
        _configure(self.conn)

    def save(self, path: str | Path) -> Path:
        """Write the org to a SQLite file (Salesforce-style table and column names for that profile)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.snapshot())
        return path

    def copy(self) -> World:
        """An independent world with the same contents."""
        return World.from_snapshot(self.schema, self.snapshot(), self.seed)

    @classmethod
    def from_snapshot(cls, schema: Schema, snapshot: bytes, seed: int = 0) -> World:
        """A new, independent world holding a snapshot taken by `snapshot`."""
        conn = _connect()
        conn.deserialize(snapshot)
        _configure(conn)
        return cls(schema, conn, seed)

    @_exclusive
    def state_hash(self) -> str:
        """SHA-256 of every record of every object, in a canonical order: equal contents, equal hash."""
        digest = hashlib.sha256()
        for name in sorted(self.schema.objects):
            obj = self.schema.objects[name]
            digest.update(f"\x00{name}\x00".encode())
            sql = f"SELECT * FROM {quote_ident(name)} ORDER BY {quote_ident(obj.primary_key)}"
            for values in self.conn.execute(sql):
                digest.update(repr(values).encode())
        return digest.hexdigest()

    @_exclusive
    def mark_baseline(self) -> None:
        """Forget recorded changes: `diff` reports changes made after this call."""
        self.conn.execute(f"DELETE FROM {CHANGELOG_TABLE}")

    @_exclusive
    def diff(self) -> StateDiff:
        """Rows created, deleted and changed since the baseline, with their fields."""
        created, deleted, changed = [], [], []
        log = self.conn.execute(f"SELECT object, record_id, before FROM {CHANGELOG_TABLE} ORDER BY object, record_id")
        for object_name, record_id, before_json in log.fetchall():
            obj = self.schema.objects[object_name]
            before = self._decode(obj, json.loads(before_json).values()) if before_json else None
            after = self.get(object_name, record_id)
            change = RowChange(object=object_name, record_id=record_id, before=before, after=after)
            if before is None and after is not None:
                created.append(change)
            elif before is not None and after is None:
                deleted.append(change)
            elif before is not None and after is not None and before != after:
                changed.append(change)
        return StateDiff(created=created, deleted=deleted, changed=changed)

    @_exclusive
    def integrity_violations(self) -> list[tuple[Any, ...]]:
        """Rows of ``PRAGMA foreign_key_check``: empty in a sound world."""
        return self.conn.execute("PRAGMA foreign_key_check").fetchall()


def _integrity_message(obj: ObjectSpec, detail: str) -> str:
    if "UNIQUE constraint failed" in detail:
        field = detail.rsplit(".", 1)[-1]
        return f"{obj.name}.{field} must be unique: another {obj.name} already has that value."
    if "FOREIGN KEY constraint failed" in detail:
        return (
            f"The change to {obj.name} would leave a reference pointing at a record that does not exist "
            "(or delete a record that others still reference)."
        )
    if "CHECK constraint failed" in detail:
        return f"A value breaks a rule of {obj.name}: {detail}."
    return f"{obj.name}: {detail}"
