"""`LLMUser`: a simulated user played by an LLM over the policies' OpenAI and Anthropic clients.

Like the judge (`crm_gym.agents.llm.judge`), it is an LLM policy making one request per reply, so it has what a
policy has: the native SDKs, owned retries with backoff on 429 and 5xx, the request-hash cache and keyless replay
(``cache_mode="replay"``), provider errors redacted. Its instructions are the scenario: who the user is, what they
want done, the facts they hold, the kinds of fact they do not know, and the rules users of tau2-bench and
CRMArena-Pro found LLM users break (stopping early, inventing facts, accepting "None", starting over, replying
empty). Each request carries the conversation so far.

Every reply is checked before the agent sees it: a reply that is empty, or that states a fact the scenario does not
hold (`crm_gym.conversation.facts.invented_facts`: an amount, a date, an id, a file, a person or company nobody
gave it), is asked for again with the problem named, up to ``max_attempts`` replies; then the user has failed
(`UserSimulatorError`), an infrastructure failure that leaves the episode unscored, never the agent's 0. The
user's token usage is not the agent's and is not counted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crm_gym.agents.base import AgentFailureError, PolicyInfrastructureError
from crm_gym.agents.llm.cache import CacheMode, LlmCache
from crm_gym.agents.llm.policy import LlmPolicy
from crm_gym.conversation.facts import invented_facts
from crm_gym.conversation.scenario import UserScenario
from crm_gym.conversation.vocabulary import SLOT_KINDS
from crm_gym.entropy.drift import DriftMap
from crm_gym.errors import CrmGymError, UserSimulatorError

USER_INSTRUCTIONS = (
    "You are the user in this conversation, not the assistant: you asked a CRM assistant for something, and it is "
    "asking you questions. Reply as the user would, in one to three short sentences.\n"
    "- Answer only what the assistant asks, with the facts listed under 'What you know'. Give one fact per question "
    "unless it asks for several. Do not volunteer facts it did not ask for.\n"
    "- If it asks for something you do not know, say you don't know. Never invent a value, a date, a name, an id, a "
    "file or any other fact that is not in 'What you know'.\n"
    "- You do not know what is in the CRM or what the answer to your request is: that is the assistant's job. Never "
    "say what the answer is, and never accept 'None' or a guess as the answer on the assistant's behalf.\n"
    "- Do not end the conversation, say goodbye, thank it for finishing, or start the request over: just answer."
)
_RETRY = (
    "\n\nYour previous reply was: {reply!r}. It {problem}. Reply again as the user, stating only facts listed under "
    "'What you know', or say you don't know."
)


def scenario_text(scenario: UserScenario) -> str:
    """What the LLM user knows, as its context: the request, the facts it holds and what it does not know."""
    facts = [f"- {slot.label}: {slot.value.text}" for slot in scenario.slots]
    unknown = ", ".join(SLOT_KINDS[kind].label for kind in scenario.unknown) or "nothing else listed"
    return (
        f"What you asked the assistant (your full request): {scenario.request}\n"
        f"Your first message to it was: {scenario.opening}\n\n"
        "What you know:\n" + "\n".join(facts) + f"\n\nWhat you do not know: {unknown}, and anything not listed above."
    )


class LLMUser:
    """A `crm_gym.conversation.users.SimulatedUser` played by an LLM policy (see the module docstring)."""

    kind = "llm"

    def __init__(
        self,
        provider: str,
        model: str,
        scenario: UserScenario,
        *,
        seed: int,
        drift: DriftMap | None = None,
        max_attempts: int = 3,
        cache_dir: str | Path | None = None,
        cache_mode: CacheMode = "read_write",
        **options: Any,
    ) -> None:
        """Args:
        provider: "openai" or "anthropic".
        model: The model name.
        scenario: What the user holds.
        seed: The episode seed (part of every cache key: each trial is cached on its own).
        drift: Unused: an LLM user reads questions in any names (the scripted user needs the map).
        max_attempts: Replies asked for before the user has failed (each rejected one is asked for again).
        cache_dir: Caches every request (``cache_mode="replay"``: from the cache only, no key, no network).
        cache_mode: "read_write" or "replay" (or "off").
        **options: The policy's settings: ``base_url``, ``api_key``, ``timeout``, ``max_retries``, ``client``,
            ``sleep``, ``temperature``, ...
        """
        if max_attempts < 1:
            raise CrmGymError(f"max_attempts must be at least 1, got {max_attempts!r}.")
        from crm_gym.agents.llm import AnthropicPolicy, OpenAIPolicy

        policy_class: Any = {"openai": OpenAIPolicy, "anthropic": AnthropicPolicy}.get(provider)
        if policy_class is None:
            raise CrmGymError(f"An LLM user's provider is 'openai' or 'anthropic', got {provider!r}.")
        cache = LlmCache(cache_dir, cache_mode) if cache_dir is not None else None
        self._policy: LlmPolicy = policy_class(model, cache=cache, **options)
        self._policy.instructions = USER_INSTRUCTIONS
        self._policy.cache_scope = f"user:episode-seed={seed}"
        self.scenario, self.max_attempts = scenario, max_attempts
        self._context = scenario_text(scenario)
        self._turns: list[tuple[str, str]] = []

    def config(self) -> dict[str, Any]:
        """The model and settings that change the replies."""
        return {**self._policy.config(), "kind": f"llm:{self._policy.kind}", "max_attempts": self.max_attempts}

    def reply(self, message: str) -> str:
        """The user's checked reply to ``message``.

        Raises:
            UserSimulatorError: the provider failed, or no reply within ``max_attempts`` passed the check.
        """
        prompt = self._prompt(message)
        problems = []
        for _ in range(self.max_attempts):
            text = self._ask(prompt).strip()
            problem = self._problem(text, message)
            if problem is None:
                self._turns.append((message, text))
                return text
            problems.append(problem)
            prompt += _RETRY.format(reply=text[:500], problem=problem)
        raise UserSimulatorError(
            f"The LLM user ({self._policy.kind}:{self._policy.model}) gave no usable reply in {self.max_attempts} "
            f"attempts: {'; '.join(problems)}."
        )

    def close(self) -> None:
        """Close the policy's client and event loop."""
        self._policy.close()

    def _prompt(self, message: str) -> str:
        lines = [f"User: {self.scenario.opening}"]
        for question, reply in self._turns:
            lines += [f"Assistant: {question}", f"User: {reply}"]
        lines.append(f"Assistant: {message}")
        return "The conversation so far:\n" + "\n".join(lines) + "\n\nWrite the user's next reply, and only that."

    def _ask(self, prompt: str) -> str:
        observation = {"persona": self.scenario.persona, "context": self._context, "schema": "(you do not use the CRM)"}
        self._policy.reset({**observation, "prompt": prompt}, {}, [])
        try:
            step = self._policy.act({}, {})
        except (PolicyInfrastructureError, AgentFailureError) as err:
            raise UserSimulatorError(f"The LLM user could not reply: {err}") from None
        return str(step.action.get("answer", "")) if "answer" in step.action else ""

    def _problem(self, text: str, message: str) -> str | None:
        """Why a reply cannot be shown to the agent, or None."""
        if not text:
            return "was empty"
        allowed = [self._context, self.scenario.persona, message, *(text for turn in self._turns for text in turn)]
        invented = invented_facts(text, allowed)
        return f"states facts you were not given ({', '.join(invented)})" if invented else None
