"""A real TRL ``GRPOTrainer`` step with ``environment_factory=ArcToolEnv``, on a tiny model built in-process.

As TRL's own environment tests do, the model's ``generate`` is patched: half of the group plays the oracle's tool
calls (then submits its answer), the other half random well-formed calls (then submits "None"). Everything else
is TRL's: the chat template renders the env's tools, TRL parses the tool calls out of the generated text, calls
the env's methods, appends the results and scores each rollout with ``get_reward``.
"""

from __future__ import annotations

import functools
import json
import os
import pickle
from typing import Any
from unittest.mock import patch

import pytest

torch = pytest.importorskip("torch")
trl = pytest.importorskip("trl")

from crm_gym.envs.chat import ANSWER_TOOL_INSTRUCTIONS, ChatEpisode  # noqa: E402
from crm_gym.envs.crm_arena import CrmArenaEnv  # noqa: E402
from crm_gym.envs.spaces import ToolCallSpace, tool_parameters  # noqa: E402
from crm_gym.errors import CrmGymError  # noqa: E402
from crm_gym.integrations.tools import suite_tool_specs  # noqa: E402
from crm_gym.integrations.trl import ArcToolEnv, CrmArenaProToolEnv, grpo_dataset  # noqa: E402
from tests.integrations.tiny_lm import corpus, tiny_model, tiny_tokenizer  # noqa: E402

TASK = "arc-client_search-001"
GROUP = 4


def _plans(row: dict[str, Any]) -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]:
    """The oracle's actions for the row's episode, and random well-formed calls for the other half."""
    env = CrmArenaEnv(suite="arc", drift_level=row["drift_level"], stable_tools=True)
    env.reset(options={"task_id": row["task_id"], "group": row["group"], "drift_level": row["drift_level"]})
    oracle = env.oracle_actions()
    randoms = []
    for seed in range(GROUP // 2):
        space = ToolCallSpace(tool_parameters(env.tool_specs()), 2_000, seed=seed)
        randoms.append([json.loads(space.sample()) for _ in range(2)] + [{"answer": "None"}])
    return oracle, randoms


def _score(row: dict[str, Any], actions: list[dict[str, Any]]) -> float:
    """The env's own score of playing ``actions`` in the row's episode (no trainer involved)."""
    episode = ChatEpisode(CrmArenaEnv(suite="arc", drift_level=row["drift_level"], stable_tools=True))
    episode.reset(options={"task_id": row["task_id"], "group": row["group"], "drift_level": row["drift_level"]})
    for action in actions:
        if "tool" in action:
            episode.call(action["tool"], action["args"])
        else:
            episode.answer(action["answer"])
    return episode.terminal_reward


def _completion(action: dict[str, Any]) -> str:
    if "tool" in action:
        call = {"name": action["tool"], "arguments": action["args"]}
    else:
        call = {"name": "submit_answer", "arguments": {"answer": action["answer"]}}
    return f"<tool_call>\n{json.dumps(call)}\n</tool_call><|im_end|>"


@pytest.fixture(scope="module")
def row() -> dict[str, Any]:
    dataset = grpo_dataset("arc", drift_level="high", seed=3)
    return dataset.filter(lambda r: r["task_id"] == TASK)[0]


@patch.dict(os.environ, {"TRL_EXPERIMENTAL_SILENCE": "1", "HF_HUB_OFFLINE": "1"})
def test_grpo_trains_on_the_env_reward_and_separates_oracle_from_random(row: dict[str, Any], tmp_path) -> None:
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    tokenizer = tiny_tokenizer(corpus("arc"))
    model = tiny_model(tokenizer)
    oracle, randoms = _plans(row)
    plans = [oracle if i % 2 == 0 else randoms[i // 2] for i in range(GROUP)]
    expected = [_score(row, plan) for plan in plans]
    assert expected[0] > 0.99 and max(expected[1::2]) < 0.2  # the oracle passes, random calls do not

    def fake_generate(input_ids: torch.Tensor, **kwargs: Any) -> torch.Tensor:
        rows = []
        for i, ids in enumerate(input_ids):
            text = tokenizer.decode(ids, skip_special_tokens=False)
            turn = text.count("<tool_response>")
            # the first turn follows the group's order; later turns are told apart by the first call they made
            plan = plans[i] if turn == 0 else next(p for p in plans if _completion(p[0]) in text)
            reply = _completion(plan[turn]) if turn < len(plan) else "Done.<|im_end|>"  # after submit_answer
            rows.append(tokenizer.encode(reply, add_special_tokens=False))
        width = max(map(len, rows))
        padded = [r + [tokenizer.pad_token_id] * (width - len(r)) for r in rows]
        return torch.cat([input_ids, torch.tensor(padded, device=input_ids.device)], dim=-1)

    args = GRPOConfig(
        output_dir=str(tmp_path),
        per_device_train_batch_size=GROUP,
        num_generations=GROUP,
        max_steps=1,
        learning_rate=0.1,
        beta=0.0,
        max_completion_length=4096,
        logging_steps=1,
        report_to="none",
        use_cpu=True,
        seed=0,
    )
    trainer = GRPOTrainer(
        model=model,
        processing_class=tokenizer,
        args=args,
        train_dataset=Dataset.from_list([row]),
        environment_factory=ArcToolEnv,
    )
    assert trainer.reward_func_names == ["ArcToolEnv"]
    tool_names = {t.__name__ for t in trainer.tools}
    assert {"client_search", "submit_answer", "query"} <= tool_names and not {"reset", "get_reward"} & tool_names
    before = {n: p.detach().clone() for n, p in trainer.model.named_parameters()}
    outputs: list[dict[str, Any]] = []
    score_batch = trainer._generate_and_score_completions

    def spy(inputs: Any) -> dict[str, Any]:
        outputs.append(score_batch(inputs))
        return outputs[-1]

    with (
        patch.object(trainer.model, "generate", side_effect=fake_generate),
        patch.object(trainer, "_generate_and_score_completions", side_effect=spy),
    ):
        trainer.train()

    rewards = [env.get_reward() for env in trainer.environments]
    assert rewards == pytest.approx(expected)  # the trainer's rollouts scored exactly as the env scores them
    logged = trainer.state.log_history[0]
    assert logged["rewards/ArcToolEnv/mean"] == pytest.approx(sum(expected) / GROUP)
    advantages = outputs[0]["advantages"].tolist()
    assert min(advantages[0::2]) > 0 > max(advantages[1::2])
    changed = [n for n, p in trainer.model.named_parameters() if not torch.equal(p, before[n])]
    assert changed  # a real optimizer step


def test_the_env_classes_pickle_and_expose_the_stable_specs() -> None:
    factory = pickle.loads(pickle.dumps(functools.partial(ArcToolEnv, max_steps=5)))
    env = factory()
    assert type(env) is ArcToolEnv and env.max_steps == 5
    assert pickle.loads(pickle.dumps(CrmArenaProToolEnv)) is CrmArenaProToolEnv
    from transformers.utils import get_json_schema

    for spec in suite_tool_specs("arc"):
        schema = get_json_schema(getattr(env, spec["function"]["name"]))["function"]["parameters"]
        assert set(schema["properties"]) == set(spec["function"]["parameters"]["properties"])
        assert set(schema.get("required", [])) == set(spec["function"]["parameters"].get("required", []))


def test_reset_reads_the_row_and_refuses_a_prompt_of_another_episode(row: dict[str, Any]) -> None:
    env = ArcToolEnv(step_rewards=True)
    assert env.reset(**row) is None
    stable = CrmArenaEnv(suite="arc", drift_level="high", stable_tools=True)
    stable.reset(options={"task_id": row["task_id"], "group": row["group"], "drift_level": "high"})
    assert env.episode.tools == stable.tool_specs() == list(suite_tool_specs("arc"))
    assert env.episode.messages[0]["content"].endswith(ANSWER_TOOL_INSTRUCTIONS)
    env.client_search(query="zzz-no-such-client")
    assert env.get_reward() == env.episode.terminal_reward + env.episode.step_rewards
    assert env.episode.info["status"] == "stopped"  # no answer: scored as it stood
    other = {**row, "group": row["group"] + "-other"}
    with pytest.raises(CrmGymError, match="not the opening of episode"):
        env.reset(**{**other, "prompt": row["prompt"]})
    with pytest.raises(CrmGymError, match="call reset"):
        ArcToolEnv().submit_answer("x")
