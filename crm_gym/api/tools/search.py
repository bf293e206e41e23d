"""The generic ``search`` tool: SOSL-like full-text search over the org's text fields (SQLite FTS5)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crm_gym import config
from crm_gym.api.budget import WorkBudget, metered
from crm_gym.api.names import resolve_field, resolve_object
from crm_gym.api.registry import tool
from crm_gym.api.sosl import Returning, fts_expression, is_sosl, parse_sosl
from crm_gym.errors import CrmError
from crm_gym.world.ddl import SEARCH_TABLE
from crm_gym.world.schema import ObjectSpec, Schema

if TYPE_CHECKING:
    from crm_gym.api.api import MockCrmApi
    from crm_gym.world.world import World

_DEFAULT_FIELDS = 3  # fields shown per hit when RETURNING names none: the object's first indexed fields
_SNIPPET_TOKENS = 12


@dataclass(frozen=True)
class _Target:
    """One object to search: the fields each hit shows and the object's own limit (None: only the overall one)."""

    obj: ObjectSpec
    fields: tuple[str, ...]
    cap: int | None = None


def _targets(schema: Schema, returning: tuple[Returning, ...]) -> list[_Target]:
    """The objects to search (RETURNING's, else every object with indexed text fields)."""
    if not returning:
        return [_Target(o, o.search_fields[:_DEFAULT_FIELDS]) for o in schema.objects.values() if o.search_fields]
    targets = []
    for item in returning:
        obj = resolve_object(schema, item.object)
        if not obj.search_fields:
            searchable = ", ".join(n for n, o in schema.objects.items() if o.search_fields)
            raise CrmError(f"{obj.name} has no text fields to search. Searchable objects: {searchable}.")
        fields = tuple(resolve_field(obj, f) for f in item.fields) or obj.search_fields[:_DEFAULT_FIELDS]
        targets.append(_Target(obj, fields, item.limit))
    return targets


def run_search(world: World, text: str, objects: list[str] | None = None, limit: int = 20) -> dict[str, Any]:
    """Search the org (plain text or a SOSL ``FIND`` statement) and return ranked hits; see `search`."""
    if not isinstance(text, str) or len(text) > config.SEARCH_MAX_CHARS:
        raise CrmError(f"The search text must be at most {config.SEARCH_MAX_CHARS} characters.")
    returning: tuple[Returning, ...] = tuple(Returning(o) for o in objects or ())
    if is_sosl(text):
        request = parse_sosl(text)
        if objects and request.returning:
            raise CrmError("Give the objects either in RETURNING or in 'objects', not both.")
        text, returning, limit = request.text, request.returning or returning, request.limit or limit
    if limit < 1:
        raise CrmError(f"limit must be at least 1, got {limit!r}.")
    limit = min(limit, config.SEARCH_MAX_RESULTS)
    expression = fts_expression(text)
    if expression is None:
        raise CrmError(
            f"The search text {text[:100]!r} has no words to search for. Give one or more words, e.g. "
            "'Acme', 'acme*' (prefix), '\"Acme Corp\"' (phrase), 'Acme OR Globex', 'Acme NOT Widget'."
        )
    targets = _targets(world.schema, returning)
    hits = _ranked_hits(world, expression, targets, limit + 1)
    results = _with_fields(world, hits[:limit], {t.obj.name: t.fields for t in targets})
    return {"results": results, "count": len(results), "truncated": len(hits) > limit}


def _ranked_hits(world: World, expression: str, targets: list[_Target], limit: int) -> list[tuple[str, str, str]]:
    """(object, id, snippet) of the best ``limit`` matches by bm25, then object and id.

    Hits are ranked first and snippets made for the chosen few only: a snippet costs a pass over its row's
    matches of every term, which made a many-term search over thousands of hits take minutes.
    """
    caps = {t.obj.name: t.cap for t in targets}
    marks = ", ".join("?" for _ in caps)
    ranked = (
        f"SELECT rowid, object, record_id FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH ? AND object IN ({marks}) "
        f"ORDER BY bm25({SEARCH_TABLE}), object, record_id"
    )
    chosen: list[tuple[int, str, str]] = []
    taken = dict.fromkeys(caps, 0)
    with metered(world.conn, WorkBudget(), hint="Use longer words, fewer words or fewer prefix* terms."):
        try:
            cursor = world.conn.execute(ranked, (expression, *caps))
            try:
                for rowid, object_name, record_id in cursor:
                    cap = caps[object_name]
                    if cap is not None and taken[object_name] >= cap:
                        continue
                    taken[object_name] += 1
                    chosen.append((rowid, object_name, record_id))
                    if len(chosen) == limit:
                        break
            finally:
                cursor.close()
            rowids = [rowid for rowid, _, _ in chosen]
            snippets = dict(
                world.conn.execute(
                    f"SELECT rowid, snippet({SEARCH_TABLE}, 2, '[', ']', '...', {_SNIPPET_TOKENS}) FROM {SEARCH_TABLE} "
                    f"WHERE {SEARCH_TABLE} MATCH ? AND rowid IN ({', '.join('?' for _ in rowids)})",
                    (expression, *rowids),
                )
            )
        except sqlite3.OperationalError as err:
            # fts_expression only emits valid syntax; this guards against an FTS5 limit we did not foresee.
            if "fts5" not in str(err):
                raise
            raise CrmError(f"The search text could not be searched ({err}); use plain words.") from err
    return [(object_name, record_id, snippets[rowid]) for rowid, object_name, record_id in chosen]


def _with_fields(
    world: World, hits: list[tuple[str, str, str]], fields: dict[str, tuple[str, ...]]
) -> list[dict[str, Any]]:
    return [
        {"object": name, "id": record_id, "fields": {f: record.get(f) for f in fields[name]}, "snippet": snippet}
        for name, record_id, snippet in hits
        if (record := world.get(name, record_id)) is not None
    ]


@tool(writes=False)
def search(api: MockCrmApi, text: str, objects: list[str] | None = None, limit: int = 20) -> dict[str, Any]:
    """Full-text search over the CRM's text fields (names, emails, descriptions, notes ...), best matches first.

    Give plain words, or a SOSL statement. Words must all match; "quoted phrases", prefix* search, OR, NOT
    (or AND NOT) and parentheses work; matching ignores case and accents. SOSL: FIND {Acme*} IN ALL FIELDS
    RETURNING Account(Id, Name LIMIT 5), Contact(Id, Email) LIMIT 10 (WHERE inside RETURNING is not
    supported; use query to filter). Each hit gives the object, the record id, a few fields (or the
    RETURNING fields) and a snippet with the matched words in [brackets]; hits are ranked by relevance
    (bm25), ties by object and id. At most 50 hits come back; "truncated" says whether more matched.

    Args:
        text: Words to find, e.g. acme* or "late delivery" OR refund; or a SOSL FIND statement.
        objects: Only search these objects, e.g. ["Account", "Contact"]; omit to search every object.
        limit: Most hits to return (1-50, default 20); a SOSL LIMIT takes precedence.
    """
    return run_search(api.world, text, objects, limit)
