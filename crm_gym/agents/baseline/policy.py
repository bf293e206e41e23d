"""`BaselinePolicy`: an offline, deterministic heuristic CRM agent that runs one plan per episode.

At reset it reads only what the agent sees (prompt, persona, context, schema summary, tool parameters), resolves
names through `SchemaNames`, picks a plan with `choose_plan` and starts it; every `act` sends the last tool
result into the plan and returns its next action. A plan that fails or runs out answers "None". In a multi-turn
episode (its tools include ``ask_user``) the plan first asks the user for what the request lacks
(`crm_gym.agents.baseline.clarify`).
"""

from __future__ import annotations

from typing import Any

from crm_gym.agents.base import Policy, PolicyStep
from crm_gym.agents.baseline.clarify import clarifying_plan, offers_ask_user
from crm_gym.agents.baseline.names import SchemaNames
from crm_gym.agents.baseline.plan import Plan, PlanContext
from crm_gym.agents.baseline.router import choose_plan, is_arc
from crm_gym.envs.spaces import tool_parameters

FALLBACK_ANSWER = {"answer": "None"}


def plan_context(observation: dict[str, Any], tools: list[dict[str, Any]]) -> PlanContext:
    """The plan's view of an episode: the observation's texts, the tool parameters and a name resolver."""
    schema = str(observation.get("schema") or "")
    parameters = tool_parameters(tools)
    profile = "arc" if is_arc(schema) else "crmarena_pro_b2b"
    return PlanContext(
        prompt=str(observation.get("prompt") or ""),
        persona=str(observation.get("persona") or ""),
        context=str(observation.get("context") or ""),
        schema=schema,
        tools=parameters,
        names=SchemaNames(schema, parameters, profile),
    )


class BaselinePolicy(Policy):
    """Plans tool calls per task kind from the prompt's wording, reads the results and applies the stated rules."""

    kind = "baseline"

    def __init__(self) -> None:
        self._plan: Plan | None = None
        self._started = False
        #: What made this episode's plan fail, if it did (for debugging; the episode then answers "None").
        self.plan_error: str | None = None

    def reset(self, observation: dict[str, Any], info: dict[str, Any], tools: list[dict[str, Any]]) -> None:
        """Start the episode's plan (``info`` is not read)."""
        self._started = False
        self.plan_error = None
        try:
            ctx = plan_context(observation, tools)
            self._plan = clarifying_plan(ctx) if offers_ask_user(ctx.tools) else choose_plan(ctx)(ctx)
        except Exception as err:  # noqa: BLE001 - no plan: the episode is answered with "None"
            self._fail(f"{type(err).__name__}: {err}")

    def act(self, observation: dict[str, Any], info: dict[str, Any]) -> PolicyStep:
        """The plan's next action, given the last tool result; "None" when the plan fails or has ended."""
        action: Any = FALLBACK_ANSWER
        if self._plan is not None:
            try:
                result = str(observation.get("last_result") or "")
                action = self._plan.send(result) if self._started else next(self._plan)
                self._started = True
            except StopIteration:
                self._fail("the plan ended without an answer")
            except Exception as err:  # noqa: BLE001 - a heuristic plan must never crash the episode
                self._fail(f"{type(err).__name__}: {err}")
        if not isinstance(action, dict) or not ("answer" in action or "tool" in action):
            self._fail(f"the plan yielded {action!r:.80}, not an action")
            action = FALLBACK_ANSWER
        if "answer" in action:
            self._plan = None
        return PolicyStep(action=dict(action), usage=None)

    def _fail(self, reason: str) -> None:
        self.plan_error = reason
        self._plan = None
