"""`ScriptedUser`: a deterministic simulated user that answers from its scenario, offline.

It answers a question with the facts the question asks for (`crm_gym.conversation.matching`): one fact for a
question about one thing, every fact asked for when a question asks for several. Asked for a kind of fact it does
not hold, it says it does not know; asked for nothing it holds, it says it does not know. It never volunteers a
fact nobody asked for, never holds the task's answer (a scenario holds inputs only), and never ends the episode:
only the agent's final answer does. How it words a reply varies with the episode seed (a `random.Random` seeded
with text, so the same seed gives the same conversation in every process).

>>> from crm_gym.conversation.scenario import Slot, SlotValue, UserScenario
>>> scenario = UserScenario(
...     task_id="demo", opening="Log a new deal for Acme.", request="Log a $5,000 deal for Acme.",
...     slots=(Slot(kind="amount", value=SlotValue(text="$5,000"), statements=("It's {value}.",)),),
...     unknown=("close_date",))
>>> user = ScriptedUser(scenario, seed=0)
>>> user.reply("How much is it worth?")
"It's $5,000."
>>> user.reply("When will it close?").startswith(("I don't know", "Sorry", "I'm not sure"))
True
"""

from __future__ import annotations

import random
from typing import Any

from crm_gym.conversation.matching import SlotMatcher
from crm_gym.conversation.scenario import UserScenario
from crm_gym.conversation.vocabulary import DONT_KNOW, NOTHING_ASKED, SLOT_KINDS
from crm_gym.entropy.drift import DriftMap


class ScriptedUser:
    """A deterministic user over a `UserScenario` (see the module docstring)."""

    kind = "scripted"

    def __init__(self, scenario: UserScenario, *, seed: int, drift: DriftMap | None = None) -> None:
        """``seed`` (the episode's) picks the wording of each reply; ``drift`` lets questions name drifted fields."""
        self.scenario = scenario
        self.matcher = SlotMatcher(scenario, drift)
        self._rng = random.Random(f"crm_gym.scripted_user:{seed}:{scenario.task_id}")

    def config(self) -> dict[str, Any]:
        """The user's kind (it has no other setting)."""
        return {"kind": self.kind}

    def reply(self, message: str) -> str:
        """The reply to the agent's ``message``: the facts it asks for, "I don't know" for the rest."""
        asked = self.matcher.asked(message)
        if not asked:
            return self._rng.choice(NOTHING_ASKED)
        parts = []
        for kind in asked:
            slot = self.scenario.slot(kind)
            if slot is not None:
                parts.append(slot.statement(self._rng.randrange(len(slot.statements))))
        missing = [SLOT_KINDS[k].label for k in asked if self.scenario.slot(k) is None]
        if missing:
            what = "the " + (
                missing[0] if len(missing) == 1 else ", the ".join(missing[:-1]) + " or the " + missing[-1]
            )
            parts.append(self._rng.choice(DONT_KNOW).format(what=what))
        return " ".join(parts)
