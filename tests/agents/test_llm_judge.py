"""The LLM judge: the real openai and anthropic SDKs against a fake server, its cache, replay and failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from llm_fakes import Fail, FakeLlm, SleepRecorder, Text, refusing_client

from crm_gym.agents.base import PolicyInfrastructureError
from crm_gym.agents.llm import make_judge
from crm_gym.agents.llm.judge import JUDGE_INSTRUCTIONS, JudgeError, parse_verdict
from crm_gym.scoring.answers import evaluate_answer
from crm_gym.scoring.corpus import disagreements, load_corpus
from crm_gym.scoring.judge import JudgeVerdict

GOLD = ["Dashboards show consumption per device in 15-minute intervals."]
PASS = json.dumps({"passed": True, "reason": "Same facts."})
FAIL = json.dumps({"passed": False, "reason": "Another interval."})


@pytest.mark.parametrize("wire", ["chat", "anthropic"])
def test_a_judge_decides_a_free_text_answer_through_the_sdk(wire: str) -> None:
    fake = FakeLlm(wire, [Text(f"```json\n{FAIL}\n```")])
    spec = "openai:judge-model" if wire == "chat" else "anthropic:judge-model"
    judge = make_judge(spec, client=fake.sdk_client())
    result = evaluate_answer("Consumption per device, every 15 minutes.", GOLD, "knowledge_qa", judge=judge)
    judge.close()

    assert not result.passed  # the judge decides, even where the deterministic path would pass it
    assert result.judge_model == f"{spec.split(':')[0]}:judge-model"
    assert result.reason.startswith(f"Judge {result.judge_model}: Another interval")
    [request] = fake.requests
    text = json.dumps(request)
    assert "Dashboards show consumption per device" in text and "every 15 minutes" in text
    assert JUDGE_INSTRUCTIONS[:40] in text and "Use the tools" not in text


def test_the_judge_retries_a_429_and_caches_its_verdict(tmp_path: Path) -> None:
    fake = FakeLlm("chat", [Fail(429, "slow down"), Text(PASS)])
    sleep = SleepRecorder()
    judge = make_judge("openai:judge-model", client=fake.sdk_client(), cache_dir=tmp_path, sleep=sleep)
    assert judge("prompt one") == JudgeVerdict(passed=True, reason="Same facts.")
    assert len(fake.requests) == 2 and len(sleep.waits) == 1
    judge.close()

    replay = make_judge("openai:judge-model", client=refusing_client("chat"), cache_dir=tmp_path, cache_mode="replay")
    assert replay("prompt one").passed  # from the cache: no request, no key
    with pytest.raises(PolicyInfrastructureError, match="Replay cache miss"):
        replay("prompt two")
    replay.close()


def test_a_reply_that_is_no_verdict_is_a_grading_failure_not_a_verdict() -> None:
    fake = FakeLlm("chat", [Text("I think it is fine.")])
    judge = make_judge("openai:judge-model", client=fake.sdk_client())
    with pytest.raises(JudgeError, match="did not reply with"):
        judge("prompt")
    judge.close()
    assert parse_verdict('Verdict: {"passed": false, "reason": ""}') == JudgeVerdict(
        passed=False, reason="no reason given"
    )
    with pytest.raises(JudgeError):
        parse_verdict('{"passed": "yes"}')


def test_a_bad_spec_is_refused_with_the_allowed_forms() -> None:
    with pytest.raises(Exception, match="'openai:MODEL' or 'anthropic:MODEL'"):
        make_judge("gpt-4")


def test_disagreements_between_the_deterministic_grader_and_a_judge_are_listed() -> None:
    entries = [e for e in load_corpus() if e.metric == "fuzzy_match"][:12]
    contrary = [Text(json.dumps({"passed": e.label != "right", "reason": "contrary"})) for e in entries]
    judge = make_judge("openai:judge-model", client=FakeLlm("chat", contrary).sdk_client())
    found = disagreements(entries, judge)
    judge.close()
    assert [entry_id for entry_id, _, _ in found] == [e.id for e in entries]  # the grader agrees with every label
    assert all(alone != judged for _, alone, judged in found)
