"""The names of an org's records, so that an answer naming a record ("Jane Doe", "Acme - Renewal") names its id.

A record's display name is its ``Name``, else its first and last name, else its ``Title`` or ``Subject`` (Arc's
quotes: their prefix). Names two records share are resolved to neither by the extractor
(`crm_gym.scoring.extract`), so a name counts only where it identifies one record.
"""

from __future__ import annotations

from collections.abc import Iterable

from crm_gym.world.world import World

_NAME_FIELDS: tuple[tuple[str, ...], ...] = (
    ("Name",),
    ("name",),
    ("FirstName", "LastName"),
    ("first_name", "last_name"),
    ("Title",),
    ("Subject",),
    ("quote_prefix",),
)


def _name_expression(fields: Iterable[str]) -> str:
    return " || ' ' || ".join(f"COALESCE(\"{f}\", '')" for f in fields)


def record_names(world: World, object_name: str) -> dict[str, str]:
    """The display name of every record of ``object_name`` by id (empty when the object has no name field)."""
    obj = world.schema.objects.get(object_name)
    if obj is None:
        return {}
    fields = next((f for f in _NAME_FIELDS if all(name in obj.fields for name in f)), None)
    if fields is None:
        return {}
    sql = f'SELECT "{obj.primary_key}", TRIM({_name_expression(fields)}) FROM "{object_name}"'
    return {str(record_id): name for record_id, name in world.conn.execute(sql) if name}


def object_of_ids(world: World, record_ids: Iterable[str]) -> str | None:
    """The object whose records the ids are (by Salesforce key prefix, else by looking the ids up), or None."""
    ids = [r for r in record_ids if r]
    if not ids:
        return None
    if world.schema.id_style == "salesforce":
        return world.schema.object_for_id_prefix(ids[0])
    for name, obj in world.schema.objects.items():
        placeholders = ", ".join("?" for _ in ids)
        sql = f'SELECT 1 FROM "{name}" WHERE lower("{obj.primary_key}") IN ({placeholders}) LIMIT 1'
        if world.conn.execute(sql, [i.lower() for i in ids]).fetchone():
            return name
    return None
