"""A drift map bound to an org's schema: the schema an agent sees, and names, records and messages both ways.

`DriftView` is what the drifted API boundary, the drifted query pipeline and a map-knowing oracle share. It
renders the drifted `Schema` (so ``describe`` and the tool specs come from the same code as without drift),
turns agent-visible object and field names into canonical ones, raising `DriftedNameError` that lists the
names that exist (a canonical name of a renamed item does not), renames records on the way out, and rewrites
the messages of deeper layers so that they never show a canonical name that is renamed.

Fields whose values name objects (the type field of a polymorphic reference, e.g. Arc's ``entity_type``)
take the drifted object names as values too: the value is a schema name, not data.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from crm_gym.api.names import did_you_mean, find_field, find_object, unknown_field_message
from crm_gym.entropy.drift import DriftMap, is_identifier_like, sub_names, word_set
from crm_gym.errors import DriftedNameError
from crm_gym.world.schema import FieldSpec, ObjectSpec, Schema

CACHED_VIEWS = 64


class DriftView:
    """One org schema seen through one drift map.

    Build it with `DriftView.of`, which keeps the views of the maps used last: the drifted schema of a map
    seen again is not rendered again.

    >>> from crm_gym.entropy.drift import draw_drift
    >>> from crm_gym.world.schema import load_schema
    >>> schema = load_schema("arc")
    >>> view = DriftView.of(schema, draw_drift(schema, "high", seed=1))
    >>> view.object_in(view.object_out("Opportunity"))
    'Opportunity'
    >>> sorted(view.visible.objects) == sorted(view.object_out(o) for o in schema.objects)
    True
    """

    def __init__(self, schema: Schema, drift: DriftMap) -> None:
        """Bind ``drift`` to ``schema`` (prefer `DriftView.of`, which caches)."""
        self.schema = schema
        self.drift = drift
        self._derived: dict[Any, Any] = {}
        self.visible = _visible_schema(schema, drift)
        self._canonical_objects = {drift.object_name(name): name for name in schema.objects}
        self.type_fields = frozenset(
            spec.type_field for obj in schema.objects.values() for spec in obj.fields.values() if spec.type_field
        )
        self._field_names = frozenset(f for obj in schema.objects.values() for f in obj.fields)
        self._renamed = {**drift.fields, **drift.objects}

    def derived(self, key: Any, build: Callable[[], Any]) -> Any:
        """Return ``build()`` computed once per view and key (a view never changes)."""
        if key not in self._derived:
            self._derived[key] = build()
        return self._derived[key]

    @classmethod
    def of(cls, schema: Schema, drift: DriftMap) -> DriftView:
        """The view of ``schema`` through ``drift``, kept for the last `CACHED_VIEWS` maps used (an episode
        draws a new map, so the cache is bounded; a view takes a few milliseconds to build)."""
        views: OrderedDict[str, DriftView] = schema.derived("drift-views", OrderedDict)
        key = drift.model_dump_json()
        if key in views:
            views.move_to_end(key)
        else:
            views[key] = cls(schema, drift)
            if len(views) > CACHED_VIEWS:
                views.popitem(last=False)
        return views[key]

    # -- agent-visible -> canonical -------------------------------------------------------------------

    def object_in(self, name: Any, *, exact: bool = True) -> str:
        """The canonical object an agent-visible name stands for; `DriftedNameError` listing the visible objects.

        ``exact=False`` accepts any letter case, as the query and search tools do.
        """
        visible = name if isinstance(name, str) and name in self.visible.objects else None
        if visible is None and not exact and isinstance(name, str):
            spec = find_object(self.visible, name)
            visible = spec.name if spec is not None else None
        if visible is None:
            raise DriftedNameError(
                f"Unknown object {name!r}.{did_you_mean(str(name), self.visible.objects)} "
                f"Objects in this org: {', '.join(sorted(self.visible.objects))}.",
                stale_names=self.stale_names([name]),
            )
        return self._canonical_objects[visible]

    def field_in(self, canonical_object: str, name: Any, *, exact: bool = True) -> str:
        """The canonical field an agent-visible field name of an object stands for; `DriftedNameError` if none."""
        spec = self.visible_object(canonical_object)
        visible = name if isinstance(name, str) and name in spec.fields else None
        if visible is None and not exact and isinstance(name, str):
            visible = find_field(spec, name)
        if visible is None:
            stale = [name] if name in self.drift.fields_by_object.get(canonical_object, {}) else []
            raise DriftedNameError(unknown_field_message(spec, str(name)), stale_names=stale)
        return self.drift.canonical_field(canonical_object, visible) or visible

    def value_in(self, canonical_object: str, canonical_field: str, value: Any) -> Any:
        """A field value as stored: a type field's drifted object name becomes the canonical one."""
        if canonical_field not in self.type_fields or not isinstance(value, str):
            return value
        if value in self._canonical_objects:
            return self._canonical_objects[value]
        if value in self.drift.objects:  # the canonical name of a renamed object no longer exists
            spec = self.visible_object(canonical_object)
            field = self.field_out(canonical_object, canonical_field)
            raise DriftedNameError(
                f"{spec.name}.{field}: {value!r} is not allowed; expected {spec.fields[field].allowed()}.",
                stale_names=[value],
            )
        return value

    def values_in(self, canonical_object: str, values: Mapping[str, Any]) -> dict[str, Any]:
        """Record values keyed by agent-visible field names, keyed and valued canonically."""
        out = {}
        for name, value in values.items():
            field = self.field_in(canonical_object, name)
            out[field] = self.value_in(canonical_object, field, value)
        return out

    def stale_names(self, names: Iterable[Any]) -> list[str]:
        """Those of ``names`` that are canonical names this map renamed (an agent using them is out of date)."""
        return [n for n in names if isinstance(n, str) and n in self._renamed]

    # -- canonical -> agent-visible -------------------------------------------------------------------

    def object_out(self, canonical_object: str) -> str:
        """The name an agent sees for a canonical object."""
        return self.drift.object_name(canonical_object)

    def field_out(self, canonical_object: str, canonical_field: str) -> str:
        """The name an agent sees for a canonical field of an object."""
        return self.drift.field_name(canonical_object, canonical_field)

    def visible_object(self, canonical_object: str) -> ObjectSpec:
        """The drifted spec of a canonical object."""
        return self.visible.objects[self.object_out(canonical_object)]

    def value_out(self, canonical_field: str, value: Any) -> Any:
        """A stored value as the agent sees it: a type field names the drifted object."""
        if canonical_field in self.type_fields and isinstance(value, str):
            return self.drift.object_name(value)
        return value

    def record_out(self, canonical_object: str, record: Mapping[str, Any]) -> dict[str, Any]:
        """A record (or some of its values) keyed by the names the agent sees."""
        return {self.field_out(canonical_object, k): self.value_out(k, v) for k, v in record.items()}

    def keys_out(self, value: Any) -> Any:
        """Rename every field-named key in a nested tool output (field renames are the same on every object)."""
        if isinstance(value, Mapping):
            return {self.drift.fields.get(k, k): self.keys_out(self.value_out(k, v)) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.keys_out(v) for v in value]
        return value

    def rewrite_message(self, text: str, words: Iterable[str] = ()) -> str:
        """Rewrite a deeper layer's message so that no renamed canonical name shows.

        Object names, ``Object.field`` forms, identifier-like field names, quoted names and names in a list
        of field names are always rewritten; a plain-word field name (``stage``, ``type``) is rewritten only
        in those forms or when it is one of ``words`` (the calling tool's own arguments), because in prose
        it is usually a plain word ("the type named by ...").
        """
        if not self._renamed:
            return text
        plain_words = frozenset(words)

        def replace(qualifier: str | None, name: str, start: int, end: int) -> str:
            if qualifier is not None:
                return f"{self.object_out(qualifier)}.{self.field_out(qualifier, name)}"
            if name in self.drift.objects:
                return self.drift.objects[name]
            if (
                is_identifier_like(name)
                or name in plain_words
                or _quoted(text, start, end)
                or self._in_field_list(text, start, end)
            ):
                return self.drift.fields[name]
            return name

        return sub_names(text, self.schema.objects, self._renamed.keys(), replace)

    def _in_field_list(self, text: str, start: int, end: int) -> bool:
        after = re.match(r",\s*(\w+)", text[end:])
        before = re.search(r"(\w+),\s*$", text[:start])
        return any(m is not None and m.group(1) in self._field_names for m in (after, before))


def _quoted(text: str, start: int, end: int) -> bool:
    return start > 0 and end < len(text) and text[start - 1] == text[end] and text[end] in "'\""


def _visible_field(owner: str, field: str, spec: FieldSpec, type_fields: set[str], drift: DriftMap) -> FieldSpec:
    update: dict[str, Any] = {}
    description = drift.rewrite_text(spec.description)
    if description != spec.description:
        update["description"] = description
    if spec.to:
        update["to"] = drift.object_name(spec.to)
    if spec.type_field:
        update["type_field"] = drift.field_name(owner, spec.type_field)
    if spec.targets:
        update["targets"] = tuple(drift.object_name(t) for t in spec.targets)
    if field in type_fields:
        update["values"] = tuple(drift.object_name(v) for v in spec.values)
    return spec.model_copy(update=update) if update else spec


def _dependencies(schema: Schema) -> dict[tuple[str, str | None], frozenset[str]]:
    """Per (object, field) and per (object, None): the schema names its visible spec depends on (a field's spec
    does not depend on its own name, which is its key; an object's does on all its field names).

    A spec none of whose names is renamed is shown as it is, so a view renders only what a map changes.
    """
    names = set(schema.objects) | {f for obj in schema.objects.values() for f in obj.fields}
    deps: dict[tuple[str, str | None], frozenset[str]] = {}
    for owner, obj in schema.objects.items():
        type_fields = {s.type_field for s in obj.fields.values() if s.type_field}
        for field, spec in obj.fields.items():
            used = {*(word_set(spec.description) & names), *spec.targets}
            used |= {n for n in (spec.to, spec.type_field) if n}
            if field in type_fields:
                used |= set(spec.values)
            deps[owner, field] = frozenset(used)
        deps[owner, None] = frozenset({owner, *obj.fields, *(word_set(obj.description) & names)}).union(
            *(deps[owner, f] for f in obj.fields)
        )
    return deps


def _visible_schema(schema: Schema, drift: DriftMap) -> Schema:
    """The schema with every renamed object and field under its drifted name (values naming objects too)."""
    deps = schema.derived("drift-dependencies", lambda: _dependencies(schema))
    renamed = drift.objects.keys() | drift.fields.keys()
    objects = {}
    for name, obj in schema.objects.items():
        if deps[name, None].isdisjoint(renamed):
            objects[name] = obj
            continue
        type_fields = {s.type_field for s in obj.fields.values() if s.type_field}
        fields = {
            drift.field_name(name, field): spec
            if deps[name, field].isdisjoint(renamed)
            else _visible_field(name, field, spec, type_fields, drift)
            for field, spec in obj.fields.items()
        }
        objects[drift.object_name(name)] = ObjectSpec.model_construct(  # valid by construction: renames only
            name=drift.object_name(name),
            description=drift.rewrite_text(obj.description),
            primary_key=drift.field_name(name, obj.primary_key),
            id_prefix=obj.id_prefix,
            search_fields=tuple(drift.field_name(name, f) for f in obj.search_fields),
            fields=fields,
        )
    return Schema.model_construct(
        profile=schema.profile,
        description=drift.rewrite_text(schema.description),
        id_style=schema.id_style,
        objects=objects,
    )
