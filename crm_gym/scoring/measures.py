"""`EpisodeMeasures`: what the environment measured during one episode, the only input of the 7-dimension score.

Nothing here comes from the agent's own report. Counts come from the API (`crm_gym.api.api.ApiCounters`), tokens
from the policy provider's usage fields as recorded by the policy wrapper, the optimal length from the task's
oracle solution, and the functional score from the answer evaluator or the state validators.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from crm_gym.api.api import ToolResult

DriftLevel = Literal["none", "low", "medium", "high"]
#: The measures of a multi-turn episode's conversation; left out of a single-turn episode's serialised measures.
CONVERSATION_FIELDS = ("user_turns", "optimal_user_turns", "repeated_questions")


class EpisodeMeasures(BaseModel):
    """The measured facts of one episode. Every number is non-negative and the counts are mutually consistent.

    >>> m = EpisodeMeasures(functional=1.0, tokens=2_400, tool_calls=3, queries=2, steps=4, optimal_steps=4)
    >>> m.is_drift_episode
    False
    >>> EpisodeMeasures(functional=1.0, tokens=-5)
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for EpisodeMeasures
    tokens
      Input should be greater than or equal to 0 ...
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    functional: float = Field(ge=0.0, le=1.0, description="Task success in [0, 1], from the evaluator or validators.")
    drift_level: DriftLevel = Field("none", description="Schema drift applied to the episode; 'none' = no drift.")
    tokens: int | None = Field(
        None, ge=0, description="Prompt + completion tokens from the policy API's usage; None when not reported."
    )
    emitted_chars: int = Field(
        0, ge=0, description="Characters the policy emitted (tool names, arguments, answer), counted by the env."
    )
    tool_calls: int = Field(0, ge=0, description="Tool calls received by the API, failed ones included.")
    queries: int = Field(0, ge=0, description="Calls of the query and search tools, counted by the API.")
    invalid_calls: int = Field(0, ge=0, description="Calls the API rejected with a CrmError.")
    recovered_errors: int = Field(
        0, ge=0, description="Rejected calls followed later by a successful call of the same tool."
    )
    drift_errors: int = Field(
        0, ge=0, description="Rejected calls that used a name the drift had renamed (a subset of invalid_calls)."
    )
    drift_recovered: int = Field(
        0, ge=0, description="Drift errors followed later by a successful call of the same tool."
    )
    steps: int = Field(0, ge=0, description="Environment steps taken (each tool call or final answer is one).")
    optimal_steps: int = Field(0, ge=0, description="Steps of the task's oracle solution, counted the same way.")
    claims: int = Field(0, ge=0, description="Checkable record ids and entity values in the final answer.")
    hallucinated: int = Field(
        0, ge=0, description="Claims absent from the org or never shown to the agent (context or a tool result)."
    )
    user_turns: int = Field(0, ge=0, description="Questions the agent asked the simulated user (multi-turn episodes).")
    optimal_user_turns: int = Field(
        0, ge=0, description="Questions of the task's oracle solution: 1 in a multi-turn episode, else 0."
    )
    repeated_questions: int = Field(
        0, ge=0, description="Questions asking only for what the user had already told, or asked word for word before."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        for part, whole in (
            ("queries", "tool_calls"),
            ("invalid_calls", "tool_calls"),
            ("recovered_errors", "invalid_calls"),
            ("drift_errors", "invalid_calls"),
            ("drift_recovered", "drift_errors"),
            ("hallucinated", "claims"),
            ("repeated_questions", "user_turns"),
        ):
            if getattr(self, part) > getattr(self, whole):
                raise ValueError(
                    f"{part}={getattr(self, part)!r} exceeds {whole}={getattr(self, whole)!r}; "
                    f"{part} counts a subset of {whole}."
                )
        if self.drift_errors and not self.is_drift_episode:
            raise ValueError(f"drift_errors={self.drift_errors!r} on an episode with drift_level='none'; must be 0.")
        return self

    @model_serializer(mode="wrap")
    def _without_empty_conversation(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> Any:
        # A single-turn episode's measures serialise as they did before conversations existed, so the records of
        # earlier runs still compare equal when they are rescored.
        data = handler(self)
        if isinstance(data, dict) and not self.is_conversation:
            for name in CONVERSATION_FIELDS:
                data.pop(name, None)
        return data

    @property
    def is_conversation(self) -> bool:
        """Whether the episode was multi-turn (its oracle asks the user, or the agent did)."""
        return bool(self.user_turns or self.optimal_user_turns)

    @property
    def extra_user_turns(self) -> int:
        """Questions beyond the oracle's: each costs like a query (QUERY_EFFICIENCY)."""
        return max(0, self.user_turns - self.optimal_user_turns)

    @property
    def is_drift_episode(self) -> bool:
        """Whether schema drift was applied to this episode."""
        return self.drift_level != "none"


def count_recovered_errors(results: Iterable[ToolResult]) -> int:
    """Count the failed calls that were followed, later in the episode, by a successful call of the same tool.

    Args:
        results: The episode's tool results, in the order the calls were made.

    >>> calls = [("update", False), ("update", False), ("get", True), ("update", True), ("search", False)]
    >>> count_recovered_errors(ToolResult(tool=t, ok=ok) for t, ok in calls)
    2
    """
    pending: dict[str, int] = {}
    recovered = 0
    for result in results:
        if result.ok:
            recovered += pending.pop(result.tool, 0)
        else:
            pending[result.tool] = pending.get(result.tool, 0) + 1
    return recovered
