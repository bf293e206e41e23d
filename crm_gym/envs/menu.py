"""`ToolMenu`: a `CrmArenaEnv` seen through a fixed-size feature vector and a `Discrete` menu of candidate actions.

The menu is built from what the agent has seen: the record ids in the task's context and in tool results, the
objects the prompt names and the options it quotes. For each entity: "answer with it", "get it", "list the
records that reference it" (one slot per reference field that can point at its object); for the entities of
the context also "list the records two references away" (e.g. a contact's order lines through its orders), with
the referenced records joined in. Plus "list the records of an object the prompt names", "answer with an option
quoted in the prompt" and "answer None". Nothing in the menu comes from the task's gold or oracle.

Candidates are told apart by per-entity features relative to the prompt: the share of the prompt's words found
in the result rows that mention the entity, whether those rows hold a date the prompt names (``N days ago`` is
resolved against the context's "Today's date"), whether the prompt names the entity's object. Entity slots are
ordered by that evidence (a fixed, gold-free ranking), so "answer the first entity" means "answer the best
supported candidate". Under schema drift the menu's calls are sent under the episode's drifted names (the menu is
the action interface; the policy never sees names, only features). ``action_masks()`` serves sb3-contrib's
``MaskablePPO``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zlib
from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from crm_gym.entropy.drifted_api import DriftedApi
from crm_gym.envs.arguments import check_keywords
from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.errors import CrmGymError
from crm_gym.world.schema import Schema

SUPPORTED_SUITES = ("crmarena_pro",)
ENTITY_SLOTS = 12
RELATED_SLOTS = 4
TWO_HOP_SLOTS = 24
OBJECT_SLOTS = 3
OPTION_SLOTS = 6
PROMPT_BUCKETS = 128
RESULT_BUCKETS = 64
LIST_LIMIT = 20
ANSWER_NONE_SLOT = 0
FIRST_ENTITY_SLOT = 1 + OPTION_SLOTS + OBJECT_SLOTS + TWO_HOP_SLOTS
ENTITY_FEATURES = (
    "from_context",
    "in_last_result",
    "row_share",
    "first_row",
    "prompt_overlap",
    "date_match",
    "object_named",
)

_SF_ID = re.compile(r"\b[A-Za-z0-9]{18}\b")
_QUOTED = re.compile(r"'([^'\n]{1,40})'")
_WORD = re.compile(r"[a-z0-9]+")
_CAMEL = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_DAYS_AGO = re.compile(r"\b(\d{1,4}) days? ago\b", re.IGNORECASE)
_TODAY = re.compile(r"Today's date: (\d{4}-\d{2}-\d{2})")
_SHORT_WORDS = 3  # words this short ("the", "id", "of") carry no evidence


@dataclass(frozen=True)
class MenuItem:
    """One menu slot: the env action it stands for (canonical schema names) and a short label."""

    label: str
    action: dict[str, Any]


@dataclass
class Entity:
    """A record id the agent has seen, with the evidence of the latest result that mentioned it."""

    record_id: str
    obj: str
    from_context: bool
    order: int
    in_last_result: bool = False
    row_share: float = 0.0
    first_row: float = 0.0
    prompt_overlap: float = 0.0
    date_match: bool = False
    object_named: bool = False

    def rank_key(self) -> tuple:
        """Best supported first: found (not given), object named by the prompt, a prompt date, prompt words."""
        return (
            self.from_context,
            not self.object_named,
            not self.date_match,
            -round(self.prompt_overlap, 6),
            not self.in_last_result,
            self.order,
        )

    def features(self) -> list[float]:
        """The entity's evidence as numbers, in `ENTITY_FEATURES` order (see the module docstring)."""
        return [
            float(self.from_context),
            float(self.in_last_result),
            self.row_share,
            self.first_row,
            self.prompt_overlap,
            float(self.date_match),
            float(self.object_named),
        ]


def _bag_of_words(text: str, buckets: int) -> np.ndarray:
    """Hashed bag of words (crc32, so stable across processes), log-scaled counts."""
    counts = np.zeros(buckets, dtype=np.float32)
    for word in _WORD.findall(text.lower()):
        counts[zlib.crc32(word.encode()) % buckets] += 1.0
    return np.log1p(counts)


def _object_words(name: str) -> set[str]:
    """The words of an object's API name: ``Knowledge__kav`` -> {"knowledge"}, ``Product2`` -> {"product"}."""
    base = name.split("__")[0]
    return {w.lower() for w in _CAMEL.findall(base) if not w.isdigit()}


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if len(w) > _SHORT_WORDS}


def _result_rows(text: str) -> list[str]:
    """A tool result as one text per row (query rows, listed records, or the whole result)."""
    try:
        output = json.loads(text)
    except ValueError:
        return [text]
    if isinstance(output, dict) and isinstance(output.get("rows"), list):
        return [json.dumps(row, default=str) for row in output["rows"]]
    if isinstance(output, list):
        return [json.dumps(row, default=str) for row in output]
    return [text]


def _prompt_dates(prompt: str, context: str) -> set[str]:
    """ISO dates the prompt names, with ``N days ago`` resolved against the context's "Today's date"."""
    dates = set(_ISO_DATE.findall(prompt))
    today = _TODAY.search(context)
    if today:
        base = dt.date.fromisoformat(today.group(1))
        dates |= {(base - dt.timedelta(days=int(n))).isoformat() for n in _DAYS_AGO.findall(prompt)}
    return dates


class ToolMenu(gym.Wrapper):
    """Turn `CrmArenaEnv` (text in, JSON actions out) into a vector observation and a ``Discrete`` action menu.

    Observation (``Box`` float32): hashed bag of words of the prompt and context and of the last result; the
    step fraction, invalid-call fraction, progress, whether the last call failed, how many entities are
    known; per entity slot the one-hot object type and its evidence features; which menu slots are valid.
    Action: ``Discrete(K)``. Layout: "answer None", quoted options, object lists, two-hop lists of context
    entities, then per entity slot "answer", "get" and ``RELATED_SLOTS`` reference lists.
    ``info["menu_action"]`` holds the env action a slot stood for (under the episode's drifted names).
    """

    def __init__(self, env: CrmArenaEnv) -> None:
        """Wrap a `CrmArenaEnv` over crmarena_pro question tasks (ids carry their object's key prefix)."""
        super().__init__(env)
        base: CrmArenaEnv = env.unwrapped
        suites = sorted({t.suite for t in base.tasks.values()})
        if any(s not in SUPPORTED_SUITES for s in suites):
            raise CrmGymError(
                f"ToolMenu supports the suites {SUPPORTED_SUITES} (question tasks answered with a seen id, a quoted "
                f"option or None), got {suites}; arc workflow tasks need write calls the menu does not build: "
                "use CrmArena-v0 for them."
            )
        self._schema: Schema = base._fresh_world(next(iter(base.tasks.values()))).schema
        self._objects = list(self._schema.objects)
        self._children = self._reference_index()
        self._max_steps = base.max_steps
        self.n_actions = FIRST_ENTITY_SLOT + ENTITY_SLOTS * (2 + RELATED_SLOTS)
        self.action_space = spaces.Discrete(self.n_actions)
        per_entity = len(self._objects) + len(ENTITY_FEATURES)
        size = PROMPT_BUCKETS + RESULT_BUCKETS + 5 + ENTITY_SLOTS * per_entity + self.n_actions
        self.observation_space = spaces.Box(0.0, np.inf, shape=(size,), dtype=np.float32)
        self._menu: list[MenuItem | None] = [None] * self.n_actions

    def _reference_index(self) -> dict[str, list[tuple[str, str]]]:
        """For each object, the (child object, field) pairs whose reference can point at it, in schema order."""
        index: dict[str, list[tuple[str, str]]] = {name: [] for name in self._objects}
        for child, spec in self._schema.objects.items():
            for field_name, spec_field in spec.fields.items():
                targets = (spec_field.to,) if spec_field.type == "reference" else spec_field.targets
                for target in targets or ():
                    if target in index:
                        index[target].append((child, field_name))
        return index

    # -- episode ------------------------------------------------------------------------------------------

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        """Reset the wrapped env and build the first menu from the task's context."""
        observation, info = self.env.reset(seed=seed, options=options)
        prompt = observation["prompt"]
        self._prompt_text = f"{prompt}\n{observation['context']}"
        self._prompt_bag = _bag_of_words(self._prompt_text, PROMPT_BUCKETS)
        self._prompt_words = _content_words(prompt)
        self._dates = _prompt_dates(prompt, observation["context"])
        self._named = {
            o for o in self._objects if _object_words(o) and _object_words(o) <= set(_WORD.findall(prompt.lower()))
        }
        self._entities: dict[str, Entity] = {}
        self._add_entities([self._prompt_text], from_context=True)
        self._options = list(dict.fromkeys(_QUOTED.findall(prompt)))[:OPTION_SLOTS]
        self._listable = [o for o in self._objects if o in self._named][:OBJECT_SLOTS]
        self._last_failed = False
        return self._encode(observation, info), info

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Play the menu slot ``action`` (an invalid slot is sent as a malformed action and penalised)."""
        slot = int(action)
        item = self._menu[slot] if 0 <= slot < self.n_actions else None
        env_action = self._drifted(item.action) if item is not None else {"menu_slot": slot}
        observation, reward, terminated, truncated, info = self.env.step(env_action)
        self._last_failed = info["tool_error"] is not None
        for entity in self._entities.values():
            entity.in_last_result = False
        if not self._last_failed and "tool" in env_action:
            self._add_entities(_result_rows(observation["last_result"]), from_context=False)
        info = {**info, "menu_action": env_action}
        return self._encode(observation, info), float(reward), terminated, truncated, info

    def _drifted(self, action: dict[str, Any]) -> dict[str, Any]:
        """The menu's canonical call under the episode's drifted names (answers pass unchanged)."""
        api = self.env.unwrapped._api
        if "tool" not in action or not isinstance(api, DriftedApi):
            return action
        tool, args = api.translate_call(action["tool"], action["args"])
        return {"tool": tool, "args": args}

    def action_masks(self) -> np.ndarray:
        """The valid menu slots (bool, shape ``(K,)``); "answer None" is always valid."""
        return np.array([item is not None for item in self._menu], dtype=bool)

    # -- entities and their evidence ----------------------------------------------------------------------

    def _add_entities(self, rows: list[str], from_context: bool) -> None:
        """Record the ids in ``rows`` and refresh their evidence from these rows."""
        mentions: dict[str, list[int]] = {}
        for index, row in enumerate(rows):
            for record_id in _SF_ID.findall(row):
                obj = self._schema.object_for_id_prefix(record_id)
                if obj is not None and any(c.isdigit() for c in record_id):
                    mentions.setdefault(record_id, [])
                    if index not in mentions[record_id]:
                        mentions[record_id].append(index)
        for record_id, indices in mentions.items():
            entity = self._entities.get(record_id)
            if entity is None:
                obj = self._schema.object_for_id_prefix(record_id)
                entity = Entity(record_id, obj, from_context, len(self._entities), object_named=obj in self._named)
                self._entities[record_id] = entity
            texts = [rows[i] for i in indices]
            entity.in_last_result = not from_context
            entity.row_share = len(indices) / len(rows)
            entity.first_row = indices[0] / len(rows)
            overlaps = [len(self._prompt_words & _content_words(t)) for t in texts]
            entity.prompt_overlap = max(overlaps) / max(1, len(self._prompt_words)) if not from_context else 0.0
            entity.date_match = not from_context and any(d in t for d in self._dates for t in texts)

    def _ranked(self) -> list[Entity]:
        return sorted(self._entities.values(), key=Entity.rank_key)[:ENTITY_SLOTS]

    # -- menu and features --------------------------------------------------------------------------------

    def _build_menu(self, ranked: list[Entity]) -> list[MenuItem | None]:
        menu: list[MenuItem | None] = [MenuItem("answer None", {"answer": "None"})]
        menu += _padded([MenuItem(f"answer {o!r}", {"answer": o}) for o in self._options], OPTION_SLOTS)
        menu += _padded([self._list_item(o) for o in self._listable], OBJECT_SLOTS)
        context = sorted((e for e in self._entities.values() if e.from_context), key=lambda e: e.order)
        menu += _padded([item for e in context for item in self._two_hop_items(e)], TWO_HOP_SLOTS)
        for i in range(ENTITY_SLOTS):
            if i >= len(ranked):
                menu += [None] * (2 + RELATED_SLOTS)
                continue
            record_id, obj = ranked[i].record_id, ranked[i].obj
            menu.append(MenuItem(f"answer {record_id}", {"answer": record_id}))
            menu.append(MenuItem(f"get {obj} {record_id}", {"tool": "get", "args": {"object": obj, "id": record_id}}))
            related = [self._related_item(child, ref, record_id) for child, ref in self._children[obj]]
            menu += _padded(related[:RELATED_SLOTS], RELATED_SLOTS)
        return menu

    def _list_item(self, obj: str) -> MenuItem:
        key = self._schema.objects[obj].primary_key
        sql = f'SELECT * FROM "{obj}" ORDER BY "{key}" LIMIT {LIST_LIMIT}'
        return MenuItem(f"list {obj}", {"tool": "query", "args": {"sql": sql}})

    def _related_item(self, child: str, ref: str, record_id: str) -> MenuItem:
        sql = f'SELECT * FROM "{child}" WHERE "{ref}" = \'{record_id}\' LIMIT {LIST_LIMIT}'
        return MenuItem(f"{child}.{ref} = {record_id}", {"tool": "query", "args": {"sql": sql}})

    def _two_hop_items(self, entity: Entity) -> list[MenuItem]:
        """Records two references away from ``entity``, each row with its middle record and referenced records."""
        items = []
        for middle, middle_ref in self._children[entity.obj]:
            for child, child_ref in self._children[middle]:
                if child == entity.obj:
                    continue
                items.append(self._two_hop_item(entity.record_id, middle, middle_ref, child, child_ref))
        return items

    def _two_hop_item(self, record_id: str, middle: str, middle_ref: str, child: str, child_ref: str) -> MenuItem:
        spec = self._schema.objects[child]
        middle_key = self._schema.objects[middle].primary_key
        joins, columns = [], ["c.*", "m.*"]
        for i, (name, ref_field) in enumerate(spec.fields.items()):
            target = ref_field.to if ref_field.type == "reference" else None
            if target is None or target == middle or target not in self._schema.objects:
                continue
            target_key = self._schema.objects[target].primary_key
            joins.append(f'LEFT JOIN "{target}" r{i} ON r{i}."{target_key}" = c."{name}"')
            columns.append(f"r{i}.*")
        sql = (
            f'SELECT {", ".join(columns)} FROM "{child}" c JOIN "{middle}" m ON c."{child_ref}" = m."{middle_key}" '
            f"{' '.join(joins)} WHERE m.\"{middle_ref}\" = '{record_id}' LIMIT {LIST_LIMIT}"
        )
        label = f"{child}.{child_ref} -> {middle}.{middle_ref} = {record_id}"
        return MenuItem(label, {"tool": "query", "args": {"sql": sql}})

    def _encode(self, observation: dict[str, Any], info: dict[str, Any]) -> np.ndarray:
        ranked = self._ranked()
        self._menu = self._build_menu(ranked)
        n_objects = len(self._objects)
        entities = np.zeros((ENTITY_SLOTS, n_objects + len(ENTITY_FEATURES)), dtype=np.float32)
        for i, entity in enumerate(ranked):
            entities[i, self._objects.index(entity.obj)] = 1.0
            entities[i, n_objects:] = entity.features()
        scalars = np.array(
            [
                observation["step"] / self._max_steps,
                observation["invalid_calls"] / self._max_steps,
                float(info["progress"]),
                float(self._last_failed),
                len(self._entities) / ENTITY_SLOTS,
            ],
            dtype=np.float32,
        )
        return np.concatenate(
            [
                self._prompt_bag,
                _bag_of_words(observation["last_result"], RESULT_BUCKETS),
                scalars,
                entities.ravel(),
                self.action_masks().astype(np.float32),
            ]
        )

    def entity_features(self, observation: np.ndarray, rank: int) -> dict[str, float]:
        """Read the evidence features of the entity ranked ``rank`` back from an observation of this env."""
        per_entity = len(self._objects) + len(ENTITY_FEATURES)
        start = PROMPT_BUCKETS + RESULT_BUCKETS + 5 + rank * per_entity + len(self._objects)
        return dict(zip(ENTITY_FEATURES, observation[start : start + len(ENTITY_FEATURES)].tolist(), strict=True))

    def menu_labels(self) -> list[str | None]:
        """The current menu as labels (None for an empty slot): for rendering and debugging."""
        return [item.label if item else None for item in self._menu]


def _padded(items: list[MenuItem], size: int) -> list[MenuItem | None]:
    return (items + [None] * size)[:size]


def make_menu_env(**kwargs: Any) -> ToolMenu:
    """Build `CrmArenaEnv(**kwargs)` wrapped in `ToolMenu` (the ``CrmArena-Menu-v0`` entry point)."""
    from crm_gym.envs.registration import ENV_ARGUMENTS  # registration imports the envs

    check_keywords(kwargs, ENV_ARGUMENTS, "CrmArena-Menu-v0 argument")
    kwargs.setdefault("max_steps", 3)
    return ToolMenu(CrmArenaEnv(**kwargs))
