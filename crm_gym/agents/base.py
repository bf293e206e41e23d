"""The policy protocol every agent implements: reset at an episode's start, then one action per step.

A policy sees what the env shows (the observation, and ``info`` for bookkeeping only) and the episode's tool
list, and returns an action the env understands (``{"tool": NAME, "args": {...}}`` or ``{"answer": TEXT}``) with
the token usage its API reported. Policies implement ``act`` (CPU policies) or ``aact`` (I/O-bound LLM
policies); the other comes for free. Only `OraclePolicy` may look at the task behind ``info["task_id"]``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from crm_gym.errors import CrmGymError


class Usage(BaseModel):
    """Tokens one model call used, as the provider's API reported them (never estimated)."""

    model_config = ConfigDict(frozen=True)

    input_tokens: int = Field(default=0, ge=0)
    output_tokens: int = Field(default=0, ge=0)
    cached_input_tokens: int = Field(default=0, ge=0)

    @property
    def total(self) -> int:
        """Input plus output tokens: what the token dimension measures."""
        return self.input_tokens + self.output_tokens


class PolicyStep(BaseModel):
    """One decision: the env action, and the usage of the model call(s) made to reach it (None if no model)."""

    model_config = ConfigDict(frozen=True)

    action: dict[str, Any]
    usage: Usage | None = None


class PolicyInfrastructureError(CrmGymError, RuntimeError):
    """The policy could not act for reasons outside the agent (provider down, retries exhausted, cache miss in
    replay mode). The runner marks the episode as an infrastructure failure, never as a score of 0."""


class AgentFailureError(CrmGymError, RuntimeError):
    """The agent failed the episode by its own doing: its A2A task ended as failed, it answered with an error, it
    sent a reply that cannot be read, or an action the env could not take. The runner ends the episode there and
    scores it as it stands (as if the agent had answered nothing): an agent cannot escape an episode it would fail
    by crashing."""


class Policy:
    """Base class of every policy; subclasses override `act` or `aact` (and `reset` if they keep state)."""

    #: Short kind name used in specs and records, e.g. "baseline" or "openai".
    kind: str = "policy"

    def config(self) -> dict[str, Any]:
        """Every setting that changes behaviour (model, temperature, seed, max tokens, ...), for the records."""
        return {"kind": self.kind}

    def reset(self, observation: dict[str, Any], info: dict[str, Any], tools: list[dict[str, Any]]) -> None:
        """Start an episode. ``tools`` are the episode's tool specs (OpenAI Chat Completions function format, in
        the episode's drifted names)."""

    _runner: asyncio.Runner | None = None  # the event loop of sync act() calls, made by the first one

    def act(self, observation: dict[str, Any], info: dict[str, Any]) -> PolicyStep:
        """Choose the next action (sync). Default: run `aact` to completion, every call on one event loop kept
        by the policy (clients' connections belong to the loop that opened them); `close` ends it."""
        if type(self).aact is Policy.aact:
            raise CrmGymError(f"{type(self).__name__} must override act() or aact().")
        if self._runner is None:
            self._runner = asyncio.Runner()
        return self._runner.run(self.aact(observation, info))

    def close(self) -> None:
        """After sync `act` calls: `aclose` the policy and end its event loop (no-op if none was made)."""
        if self._runner is not None:
            self._runner.run(self.aclose())
            self._runner.close()
            self._runner = None

    async def aact(self, observation: dict[str, Any], info: dict[str, Any]) -> PolicyStep:
        """Choose the next action (async). Default: `act` in a worker thread."""
        if type(self).act is Policy.act:
            raise CrmGymError(f"{type(self).__name__} must override act() or aact().")
        return await asyncio.to_thread(self.act, observation, info)

    async def aclose(self) -> None:
        """Release clients and connections (no-op by default)."""
