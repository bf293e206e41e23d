"""An LLM judge of free-text answers over the policies' OpenAI and Anthropic clients.

`LlmJudge` implements `crm_gym.scoring.judge.AnswerJudge` with an LLM policy doing one request per judgement, so a
judge has everything a policy has: native SDKs, owned retries with backoff on 429/5xx, the request-hash cache and
keyless replay from it (``cache_mode="replay"``: no key, no network), and provider errors redacted. The grading
prompt is `crm_gym.scoring.judge.judge_prompt`; the model is told to answer with a JSON object
``{"passed": true|false, "reason": "..."}``. A reply that is not such an object raises `JudgeError`: a failure of the
grading, never a verdict on the agent.

>>> judge = make_judge("openai:gpt-4.1-mini", cache_dir="judge-cache", cache_mode="replay")  # doctest: +SKIP
>>> evaluate_answer(answer, gold, "knowledge_qa", judge=judge)  # doctest: +SKIP
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from crm_gym.agents.llm.cache import CacheMode, LlmCache
from crm_gym.agents.llm.policy import LlmPolicy
from crm_gym.errors import CrmGymError
from crm_gym.scoring.judge import JudgeVerdict

JUDGE_INSTRUCTIONS = (
    "You grade one answer. Decide whether the candidate answer states the same facts as a reference answer, as a "
    "careful human grader would: wording, order and extra correct explanation do not matter; a missing or "
    "contradicting fact, another product or record, a changed number, unit or frequency, or a hedge between "
    'alternatives does. Reply with only a JSON object: {"passed": true or false, "reason": "one sentence"}.'
)
_OBJECT = re.compile(r"\{.*\}", re.DOTALL)


class JudgeError(CrmGymError):
    """The judge's reply is not a verdict: the grading failed (never the agent's failure)."""


class LlmJudge:
    """An `AnswerJudge` over an LLM policy (`OpenAIPolicy` or `AnthropicPolicy`); see the module docstring."""

    def __init__(self, policy: LlmPolicy) -> None:
        """Judge with ``policy``'s model, client, retries and cache."""
        self._policy = policy
        self._policy.instructions = JUDGE_INSTRUCTIONS

    @property
    def model(self) -> str:
        """``provider:model``, part of every judge-cache key."""
        return f"{self._policy.kind}:{self._policy.model}"

    def __call__(self, prompt: str) -> JudgeVerdict:
        """The verdict on one judge prompt (see `crm_gym.scoring.judge.judge_prompt`).

        Raises:
            JudgeError: the reply is not a verdict.
            PolicyInfrastructureError: the provider failed after its retries, or a replayed request is not cached.
        """
        self._policy.reset({"prompt": prompt}, {}, [])
        step = self._policy.act({}, {})
        text = step.action.get("answer", "") if isinstance(step.action, dict) else ""
        return parse_verdict(str(text))

    def close(self) -> None:
        """Close the policy's client and event loop."""
        self._policy.close()


def parse_verdict(text: str) -> JudgeVerdict:
    """The verdict in a judge's reply: a JSON object with a boolean ``passed`` (inside a code fence or prose).

    >>> parse_verdict('```json\\n{"passed": true, "reason": "Same facts."}\\n```')
    JudgeVerdict(passed=True, reason='Same facts.')
    """
    match = _OBJECT.search(text)
    try:
        data: Any = json.loads(match.group()) if match else None
    except ValueError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("passed"), bool):
        raise JudgeError(f'The judge did not reply with {{"passed": true|false, "reason": ...}}: {text[:200]!r}')
    return JudgeVerdict(passed=data["passed"], reason=str(data.get("reason") or "").strip() or "no reason given")


def make_judge(
    spec: str,
    *,
    cache_dir: str | Path | None = None,
    cache_mode: CacheMode = "read_write",
    **options: Any,
) -> LlmJudge:
    """A judge from ``openai:MODEL`` or ``anthropic:MODEL``; ``options`` go to the policy (``base_url``, ``api_key``,
    ``timeout``, ``max_retries``, ``client``). ``cache_dir`` caches its requests (``cache_mode="replay"`` judges
    from the cache alone, with no key).

    Raises:
        CrmGymError: the spec names no LLM provider.
    """
    provider, _, model = spec.partition(":")
    if provider not in ("openai", "anthropic") or not model:
        raise CrmGymError(f"A judge is 'openai:MODEL' or 'anthropic:MODEL', got {spec!r}.")
    from crm_gym.agents.llm import AnthropicPolicy, OpenAIPolicy

    policy_class: Any = OpenAIPolicy if provider == "openai" else AnthropicPolicy
    cache = LlmCache(cache_dir, cache_mode) if cache_dir is not None else None
    policy = policy_class(model, cache=cache, **options)
    policy.cache_scope = "judge"
    return LlmJudge(policy)
