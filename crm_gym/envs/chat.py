"""The chat view of an episode: OpenAI-style messages and tool specs, the one every adapter speaks.

An episode opens with a system message (persona, context, the schema summary and how to work) and the task's
prompt as the user message. Each tool call is an assistant message with one ``tool_calls`` entry whose
``arguments`` is an object (the conversational format of TRL and of chat templates; `wire_message` gives the
JSON text the OpenAI API sends), followed by the tool's result as a ``tool`` message; the final answer is an
assistant message. `ChatEpisode` drives a `CrmArenaEnv` through that view and keeps the transcript; the
trainer adapters (`crm_gym.integrations`), the SFT export and the LLM policies all build on this module.

>>> from crm_gym.envs.crm_arena import CrmArenaEnv
>>> episode = ChatEpisode(CrmArenaEnv(suite="arc"))
>>> [m["role"] for m in episode.reset(seed=0)]
['system', 'user']
>>> episode.call("describe", {"object": "Client"})[:12]
'{"object": "'
>>> episode.answer("done")
'The answer is recorded; the episode is over.'
>>> episode.done, [m["role"] for m in episode.messages][2:]
(True, ['assistant', 'tool', 'assistant'])
"""

from __future__ import annotations

import json
from typing import Any

from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.errors import CrmGymError

INSTRUCTIONS = (
    "Use the tools to read or change the CRM. Use only the object and field names listed in the schema above. "
    "When you know the final answer, reply with it as plain text and no tool call: that reply ends the task. "
    "For a task that only asks you to change records, make the changes, then reply with a short confirmation."
)
ANSWER_TOOL_INSTRUCTIONS = (
    "Use the tools to read or change the CRM. Use only the object and field names listed in the schema above. "
    "When you know the final answer, call submit_answer with it: that call ends the task. For a task that only "
    "asks you to change records, make the changes, then call submit_answer with a short confirmation."
)
EPISODE_OVER = "The episode is over: no more tool calls are taken."


def system_text(observation: dict[str, Any], instructions: str = INSTRUCTIONS) -> str:
    """The system text of an episode: who the user is, the task's context, the schema and how to answer."""
    sections = [
        str(observation.get("persona", "")).strip(),
        "## Context\n" + str(observation.get("context", "")).strip(),
        "## CRM schema: object(field, ...)\n" + str(observation.get("schema", "")).strip(),
        "## How to work\n" + instructions,
    ]
    return "\n\n".join(s for s in sections if s)


def opening_messages(observation: dict[str, Any], instructions: str = INSTRUCTIONS) -> list[dict[str, Any]]:
    """The system message and the task's prompt as the first user message."""
    return [
        {"role": "system", "content": system_text(observation, instructions)},
        {"role": "user", "content": str(observation.get("prompt", ""))},
    ]


def tool_call_message(call_id: str, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """An assistant message making one tool call, its arguments as an object."""
    function = {"name": name, "arguments": arguments}
    return {
        "role": "assistant",
        "content": "",
        "tool_calls": [{"id": call_id, "type": "function", "function": function}],
    }


def tool_result_message(call_id: str, name: str, content: str) -> dict[str, Any]:
    """The result of a tool call (``name`` too, which some chat templates print)."""
    return {"role": "tool", "tool_call_id": call_id, "name": name, "content": content}


def wire_message(message: dict[str, Any]) -> dict[str, Any]:
    """A message as the OpenAI Chat Completions API sends it: tool-call arguments as JSON text."""
    calls = message.get("tool_calls")
    if not calls:
        return dict(message)
    wired = [
        {**c, "function": {**c["function"], "arguments": json.dumps(c["function"]["arguments"], ensure_ascii=False)}}
        for c in calls
    ]
    return {**message, "tool_calls": wired}


class ChatEpisode:
    """One `CrmArenaEnv` episode driven through the chat view: tool calls in, result texts out, a transcript kept.

    Rewards follow the env: `terminal_reward` is the 7-dimension total / 100 of the ended (or `finish`-ed)
    episode, `step_rewards` the sum of the rewards of the steps before the end (state progress of workflow
    tasks, minus 0.02 per invalid call).
    """

    def __init__(self, env: CrmArenaEnv, instructions: str = INSTRUCTIONS) -> None:
        """Drive ``env`` (its tools as specs in OpenAI Chat Completions format)."""
        self.env = env
        self.instructions = instructions
        self.messages: list[dict[str, Any]] = []
        self.tools: list[dict[str, Any]] = []
        self.info: dict[str, Any] = {}
        self.done = False
        self._rewards: list[float] = []
        self._final: tuple[float, dict[str, Any]] | None = None

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Start an episode (``seed`` and ``options`` as `CrmArenaEnv.reset`); returns the opening messages."""
        observation, self.info = self.env.reset(seed=seed, options=options)
        self.observation = observation
        self.tools = self.env.tool_specs("openai_chat")
        self.messages = opening_messages(observation, self.instructions)
        self.done, self._rewards, self._final = False, [], None
        return list(self.messages)

    def call(self, name: str, arguments: dict[str, Any], call_id: str | None = None) -> str:
        """Call a tool; returns its result text (an error text for a bad call, as the env reports it)."""
        call_id = call_id or f"call_{len(self._rewards)}"
        self.messages.append(tool_call_message(call_id, name, arguments))
        result = self._step({"tool": name, "args": arguments}) if not self.done else EPISODE_OVER
        self.messages.append(tool_result_message(call_id, name, result))
        return result

    def answer(self, text: str) -> str:
        """Give the final answer, which ends the episode; returns a confirmation text."""
        if self.done:
            return EPISODE_OVER
        self.messages.append({"role": "assistant", "content": text})
        self._step({"answer": text})
        return "The answer is recorded; the episode is over."

    def _step(self, action: dict[str, Any]) -> str:
        observation, reward, terminated, truncated, self.info = self.env.step(action)
        if terminated or truncated:
            self.done = True
            self._final = self.env.finish()
            reward -= self._final[0]  # the last step's reward holds the terminal one: keep the shaping part
        self._rewards.append(reward)
        return str(observation["last_result"])

    def finish(self) -> tuple[float, dict[str, Any]]:
        """End the episode as it stands (if not over) and return the terminal reward and end-of-episode info."""
        if not self.info:
            raise CrmGymError("finish() scores the current episode: call reset() first.")
        if self._final is None:
            self._final = self.env.finish()
            self.done = True
        self.info = self._final[1]
        return self._final

    @property
    def terminal_reward(self) -> float:
        """The episode's score / 100 (the episode is finished first if it is still running)."""
        return self.finish()[0]

    @property
    def step_rewards(self) -> float:
        """The sum of the step rewards before the end (the terminal reward left out)."""
        return sum(self._rewards)
