"""An LLM evaluation end to end: the real OpenAI SDK over HTTP to a local fake server, its calls cached; the
same evaluation replayed with no key and no server gives the same records."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "agents"))

from llm_fakes import Calls, FakeLlm, Text, local_server  # noqa: E402

from crm_gym.runner.evaluate import EvalConfig, run_eval  # noqa: E402
from crm_gym.runner.records import EpisodeResult  # noqa: E402

TASK_COUNT, TRIALS = 2, 2


def _script() -> list[Any]:
    """Every episode: one read of the org, then an answer (enough turns for all episodes, in any order)."""
    turns: list[Any] = []
    for _ in range(TASK_COUNT * TRIALS):
        turns += [Calls([("query", {"sql": "SELECT COUNT(*) AS n FROM Account"})]), Text("None")]
    return turns


def _scores(records: list[EpisodeResult]) -> list[dict[str, Any]]:
    return [r.model_dump(mode="json", exclude={"wall_seconds", "policy"}) for r in records]


def test_a_cached_llm_evaluation_replays_with_no_key_and_no_network(tmp_path: Path) -> None:
    fake = FakeLlm("chat", _script())
    base = {"suite": "crmarena_pro", "org_scale": "small", "limit": TASK_COUNT, "trials": TRIALS, "concurrency": 1}
    cache = {"cache_dir": str(tmp_path / "cache")}
    with local_server(fake) as url:
        options = {"base_url": f"{url}/v1", "api_key": "local", **cache}
        live = run_eval(EvalConfig(policy="openai:gpt-fake", policy_options=options, **base))
    assert len(fake.requests) == 2 * TASK_COUNT * TRIALS
    assert all(r.status != "infra_error" for r in live)
    assert all(r.measures["tokens"] for r in live)  # the fake's usage fields, recorded
    dead = {"base_url": "http://127.0.0.1:9/v1", **cache, "cache_mode": "replay"}  # nothing listens on port 9
    replayed = run_eval(EvalConfig(policy="openai:gpt-fake", policy_options=dead, **base))
    assert _scores(replayed) == _scores(live)
    missing = {**dead, "cache_dir": str(tmp_path / "empty")}
    failed = run_eval(EvalConfig(policy="openai:gpt-fake", policy_options=missing, **base))
    assert {r.status for r in failed} == {"infra_error"}  # a replay miss is infrastructure, never a 0
    assert all("Replay cache miss" in (r.error or "") for r in failed)
