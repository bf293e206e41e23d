"""`ToolMenu`: a `CrmArenaEnv` seen through a fixed-size feature vector and a `Discrete` menu of candidate actions.

The menu is built from the entities (record ids) seen so far in the task's context and in tool results: for each
entity, "answer with it", "get it" and "list the records that reference it" (one slot per reference field that
can point at its object); plus "list the records of an object the prompt names", "answer with an option quoted
in the prompt" and "answer None". Nothing in the menu comes from the task's gold or oracle. ``action_masks()``
gives the valid slots for sb3-contrib's ``MaskablePPO``.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.world.schema import Schema

ENTITY_SLOTS = 24
RELATED_SLOTS = 4
OBJECT_SLOTS = 3
OPTION_SLOTS = 6
PROMPT_BUCKETS = 128
RESULT_BUCKETS = 64
LIST_LIMIT = 20
ANSWER_NONE_SLOT = 0

_SF_ID = re.compile(r"\b[A-Za-z0-9]{18}\b")
_QUOTED = re.compile(r"'([^'\n]{1,40})'")
_WORD = re.compile(r"[a-z0-9]+")
_CAMEL = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


@dataclass(frozen=True)
class MenuItem:
    """One menu slot: the env action it stands for and a short label."""

    label: str
    action: dict[str, Any]


def _bag_of_words(text: str, buckets: int) -> np.ndarray:
    """Hashed bag of words (crc32, so stable across processes), log-scaled counts."""
    counts = np.zeros(buckets, dtype=np.float32)
    for word in _WORD.findall(text.lower()):
        counts[zlib.crc32(word.encode()) % buckets] += 1.0
    return np.log1p(counts)


def _object_words(name: str) -> set[str]:
    """The words of an object's API name: ``Knowledge__kav`` -> {"knowledge"}, ``OrderItem`` -> {"order", "item"}."""
    base = name.split("__")[0]
    return {w.lower() for w in _CAMEL.findall(base)}


class ToolMenu(gym.Wrapper):
    """Turn `CrmArenaEnv` (text in, JSON actions out) into a vector observation and a ``Discrete`` action menu.

    Observation (``Box`` float32): hashed bag of words of the prompt and context and of the last result; the
    step fraction, invalid-call fraction, progress, whether the last call failed; per entity slot the one-hot
    object type and whether it came from the context; which menu slots are valid. Action: ``Discrete(K)``,
    K = 1 + OPTION_SLOTS + OBJECT_SLOTS + ENTITY_SLOTS * (2 + RELATED_SLOTS). ``info["menu_action"]`` holds
    the env action a slot stood for. The menu uses the canonical schema names (meant for ``drift_level="none"``;
    under drift its calls fail visibly with the env's error observation).
    """

    def __init__(self, env: CrmArenaEnv) -> None:
        """Wrap a `CrmArenaEnv` over a Salesforce-style profile (ids carry their object's key prefix)."""
        super().__init__(env)
        base: CrmArenaEnv = env.unwrapped
        self._schema: Schema = base._fresh_world(next(iter(base.tasks.values()))).schema
        self._objects = list(self._schema.objects)
        self._children = self._reference_index()
        self._max_steps = base.max_steps
        self.n_actions = 1 + OPTION_SLOTS + OBJECT_SLOTS + ENTITY_SLOTS * (2 + RELATED_SLOTS)
        self.action_space = spaces.Discrete(self.n_actions)
        size = PROMPT_BUCKETS + RESULT_BUCKETS + 4 + ENTITY_SLOTS * (len(self._objects) + 1) + self.n_actions
        self.observation_space = spaces.Box(0.0, np.inf, shape=(size,), dtype=np.float32)
        self._menu: list[MenuItem | None] = [None] * self.n_actions

    def _reference_index(self) -> dict[str, list[tuple[str, str]]]:
        """For each object, the (child object, field) pairs whose reference can point at it, in schema order."""
        index: dict[str, list[tuple[str, str]]] = {name: [] for name in self._objects}
        for child, spec in self._schema.objects.items():
            for field_name, field in spec.fields.items():
                targets = (field.to,) if field.type == "reference" else field.targets
                for target in targets or ():
                    if target in index:
                        index[target].append((child, field_name))
        return index

    # -- episode ------------------------------------------------------------------------------------------

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        """Reset the wrapped env and build the first menu from the task's context."""
        observation, info = self.env.reset(seed=seed, options=options)
        context = f"{observation['prompt']}\n{observation['context']}"
        self._prompt_text = context
        self._entities: list[tuple[str, str, bool]] = []  # (id, object, from context)
        self._add_entities(context, from_context=True)
        self._options = list(dict.fromkeys(_QUOTED.findall(observation["prompt"])))[:OPTION_SLOTS]
        prompt_words = set(_WORD.findall(observation["prompt"].lower()))
        self._listable = [o for o in self._objects if _object_words(o) and _object_words(o) <= prompt_words]
        self._listable = self._listable[:OBJECT_SLOTS]
        self._last_failed = False
        return self._encode(observation, info), info

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Play the menu slot ``action`` (an invalid slot is sent as a malformed action and penalised)."""
        slot = int(action)
        item = self._menu[slot] if 0 <= slot < self.n_actions else None
        env_action = item.action if item is not None else {"menu_slot": slot}
        observation, reward, terminated, truncated, info = self.env.step(env_action)
        self._last_failed = info["tool_error"] is not None
        if not self._last_failed:
            self._add_entities(observation["last_result"], from_context=False)
        info = {**info, "menu_action": env_action}
        return self._encode(observation, info), float(reward), terminated, truncated, info

    def action_masks(self) -> np.ndarray:
        """The valid menu slots (bool, shape ``(K,)``); "answer None" is always valid."""
        return np.array([item is not None for item in self._menu], dtype=bool)

    # -- menu and features --------------------------------------------------------------------------------

    def _add_entities(self, text: str, from_context: bool) -> None:
        known = {e[0] for e in self._entities}
        for record_id in _SF_ID.findall(text):
            if len(self._entities) >= ENTITY_SLOTS:
                return
            obj = self._schema.object_for_id_prefix(record_id)
            if obj is not None and record_id not in known and any(c.isdigit() for c in record_id):
                known.add(record_id)
                self._entities.append((record_id, obj, from_context))

    def _build_menu(self) -> list[MenuItem | None]:
        menu: list[MenuItem | None] = [MenuItem("answer None", {"answer": "None"})]
        menu += _padded([MenuItem(f"answer {o!r}", {"answer": o}) for o in self._options], OPTION_SLOTS)
        menu += _padded([self._list_item(o) for o in self._listable], OBJECT_SLOTS)
        for i in range(ENTITY_SLOTS):
            if i >= len(self._entities):
                menu += [None] * (2 + RELATED_SLOTS)
                continue
            record_id, obj, _ = self._entities[i]
            menu.append(MenuItem(f"answer {record_id}", {"answer": record_id}))
            menu.append(MenuItem(f"get {obj} {record_id}", {"tool": "get", "args": {"object": obj, "id": record_id}}))
            related = [self._related_item(child, field, record_id) for child, field in self._children[obj]]
            menu += _padded(related[:RELATED_SLOTS], RELATED_SLOTS)
        return menu

    def _list_item(self, obj: str) -> MenuItem:
        key = self._schema.objects[obj].primary_key
        sql = f'SELECT * FROM "{obj}" ORDER BY "{key}" LIMIT {LIST_LIMIT}'
        return MenuItem(f"list {obj}", {"tool": "query", "args": {"sql": sql}})

    def _related_item(self, child: str, field: str, record_id: str) -> MenuItem:
        sql = f'SELECT * FROM "{child}" WHERE "{field}" = \'{record_id}\' LIMIT {LIST_LIMIT}'
        return MenuItem(f"{child}.{field} = {record_id}", {"tool": "query", "args": {"sql": sql}})

    def _encode(self, observation: dict[str, Any], info: dict[str, Any]) -> np.ndarray:
        self._menu = self._build_menu()
        n_objects = len(self._objects)
        entities = np.zeros((ENTITY_SLOTS, n_objects + 1), dtype=np.float32)
        for i, (_, obj, from_context) in enumerate(self._entities):
            entities[i, self._objects.index(obj)] = 1.0
            entities[i, n_objects] = float(from_context)
        scalars = np.array(
            [
                observation["step"] / self._max_steps,
                observation["invalid_calls"] / self._max_steps,
                float(info["progress"]),
                float(self._last_failed),
            ],
            dtype=np.float32,
        )
        return np.concatenate(
            [
                _bag_of_words(self._prompt_text, PROMPT_BUCKETS),
                _bag_of_words(observation["last_result"], RESULT_BUCKETS),
                scalars,
                entities.ravel(),
                self.action_masks().astype(np.float32),
            ]
        )

    def menu_labels(self) -> list[str | None]:
        """The current menu as labels (None for an empty slot): for rendering and debugging."""
        return [item.label if item else None for item in self._menu]


def _padded(items: list[MenuItem], size: int) -> list[MenuItem | None]:
    return (items + [None] * size)[:size]


def make_menu_env(**kwargs: Any) -> ToolMenu:
    """Build `CrmArenaEnv(**kwargs)` wrapped in `ToolMenu` (the ``CrmArena-Menu-v0`` entry point)."""
    kwargs.setdefault("max_steps", 6)
    return ToolMenu(CrmArenaEnv(**kwargs))
