"""`SchemaNames`: finds the episode's (possibly drifted) names from the schema summary and the tool parameters.

It knows the canonical CRM schema (standard Salesforce-style names an agent is expected to know), and nothing
of how the env draws its renames: no synonym table (the drift generator's vocabulary would be an answer key). A
canonical name the episode shows is used as is; a missing one is paired with a name the episode shows that no
canonical name explains, by elimination within the object, an object-name prefix and `difflib` similarity.
"""

from __future__ import annotations

import difflib
import re
from functools import cache
from typing import Any

from crm_gym.world.schema import load_schema

_SCHEMA_LINE = re.compile(r"^(\w+)\((.*)\)\s*$")
_PROFILES = ("crmarena_pro_b2b", "arc")


def parse_schema_summary(text: str) -> dict[str, tuple[str, ...]]:
    """Object -> field names, from the observation's ``Object(field, field, ...)`` lines."""
    found: dict[str, tuple[str, ...]] = {}
    for line in text.splitlines():
        match = _SCHEMA_LINE.match(line.strip())
        if match:
            found[match[1]] = tuple(f.strip() for f in match[2].split(",") if f.strip())
    return found


@cache
def canonical_schema(profile: str) -> dict[str, frozenset[str]]:
    """The canonical objects and their fields of an org profile."""
    schema = load_schema(profile)
    return {name: frozenset(obj.fields) for name, obj in schema.objects.items()}


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _field_score(canonical: str, visible: str, prefixes: frozenset[str]) -> float:
    key, wanted = _key(visible), _key(canonical)
    if key == wanted:
        return 1.0
    if key.endswith(wanted) and key[: len(key) - len(wanted)] in prefixes:
        return 0.9  # prefixed with an object's name
    return difflib.SequenceMatcher(None, wanted, key).ratio() * 0.8


def _assign(missing: list[str], unexplained: list[str], score: Any) -> dict[str, str]:
    """Pairs each missing canonical name with an unexplained visible name, best scores first."""
    pairs = sorted(((score(c, v), c, v) for c in missing for v in unexplained), key=lambda p: (-p[0], p[1], p[2]))
    found: dict[str, str] = {}
    for _, canonical, visible in pairs:
        if canonical not in found and visible not in found.values():
            found[canonical] = visible
    return found


def _best(candidates: list[str], score: Any, fallback: str) -> str:
    if not candidates:
        return fallback
    return max(sorted(candidates), key=score)


class SchemaNames:
    """A `NameResolver` over one episode's schema summary and tool parameters.

    Without drift every canonical name resolves to itself.
    """

    def __init__(self, schema_text: str, tools: dict[str, dict[str, Any]], profile: str = "crmarena_pro_b2b") -> None:
        self.visible = parse_schema_summary(schema_text)
        self.tools = tools
        self.canonical = canonical_schema(profile if profile in _PROFILES else _PROFILES[0])
        self._objects: dict[str, str] = {}
        self._fields: dict[tuple[str, str], str] = {}
        self._object_map: dict[str, str] | None = None
        self._field_maps: dict[str, dict[str, str]] = {}
        self._prefixes = frozenset(_key(o) for o in self.canonical)

    def object(self, canonical: str) -> str:
        """The visible name of a canonical object."""
        if canonical not in self._objects:
            self._objects[canonical] = self._find_object(canonical)
        return self._objects[canonical]

    def field(self, canonical_object: str, canonical_field: str) -> str:
        """The visible name of a canonical field of a canonical object."""
        key = (canonical_object, canonical_field)
        if key not in self._fields:
            self._fields[key] = self._find_field(canonical_object, canonical_field)
        return self._fields[key]

    def argument(self, tool: str, canonical_argument: str) -> str:
        """The visible name of a tool's canonical argument."""
        properties = list(self.tools.get(tool, {}).get("properties", {}))
        if canonical_argument in properties or not properties:
            return canonical_argument
        for owner in sorted(o for o, fields in self.canonical.items() if canonical_argument in fields):
            visible = self.field(owner, canonical_argument)  # arguments are named after the fields they set
            if visible in properties:
                return visible
        return _best(properties, lambda p: _field_score(canonical_argument, p, self._prefixes), canonical_argument)

    def _find_object(self, canonical: str) -> str:
        if canonical in self.visible or not self.visible:
            return canonical
        if self._object_map is None:
            missing = sorted(o for o in self.canonical if o not in self.visible)
            unexplained = sorted(o for o in self.visible if o not in self.canonical)
            self._object_map = _assign(missing, unexplained, self._object_score)
        return self._object_map.get(canonical, canonical)

    def _object_score(self, canonical: str, visible: str) -> float:
        """Mostly the share of the canonical object's fields the visible object shows under the same name (a
        rename leaves most fields alone), then the names' likeness."""
        known = {_key(f) for f in self.canonical.get(canonical, ())}
        shown = {_key(f) for f in self.visible.get(visible, ())}
        overlap = len(known & shown) / len(known | shown) if known | shown else 0.0
        prefix = 0.1 if visible.startswith(canonical) else 0.0
        return overlap + prefix + 0.1 * difflib.SequenceMatcher(None, _key(canonical), _key(visible)).ratio()

    def _find_field(self, canonical_object: str, canonical_field: str) -> str:
        fields = self.visible.get(self.object(canonical_object))
        if not fields or canonical_field in fields:
            return canonical_field
        if canonical_object not in self._field_maps:
            known = self.canonical.get(canonical_object, frozenset())
            missing = sorted(f for f in known if f not in fields)
            unexplained = sorted(f for f in fields if f not in known)
            self._field_maps[canonical_object] = _assign(
                missing, unexplained, lambda c, v: _field_score(c, v, self._prefixes)
            )
        return self._field_maps[canonical_object].get(canonical_field, canonical_field)
