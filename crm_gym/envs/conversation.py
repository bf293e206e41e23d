"""The env's side of a multi-turn episode: the `ask_user` tool, the simulated user behind it, and what is counted.

A multi-turn episode opens with the scenario's incomplete request; the agent asks the user with ``ask_user`` (a
message in, the user's reply out) as often as it likes. `Conversation` validates each call, gets the reply (in the
episode's drifted names, like every task text), keeps the transcript the observation shows, and counts user turns
and repeated questions: a question is repeated when everything it asks for was already told (stated in the opening
or in an earlier reply), or when it is word for word an earlier question. The counts feed the efficiency
dimensions (docs/scoring.md).
"""

from __future__ import annotations

from typing import Any, Literal

from crm_gym.conversation.matching import SlotMatcher, stems
from crm_gym.conversation.scenario import UserScenario
from crm_gym.conversation.users import SimulatedUser
from crm_gym.entropy.drift import DriftMap

ASK_USER = "ask_user"
MAX_MESSAGE_CHARS = 4_000
_DESCRIPTION = (
    "Ask the user who made the request a question and get their reply. The request may leave out details the task "
    "needs (a value, a date, which record or period, which one of several look-alike records): ask for them "
    "instead of guessing. The user answers what you ask, says when they do not know something, and does not know "
    "what is in the CRM. Ask for several details in one message when you need several."
)
_PARAMETERS: dict[str, Any] = {
    "type": "object",
    "properties": {"message": {"type": "string", "description": "Your question to the user."}},
    "required": ["message"],
    "additionalProperties": False,
}


def ask_user_spec(flavor: Literal["openai_chat", "openai_responses", "anthropic"]) -> dict[str, Any]:
    """The ``ask_user`` tool in a provider's format (the same shapes as the CRM tools' specs)."""
    if flavor == "openai_chat":
        return {
            "type": "function",
            "function": {"name": ASK_USER, "description": _DESCRIPTION, "parameters": _PARAMETERS},
        }
    if flavor == "openai_responses":
        return {"type": "function", "name": ASK_USER, "description": _DESCRIPTION, "parameters": _PARAMETERS,
                "strict": False}  # fmt: skip
    return {"name": ASK_USER, "description": _DESCRIPTION, "input_schema": _PARAMETERS}


class Conversation:
    """One multi-turn episode's user, transcript and counts."""

    def __init__(self, scenario: UserScenario, user: SimulatedUser, drift: DriftMap) -> None:
        """Talk to ``user`` about ``scenario``; replies are rewritten in ``drift``'s names."""
        self.scenario, self.user, self._drift = scenario, user, drift
        self._matcher = SlotMatcher(scenario, drift)
        self._held = {s.kind for s in scenario.slots}
        self._told = {s.kind for s in scenario.slots if not s.withheld}
        self._asked: set[tuple[str, ...]] = set()
        self.opening = drift.rewrite_text(scenario.opening, prose=True)
        self.turns: list[tuple[str, str]] = []
        self.repeated_questions = 0

    @property
    def user_turns(self) -> int:
        """Questions the user answered."""
        return len(self.turns)

    def ask(self, args: dict[str, Any]) -> tuple[str, str | None]:
        """Answer one ``ask_user`` call: ``(text shown, error or None)``; a bad call changes nothing.

        Raises:
            UserSimulatorError: the user could not reply (an infrastructure failure, not the agent's).
        """
        message = args.get("message")
        extra = sorted(set(args) - {"message"})
        if extra or not isinstance(message, str) or not message.strip():
            error = (
                f"ask_user takes one argument, 'message' (your question as non-empty text); got {sorted(args)}."
                if extra or not isinstance(message, str)
                else "ask_user: 'message' is empty; write your question to the user."
            )
            return f"Error: {error}", error
        if len(message) > MAX_MESSAGE_CHARS:
            error = f"ask_user: the message is {len(message):,} characters; at most {MAX_MESSAGE_CHARS:,}."
            return f"Error: {error}", error
        asked = set(self._matcher.asked(message)) & self._held
        words = tuple(stems(message))
        if (asked and asked <= self._told) or words in self._asked:
            self.repeated_questions += 1
        reply = self._drift.rewrite_text(self.user.reply(message), prose=True)
        self._told |= asked
        self._asked.add(words)
        self.turns.append((message, reply))
        return reply, None

    def close(self) -> None:
        """Release the user's clients, if it holds any (an LLM user's SDK client and event loop)."""
        close = getattr(self.user, "close", None)
        if callable(close):
            close()

    def transcript(self) -> str:
        """The conversation so far, opening first: "User: ..." and "Agent: ..." lines."""
        lines = [f"User: {self.opening}"]
        for question, reply in self.turns:
            lines += [f"Agent: {question}", f"User: {reply}"]
        return "\n".join(lines)
