"""What trainers need from the env: episodes keyed by a group, scoring an episode cut short, stable tool specs,
and the chat view every adapter shares."""

from __future__ import annotations

import json

import pytest

from crm_gym.envs.chat import ChatEpisode, opening_messages, wire_message
from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.errors import CrmGymError


@pytest.fixture(scope="module")
def env() -> CrmArenaEnv:
    return CrmArenaEnv(suite="arc", drift_level="high", rot_level="high")


def test_a_group_key_starts_the_same_episode_whatever_the_env_rng(env: CrmArenaEnv) -> None:
    first, info = env.reset(seed=1, options={"group": "g-7"})
    specs = env.tool_specs()
    other = CrmArenaEnv(suite="arc", drift_level="high", rot_level="high")
    other.reset(seed=99)  # a different RNG state before the keyed reset
    again, info_again = other.reset(options={"group": "g-7"})
    assert again == first and info_again["task_id"] == info["task_id"] and other.tool_specs() == specs
    changed = [env.reset(options={"group": f"g-{i}"})[0] for i in range(8)]
    assert len({o["schema"] + o["context"] for o in changed}) > 1  # other keys draw other perturbations
    assert len({env.reset(options={"group": f"g-{i}"})[1]["task_id"] for i in range(8)}) > 1


def test_a_group_key_with_a_named_task_fixes_only_the_perturbation(env: CrmArenaEnv) -> None:
    task_id = sorted(env.tasks)[3]
    a, info = env.reset(options={"group": 5, "task_id": task_id})
    b, _ = env.reset(seed=123, options={"group": 5, "task_id": task_id})
    assert a == b and info["task_id"] == task_id
    assert env.reset(options={"group": "5", "task_id": task_id})[0] != a  # 5 and "5" are different keys


@pytest.mark.parametrize("group", [None, 1.5, True, ["a"]])
def test_a_bad_group_key_is_refused_with_what_is_allowed(env: CrmArenaEnv, group: object) -> None:
    with pytest.raises(CrmGymError, match="group must be text or an int"):
        env.reset(options={"group": group})


def test_finish_scores_an_episode_cut_short_and_repeats_the_end_of_an_ended_one(env: CrmArenaEnv) -> None:
    env.reset(seed=3)
    oracle = env.oracle_actions()
    calls = [a for a in oracle if "tool" in a]
    env.step(calls[0])
    reward, info = env.finish()
    assert info["status"] == "stopped" and info["passed"] is False and reward == info["score"]["total"] / 100
    assert env.finish() == (reward, info)
    with pytest.raises(CrmGymError, match="episode is over"):
        env.step(calls[0])
    env.reset(seed=3)
    for action in oracle:
        _, step_reward, terminated, truncated, end_info = env.step(action)
        if terminated or truncated:
            break
    assert end_info["passed"] is True and env.finish() == (end_info["score"]["total"] / 100, end_info)


def test_finish_before_reset_is_a_clear_error() -> None:
    with pytest.raises(CrmGymError, match="call reset"):
        CrmArenaEnv(suite="arc").finish()


def test_stable_tools_keep_the_specs_while_names_drift_in_values_and_results() -> None:
    stable = CrmArenaEnv(suite="arc", drift_level="high", stable_tools=True)
    drifted = CrmArenaEnv(suite="arc", drift_level="high")
    specs = set()
    for seed in range(6):
        stable.reset(seed=seed)
        specs.add(json.dumps(stable.tool_specs(), sort_keys=True))
    plain = CrmArenaEnv(suite="arc", stable_tools=True)
    plain.reset(seed=0)
    specs.add(json.dumps(plain.tool_specs(), sort_keys=True))
    assert len(specs) == 1  # every episode, every level: one schema
    drifted.reset(seed=2)
    stable.reset(seed=2)
    renamed = {
        s["function"]["name"]
        for s, t in zip(drifted.tool_specs(), stable.tool_specs(), strict=True)
        if s["function"]["parameters"]["properties"].keys() != t["function"]["parameters"]["properties"].keys()
    }
    assert len(renamed) > 10  # without the option the same episode renames arguments of many tools
    observation, _ = stable.reset(seed=2)
    assert observation == drifted.reset(seed=2)[0]  # the schema the agent reads is drifted all the same
    oracle = stable.oracle_actions()
    assert all(set(a["args"]) <= _arguments(stable, a["tool"]) for a in oracle if "tool" in a)
    for action in oracle:
        _, _, terminated, truncated, info = stable.step(action)
        if terminated or truncated:
            break
    assert info["passed"] is True


def _arguments(env: CrmArenaEnv, tool: str) -> set[str]:
    spec = next(s for s in env.tool_specs() if s["function"]["name"] == tool)
    return set(spec["function"]["parameters"]["properties"])


def test_stable_tools_results_use_the_drifted_names() -> None:
    env = CrmArenaEnv(suite="arc", drift_level="high", stable_tools=True)
    env.reset(seed=4)
    drift = env.unwrapped._drift
    assert drift.fields  # high drift renames fields
    client_search = json.loads(env.step({"tool": "client_search", "args": {"query": "a"}})[0]["last_result"])
    keys = set(client_search["results"][0])
    assert {drift.field_name("Client", f) for f in ("client_id", "name")} <= keys


def test_a_chat_episode_records_the_transcript_and_splits_the_rewards() -> None:
    episode = ChatEpisode(CrmArenaEnv(suite="arc", drift_level="medium"))
    opening = episode.reset(options={"group": "chat"})
    assert opening == opening_messages(episode.observation)
    oracle = episode.env.oracle_actions()
    for i, action in enumerate(oracle):
        if "tool" in action:
            result = episode.call(action["tool"], action["args"], call_id=f"c{i}")
            assert episode.messages[-1] == {
                "role": "tool",
                "tool_call_id": f"c{i}",
                "name": action["tool"],
                "content": result,
            }
        else:
            episode.answer(action["answer"])
        if episode.done:
            break
    assert episode.info["passed"] is True and episode.terminal_reward == episode.info["score"]["total"] / 100
    assert episode.step_rewards == pytest.approx(0.0 if not episode.env.unwrapped._progress else 1.0)
    call = next(m for m in episode.messages if m.get("tool_calls"))
    assert isinstance(call["tool_calls"][0]["function"]["arguments"], dict)
    assert (
        json.loads(wire_message(call)["tool_calls"][0]["function"]["arguments"])
        == call["tool_calls"][0]["function"]["arguments"]
    )
    assert episode.call("describe", {}) == "The episode is over: no more tool calls are taken."
