"""crm_gym for TRL's ``GRPOTrainer(environment_factory=...)`` (and ``AsyncGRPOTrainer``): an env class per suite
and the dataset its ``reset`` reads.

TRL makes one instance per rollout, calls ``reset(**row)`` with the dataset row, offers the model the public
methods as tools (schema read once from the class: type hints and Google docstrings) and scores the rollout
with ``get_reward()``. `ArcToolEnv` and `CrmArenaProToolEnv` have one method per tool of their suite (the
stable specs, see `crm_gym.integrations.tools`), plus ``submit_answer``, which ends the episode;
`ArcConversationToolEnv` and `CrmArenaProConversationToolEnv` play the multi-turn rows of
``grpo_dataset(..., interaction="multi")`` and have ``ask_user`` too (the simulated user answers it). ``get_reward``
is the episode's terminal score (7-dimension total / 100); an episode the model left without answering (a
token or turn limit) is scored as it stands. ``step_rewards=True`` adds the step rewards (state progress,
invalid-call penalties). Both classes live at module level, so they pickle by reference for the async trainer's
workers; ``functools.partial(ArcToolEnv, max_steps=40)`` is a picklable factory with other settings.

`grpo_dataset` builds the rows: the conversational ``prompt`` (system text and task) and the episode key
(``task_id``, ``group``, levels). Every rollout of a GRPO group gets the same row, hence the same group key,
hence the same task, drift and rot; ``reset`` checks that the row's prompt is its episode's.

Example (see ``examples/train_trl_grpo.py``)::

    trainer = GRPOTrainer(model=..., train_dataset=grpo_dataset("arc", drift_level="high"),
                          environment_factory=ArcToolEnv, args=GRPOConfig(...))
"""

from __future__ import annotations

from typing import Any, ClassVar

from datasets import Dataset

from crm_gym.envs.chat import ANSWER_TOOL_INSTRUCTIONS, ChatEpisode
from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.errors import CrmGymError
from crm_gym.integrations.tools import adapter_tool_specs, env_call, episode_rows, tool_function
from crm_gym.world.generate import parse_scale

__all__ = [
    "ArcConversationToolEnv",
    "ArcToolEnv",
    "CrmArenaProConversationToolEnv",
    "CrmArenaProToolEnv",
    "CrmGymToolEnv",
    "environment_class",
    "grpo_dataset",
]


class CrmGymToolEnv:
    """Base of the per-suite env classes: reset, submit_answer, get_reward (the tools are added per suite)."""

    suite: ClassVar[str] = ""
    interaction: ClassVar[str] = "single"

    def __init__(self, max_steps: int = 20, step_rewards: bool = False) -> None:
        """``max_steps``: the env's step limit; ``step_rewards``: add the step rewards to the terminal score."""
        self.max_steps, self.step_rewards = max_steps, step_rewards
        self._envs: dict[tuple[str, str], CrmArenaEnv] = {}
        self._episode: ChatEpisode | None = None

    def reset(
        self,
        task_id: str,
        group: str,
        split: str = "test",
        org_scale: str = "default",
        drift_level: str = "none",
        rot_level: str = "none",
        prompt: list[dict[str, Any]] | None = None,
        interaction: str = "single",
        **_: Any,
    ) -> None:
        """Start the row's episode; the prompt is already in the row, so nothing is appended to it."""
        if interaction != self.interaction:
            raise CrmGymError(
                f"The row is a {interaction}-turn episode and {type(self).__name__} plays {self.interaction}-turn ones"
                f"{': use the conversation class' if interaction == 'multi' else ''}."
            )
        key = (split, org_scale)
        if key not in self._envs:
            scale = parse_scale(org_scale)
            env = CrmArenaEnv(
                suite=self.suite, split=split, org_scale=scale, max_steps=self.max_steps, stable_tools=True
            )
            self._envs[key] = env
        self._episode = ChatEpisode(self._envs[key], ANSWER_TOOL_INSTRUCTIONS)
        options = {
            "task_id": task_id,
            "group": group,
            "drift_level": drift_level,
            "rot_level": rot_level,
            "interaction": interaction,
        }
        opening = self._episode.reset(options=options)
        if prompt is not None and [_message(m) for m in prompt] != opening:
            raise CrmGymError(
                f"The row's prompt is not the opening of episode {task_id!r} (group {group!r}): build the dataset "
                "with grpo_dataset from the same crm_gym version and suite."
            )

    def get_reward(self) -> float:
        """The episode's score / 100 (scored as it stands if the model stopped before answering)."""
        episode = self._current()
        reward = episode.terminal_reward
        return reward + episode.step_rewards if self.step_rewards else reward

    @property
    def episode(self) -> ChatEpisode:
        """The current episode (its transcript, info and rewards)."""
        return self._current()

    def _current(self) -> ChatEpisode:
        if self._episode is None:
            raise CrmGymError(f"{type(self).__name__}: call reset(**row) before the tools.")
        return self._episode


def _dispatch(env: CrmGymToolEnv, name: str, arguments: dict[str, Any]) -> str:
    return env_call(env._current(), name, arguments)


def _message(message: dict[str, Any]) -> dict[str, Any]:
    return {"role": message["role"], "content": message["content"]}


def environment_class(suite: str, name: str | None = None, interaction: str = "single") -> type[CrmGymToolEnv]:
    """A `CrmGymToolEnv` subclass with one method per tool of ``suite`` (and ``ask_user`` when ``interaction`` is
    "multi": it plays the multi-turn rows of ``grpo_dataset(..., interaction="multi")``); assign it to a module-level
    name so that it pickles."""
    specs = adapter_tool_specs(suite, interaction)
    tools = {spec["function"]["name"]: tool_function(spec, _dispatch) for spec in specs}
    clash = tools.keys() & set(dir(CrmGymToolEnv))
    if clash:
        raise CrmGymError(f"Tools of {suite!r} would hide methods of CrmGymToolEnv: {sorted(clash)}.")
    cls_name = name or "".join(part.title() for part in suite.split("_")) + "ToolEnv"
    turns = "; multi-turn rows, ask_user included" if interaction == "multi" else ""
    doc = f"TRL environment over the {suite!r} suite: one method per tool, submit_answer, get_reward{turns}."
    attributes = {"suite": suite, "interaction": interaction, "__doc__": doc, "__module__": __name__}
    cls = type(cls_name, (CrmGymToolEnv,), {**attributes, **tools})
    for tool in tools.values():
        tool.__qualname__ = f"{cls_name}.{tool.__name__}"
    return cls


ArcToolEnv = environment_class("arc", "ArcToolEnv")
CrmArenaProToolEnv = environment_class("crmarena_pro", "CrmArenaProToolEnv")
ArcConversationToolEnv = environment_class("arc", "ArcConversationToolEnv", interaction="multi")
CrmArenaProConversationToolEnv = environment_class(
    "crmarena_pro", "CrmArenaProConversationToolEnv", interaction="multi"
)


def grpo_dataset(suite: str, split: str = "test", **options: Any) -> Dataset:
    """The rows `ArcToolEnv` / `CrmArenaProToolEnv` read, as a `datasets.Dataset` (the arguments are those of
    `crm_gym.integrations.tools.episode_rows`: ``seed``, ``drift_level``, ``rot_level``, ``org_scale``,
    ``categories``, ``limit``, ``groups_per_task``, ``interaction``; multi-turn rows are played by
    `ArcConversationToolEnv` / `CrmArenaProConversationToolEnv`)."""
    return Dataset.from_list(episode_rows(suite, split, **options))
