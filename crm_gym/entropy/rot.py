"""Context rot: seeded near-duplicate distractor records in an episode's org, and distractor passages in its context.

A distractor is a perturbed copy of one of the task's *targets* (the record its required context names, and the
records its gold answer and oracle solution name): a name with a typo, a suffix or swapped words, figures moved by
5-30%, dates moved by days, a sentence of its text changed, its own ids and e-mail addresses.

Distractors are inert by construction, so the gold answer cannot change:

- every optional link is cleared (owner, account, case, order item, issue, related records), and a required link
  points at a look-alike *parent* made the same way, never at a real record; no real record points at a
  distractor, so whatever is computed over the real records' links (cases per agent, sales per rep, products in
  orders, transfers, handle times) sees exactly what it saw before;
- the fields such computations select or group by are set to values none selects (`Recipe.fixed`): users are
  inactive with no department, clients inactive and unowned, cases open, products inactive, accounts without a
  state, leads and quotes without a creation date (rankings group them by owner over a period), knowledge
  articles hidden and marked as superseded drafts.

Name lookups, full-text search and unfiltered scans do meet them: that is the rot. The passages added to the
context are archived or outdated guidelines, clearly dated and marked as no longer in force, and notes about the
distractor records; none states a rule in force, so none contradicts the task's policy.

>>> from crm_gym.tasks.model import AnswerExpectation, GeneratedOrg
>>> task = Task(id="t1", suite="demo", split="test", org=GeneratedOrg(profile="arc", seed=3, scale="tiny"),
...             category="lookup", prompt="Who is the client?",
...             expected=AnswerExpectation(answers=("x",), metric="exact_match", answer_kind="text"))
>>> world = task.build_world()
>>> client = world.rows("Client")[0]["client_id"]
>>> task = task.model_copy(update={"required_context": RequiredContext(record_id=client)})
>>> report = apply_rot(world, task, "low", seed=0)
>>> 1 <= len(report.distractors[client]) <= 2 and not world.diff().created
True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from crm_gym.config import DEFAULT_TODAY
from crm_gym.entropy.perturb import NameStyle, perturb_name, perturb_number, perturb_phone, perturb_text, shift_date
from crm_gym.errors import CrmGymError
from crm_gym.tasks.model import PublicTask, RequiredContext, Task
from crm_gym.world.ddl import quote_ident
from crm_gym.world.ids import is_salesforce_id
from crm_gym.world.models import validate_values
from crm_gym.world.schema import FieldSpec
from crm_gym.world.world import Row, World

RotLevel = Literal["none", "low", "medium", "high"]
ROT_LEVELS: tuple[RotLevel, ...] = ("none", "low", "medium", "high")
# Distractors per target: drawn uniformly from the inclusive range, per target.
DISTRACTORS_PER_TARGET: dict[str, tuple[int, int]] = {"none": (0, 0), "low": (1, 2), "medium": (3, 4), "high": (5, 7)}
PASSAGES_PER_LEVEL: dict[str, int] = {"none": 0, "low": 1, "medium": 2, "high": 3}
# A task naming many records (a long id list, ids inside oracle SQL) rots its first targets only: reset stays cheap.
MAX_TARGETS = 8


@dataclass(frozen=True)
class Recipe:
    """How to make inert near-duplicates of one object's records.

    Attributes:
        name_field: The field that makes a record look like its target (perturbed), or None for records known
            by their figures and dates.
        name_style: How the name is perturbed (see `crm_gym.entropy.perturb.perturb_name`).
        fixed: Values forced on every distractor so that no computation selects it (inactive, unowned, no state).
        archived: Prefix text fields with a "superseded draft" marker (knowledge articles: never a policy in force).
        distinct: Fields given a value no other record has, besides UNIQUE fields and e-mail addresses.
    """

    name_field: str | None
    name_style: NameStyle = "title"
    fixed: Mapping[str, Any] = field(default_factory=dict)
    archived: bool = False
    distinct: tuple[str, ...] = ()


# Objects without a recipe (junctions, line items, history rows) are never targets: they have no look-alike.
RECIPES: dict[str, dict[str, Recipe]] = {
    "arc": {
        "Client": Recipe("name", "company", fixed={"status": "Inactive", "owner": None}),
        "Contact": Recipe("last_name", "person"),
        "Opportunity": Recipe("name", "title", fixed={"owner": None}),
        "Quote": Recipe("quote_prefix", "code"),
        "Contract": Recipe(None),
        "Company": Recipe("name", "company", fixed={"type": None}),
    },
    "crmarena_pro_b2b": {
        "User": Recipe("LastName", "person", fixed={"IsActive": False, "Department": None, "Title": None}),
        "Account": Recipe("Name", "company", fixed={"BillingState": None, "ShippingState": None}),
        "Contact": Recipe("LastName", "person"),
        "Contract": Recipe(None),
        # Leads and quotes are ranked per owner over their creation date; grouping by owner keeps a group for
        # unowned rows, so these carry no creation date and enter no period at all.
        "Lead": Recipe("LastName", "person", fixed={"IsConverted": False, "ConvertedDate": None, "CreatedDate": None}),
        "Opportunity": Recipe("Name", "title"),
        "Quote": Recipe("Name", "title", fixed={"CreatedDate": None}),
        "Case": Recipe("Subject", "title", fixed={"Status": "New", "ClosedDate": None}),
        "Knowledge__kav": Recipe("Title", "title", fixed={"IsVisibleInPkb": False}, archived=True),
        "Issue__c": Recipe("Name", "title"),
        "EmailMessage": Recipe("Subject", "title", fixed={"ToIds": None}),
        "LiveChatTranscript": Recipe(None),
        "Product2": Recipe(
            "Name", "title", fixed={"IsActive": False, "External_ID__c": None}, distinct=("ProductCode",)
        ),
        "Pricebook2": Recipe("Name", "title", fixed={"IsActive": False, "IsStandard": False}),
        "ProductCategory": Recipe("Name", "title"),
        "Order": Recipe(None, fixed={"Status": "Draft"}),
        "Task": Recipe("Subject", "title"),
        "Event": Recipe("Subject", "title"),
        "VoiceCallTranscript__c": Recipe(None),
        "Territory2": Recipe("Name", "title", fixed={"Description": None}),  # its text lists the states it covers
    },
}

# Rules that were never in force in these orgs; passages always present them as archived or outdated.
_OLD_RULES: dict[str, tuple[str, ...]] = {
    "crmarena_pro_b2b": (
        "quote lines discounted above {pct}% needed a regional director's sign-off.",
        "a lead counted as qualified once a budget above ${amount:,} was mentioned on any call.",
        "refund requests were accepted up to {days} days after delivery.",
        "new cases went to whichever agent had opened the fewest cases that week.",
        "goodwill credits up to ${small:,} could be granted without a manager.",
        "an opportunity moved to Negotiation as soon as its first quote was sent.",
    ),
    "arc": (
        "quotes above ${amount:,} needed a second approver before they were sent.",
        "deals in Negotiation had to carry a probability of at least {pct}%.",
        "signed contracts were uploaded as scanned images only.",
        "prospects without activity for {days} days were set to Inactive every quarter.",
        "every new opportunity started in Qualification, never in Prospecting.",
    ),
}
_REMARKS = (
    "It was re-checked during a yearly data clean-up.",
    "Its details were imported in bulk from the legacy CRM.",
    "Its contact details were updated by the data team.",
    "It was reviewed in a pipeline audit; nothing was changed.",
)
_UUID = re.compile(r"\b[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\b")
_SALESFORCE_ID = re.compile(r"\b[A-Za-z0-9]{18}\b")


class RotReport(BaseModel):
    """What `apply_rot` added: the distractors of each target, their parents, and the context passages.

    Attributes:
        level: The rot level.
        seed: The seed the distractors and passages were drawn from.
        distractors: Target id -> the ids of its near-duplicates, in creation order.
        parents: Look-alike parents the distractors' required links point at (distractors too).
        objects: Object name of every target, distractor and parent id.
        passages: Text passages for the context (`rot_context` appends them).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    level: RotLevel
    seed: int
    distractors: dict[str, tuple[str, ...]] = {}
    parents: tuple[str, ...] = ()
    objects: dict[str, str] = {}
    passages: tuple[str, ...] = ()

    @property
    def distractor_ids(self) -> tuple[str, ...]:
        """Every record rot added: the near-duplicates, then their parents."""
        return (*itertools.chain.from_iterable(self.distractors.values()), *self.parents)


# -- targets ----------------------------------------------------------------------------------------------


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, Iterable):
        for item in value:
            yield from _strings(item)


def _task_strings(task: Task) -> list[str]:
    """The record id of the context, every string of the expected outcome, every string of the oracle's calls."""
    calls = [call.args for call in task.oracle.calls] if task.oracle else []
    return [task.required_context.record_id or "", *_strings(task.expected.model_dump()), *_strings(calls)]


def _object_of(world: World, record_id: str) -> str | None:
    recipes = RECIPES.get(world.schema.profile, {})
    if world.schema.id_style == "salesforce":
        name = world.schema.object_for_id_prefix(record_id)
        candidates = [name] if name in recipes else []
    else:
        candidates = list(recipes)
    return next((name for name in candidates if world.exists(name, record_id)), None)


def rot_targets(world: World, task: Task) -> list[tuple[str, str]]:
    """The task's records that get look-alikes, as (object, id), in a fixed order, at most `MAX_TARGETS`.

    The record named in the required context comes first, then the ids in the expected outcome (gold answers,
    asserted records), then the ids inside the oracle's call arguments (SQL included). Ids of objects without a
    `Recipe`, or not in ``world``, are skipped.
    """
    pattern = _SALESFORCE_ID if world.schema.id_style == "salesforce" else _UUID
    seen: set[str] = set()
    targets: list[tuple[str, str]] = []
    for text in _task_strings(task):
        for token in pattern.findall(text):
            if token in seen or (world.schema.id_style == "salesforce" and not is_salesforce_id(token)):
                continue
            seen.add(token)
            name = _object_of(world, token)
            if name is not None:
                targets.append((name, token))
                if len(targets) == MAX_TARGETS:
                    return targets
    return targets


# -- distractors ------------------------------------------------------------------------------------------


def _today(world: World) -> dt.date:
    return dt.date.fromisoformat(world.today() or DEFAULT_TODAY)


class _Builder:
    """Inserts near-duplicates of records, with look-alike parents for their required links."""

    def __init__(self, world: World, rng: np.random.Generator, reserved: set[str]) -> None:
        self.world, self.rng, self.reserved = world, rng, reserved
        self.recipes = RECIPES.get(world.schema.profile, {})
        self.today = _today(world)
        self.parents: dict[tuple[str, str], str] = {}
        self.objects: dict[str, str] = {}
        self.names: dict[str, str] = {}  # distractor id -> the name it shows (for passages)

    def near_duplicate(self, object_name: str, row: Row) -> str:
        obj = self.world.schema.object(object_name)
        recipe = self.recipes.get(object_name)
        if recipe is None:
            known = ", ".join(sorted(self.recipes))
            raise CrmGymError(f"Context rot has no recipe for {object_name!r}; objects with one: {known}.")
        days = self._date_shift(obj.fields, row, recipe)
        values: dict[str, Any] = {}
        for name, spec in obj.fields.items():
            if name != obj.primary_key:
                values[name] = self._value(object_name, name, spec, row[name], recipe, days)
        record_id = self.world.insert(object_name, validate_values(self.world.schema, object_name, values))
        self.objects[record_id] = object_name
        self.names[record_id] = str(values[recipe.name_field]) if recipe.name_field else object_name
        return record_id

    def _value(self, object_name: str, name: str, spec: FieldSpec, value: Any, recipe: Recipe, days: int) -> Any:
        if name in recipe.fixed:
            return recipe.fixed[name]
        if spec.type in ("reference", "polymorphic_reference"):
            return self._link(spec, value)
        if value is None:
            return None
        if name == recipe.name_field:
            return perturb_name(value, recipe.name_style, self.rng, spec.max_length)
        if spec.unique or spec.type == "email" or name in recipe.distinct:
            return self._distinct(object_name, name, value, spec)
        if spec.type == "text":
            text = perturb_text(value, self.rng)
            return self._archived(text) if recipe.archived else text
        if spec.type == "number":
            low = spec.min if spec.min is not None else spec.exclusive_min
            return perturb_number(float(value), self.rng, low, spec.max)
        if spec.type in ("date", "datetime"):
            return shift_date(value, days)
        if spec.type == "phone":
            return perturb_phone(value, self.rng)
        return value

    def _date_shift(self, fields: Mapping[str, FieldSpec], row: Row, recipe: Recipe) -> int:
        """One shift for all of a record's dates (their order is kept); never past today for a past date."""
        days = int(self.rng.integers(1, 46)) * (1 if self.rng.integers(2) else -1)
        dates = [
            row[n] for n, s in fields.items() if s.type in ("date", "datetime") and row[n] and n not in recipe.fixed
        ]
        today = self.today.isoformat()
        if any(v[:10] <= today < shift_date(v, days)[:10] for v in dates):
            days = -abs(days)
        return days

    def _link(self, spec: FieldSpec, value: Any) -> str | None:
        if value is None or not spec.required:
            return None
        if spec.type != "reference" or spec.to is None:
            raise CrmGymError("Context rot cannot copy a required polymorphic link; give such objects no recipe.")
        key = (spec.to, value)
        if key not in self.parents:
            parent = self.world.get(spec.to, value)
            if parent is None:
                raise CrmGymError(f"{spec.to} {value!r} does not exist; the world's references are broken.")
            self.parents[key] = self.near_duplicate(spec.to, parent)
        return self.parents[key]

    def _distinct(self, object_name: str, name: str, value: str, spec: FieldSpec) -> str:
        """``value`` with a number added (``info@x.com`` -> ``info3@x.com``), unused by any record or the task."""
        local, at, domain = value.rpartition("@") if "@" in value else (value, "", "")
        limit = spec.max_length or 10_000
        k = int(self.rng.integers(2, 10))
        sql = f"SELECT 1 FROM {quote_ident(object_name)} WHERE lower({quote_ident(name)}) = lower(?) LIMIT 1"
        while True:
            suffix = str(k) if at else f"-{k}"
            candidate = f"{local[: limit - len(suffix) - len(at + domain)]}{suffix}{at}{domain}"
            if candidate.lower() not in self.reserved and not self.world.conn.execute(sql, (candidate,)).fetchone():
                return candidate
            k += 1

    def _archived(self, text: str) -> str:
        year = self.today.year - int(self.rng.integers(2, 6))
        return f"Archived draft, superseded in {year} and kept for reference only; it is not in force. {text}"


def _stable_int(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def apply_rot(world: World, task: Task, level: RotLevel, seed: int) -> RotReport:
    """Add seeded near-duplicate distractors of the task's targets to ``world`` (the episode's copy of the org).

    Per target, low adds 1-2 distractors, medium 3-4, high 5-7; "none" changes nothing. Every row is validated
    and inserted in one savepoint; the baseline is marked afterwards, so the episode's diff excludes them.
    Same world, task, level and seed: the same rows, byte for byte.

    Args:
        world: The episode's world; modified in place.
        task: The task whose targets get look-alikes (see `rot_targets`).
        level: "none", "low", "medium" or "high".
        seed: Drives every choice (how many, which perturbation, the passages).
    """
    if level not in DISTRACTORS_PER_TARGET:
        raise ValueError(f"Unknown rot level {level!r}; expected one of {', '.join(ROT_LEVELS)}.")
    if level == "none":
        return RotReport(level=level, seed=seed)
    rng = np.random.default_rng([seed, ROT_LEVELS.index(level), _stable_int(task.id), 0x207])
    low, high = DISTRACTORS_PER_TARGET[level]
    builder = _Builder(world, rng, {s.lower() for s in _task_strings(task)})
    distractors: dict[str, tuple[str, ...]] = {}
    targets: dict[str, str] = {}
    with world.atomic():
        for object_name, record_id in rot_targets(world, task):
            row = world.get(object_name, record_id)
            assert row is not None  # rot_targets only returns existing records
            n = int(rng.integers(low, high + 1))
            distractors[record_id] = tuple(builder.near_duplicate(object_name, row) for _ in range(n))
            targets[record_id] = object_name
    world.mark_baseline()
    near = [d for ds in distractors.values() for d in ds]
    notes = [(builder.objects[d], d, builder.names[d]) for d in near]
    return RotReport(
        level=level,
        seed=seed,
        distractors=distractors,
        parents=tuple(builder.parents.values()),
        objects={**targets, **builder.objects},
        passages=_passages(world.schema.profile, notes, PASSAGES_PER_LEVEL[level], builder.today, rng),
    )


# -- passages ---------------------------------------------------------------------------------------------


def _passages(
    profile: str, notes: list[tuple[str, str, str]], n: int, today: dt.date, rng: np.random.Generator
) -> tuple[str, ...]:
    """``n`` passages: archived or outdated guidelines, and notes about distractor records."""
    rules = _OLD_RULES.get(profile, _OLD_RULES["arc"])
    order = [int(i) for i in rng.permutation(len(rules))]
    passages = []
    for i in range(n):
        kind = int(rng.integers(3 if notes else 2))
        years_ago = int(rng.integers(2, 6))
        numbers = {
            "pct": int(rng.integers(5, 40)),
            "amount": int(rng.integers(2, 50)) * 10_000,
            "days": int(rng.integers(14, 90)),
            "small": int(rng.integers(2, 20)) * 50,
        }
        rule = rules[order[i % len(rules)]].format(**numbers)
        if kind == 0:
            passages.append(
                f"Archived guideline (superseded in {today.year - years_ago}; kept for the record, it no longer "
                f"applies): {rule[0].upper()}{rule[1:]}"
            )
        elif kind == 1:
            until = dt.date(today.year - years_ago, int(rng.integers(1, 13)), 1)
            passages.append(f"Outdated guideline, in force until {until:%B %Y} and replaced since: {rule}")
        else:
            object_name, record_id, name = notes[int(rng.integers(len(notes)))]
            when = today - dt.timedelta(days=int(rng.integers(60, 900)))
            remark = _REMARKS[int(rng.integers(len(_REMARKS)))]
            passages.append(f"Team note of {when.isoformat()} on {object_name} {record_id} ({name}): {remark}")
    return tuple(passages)


def rot_context(public_view: PublicTask, report: RotReport) -> PublicTask:
    """The public view with the report's passages appended to the required context's policy text.

    The passages follow the policy, each in its own paragraph, and present old rules only as archived or
    outdated, so the policy in force is unchanged; with no passages the view is returned as it is.
    """
    if not report.passages:
        return public_view
    policy = public_view.required_context.policy
    text = "\n\n".join([policy, *report.passages] if policy else report.passages)
    context = RequiredContext(policy=text, record_id=public_view.required_context.record_id)
    return public_view.model_copy(update={"required_context": context})


def distractor_hits(report: RotReport, texts: Iterable[str]) -> list[str]:
    """The distractor ids (report order) that appear in ``texts``: the agent's tool calls or answer.

    UUIDs match in any case; Salesforce ids match case-sensitively, in their 18- or 15-character form.
    """
    haystack = "\n".join(texts)
    lowered = haystack.lower()
    hits = []
    for record_id in report.distractor_ids:
        if _UUID.fullmatch(record_id):
            found = record_id.lower() in lowered
        else:
            found = record_id[:15] in haystack if len(record_id) == 18 else record_id in haystack
        if found:
            hits.append(record_id)
    return hits
