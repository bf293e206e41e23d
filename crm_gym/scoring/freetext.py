"""Free-text answers graded by meaning: facts by their concepts, topic lists as sets, names as names.

A ``fuzzy_match`` gold is one of three things, and each is graded the way a careful person would:

- **A list of topic labels** ("Pricing and competitive analysis, Timeline and next steps"): the answer must name
  exactly those topics, in any order and any recognisable words ("pricing" and "the timeline"), and no other topic.
  It is read like any exact answer (`crm_gym.scoring.reading`): the stated topics count, the reasons around them
  do not, and "pricing or timeline" is a hedge.
- **A name** (a competitor, "ZunigaLabs"): the answer must name it (any spacing and case: "Zuniga Labs") and no other
  name as the answer.
- **A fact** (a sentence of a knowledge article, a product kind, a document): the answer must state every concept
  of the fact, each in one of the ways people say it (``data/grading/facts.json``: "15-minute intervals" is also
  "every quarter hour"), and must not state something else: another product's name, a fact of another product
  theme, another number or frequency ("hourly" for "15-minute"), a longer product name ("X Plus" for "X"). A gold
  that is not in the fact file is split into its own concepts: its names and numbers must all appear, and three
  quarters of its other content words.

Words are compared on their Snowball stems, numbers in digits (words and separators normalised), so inflections,
number words and formatting never matter.

>>> grade_free_text("Per-device consumption dashboards, updated every quarter hour.",
...                 ["Dashboards show consumption per device in 15-minute intervals."]).passed
True
>>> grade_free_text("Dashboards show consumption per site in 15-minute intervals.",
...                 ["Dashboards show consumption per device in 15-minute intervals."]).passed
False
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from text_to_num import alpha2digit

from crm_gym.config import data_dir
from crm_gym.scoring.extract import Mention, ValueExtractor
from crm_gym.scoring.reading import read_answer
from crm_gym.scoring.stemming import stem_words
from crm_gym.scoring.text import plain_answer, squash

FACTS_FILE = "grading/facts.json"
_STOPWORD_TEXT = (
    "a an the and or of to in on at for with by from as is are was were be been being it its it's this that these "
    "those they them their there we our you your i my me he she his her can could will would should may might must "
    "do does did so such than then also only just very into onto over under about after before up down out each "
    "every all any some no not more most other which who whom what when where why how if because since while "
    "although though thus hence therefore"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split()) | frozenset(stem_words(_STOPWORD_TEXT.split()))
_FREQUENCIES = frozenset(
    {"hourly", "daily", "nightly", "weekly", "biweekly", "monthly", "quarterly", "yearly", "annually", "annual"}
)
_GAP = 2  # words allowed between the words of one phrasing: "per single device", "top two contributing"
# A product name continued by one of these is another product: "HyperChip Kit Plus" is not "HyperChip Kit".
_NAME_EXTENSION = re.compile(
    r"^\s*(?:Plus|Pro|Max|Lite|Mini|Ultra|Edge|Prime|Elite|Advanced|Enterprise|Premium|Go|One|Core|Hub|Neo|Air|"
    r"X?\d+[A-Za-z]*|[A-Z]\d+)\b"
)
# An e-mail address or a phone number: one value, compared whole.
_LITERAL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\+?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}\b")


def _has_literal(answer: str, literal: str) -> bool:
    if "@" in literal:
        return literal.casefold() in answer.casefold()
    digits = re.sub(r"\D", "", literal)[-10:]
    return any(digits in re.sub(r"\D", "", m.group()) for m in re.finditer(r"[+(\d][\d\s().-]{6,}\d", answer))


_BRAND = re.compile(r"\b(?:[A-Z][a-z]+[A-Z][A-Za-z]*|[A-Z]+\d+[A-Za-z\d]*|[A-Z][a-z]+\d+)\b")


def tokens(text: str) -> list[str]:
    """Stemmed lowercase words and digit numbers: "4,094 VLANs" is ``['4094', 'vlan']``, "fifteen-minute" ``['15',
    'minut']``."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    text = alpha2digit(re.sub(r"[-\u2010-\u2014/]", " ", text), "en")
    words = re.findall(r"[a-z]+|\d+(?:\.\d+)?", text.lower().replace("'s", ""))
    stems = stem_words(words)
    return [w if w[0].isdigit() else stem for w, stem in zip(words, stems, strict=True)]


def _phrase_at(phrase: Sequence[str], words: Sequence[str]) -> int | None:
    """The position where ``phrase`` occurs in ``words`` (its words in order, at most ``_GAP`` words apart)."""
    for start, word in enumerate(words):
        if not _same(phrase[0], word):
            continue
        position, ok = start, True
        for part in phrase[1:]:
            nxt = next(
                (j for j in range(position + 1, min(len(words), position + 2 + _GAP)) if _same(part, words[j])), None
            )
            if nxt is None:
                ok = False
                break
            position = nxt
        if ok:
            return start
    return None


def _same(concept_word: str, word: str) -> bool:
    """A concept word matches a word exactly, or either is the other's prefix when both have five letters or more."""
    if word == concept_word or concept_word.isdigit() or word.isdigit():
        return word == concept_word
    # Stems of one word can differ in length ("integrat" and "integr"): either may be the other's prefix.
    return min(len(word), len(concept_word)) >= 5 and (word.startswith(concept_word) or concept_word.startswith(word))


@dataclass(frozen=True)
class Concept:
    """One thing a right answer must say, in any of its phrasings (each a tuple of stemmed words)."""

    phrasings: tuple[tuple[str, ...], ...]

    @classmethod
    def of(cls, ways: Sequence[str]) -> Concept:
        """A concept from the ways people say it."""
        return cls(tuple(tuple(tokens(way)) for way in ways if tokens(way)))

    def found_in(self, words: Sequence[str]) -> bool:
        """True when the words say this concept in one of its phrasings."""
        return any(_phrase_at(p, words) is not None for p in self.phrasings)


@dataclass(frozen=True)
class Fact:
    """A fact a right answer states: its concepts, and the product theme it belongs to (None for documents)."""

    text: str
    concepts: tuple[Concept, ...]
    theme: str | None
    names: tuple[str, ...] = ()
    literals: tuple[str, ...] = ()
    """E-mail addresses and phone numbers the answer must give whole (any case; a phone in any punctuation)."""


@dataclass(frozen=True)
class _FactBook:
    facts: tuple[Fact, ...]
    document: re.Pattern[str]
    document_concepts: tuple[tuple[str, ...], ...]
    labels: tuple[tuple[str, tuple[str, ...]], ...]

    def fact(self, gold: str) -> Fact | None:
        key = _key(gold)
        found = next((f for f in self.facts if _key(f.text) == key), None)
        if found is not None:
            return found
        match = self.document.match(gold.strip().rstrip("."))
        if match is None:
            return None
        concepts = tuple(Concept.of([w.format(**match.groupdict()) for w in ways]) for ways in self.document_concepts)
        return Fact(gold, concepts, None, (match["product"],))


def _key(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


@cache
def fact_book() -> _FactBook:
    """The facts, documents and topic labels of ``data/grading/facts.json``."""
    raw = json.loads((data_dir() / FACTS_FILE).read_text(encoding="utf-8"))
    facts = []
    for theme in raw["themes"]:
        for entry in [theme["phrase"], *theme["facts"]]:
            facts.append(Fact(entry["text"], tuple(Concept.of(c) for c in entry["concepts"]), theme["name"]))
    documents = raw["documents"]
    labels = tuple((label["text"], tuple(label["ways"])) for label in raw["labels"])
    return _FactBook(
        tuple(facts), re.compile(documents["pattern"]), tuple(tuple(c) for c in documents["concepts"]), labels
    )


@dataclass(frozen=True)
class FreeTextVerdict:
    """The verdict on a free-text answer."""

    passed: bool
    reason: str
    values: tuple[str, ...] = ()


# -- topic labels ---------------------------------------------------------------------------------------------------


class _Labels(ValueExtractor):
    """Topic labels ("Pricing and competitive analysis") named in any of their ways ("pricing", "the price")."""

    kind = "topic"

    def __init__(self, labels: Sequence[tuple[str, Sequence[str]]]) -> None:
        self._labels = [(name, [tuple(tokens(w)) for w in (name, *ways) if tokens(w)]) for name, ways in labels]

    def parse(self, item: str) -> str | None:
        found = {m.value for m in self.mentions(item)}
        return found.pop() if len(found) == 1 else None

    def mentions(self, text: str) -> list[Mention]:
        spans = [(m.start(), m.end(), m.group()) for m in re.finditer(r"[A-Za-z]+|\d+", text)]
        words = [tokens(w)[0] if tokens(w) else "" for _, _, w in spans]
        taken: set[int] = set()
        found = []
        # Longest phrasings first, so "competitive analysis" is one mention, not two.
        ordered = sorted(
            ((name, p) for name, phrasings in self._labels for p in phrasings), key=lambda item: -len(item[1])
        )
        for name, phrasing in ordered:
            for start in range(len(words)):
                if start in taken or not _same(phrasing[0], words[start]):
                    continue
                positions = [start]
                for part in phrasing[1:]:
                    nxt = next(
                        (
                            j
                            for j in range(positions[-1] + 1, min(len(words), positions[-1] + 2 + _GAP))
                            if _same(part, words[j])
                        ),
                        None,
                    )
                    if nxt is None:
                        break
                    positions.append(nxt)
                if len(positions) == len(phrasing) and not taken & set(positions):
                    taken |= set(range(positions[0], positions[-1] + 1))
                    found.append(Mention(name, spans[positions[0]][0], spans[positions[-1]][1], True))
        return sorted(found, key=lambda m: m.start)

    def gold_values(self, gold: Sequence[str]) -> list[str]:
        values = set()
        for entry in gold:
            for item in entry.split(","):
                label = self.parse(item.strip())
                if label is None:
                    raise ValueError(f"{item.strip()!r} is not a known topic label")
                values.add(label)
        return sorted(values)


def _is_label_list(gold: str) -> bool:
    """True when every comma-separated item of the gold is a topic label, word for word."""
    names = {_key(name) for name, _ in fact_book().labels}
    items = [_key(item) for item in gold.split(",") if item.strip()]
    return bool(items) and all(item in names for item in items)


# -- names ----------------------------------------------------------------------------------------------------------


class _Names(ValueExtractor):
    """A gold name in any spacing and case ("Zuniga Labs"), and any other brand-like name ("BrownLabs")."""

    kind = "name"

    def __init__(self, gold: Sequence[str]) -> None:
        self._gold = {squash(g): g for g in gold}
        parts = (r"[\W_]*".join(map(re.escape, re.findall(r"[A-Za-z0-9]+", g))) for g in gold)
        self._pattern = re.compile(r"\b(" + "|".join(sorted(parts, key=len, reverse=True)) + r")\b", re.IGNORECASE)

    def parse(self, item: str) -> str | None:
        return self._gold.get(squash(item))

    def mentions(self, text: str) -> list[Mention]:
        found = [Mention(self._gold[squash(m.group())], m.start(), m.end(), True) for m in self._pattern.finditer(text)]
        spans = [(m.start, m.end) for m in found]
        for m in _BRAND.finditer(text):
            if not any(a < m.end() and m.start() < b for a, b in spans):
                found.append(Mention(squash(m.group()), m.start(), m.end(), True))
        return sorted(found, key=lambda mention: mention.start)

    def gold_values(self, gold: Sequence[str]) -> list[str]:
        return sorted(self._gold.values())


def _is_name(gold: str) -> bool:
    """A short proper name ("ZunigaLabs", "Adaptive Design Solutions"): capitalised words with letters, no figure."""
    words = gold.split()
    return (
        1 <= len(words) <= 4
        and any(ch.isalpha() for ch in gold)
        and not _LITERAL.search(gold)
        and not re.search(r"\d[\d,.]*\s*%|^\$?\d", gold)
        and all(w[0].isupper() or w[0].isdigit() or w in ("and", "of", "&") for w in words)
    )


# -- facts ----------------------------------------------------------------------------------------------------------


def _auto_fact(gold: str, question: str) -> Fact:
    """A fact split into its own concepts: names, numbers and content words not already in the question. An e-mail
    address or a phone number is one concept, whole: a colleague's address at the same company is another value."""
    literals = [m.group() for m in _LITERAL.finditer(gold)]
    rest = _LITERAL.sub(" ", gold)
    asked = set(tokens(_LITERAL.sub(" ", question)))
    concepts = [Concept.of([w]) for w in dict.fromkeys(tokens(rest)) if w not in _STOPWORDS and w not in asked]
    return Fact(gold, tuple(concepts), None, tuple(_BRAND.findall(rest)), tuple(literals))


def _conflicts(answer: str, words: Sequence[str], fact: Fact, question: str) -> str | None:
    """Why the answer states something other than the fact, or None."""
    book = fact_book()
    allowed = plain_answer(fact.text) + " " + question
    brands = {b for b in _BRAND.findall(answer) if b not in allowed}
    if question and brands or not question and len(brands) > 1:
        return f"it names {', '.join(sorted(brands))}, which the question and the expected answer do not"
    for name in fact.names:
        for m in re.finditer(r"[\W_]*".join(map(re.escape, name.split())), answer, re.IGNORECASE):
            extension = _NAME_EXTENSION.match(answer[m.end() :])
            named = f"{answer[m.start() : m.end()]}{extension.group()}" if extension else ""
            if extension and squash(named) not in squash(allowed):  # "NexMesh X400" is the gold's own name
                return f"it names {named}, another product"
    expected_numbers = {w for w in tokens(fact.text + " " + question) if w[0].isdigit()}
    numbers = {w for w in words if w[0].isdigit()} - expected_numbers
    if numbers and any(w[0].isdigit() for w in tokens(fact.text)):
        return f"it gives {', '.join(sorted(numbers))} where the expected answer gives another figure"
    expected_frequencies = {w for w in re.findall(r"[a-z]+", fact.text.lower()) if w in _FREQUENCIES}
    frequencies = {w for w in re.findall(r"[a-z]+", answer.lower()) if w in _FREQUENCIES} - expected_frequencies
    if frequencies:
        return f"it says {', '.join(sorted(frequencies))}, not what the expected answer says"
    stated = [f for f in book.facts if f is not fact and f.concepts and all(c.found_in(words) for c in f.concepts)]
    # A document names no theme: the product's own article may be quoted, but facts of two themes are a dump.
    themes = {f.theme for f in stated} - {fact.theme}
    if fact.theme is not None and themes or fact.theme is None and len(themes) > 1:
        other = next(f for f in stated if f.theme in themes)
        return f"it also states {other.text!r}, which answers something else"
    return None


def _grade_fact(answer: str, fact: Fact, question: str, automatic: bool) -> FreeTextVerdict:
    words = tokens(answer)
    missing = [c for c in fact.concepts if not c.found_in(words)]
    names_missing = [n for n in fact.names if squash(n) not in squash(answer)]
    conflict = _conflicts(answer, words, fact, question)
    if conflict:
        return FreeTextVerdict(False, f"The answer does not match {fact.text!r}: {conflict}.")
    if names_missing:
        return FreeTextVerdict(False, f"The answer does not name {', '.join(names_missing)} ({fact.text!r}).")
    literals_missing = [lit for lit in fact.literals if not _has_literal(answer, lit)]
    if literals_missing:
        return FreeTextVerdict(False, f"The answer does not give {', '.join(literals_missing)} ({fact.text!r}).")
    if automatic:
        known = {w for c in fact.concepts for p in c.phrasings for w in p} | set(tokens(question))
        novel = {w for w in words if w not in _STOPWORDS and w not in known}
        if len(novel) > 3 * len(fact.concepts) + 10:
            return FreeTextVerdict(False, f"The answer says far more than {fact.text!r}: {len(novel)} other words.")
    needed = len(fact.concepts) if not automatic else -(-3 * len(fact.concepts) // 4)
    numbers_missing = [c for c in missing if c.phrasings and c.phrasings[0][0][0].isdigit()]
    if len(fact.concepts) - len(missing) < needed or (automatic and numbers_missing):
        said = [" ".join(c.phrasings[0]) for c in missing]
        return FreeTextVerdict(False, f"The answer misses what {fact.text!r} says: {', '.join(said)}.")
    return FreeTextVerdict(True, f"The answer states what {fact.text!r} says.")


def grade_free_text(answer: str, gold: Sequence[str], question: str = "") -> FreeTextVerdict:
    """Grade a free-text answer against its gold answers (it passes when it matches any one of them).

    Args:
        answer: The final answer.
        gold: The gold answers (fact sentences, topic-label lists or names).
        question: The task's question, when known: words it already holds are not asked of the answer, and names
            it gives may appear in the answer.
    """
    text = plain_answer(answer)
    verdicts = [_grade_one(text, g, question) for g in gold]
    return next((v for v in verdicts if v.passed), verdicts[0])


def _grade_one(text: str, gold: str, question: str) -> FreeTextVerdict:
    if _is_label_list(gold):
        return _grade_set(text, gold, _Labels(fact_book().labels), "topic")
    fact = fact_book().fact(gold)
    if fact is None and _is_name(gold):
        return _grade_set(text, gold, _Names([gold]), "name")
    if fact is None:
        return _grade_fact(text, _auto_fact(gold, question), question, automatic=True)
    return _grade_fact(text, fact, question, automatic=False)


def _grade_set(text: str, gold: str, ex: ValueExtractor, label: str) -> FreeTextVerdict:
    expected = ex.gold_values([gold])
    reading = read_answer(text, ex)
    found = list(reading.values)
    if reading.hedged:
        return FreeTextVerdict(False, f"The answer hedges between alternatives ({reading.head!r}).", tuple(found))
    if found == expected:
        return FreeTextVerdict(
            True, f"The answer names {', '.join(found)}, exactly the expected {label}(s).", tuple(found)
        )
    extra, missing = sorted(set(found) - set(expected)), sorted(set(expected) - set(found))
    parts = [f"{', '.join(extra)} not expected"] if extra else []
    parts += [f"missing {', '.join(missing)}"] if missing else []
    said = f"names {', '.join(found)}" if found else f"names no {label}"
    return FreeTextVerdict(
        False, f"The answer {said} ({'; '.join(parts)}); expected {', '.join(expected)}.", tuple(found)
    )
