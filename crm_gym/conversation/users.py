"""The simulated user protocol, and users by spec: ``scripted`` or ``llm:<provider>:<model>``.

A user answers one message of the agent at a time (`SimulatedUser.reply`) and describes itself for the records
(`SimulatedUser.config`). `make_user` builds one for an episode from its scenario, seed and drift. The LLM user
lives with the LLM policies whose clients it uses (`crm_gym.agents.llm.user`) and is imported only when a spec
names it: the one place the env's layer reaches up to the agents', lazily, so ``import crm_gym`` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any, Protocol, runtime_checkable

from crm_gym.conversation.scenario import UserScenario
from crm_gym.conversation.scripted import ScriptedUser
from crm_gym.entropy.drift import DriftMap
from crm_gym.errors import CrmGymError, EnvArgumentError, brief

USER_SPEC_FORMS = ("scripted", "llm:openai:MODEL", "llm:anthropic:MODEL")
LLM_PROVIDERS = ("openai", "anthropic")


@runtime_checkable
class SimulatedUser(Protocol):
    """What the env asks of a simulated user."""

    def reply(self, message: str) -> str:
        """The user's reply to the agent's ``message`` (raises `crm_gym.errors.UserSimulatorError` when it cannot)."""
        ...

    def config(self) -> dict[str, Any]:
        """Every setting that changes the user's replies, for the records."""
        ...


def check_user_spec(spec: str) -> tuple[str, str, str]:
    """``(kind, provider, model)`` of a user spec ("scripted" gives empty provider and model).

    Raises:
        EnvArgumentError: the spec is none of the allowed forms (listed in the message).
    """
    if spec == "scripted":
        return "scripted", "", ""
    kind, _, rest = spec.partition(":") if isinstance(spec, str) else ("", "", "")
    provider, _, model = rest.partition(":")
    if kind == "llm" and provider in LLM_PROVIDERS and model:
        return kind, provider, model
    raise EnvArgumentError(f"Unknown user spec {brief(spec)}; use one of: {', '.join(USER_SPEC_FORMS)}.")


def make_user(
    spec: str, scenario: UserScenario, *, seed: int, drift: DriftMap | None = None, **options: Any
) -> SimulatedUser:
    """The user ``spec`` names for one episode; ``options`` go to the LLM user (``cache_dir``, ``cache_mode``,
    ``base_url``, ``api_key``, ``max_attempts``, ...) and must be empty for the scripted one.

    Raises:
        CrmGymError: an unknown spec, or options the scripted user does not take.
    """
    kind, provider, model = check_user_spec(spec)
    if kind == "scripted":
        if options:
            raise CrmGymError(f"The scripted user takes no options, got {sorted(options)}.")
        return ScriptedUser(scenario, seed=seed, drift=drift)
    llm_user = importlib.import_module("crm_gym.agents.llm.user")
    return llm_user.LLMUser(provider, model, scenario, seed=seed, drift=drift, **options)
