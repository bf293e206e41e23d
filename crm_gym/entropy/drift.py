"""Schema drift: a seeded rename map over objects and fields, as a CRM's schema drifts between orgs.

A `DriftMap` says which canonical names an episode sees under other names. It is drawn from the schema,
a level and a seed only, so the same seed gives the same map in any process. Applying it at the API boundary
and in the observation is the job of the env; this module only draws the map and rewrites text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Container, Set
from functools import cached_property, lru_cache
from typing import Literal, NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict

from crm_gym.world.schema import Schema

DriftLevel = Literal["none", "low", "medium", "high"]
DRIFT_LEVELS: tuple[DriftLevel, ...] = ("none", "low", "medium", "high")
FIELD_FRACTION: dict[str, float] = {"none": 0.0, "low": 0.1, "medium": 0.3, "high": 0.5}
OBJECT_FRACTION: dict[str, float] = {"none": 0.0, "low": 0.0, "medium": 0.15, "high": 0.3}

# Names an admin would plausibly give the same object in another org.
_OBJECT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "Account": ("Customer", "Company", "Client"),
    "Client": ("Customer", "Account", "Organization"),
    "Contact": ("Person", "CustomerContact", "Stakeholder"),
    "Opportunity": ("Deal", "SalesOpportunity", "Pipeline"),
    "Case": ("Ticket", "SupportCase", "ServiceRequest"),
    "Lead": ("Prospect", "SalesLead", "Inquiry"),
    "Quote": ("Proposal", "Offer", "PriceQuote"),
    "QuoteLineItem": ("ProposalLine", "QuoteLine"),
    "Contract": ("Agreement", "ServiceAgreement"),
    "Product2": ("Product", "CatalogItem", "Sku"),
    "Order": ("PurchaseOrder", "SalesOrder"),
    "OrderItem": ("OrderLine", "PurchaseOrderLine"),
    "User": ("Employee", "Agent", "Rep"),
    "Task": ("Activity", "ToDo"),
    "Event": ("Meeting", "CalendarEvent"),
    "Knowledge__kav": ("Article__kav", "KnowledgeArticle"),
    "Issue__c": ("Problem__c", "KnownIssue__c"),
    "Company": ("Organization", "Firm"),
    "Document": ("Attachment", "File"),
    "Note": ("Comment", "Annotation"),
}

# Word-level synonyms used to rename fields (applied to one word of the field name).
_WORD_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("title", "label"),
    "amount": ("value", "total"),
    "status": ("state", "phase"),
    "stage": ("phase", "step"),
    "description": ("details", "summary"),
    "date": ("on", "day"),
    "owner": ("assignee", "rep"),
    "email": ("mail", "email_address"),
    "phone": ("telephone", "phone_number"),
    "industry": ("sector", "vertical"),
    "priority": ("urgency", "importance"),
    "subject": ("topic", "headline"),
    "probability": ("likelihood", "win_chance"),
    "address": ("location", "street_address"),
    "close": ("closing", "end"),
    "created": ("opened", "logged"),
    "type": ("kind", "category"),
    "body": ("content", "text"),
    "title": ("heading", "job_title"),
    "notes": ("remarks", "comments"),
    "state": ("province", "region"),
    "city": ("town", "municipality"),
    "discount": ("rebate", "markdown"),
    "quantity": ("qty", "units"),
    "price": ("rate", "cost"),
}

_SPLIT = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def is_identifier_like(name: str) -> bool:
    """True for names that read as schema identifiers in prose (snake_case, CamelCase, ...Id), not plain words."""
    return "_" in name or any(ch.isupper() for ch in name[1:]) or name.endswith("Id")


class DriftMap(BaseModel):
    """Canonical -> drifted names for the objects and fields an episode sees renamed.

    A field name is renamed the same way on every object that has it, so free text that mentions it can
    be rewritten without knowing which object it meant.
    """

    model_config = ConfigDict(frozen=True)

    level: DriftLevel
    seed: int
    objects: dict[str, str] = {}
    fields: dict[str, str] = {}
    field_objects: dict[str, tuple[str, ...]] = {}
    data_words: tuple[str, ...] = ()
    """Renamed object names that are also picklist values (the stage "Quote"): prose keeps them, they are data."""

    @property
    def is_identity(self) -> bool:
        """True when nothing is renamed."""
        return not self.objects and not self.fields

    @cached_property
    def fields_by_object(self) -> dict[str, dict[str, str]]:
        """Canonical object -> (canonical -> drifted names of its renamed fields), computed once per map."""
        by_object: dict[str, dict[str, str]] = {}
        for field, new in self.fields.items():
            for owner in self.field_objects.get(field, ()):
                by_object.setdefault(owner, {})[field] = new
        return by_object

    def renamed_fields(self, canonical_object: str) -> dict[str, str]:
        """Canonical -> drifted names of one object's renamed fields."""
        return dict(self.fields_by_object.get(canonical_object, {}))

    def object_name(self, canonical: str) -> str:
        """The name an agent sees for a canonical object."""
        return self.objects.get(canonical, canonical)

    def field_name(self, canonical_object: str, canonical_field: str) -> str:
        """The name an agent sees for a canonical field."""
        return self.fields_by_object.get(canonical_object, {}).get(canonical_field, canonical_field)

    def canonical_object(self, visible: str) -> str | None:
        """The canonical object an agent-visible name stands for (None when it names nothing)."""
        for canonical, drifted in self.objects.items():
            if drifted == visible:
                return canonical
        return None if visible in self.objects else visible

    def canonical_field(self, canonical_object: str, visible: str) -> str | None:
        """The canonical field an agent-visible field name stands for (None when it names nothing)."""
        renamed = self.fields_by_object.get(canonical_object, {})
        for canonical, drifted in renamed.items():
            if drifted == visible:
                return canonical
        return None if visible in renamed else visible

    def rewrite_text(self, text: str, *, prose: bool = False) -> str:
        """Rewrite schema names in free text: ``Object.field`` forms always, bare names when identifier-like.

        Plain words ("name", "Status") are left alone in prose: the task speaks business language and the
        agent must map it onto the drifted schema itself. ``prose=True`` (task texts) also leaves alone the
        renamed object names that are picklist values, which there are data ("deals in the Quote stage").
        """
        if self.is_identity:
            return text
        bare = self.prose_names if prose else self.bare_names

        def replace(qualifier: str | None, name: str, start: int, end: int) -> str:
            if qualifier is None:
                return bare.get(name, name)
            return f"{self.object_name(qualifier)}.{self.field_name(qualifier, name)}"

        return sub_names(text, self.qualifiers, self.rewritten_names, replace)

    @cached_property
    def bare_names(self) -> dict[str, str]:
        """Canonical -> drifted names that `rewrite_text` renames even unqualified (identifier-like ones)."""
        return {k: v for k, v in {**self.objects, **self.fields}.items() if is_identifier_like(k) or k in self.objects}

    @cached_property
    def prose_names(self) -> dict[str, str]:
        """`bare_names` less the data words: what task prose renames unqualified ("the Quote stage" is data)."""
        return {k: v for k, v in self.bare_names.items() if k not in self.data_words}

    @cached_property
    def rewritten_names(self) -> frozenset[str]:
        """Every canonical name `rewrite_text` may rename (bare or qualified)."""
        return frozenset(self.bare_names) | frozenset(self.fields)

    @cached_property
    def qualifiers(self) -> frozenset[str]:
        """The canonical objects that qualify a name in ``Object.field`` forms of `rewrite_text`."""
        return frozenset(self.objects) | {o for owners in self.field_objects.values() for o in owners}


_WORD = re.compile(r"\w+")


_CACHED_TEXT_CHARS = 2_000  # descriptions and prompts; a context with rot passages is longer, and never recurs


def word_set(text: str) -> frozenset[str]:
    """The words of a text; schema descriptions and prompts recur across episodes, so short texts are cached.

    The cache is sized for what recurs (every field and tool description, a suite's prompts): texts unique to an
    episode (rot passages, drifted names) would only fill it, and its memory with it.
    """
    return _cached_word_set(text) if len(text) <= _CACHED_TEXT_CHARS else frozenset(_WORD.findall(text))


@lru_cache(maxsize=4_096)
def _cached_word_set(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text))


def sub_names(
    text: str,
    qualifiers: Container[str],
    names: Set[str],
    replace: Callable[[str | None, str, int, int], str],
) -> str:
    """Replace schema names in ``text``, without compiling a pattern per set of names.

    Schema names are whole words (word characters only). Scanning left to right, a word in ``names``, optionally
    preceded by a word in ``qualifiers`` and a dot, is replaced by ``replace(qualifier or None, name, start,
    end)``, where ``start:end`` is the name's span in ``text``; the replacement covers the qualifier too. This
    is what a regular expression substitution with one alternation per name set does, at a cost per text
    rather than a compilation per set.

    >>> sub_names("see Deal.stage, stage", {"Deal"}, {"stage"}, lambda q, n, s, e: f"<{q}:{n}>")
    'see <Deal:stage>, <None:stage>'
    """
    if names.isdisjoint(word_set(text)):  # most texts name nothing renamed: decided without scanning again
        return text
    words = [m for m in _WORD.finditer(text) if m.group() in names or m.group() in qualifiers]
    out, last, i = [], 0, 0
    while i < len(words):
        word = words[i]
        after = words[i + 1] if i + 1 < len(words) else None
        if (  # the word right after the dot, if it is a candidate at all, is the next candidate
            after is not None
            and word.group() in qualifiers
            and after.start() == word.end() + 1
            and text[word.end()] == "."
            and after.group() in names
        ):
            out += [text[last : word.start()], replace(word.group(), after.group(), after.start(), after.end())]
            last, i = after.end(), i + 2
            continue
        if word.group() in names:
            out += [text[last : word.start()], replace(None, word.group(), word.start(), word.end())]
            last = word.end()
        i += 1
    out.append(text[last:])
    return "".join(out)


def _style_of(name: str) -> str:
    return "snake" if name == name.lower() else "camel"


def _join(words: list[str], style: str, suffix: str) -> str:
    if style == "snake":
        return "_".join(w.lower() for w in words) + suffix
    return "".join(w[:1].upper() + w[1:] for w in words) + suffix


def _rename_candidates(name: str, owner_hint: str) -> tuple[str, ...]:
    """Every drifted name a field may take, in draw order (synonyms of each word, then generic forms)."""
    suffix = "__c" if name.endswith("__c") else ""
    base = name[: -len(suffix)] if suffix else name
    style = _style_of(base)
    words = [w.lower() for w in _SPLIT.findall(base)] or [base.lower()]
    candidates = []
    for i, word in enumerate(words):
        for synonym in _WORD_SYNONYMS.get(word, ()):
            candidates.append(_join([*words[:i], *synonym.split("_"), *words[i + 1 :]], style, suffix))
    candidates.append(_join(["rec", *words], style, suffix))
    candidates.append(_join([owner_hint.lower(), *words], style, suffix))
    candidates.append(_join([*words, "v2"], style, suffix))  # the fallback when every other one is taken
    return tuple(c for c in candidates if c != name)


def _rename_field(field: _FieldPlan, rng: np.random.Generator, renamed: set[str]) -> str:
    candidates = [c for c in field.candidates[:-1] if c not in field.taken and c not in renamed]
    if not candidates:
        return field.candidates[-1]
    return candidates[int(rng.integers(len(candidates)))]


class _FieldPlan(NamedTuple):
    """What drawing a field's new name needs, computed once per schema."""

    owners: tuple[str, ...]
    is_key: bool
    candidates: tuple[str, ...]
    taken: frozenset[str]


def _field_plans(schema: Schema) -> dict[str, _FieldPlan]:
    """Per field name (sorted): its owners, whether it is a key anywhere, its candidate names and names taken."""
    groups: dict[str, list[str]] = {}
    for obj in sorted(schema.objects):
        for field in schema.objects[obj].fields:
            groups.setdefault(field, []).append(obj)
    return {
        field: _FieldPlan(
            owners=tuple(owners),
            is_key=_is_key(schema, field, owners),
            candidates=_rename_candidates(field, owners[0]),
            taken=frozenset(f for o in owners for f in schema.objects[o].fields),
        )
        for field, owners in sorted(groups.items())
    }


def _is_key(schema: Schema, field: str, objects: list[str]) -> bool:
    for name in objects:
        obj = schema.objects[name]
        if field == obj.primary_key or obj.fields[field].type in ("reference", "polymorphic_reference"):
            return True
    return False


def draw_drift(schema: Schema, level: DriftLevel, seed: int) -> DriftMap:
    """Draw the rename map for a schema at a drift level.

    About 0/10/30/50% of all fields are renamed for none/low/medium/high (whole field names at a time,
    so the same name is renamed alike on every object); ids and join keys are renamed only at ``high``;
    object renames start at ``medium``.

    >>> from crm_gym.world.schema import load_schema
    >>> drift = draw_drift(load_schema("arc"), "high", seed=1)
    >>> drift == draw_drift(load_schema("arc"), "high", seed=1)
    True
    >>> draw_drift(load_schema("arc"), "none", seed=1).is_identity
    True
    """
    if level not in FIELD_FRACTION:
        raise ValueError(f"Unknown drift level {level!r}; expected one of {', '.join(DRIFT_LEVELS)}.")
    if FIELD_FRACTION[level] == 0.0 and OBJECT_FRACTION[level] == 0.0:
        return DriftMap(level=level, seed=seed)
    rng = np.random.default_rng([seed, DRIFT_LEVELS.index(level), 0xD21F7])
    names = sorted(schema.objects)
    n_objects = round(OBJECT_FRACTION[level] * len(names))
    chosen = sorted(int(i) for i in rng.choice(len(names), size=n_objects, replace=False)) if n_objects else []
    objects: dict[str, str] = {}
    for index in chosen:
        name = names[index]
        options = [o for o in _OBJECT_SYNONYMS.get(name, ()) if o not in schema.objects and o not in objects.values()]
        objects[name] = options[int(rng.integers(len(options)))] if options else name + "Record"
    plans: dict[str, _FieldPlan] = schema.derived("drift-field-plans", lambda: _field_plans(schema))
    eligible = [f for f, plan in plans.items() if level == "high" or not plan.is_key]
    target = math.ceil(FIELD_FRACTION[level] * sum(len(plan.owners) for plan in plans.values()))
    fields: dict[str, str] = {}
    field_objects: dict[str, tuple[str, ...]] = {}
    renamed_count = 0
    for index in rng.permutation(len(eligible)):
        if renamed_count >= target:
            break
        field = eligible[int(index)]
        plan = plans[field]
        fields[field] = _rename_field(plan, rng, set(fields.values()))
        field_objects[field] = plan.owners
        renamed_count += len(plan.owners)
    values = {v for obj in schema.objects.values() for spec in obj.fields.values() for v in spec.values}
    data_words = tuple(sorted(name for name in objects if name in values))
    return DriftMap(
        level=level, seed=seed, objects=objects, fields=fields, field_objects=field_objects, data_words=data_words
    )
