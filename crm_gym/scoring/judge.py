"""The optional LLM judge for free-text answers: its protocol, its prompt and a verdict cache on disk.

No provider lives here; a policy adapter implements `AnswerJudge`. `CachedJudge` makes repeated evaluations
reproducible and free: a verdict is stored under the sha256 of (model, prompt) and never asked for twice.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from crm_gym.errors import ScoringError


class JudgeVerdict(BaseModel):
    """A judge's decision on one answer."""

    model_config = ConfigDict(frozen=True)

    passed: bool
    reason: str


class AnswerJudge(Protocol):
    """Anything that can judge an answer from a prompt: an LLM adapter, a cache around one, a test double."""

    @property
    def model(self) -> str:
        """The model name, part of the cache key."""
        ...

    def __call__(self, prompt: str) -> JudgeVerdict:
        """Return the verdict for one judge prompt (see `judge_prompt`)."""
        ...


def judge_prompt(answer: str, gold: Sequence[str]) -> str:
    """The prompt asking whether an answer says the same as any of the reference answers.

    >>> print(judge_prompt("Strong encryption", ["Robust encryption protocols"]))
    You grade answers to questions about a CRM org. ...
    Reference answer(s):
    - Robust encryption protocols
    Candidate answer:
    Strong encryption
    """
    references = "\n".join(f"- {g}" for g in gold)
    return (
        "You grade answers to questions about a CRM org. The candidate passes when it states the same facts as a "
        "reference answer; wording, order and extra explanation do not matter, missing or contradicting facts do.\n"
        f"Reference answer(s):\n{references}\nCandidate answer:\n{answer}"
    )


def cache_key(model: str, prompt: str) -> str:
    """The sha256 hex digest of the JSON pair [model, prompt].

    >>> cache_key("m", "p")[:12]
    '43fd693a4923'
    """
    return hashlib.sha256(json.dumps([model, prompt], ensure_ascii=False).encode()).hexdigest()


class CachedJudge:
    """An `AnswerJudge` that asks the wrapped judge once per (model, prompt) and keeps verdicts in a JSON file.

    The file maps `cache_key` to the verdict; it is rewritten atomically (sorted keys) after each new verdict, so
    an interrupted run loses nothing already judged and the file diffs cleanly.

    Args:
        judge: The judge to ask on a cache miss.
        path: The JSON cache file; created on the first verdict.
    """

    def __init__(self, judge: AnswerJudge, path: str | os.PathLike[str]) -> None:
        self._judge = judge
        self._path = Path(path)
        self._verdicts: dict[str, JudgeVerdict] | None = None

    @property
    def model(self) -> str:
        """The wrapped judge's model."""
        return self._judge.model

    def __call__(self, prompt: str) -> JudgeVerdict:
        """Return the cached verdict for this prompt, asking the wrapped judge only on a miss."""
        verdicts = self._load()
        key = cache_key(self.model, prompt)
        if key not in verdicts:
            verdicts[key] = self._judge(prompt)
            self._save(verdicts)
        return verdicts[key]

    def _load(self) -> dict[str, JudgeVerdict]:
        if self._verdicts is None:
            self._verdicts = {}
            if self._path.is_file():
                try:
                    raw = json.loads(self._path.read_text(encoding="utf-8"))
                    self._verdicts = {k: JudgeVerdict.model_validate(v) for k, v in raw.items()}
                except (ValueError, AttributeError) as err:  # bad JSON, not an object, or a bad verdict
                    raise ScoringError(
                        f"Judge cache {self._path} is not a JSON object of verdicts ({err}); delete it to start over."
                    ) from err
        return self._verdicts

    def _save(self, verdicts: dict[str, JudgeVerdict]) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._path.with_name(self._path.name + ".tmp")
        data = {k: v.model_dump() for k, v in verdicts.items()}
        tmp.write_text(json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, self._path)
