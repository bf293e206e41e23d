"""Multi-turn episodes: ask_user only there, the opening as prompt, the conversation observed, turns and repeated
questions counted and scored; the oracle asks and passes, a policy that never asks fails, one that asks everything
passes less efficiently; same seed, same conversation in another process; a failing user is no agent's 0."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from crm_gym.agents.base import Policy, PolicyStep
from crm_gym.agents.reference import GuessingPolicy, OraclePolicy
from crm_gym.envs.conversation import ASK_USER
from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.errors import CrmGymError, EnvArgumentError, UserSimulatorError

ARC = CrmArenaEnv(suite="arc", split=None, interaction="multi", max_steps=20)
PRO = CrmArenaEnv(suite="crmarena_pro", org_scale="small", interaction="multi", max_steps=20)
CREATE = "arc-create_opportunity-001"


def _play(env: CrmArenaEnv, policy: Policy, task_id: str, **options: Any) -> tuple[dict, dict]:
    observation, info = env.reset(seed=3, options={"task_id": task_id, **options})
    policy.reset(observation, info, env.tool_specs())
    while True:
        observation, _, terminated, truncated, info = env.step(policy.act(observation, info).action)
        if terminated or truncated:
            return observation, info


class OverAsker(Policy):
    """Asks every question it can think of (each fact on its own, one twice, one the user cannot answer), then
    plays the oracle's solution."""

    def __init__(self, env: CrmArenaEnv) -> None:
        self._oracle = OraclePolicy(env)

    def reset(self, observation: dict, info: dict, tools: list) -> None:
        self._oracle.reset(observation, info, tools)
        plan = [a for a in self._oracle._plan if a.get("tool") != ASK_USER]
        scenario = self._oracle._env.scenario(info["task_id"])
        questions = [f"What is the {s.label}?" for s in scenario.slots]
        questions += [questions[0], "Is there a budget code for this?"]
        self._plan = [{"tool": ASK_USER, "args": {"message": q}} for q in questions] + plan

    def act(self, observation: dict, info: dict) -> PolicyStep:
        return PolicyStep(action=self._plan.pop(0))


def test_ask_user_is_a_tool_of_multi_turn_episodes_only() -> None:
    observation, info = ARC.reset(seed=0, options={"task_id": CREATE})
    assert info["interaction"] == "multi" and [t["function"]["name"] for t in ARC.tool_specs()][-1] == ASK_USER
    assert ARC.tool_specs("anthropic")[-1]["name"] == ASK_USER
    assert observation["prompt"] == ARC.scenario(CREATE).opening != ARC.tasks[CREATE].prompt
    assert observation["conversation"] == f"User: {observation['prompt']}"
    single, info = ARC.reset(seed=0, options={"task_id": CREATE, "interaction": "single"})
    assert single["prompt"] == ARC.tasks[CREATE].prompt and single["conversation"] == ""
    assert ASK_USER not in {t["function"]["name"] for t in ARC.tool_specs()}
    observation, *_, info = ARC.step({"tool": ASK_USER, "args": {"message": "What amount?"}})
    assert info["tool_error"] and "ask_user" in observation["last_result"] and info["user_turns"] == 0


def test_the_conversation_is_observed_and_counted() -> None:
    ARC.reset(seed=0, options={"task_id": CREATE})
    observation, reward, terminated, _, info = ARC.step({"tool": ASK_USER, "args": {"message": "How much is it?"}})
    assert "$162,500" in observation["last_result"] and not terminated and reward == 0.0
    assert observation["conversation"].endswith(f"Agent: How much is it?\nUser: {observation['last_result']}")
    ARC.step({"tool": ASK_USER, "args": {"message": "What was the amount again?"}})  # told already: repeated
    ARC.step({"tool": ASK_USER, "args": {"message": "Which client is it for?"}})  # stated in the opening: repeated
    *_, info = ARC.step({"tool": ASK_USER, "args": {"message": "When does it close?"}})
    assert (info["user_turns"], info["repeated_questions"], info["invalid_calls"]) == (4, 2, 0)
    *_, info = ARC.step({"tool": ASK_USER, "args": {"message": "  "}})
    assert info["tool_error"] and info["invalid_calls"] == 1 and info["user_turns"] == 4
    *_, info = ARC.step({"tool": ASK_USER, "args": {"question": "Stage?"}})
    assert "'message'" in info["tool_error"]
    *_, info = ARC.step({"answer": "done"})
    assert info["measures"]["user_turns"] == 4 and info["measures"]["repeated_questions"] == 2


def test_a_task_without_a_scenario_runs_single_turn_only() -> None:
    plain = next(t for t in ARC.tasks if ARC.scenario(t) is None)
    with pytest.raises(EnvArgumentError, match="no user scenario"):
        ARC.reset(seed=0, options={"task_id": plain})
    for seed in range(20):  # a multi-turn env draws only conversational tasks
        assert ARC.scenario(ARC.reset(seed=seed)[1]["task_id"]) is not None


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"interaction": "both"}, "interaction 'both' is not one of the choices"),
        ({"user": "llm:gpt-4"}, "Unknown user spec 'llm:gpt-4'"),
        ({"user": 7}, "Unknown user spec 7"),
        ({"user_options": "cache_dir=x"}, "user_options must be a dict"),
        ({"user_options": {1: "x"}}, "user_options must be a dict"),
    ],
)
def test_bad_conversation_arguments_raise_env_argument_errors(kwargs: dict, match: str) -> None:
    with pytest.raises(EnvArgumentError, match=match):
        CrmArenaEnv(suite="arc", **kwargs)


def test_a_bad_conversation_reset_option_changes_nothing() -> None:
    observation, info = ARC.reset(seed=3)
    for options, match in [
        ({"interaction": "several"}, "interaction 'several'"),
        ({"user": "llm:nobody"}, "Unknown user spec"),
        ({"interactoin": "multi"}, "Did you mean 'interaction'"),
    ]:
        with pytest.raises(EnvArgumentError, match=match):
            ARC.reset(seed=4, options=options)
    observation_after, *_, info_after = ARC.step({"tool": "ask_user", "args": {"message": "What is the amount?"}})
    assert info_after["task_id"] == info["task_id"] and observation_after["prompt"] == observation["prompt"]
    assert info_after["user_turns"] == 1


@pytest.mark.parametrize("task_id", ARC.conversational_task_ids(), ids=str)
def test_the_oracle_asks_exactly_for_the_withheld_facts_and_passes_arc(task_id: str) -> None:
    _, info = _play(ARC, OraclePolicy(ARC), task_id)
    assert info["functional"] == 1.0 and info["passed"], info["outcome"]
    assert (info["user_turns"], info["repeated_questions"]) == (1, 0)


@pytest.mark.parametrize("task_id", PRO.conversational_task_ids(), ids=str)
def test_the_oracle_passes_every_crmarena_pro_conversation_under_drift(task_id: str) -> None:
    _, info = _play(PRO, OraclePolicy(PRO), task_id, drift_level="high")
    assert info["passed"], info["outcome"]
    assert info["score"]["dimensions"]["TRAJECTORY_EFFICIENCY"] == 100.0


@pytest.mark.parametrize("env", [ARC, PRO], ids=["arc", "crmarena_pro"])
def test_a_policy_that_never_asks_passes_at_most_five_percent(env: CrmArenaEnv) -> None:
    results = [_play(env, GuessingPolicy(env), t)[1] for t in env.conversational_task_ids()]
    assert all(info["user_turns"] == 0 for info in results)
    assert sum(info["functional"] for info in results) <= 0.05 * len(results)


@pytest.mark.parametrize("task_id", ARC.conversational_task_ids()[::9] + PRO.conversational_task_ids()[::5], ids=str)
def test_asking_everything_loses_efficiency_not_success(task_id: str) -> None:
    env = ARC if task_id.startswith("arc") else PRO
    _, best = _play(env, OraclePolicy(env), task_id)
    _, over = _play(env, OverAsker(env), task_id)
    assert over["passed"] and over["functional"] == best["functional"] == 1.0
    assert over["repeated_questions"] >= 1 and over["user_turns"] > best["user_turns"]
    dims, best_dims = over["score"]["dimensions"], best["score"]["dimensions"]
    assert dims["TRAJECTORY_EFFICIENCY"] < best_dims["TRAJECTORY_EFFICIENCY"]
    assert dims["QUERY_EFFICIENCY"] < best_dims["QUERY_EFFICIENCY"]
    assert over["score"]["total"] < best["score"]["total"]


_CONVERSATION = """
import json, sys
from crm_gym.envs.crm_arena import CrmArenaEnv
env = CrmArenaEnv(suite="arc", interaction="multi")
observation, info = env.reset(seed=int(sys.argv[1]), options={"task_id": "arc-create_opportunity-002"})
for q in ["What should it be called?", "Which Kestrel?", "How much?", "What stage?", "How much?"]:
    observation, *_ = env.step({"tool": "ask_user", "args": {"message": q}})
print(json.dumps(observation["conversation"]))
"""


def test_the_same_seed_gives_the_same_conversation_in_another_process() -> None:
    def run(seed: int, hash_seed: str) -> str:
        environ = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run([sys.executable, "-c", _CONVERSATION, str(seed)], capture_output=True, text=True,
                              env=environ, check=True)  # fmt: skip
        return json.loads(done.stdout)

    first = run(11, "1")
    assert first == run(11, "2")
    assert any(run(seed, "3") != first for seed in (12, 13, 14))
    assert "Kestrel Energy Storage" in first and "$160,000" in first


class _BrokenUser:
    def reply(self, message: str) -> str:
        raise UserSimulatorError("the user's provider is down")

    def config(self) -> dict[str, Any]:
        return {"kind": "broken"}


def test_a_user_that_cannot_reply_ends_the_episode_unscored() -> None:
    ARC.reset(seed=0, options={"task_id": CREATE, "user": _BrokenUser()})
    with pytest.raises(UserSimulatorError, match="provider is down"):
        ARC.step({"tool": ASK_USER, "args": {"message": "How much?"}})
    with pytest.raises(CrmGymError, match="episode is over"):
        ARC.step({"answer": "done"})
