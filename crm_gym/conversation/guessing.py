"""What a policy that never asks would assume: the most likely value of every withheld slot.

The guess for a slot with known candidates (which of three look-alike clients) is its first, most likely one. For
any other slot it is the value that kind of slot takes most often in the *other* tasks of the same category (a
guesser learns its prior from the rest of the suite, never from the task it plays): `SlotPrior`. `substitute` turns
the reference solution into the guesser's: every canonical value the true slot put into the calls (its binding) is
replaced by the guessed value's. `crm_gym.agents.reference.GuessingPolicy` plays it, so the guessing base rate is
measured by real episodes, scored as any other.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from crm_gym.conversation.scenario import SlotValue, UserScenario


def value_key(value: SlotValue) -> str:
    """What makes two values the same value: their binding ("3/30/2025" and "March 30, 2025" are one date), or
    their text when they bind nothing."""
    return json.dumps(value.binding, sort_keys=True, default=str) if value.binding else value.text


class SlotPrior:
    """How often each value of each kind of withheld slot occurs, per category, over a set of scenarios."""

    def __init__(self, scenarios: Iterable[tuple[str, UserScenario]]) -> None:
        """Count the withheld values of ``(category, scenario)`` pairs."""
        self._counts: dict[tuple[str, str], Counter[str]] = {}
        self._values: dict[str, SlotValue] = {}
        for category, scenario in scenarios:
            for slot in scenario.withheld:
                key = value_key(slot.value)
                self._counts.setdefault((category, slot.kind), Counter())[key] += 1
                self._values.setdefault(key, slot.value)

    def guesses(self, scenario: UserScenario, category: str) -> dict[str, SlotValue]:
        """The guessed value of every withheld slot of ``scenario`` (one of the counted ones), by kind: its first
        candidate, else the most common value of its kind among the other scenarios of the category (a tie goes to
        the key that sorts first; with no other scenario, the guess is wrong by construction)."""
        found = {}
        for slot in scenario.withheld:
            if slot.options:
                found[slot.kind] = slot.options[0]
                continue
            others = Counter(self._counts.get((category, slot.kind), Counter()))
            others[value_key(slot.value)] -= 1
            candidates = [k for k, n in others.items() if n > 0]
            best = min(candidates, key=lambda k: (-others[k], k)) if candidates else None
            found[slot.kind] = self._values[best] if best else SlotValue(text="(no guess)")
        return found


def replacements(scenario: UserScenario, guessed: Mapping[str, SlotValue]) -> dict[Any, Any] | None:
    """True binding value -> guessed binding value for every wrong guess; {} when every guess is right; None when
    a wrong guess cannot be played (a slot with no binding, such as a metric, changes the whole query)."""
    found: dict[Any, Any] = {}
    for slot in scenario.withheld:
        guess = guessed[slot.kind]
        if value_key(guess) == value_key(slot.value):
            continue
        if not slot.value.binding or set(slot.value.binding) - set(guess.binding):
            return None
        found.update({value: guess.binding[role] for role, value in slot.value.binding.items()})
    return found


def substitute(value: Any, found: Mapping[Any, Any]) -> Any:
    """``value`` (call arguments, nested) with each replaced value swapped, and inside texts each replaced text.

    >>> substitute({"sql": "x >= '2021-07-01' AND x < '2021-08-01'", "n": 5.0},
    ...            {"2021-07-01": "2021-08-01", "2021-08-01": "2021-09-01", 5.0: 7.0})
    {'sql': "x >= '2021-08-01' AND x < '2021-09-01'", 'n': 7.0}
    """
    if isinstance(value, dict):
        return {k: substitute(v, found) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, found) for v in value]
    if not isinstance(value, bool) and any(type(value) is type(k) and value == k for k in found):
        return next(found[k] for k in found if type(value) is type(k) and value == k)
    texts = {k: v for k, v in found.items() if isinstance(k, str) and k and isinstance(v, str)}
    if isinstance(value, str) and texts:  # all at once, so a date swapped in is not swapped again
        pattern = re.compile("|".join(re.escape(k) for k in sorted(texts, key=len, reverse=True)))
        return pattern.sub(lambda m: texts[m.group()], value)
    return value
