"""The JSONL record of one evaluation episode: enough to resume a run, re-score it, report on it and export it.

Every record carries its task, seed and perturbation, the full policy config, every step (the action sent, the
tool result shown, the reward, the usage), the measures and the 7 dimensions, and a ``status`` that separates
what the agent did (``completed``, ``truncated``, and ``agent_error``: the agent failed by its own doing and the
episode is scored as it stood) from what the infrastructure did (``infra_error``: never scored).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from crm_gym.agents.base import Usage
from crm_gym.redaction import cut_secrets, redact_config, redact_text

EpisodeStatus = Literal["completed", "truncated", "agent_error", "infra_error"]


class StepRecord(BaseModel):
    """One env step as it happened."""

    model_config = ConfigDict(frozen=True)

    action: dict[str, Any] | str  # as sent; its exact JSON text when it is not plain JSON (see runner.storable)
    tool: str | None = None
    tool_error: str | None = None
    result: str = ""  # the tool result (or error) text the policy was shown next
    reward: float = 0.0
    usage: Usage | None = None
    cut: bool = False  # the action was too large for a record and was cut: a replay cannot match this step


class EpisodeKey(BaseModel):
    """What identifies an episode in a run: resume skips keys already written."""

    model_config = ConfigDict(frozen=True)

    task_id: str
    trial: int = Field(ge=0)
    drift_level: str
    rot_level: str
    interaction: Literal["single", "multi"] = "single"

    def text(self) -> str:
        """A stable one-line form, e.g. ``"lead_qualification/0007#2@drift=low,rot=none"`` (``,interaction=multi``
        appended for a multi-turn episode)."""
        multi = ",interaction=multi" if self.interaction == "multi" else ""
        return f"{self.task_id}#{self.trial}@drift={self.drift_level},rot={self.rot_level}{multi}"


class EpisodeResult(BaseModel):
    """One line of ``episodes.jsonl``."""

    model_config = ConfigDict(frozen=True)

    key: EpisodeKey
    suite: str
    split: str | None
    category: str
    seed: int  # the reset seed: with key, the episode is reproduced byte for byte
    max_steps: int
    policy: dict[str, Any]
    status: EpisodeStatus
    error: str | None = None  # infra_error or agent_error: what failed
    observation: dict[str, Any] = Field(default_factory=dict)  # the reset observation (prompt, context, schema)
    steps: list[StepRecord] = Field(default_factory=list)
    answer: str | None = None
    functional: float | None = None
    passed: bool | None = None
    outcome: str | None = None
    over_refused: bool | None = None  # declined a request it should have served (None: declining was the job)
    score: dict[str, Any] | None = None  # total and the 7 dimensions (ScoreResult as JSON)
    measures: dict[str, Any] | None = None
    episode_return: float = 0.0
    suite_version: int | None = None  # the version of the suite the task came from (None: an explicit task list)
    user: dict[str, Any] | None = None  # multi-turn episodes: the simulated user's config (kind, model, ...)
    grader_version: str | None = None  # the answer grader that gave the verdict (None: before grader version 2)
    wall_seconds: float = 0.0  # timing only: excluded when runs are compared for determinism

    def without_secrets(self, secrets: Sequence[str] = ()) -> EpisodeResult:
        """This record with the known ``secrets`` cut out of every text, and key-shaped texts (``sk-...``,
        ``Bearer ...``) out of its error and policy config, where a provider's message may echo a key."""
        record = self.model_copy(
            update={
                "policy": redact_config(self.policy, secrets),
                "user": None if self.user is None else redact_config(self.user, secrets),
                "error": None if self.error is None else redact_text(self.error, secrets),
            }
        )
        if not secrets:
            return record
        dumped = record.model_dump()
        cut = cut_secrets(dumped, secrets)
        return record if cut == dumped else EpisodeResult.model_validate(cut)

    @property
    def scored(self) -> bool:
        """Whether the episode counts in scores (infrastructure failures never do)."""
        return self.status != "infra_error"
