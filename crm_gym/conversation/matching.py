"""Which of a scenario's facts a question asks for: business words, paraphrases and schema names, on word stems.

A question and every phrase of a slot kind (`crm_gym.conversation.vocabulary.SLOT_KINDS`) are cut into words
(``close_date``, ``CloseDate`` and "close date" give the same two), the words reduced to their stems ("closing" ->
"close"), and a kind is asked for when one of its phrases occurs in the question as a run of stems. The names of
the schema fields and objects a slot fills count as its phrases too, under the episode's drift (an agent that read
``deal_value`` in the drifted schema may ask for it by that name). Two rules settle what overlaps:

- a phrase that lies strictly inside a longer phrase matched for another kind ("name" inside "client name") does
  not count;
- a phrase several of the scenario's kinds share ("name" asks for a deal's name, a file's and the uploader's) goes
  to the kind whose own phrase stands nearest, within three words ("the file name and the uploader's name": the
  first "name" is the file's, the second the uploader's); with no such neighbour it asks for every kind sharing it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from crm_gym.conversation.scenario import UserScenario
from crm_gym.conversation.vocabulary import SLOT_KINDS
from crm_gym.entropy.drift import DriftMap
from crm_gym.scoring.stemming import stem_words

_TOKEN = re.compile(r"[A-Za-z0-9]+")
_PART = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_IGNORED = frozenset({"c", "kav", "2"})  # Salesforce suffixes (Issue__c, Knowledge__kav, Product2)

Phrase = tuple[str, ...]


def stems(text: str) -> list[str]:
    """The text's words, identifiers cut into their parts, lower-cased and stemmed.

    >>> stems("What's the CloseDate of the deal_value? Closing soon.")
    ['what', 's', 'the', 'close', 'date', 'of', 'the', 'deal', 'valu', 'close', 'soon']
    """
    parts = [p.lower() for token in _TOKEN.findall(text) for p in _PART.findall(token)]
    return stem_words(parts)


def _phrase(text: str) -> Phrase:
    return tuple(s for s in stems(text) if s not in _IGNORED)


def _spans(words: list[str], phrase: Phrase) -> Iterable[tuple[int, int]]:
    n = len(phrase)
    for i in range(len(words) - n + 1):
        if tuple(words[i : i + n]) == phrase:
            yield i, i + n


_NEAR = 3  # words between a shared phrase and the phrase that claims it


class SlotMatcher:
    """Finds the slot kinds a question asks for, among a scenario's held and unknown kinds."""

    def __init__(self, scenario: UserScenario, drift: DriftMap | None = None) -> None:
        """Phrases of every kind the scenario mentions (its slots, then its unknown kinds), the schema names of its
        slots' fields and objects included, canonical and as ``drift`` shows them."""
        self.kinds = [s.kind for s in scenario.slots] + list(scenario.unknown)
        self._phrases: dict[str, set[Phrase]] = {}
        for kind in self.kinds:
            spec = SLOT_KINDS[kind]
            slot = scenario.slot(kind)
            phrases = {_phrase(p) for p in (*spec.asks, *(slot.asks if slot else ()))}
            names: list[str] = []
            for obj in spec.objects:
                names += [obj, drift.object_name(obj) if drift else obj]
            for obj, field in slot.fields if slot else ():
                names += [field, drift.field_name(obj, field) if drift else field]
            phrases |= {_phrase(n) for n in names}
            self._phrases[kind] = {p for p in phrases if p}
        owners: dict[Phrase, set[str]] = {}
        for kind, phrases in self._phrases.items():
            for phrase in phrases:
                owners.setdefault(phrase, set()).add(kind)
        self._shared = {p for p, kinds in owners.items() if len(kinds) > 1}

    def asked(self, question: str) -> list[str]:
        """The kinds ``question`` asks for, in the scenario's order (see the module docstring)."""
        words = stems(question)
        matches = [(k, s, p in self._shared) for k in self.kinds for p in self._phrases[k] for s in _spans(words, p)]
        matches = [
            (k, s, shared)
            for k, s, shared in matches
            if not any(o != k and o_s[0] <= s[0] and s[1] <= o_s[1] and o_s[1] - o_s[0] > s[1] - s[0]
                       for o, o_s, _ in matches)
        ]  # fmt: skip
        own = [(k, s) for k, s, shared in matches if not shared]
        asked = {k for k, _ in own}
        for kind, span, shared in matches:
            if not shared:
                continue
            sharing = {k for k, s, _ in matches if s == span}
            gaps = {k: _gap(span, s) for k, s in own if k in sharing}
            near = {k: g for k, g in gaps.items() if g <= _NEAR}
            if not near:
                asked |= sharing
            elif near.get(kind) == min(near.values()):
                asked.add(kind)
        return [k for k in self.kinds if k in asked]


def _gap(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Words between two spans (0 when they touch or overlap)."""
    return max(0, b[0] - a[1], a[0] - b[1])
