"""The OpenEnv wire models: one action (a tool call, the final answer, or stop), the observation, the state."""

from __future__ import annotations

from typing import Any

from openenv.core.env_server.types import Action, Observation, State
from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError


class CrmAction(Action):
    """One move of the agent: exactly one of ``tool`` (with ``arguments``), ``answer`` or ``stop``."""

    tool: str | None = Field(default=None, description="A tool to call, by name (see the observation's tools).")
    arguments: dict[str, Any] = Field(default_factory=dict, description="The tool's arguments, as an object.")
    answer: str | None = Field(default=None, description="The final answer; it ends the episode.")
    stop: bool = Field(default=False, description="End the episode as it stands (scored without an answer).")

    @model_validator(mode="after")
    def _one_move(self) -> CrmAction:
        moves = [self.tool is not None, self.answer is not None, self.stop]
        # PydanticCustomError, not ValueError: OpenEnv's 422 response cannot serialize an exception object
        if sum(moves) != 1:
            raise PydanticCustomError(
                "one_move",
                "give exactly one of tool (with arguments), answer or stop=true; got tool={tool}, answer={answer}, "
                "stop={stop}",
                {"tool": repr(self.tool), "answer": repr(self.answer), "stop": repr(self.stop)},
            )
        if self.tool is None and self.arguments:
            raise PydanticCustomError("one_move", "arguments go with a tool call; an answer or stop takes none")
        return self


class CrmObservation(Observation):
    """What the agent sees: the chat messages this move added, the tools (at reset), the last result text.

    ``reward`` is the env's step reward (the terminal score / 100 included on the last step); ``metadata`` holds
    the env's ``info`` (task id, category, counters; the score and measures once the episode is over).
    """

    messages: list[dict[str, Any]] = Field(
        default_factory=list, description="Chat messages added by this move (at reset: system and user)."
    )
    tools: list[dict[str, Any]] = Field(
        default_factory=list, description="The episode's tool specs, OpenAI function format (at reset only)."
    )
    result: str = Field(default="", description="The last tool result or error text.")


class CrmState(State):
    """The session's episode: its id and step count (OpenEnv's), the task and levels, whether it is over."""

    task_id: str | None = None
    group: str | None = None
    drift_level: str | None = None
    rot_level: str | None = None
    done: bool = False
