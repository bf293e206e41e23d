"""`EvalConfig`: what an evaluation run plays (policy, tasks, levels, trials, seed) and how (concurrency, backend).

Fields that change results are the run's identity: a resumed run must have the same ones (`identity`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from crm_gym.conversation.users import check_user_spec
from crm_gym.entropy.drift import DriftLevel
from crm_gym.entropy.rot import RotLevel
from crm_gym.errors import CrmGymError
from crm_gym.redaction import redact_config

Interaction = Literal["single", "multi"]


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


#: Fields that only say how a run is executed: they may change between a run and its resumption.
EXECUTION_FIELDS = frozenset({"concurrency", "backend", "ray_cpus_per_episode", "timeout_s", "resume", "out_dir"})


class EvalConfig(BaseModel):
    """An evaluation run.

    Attributes:
        policy: A policy spec (see `crm_gym.agents.registry.policy_factory`), e.g. ``"baseline"``.
        policy_options: Keyword arguments for the policy (e.g. ``{"temperature": 0}``); secret ones (``api_key``)
            are redacted in ``run.json`` and reports: give keys through the environment instead.
        suite: One suite name or several (their tasks are concatenated in the order given).
        split: The split of every suite (``"test"``, ``"train"``; arc also ``"dev"``).
        categories: Only these task categories (None: all).
        task_ids: Only these task ids (None: all).
        limit: At most this many tasks per suite, taken round-robin over the categories (None: all).
        trials: Episodes per task and level pair, each with its own seed.
        concurrency: Episodes in flight at once (one env each).
        drift_level: One level or a grid of levels; every task runs at each.
        rot_level: One level or a grid of levels; every task runs at each (crossed with ``drift_level``).
        interaction: ``"single"``, ``"multi"`` or both: every task runs single-turn, and every task with a user
            scenario also multi-turn (docs/conversations.md).
        user: The simulated user of multi-turn episodes: ``"scripted"`` or ``"llm:openai:MODEL"`` /
            ``"llm:anthropic:MODEL"``.
        user_options: The LLM user's settings (``cache_dir``, ``cache_mode``, ``base_url``; keys from the
            environment, as for policies: secret ones are redacted).
        seed: The run seed every episode seed derives from.
        max_steps: Step limit of an episode (truncated after it).
        org_scale: crmarena_pro org scale (``"default"`` for the real suite, ``"small"`` for quick runs).
        out_dir: Where ``run.json`` and ``episodes.jsonl`` go (None: results are only returned).
        backend: ``"asyncio"`` (one process) or ``"ray"`` (episodes as Ray tasks).
        ray_cpus_per_episode: CPUs Ray reserves per episode task (below 1 for model-bound policies, so more
            episodes than CPUs are in flight; each worker process holds one env).
        timeout_s: Wall-clock limit of one episode, its policy calls and env steps (None: none); exceeding it is an
            infrastructure error, never a score.
        resume: Keep the episodes already in ``out_dir`` and run only the missing ones (else start over).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    policy: str
    policy_options: dict[str, Any] = Field(default_factory=dict)
    suite: Annotated[list[str], BeforeValidator(_as_list)] = Field(default_factory=lambda: ["crmarena_pro"])
    split: str | None = "test"
    categories: list[str] | None = None
    task_ids: list[str] | None = None
    limit: int | None = Field(default=None, ge=1)
    trials: int = Field(default=1, ge=1)
    concurrency: int = Field(default=8, ge=1)
    drift_level: Annotated[list[DriftLevel], BeforeValidator(_as_list)] = Field(default_factory=lambda: ["none"])
    rot_level: Annotated[list[RotLevel], BeforeValidator(_as_list)] = Field(default_factory=lambda: ["none"])
    interaction: Annotated[list[Interaction], BeforeValidator(_as_list)] = Field(default_factory=lambda: ["single"])
    user: str = "scripted"
    user_options: dict[str, Any] = Field(default_factory=dict)
    seed: int = 0
    max_steps: int = Field(default=20, ge=1)
    org_scale: str | float = "default"
    out_dir: Path | None = None
    backend: Literal["asyncio", "ray"] = "asyncio"
    ray_cpus_per_episode: float = Field(default=1.0, gt=0)
    timeout_s: float | None = Field(default=600.0, gt=0)
    resume: bool = True

    @field_validator("user")
    @classmethod
    def _known_user(cls, user: str) -> str:
        try:
            check_user_spec(user)
        except CrmGymError as err:  # a validation error, so the CLI reports it as one
            raise ValueError(str(err)) from err
        return user

    @field_validator("suite", "drift_level", "rot_level", "interaction")
    @classmethod
    def _distinct_and_present(cls, values: list[str]) -> list[str]:
        if not values or len(set(values)) != len(values):
            raise ValueError(f"give at least one value, each once (got {values!r})")
        return values

    def identity(self) -> dict[str, Any]:
        """The fields that change results, as JSON, secrets redacted (``run.json`` never holds them, and a new
        key does not make another run): a resumed run must match the stored ones."""
        return redact_config(self.model_dump(mode="json", exclude=set(EXECUTION_FIELDS)))
