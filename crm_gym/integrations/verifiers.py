"""crm_gym for verifiers (``verifiers`` 0.3.1, its ``StatefulToolEnv`` API): `load_environment`.

Each rollout gets its own episode in ``state["episode"]`` (a `ChatEpisode` over an env taken from a pool, given
back when the rollout is cleaned up); the tools are the suite's stable specs plus ``submit_answer``, and
``update_tool_args`` hands each call the rollout's episode. A rollout ends when the episode does (an answer, or a
workflow task's changes all made) or when the model replies without a tool call. The rubric's reward is the
episode's terminal score (7-dimension total / 100; an episode left without an answer is scored as it stands);
the seven dimensions (0-100, named in lower case) and ``functional_verdict`` are metrics (weight 0). Drift
adaptation is a metric only when the episodes have drift: an episode without drift has no such dimension, and
verifiers adds every metric into the reward (times its weight, 0), so a NaN metric would make the reward NaN.

The installable environment module is ``environments/crm_gym_env`` (``vf-eval crm-gym-env`` once installed).
"""

from __future__ import annotations

from typing import Any

import verifiers as vf
from datasets import Dataset

from crm_gym.envs.chat import ANSWER_TOOL_INSTRUCTIONS, ChatEpisode
from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.integrations.tools import adapter_tool_specs, env_call, episode_rows, tool_function
from crm_gym.scoring.dimensions import Dimension
from crm_gym.world.generate import parse_scale

EPISODE = "episode"


class CrmGymToolEnv(vf.StatefulToolEnv):
    """A verifiers tool environment over one suite: per-rollout episodes, the suite's tools, the score rubric."""

    def __init__(
        self,
        suite: str,
        split: str,
        org_scale: str,
        max_steps: int,
        dataset: Dataset,
        drift: bool,
        interaction: str = "single",
        **kwargs: Any,
    ) -> None:
        """Tools of ``suite`` (``ask_user`` too for multi-turn rows); episodes of the rows in ``dataset``, with drift
        or not (see `load_environment`)."""
        rubric = score_rubric(drift)
        super().__init__(tools=[], dataset=dataset, rubric=rubric, max_turns=max_steps + 1, **kwargs)
        self.suite, self.split, self.org_scale, self.max_steps = suite, split, org_scale, max_steps
        self._free: list[CrmArenaEnv] = []
        for spec in adapter_tool_specs(suite, interaction):
            self._add_spec_tool(spec)

    def _add_spec_tool(self, spec: dict[str, Any]) -> None:
        """``add_tool`` with the tool's own spec as its definition: verifiers would derive a strict schema from
        the signature, which refuses the open objects some tools take (``values`` of create and update)."""
        function = spec["function"]
        name = function["name"]
        self.tools.append(tool_function(spec, env_call, receiver=EPISODE))
        self.tool_map[name] = self.tools[-1]
        self.skipped_args[name] = [EPISODE]
        self.tool_defs.append(
            vf.Tool(name=name, description=function["description"], parameters=function["parameters"], strict=False)
        )
        self.tool_monitor_rubric.add_tool_metric(name)

    async def setup_state(self, state: vf.State) -> vf.State:
        """Start the row's episode (task, group key and levels from ``info``) on a pooled env."""
        info = state["info"]
        env = self._free.pop() if self._free else self._new_env()
        episode = ChatEpisode(env, ANSWER_TOOL_INSTRUCTIONS)
        keys = ("task_id", "group", "drift_level", "rot_level", "interaction")
        episode.reset(options={k: info[k] for k in keys if k in info})
        state[EPISODE] = episode
        return await super().setup_state(state)

    def _new_env(self) -> CrmArenaEnv:
        return CrmArenaEnv(
            suite=self.suite,
            split=self.split,
            org_scale=parse_scale(self.org_scale),
            max_steps=self.max_steps,
            stable_tools=True,
        )

    def update_tool_args(
        self, tool_name: str, tool_args: dict, messages: vf.Messages, state: vf.State, **kwargs: Any
    ) -> dict:
        """Give the call the rollout's episode."""
        return {**tool_args, EPISODE: state[EPISODE]}

    @vf.stop
    async def episode_over(self, state: vf.State) -> bool:
        """The episode ended (answer given, workflow done, or the env's step limit)."""
        return EPISODE in state and state[EPISODE].done

    @vf.cleanup
    async def score_and_release(self, state: vf.State) -> None:
        """Score the episode (as it stands if unfinished) and give its env back to the pool."""
        if EPISODE in state:
            episode: ChatEpisode = state[EPISODE]
            episode.finish()
            self._free.append(episode.env)


def score_rubric(drift: bool) -> vf.Rubric:
    """Reward: the terminal score / 100; metrics: the functional verdict and the dimensions of the episodes (drift
    adaptation only for episodes with drift)."""
    rubric = vf.Rubric()
    rubric.add_reward_func(crm_score, weight=1.0)
    rubric.add_metric(functional_verdict)
    for dimension in Dimension:
        if drift or dimension is not Dimension.DRIFT_ADAPTATION:
            rubric.add_metric(_dimension_metric(dimension))
    return rubric


async def crm_score(state: vf.State) -> float:
    """The episode's 7-dimension total / 100."""
    return state[EPISODE].terminal_reward


async def functional_verdict(state: vf.State) -> float:
    """The functional verdict (1.0 = the task was solved; the FUNCTIONAL dimension is its 0-100 score)."""
    return float(state[EPISODE].finish()[1]["functional"])


def _dimension_metric(dimension: Dimension) -> Any:
    async def metric(state: vf.State) -> float:
        return float(state[EPISODE].finish()[1]["score"]["dimensions"][dimension.value])

    metric.__name__ = dimension.value.lower()
    return metric


def load_environment(
    suite: str = "crmarena_pro",
    split: str = "test",
    drift_level: str = "none",
    rot_level: str = "none",
    *,
    org_scale: str = "default",
    seed: int = 0,
    categories: list[str] | None = None,
    limit: int | None = None,
    groups_per_task: int = 1,
    max_steps: int = 20,
    interaction: str = "single",
    **kwargs: Any,
) -> CrmGymToolEnv:
    """The crm_gym verifiers environment over a suite split (one dataset row per task and group key).

    Args:
        suite: "arc" or "crmarena_pro".
        split: The suite's split.
        drift_level: Schema drift of every episode.
        rot_level: Context rot of every episode.
        org_scale: crmarena_pro org scale.
        seed: Task order and group keys of the rows.
        categories: Only these categories.
        limit: At most this many tasks.
        groups_per_task: Rows per task, each with its own drift and rot draw.
        max_steps: The env's step limit (the rollout may take one more turn, to answer).
        interaction: "single", or "multi": the tasks with a user scenario open with an incomplete request and the
            model asks the simulated user with ``ask_user`` (docs/conversations.md).
        **kwargs: Passed to verifiers' environment (e.g. ``max_concurrent``).
    """
    rows = episode_rows(
        suite,
        split,
        seed=seed,
        drift_level=drift_level,
        rot_level=rot_level,
        org_scale=org_scale,
        categories=categories,
        limit=limit,
        groups_per_task=groups_per_task,
        interaction=interaction,
    )
    keys = ("task_id", "group", "drift_level", "rot_level", "interaction")
    dataset = Dataset.from_list([{"prompt": r["prompt"], "info": {k: r[k] for k in keys}, "answer": ""} for r in rows])
    return CrmGymToolEnv(suite, split, org_scale, max_steps, dataset, drift_level != "none", interaction, **kwargs)
