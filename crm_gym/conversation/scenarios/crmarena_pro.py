"""Scenarios of the `crmarena_pro` categories whose questions have an interactive form: which period, which product
or customer, which metric.

One small function per category derives the scenario from the task's prompt and metadata. The contract each
relies on with the generators (a function returns None, and the task stays single-turn, when its task does not meet
it):

- the metadata names the period as the generators' `Period` does (``period`` key, ``start`` and ``end`` ISO dates,
  ``literal`` for "the past N months"), and the prompt names it in one of that period's `Period.phrasings`;
- a product or customer (``field``, ``target``) is named in the prompt as the ``{target}`` of a template of the
  category's phrase book (``phrasing`` is the template's family), by name, by description or by name with a
  sentence giving its id (``named_by``), and the prompt ends with one of the category's answer formats;
- the metric of ``conversion_rate_comprehension`` and ``best_region_identification`` is the metadata's ``metric``
  (and ``lowest``), withheld only in questions over all agents or states with no product family (``scope`` "all"),
  which can be asked afresh without it.

The opening is the prompt with the withheld words taken out (or, when the metric is withheld, a question written
afresh that keeps the prompt's answer instructions).

A slot is withheld only where another value changes the gold. The categories' answer spaces are small (a dozen
agents, states or months), so another period often has the same top agent; a task is therefore conversational only
when each withheld slot is decisive among its siblings (the other tasks of its category in the suite): no sibling
that differs from it in that slot alone (same other withheld values, any other setting) has the same gold. Nor is a
value withheld that its kind takes most often among the siblings (a tie counts): a guesser who learnt from the rest
of the suite would say it. A task whose gold is None stays single-turn too: "nothing in that period" is also what
many wrong periods give. The guessing base rate is then measured, not assumed (`crm_gym.conversation.guessing`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Sequence
from functools import cache

from crm_gym.conversation.guessing import value_key
from crm_gym.conversation.scenario import Slot, SlotValue, UserScenario
from crm_gym.tasks.model import GeneratedOrg, Task
from crm_gym.tasks.suites.crmarena_pro.framework import PhraseBook
from crm_gym.tasks.suites.crmarena_pro.generators import service_phrases
from crm_gym.tasks.suites.crmarena_pro.generators.periods import Period

_PREPOSITION = re.compile(r"^(?:back in|in|during|for|over|within)\s+", re.IGNORECASE)
_PERIOD_STATEMENTS = ("In {value}.", "I mean in {value}.", "During {value}.")
_SUBJECT_STATEMENTS = ("It's {value}.", "I mean {value}.", "It's about {value}.")
_METRIC_STATEMENTS = ("I mean {value}.", "Rank them by {value}.", "By {value}.")
# the date fields a category's period filters on: a question may name them (drifted too)
_DATE_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "sales_amount_understanding": (("Contract", "CompanySignedDate"),),
    "sales_cycle_understanding": (("Contract", "CompanySignedDate"),),
    "conversion_rate_comprehension": (("Lead", "CreatedDate"), ("Quote", "CreatedDate")),
    "best_region_identification": (("Case", "CreatedDate"), ("Order", "EffectiveDate")),
    "handle_time": (("Case", "CreatedDate"),),
    "transfer_count": (("Case", "CreatedDate"),),
    "top_issue_identification": (("Case", "CreatedDate"),),
    "monthly_trend_analysis": (("Case", "CreatedDate"),),
}
# (metric, lowest) -> what the user calls it; the question asked afresh says which way only where the name does not
_METRICS: dict[tuple[str, bool], str] = {
    ("lead-conversion", False): "the lead conversion rate",
    ("lead-conversion", True): "the lead conversion rate",
    ("quote-acceptance", False): "the quote acceptance rate",
    ("quote-acceptance", True): "the quote acceptance rate",
    ("closing", True): "the fastest average case closing time",
    ("closing", False): "the slowest average case closing time",
    ("state-sales", False): "the highest total sales amount",
    ("state-sales", True): "the lowest total sales amount",
}
# the phrase books and answer formats of the categories that name a product or customer
_SUBJECT_BOOKS: dict[str, tuple[PhraseBook, tuple[str, ...]]] = {
    "top_issue_identification": (service_phrases.TOP_ISSUE, service_phrases.TOP_ISSUE_FORMATS),
    "monthly_trend_analysis": (service_phrases.TREND, service_phrases.TREND_FORMATS),
}
_SUBJECT_NOUNS = {
    "product": ("product", "Product2", "one of our products"),
    "account": ("customer", "Account", "one of our customers"),
}
_TARGET, _PERIOD_MARK = "\x00", "\x01"


def crmarena_pro_scenario(task: Task) -> UserScenario | None:
    """The scenario of a `crmarena_pro` task, or None when its category (or the task) has no interactive form or a
    withheld slot is not decisive among the task's siblings (see the module docstring)."""
    build = SCENARIOS.get(task.category)
    scenario = build(task) if build else None
    if scenario is None or task.expected.kind != "answer" or task.expected.is_none:
        return None
    siblings = [(t, build(t)) for t in _siblings(task) if t.id != task.id]
    return scenario if _decisive(task, scenario, siblings) and not _guessable(scenario, siblings) else None


def _guessable(scenario: UserScenario, siblings: Sequence[tuple[Task, UserScenario | None]]) -> bool:
    """Whether a withheld value is the one its kind takes most often among the siblings (a tie counts): what a
    guesser who learnt from the rest of the suite would say, so the slot stays in the request."""
    for slot in scenario.withheld:
        seen = Counter(value_key(s.value) for _, other in siblings if other and (s := other.slot(slot.kind)))
        if seen and seen[value_key(slot.value)] >= max(seen.values()):
            return True
    return False


def _decisive(task: Task, scenario: UserScenario, siblings: Sequence[tuple[Task, UserScenario | None]]) -> bool:
    """Whether every withheld slot decides the gold: no sibling that differs from ``task`` in that slot alone has the
    same gold, whatever its other settings (direction, scope, threshold): a top that many questions share is one a
    guess finds too."""
    mine = {s.kind: value_key(s.value) for s in scenario.withheld}
    for sibling, other in siblings:
        if other is None or sibling.expected != task.expected:
            continue
        theirs = {s.kind: value_key(s.value) for s in other.withheld}
        differ = [k for k in mine if theirs.get(k) != mine[k]]
        if theirs.keys() == mine.keys() and len(differ) == 1:
            return False
    return True


def _siblings(task: Task) -> list[Task]:
    """The tasks of ``task``'s category in the suite it comes from (just itself when it is not a suite's task)."""
    org = task.org
    if not isinstance(org, GeneratedOrg):
        return [task]
    same = _suite_category(task.split, org.seed, org.scale, task.category)
    return list(same) if any(t.id == task.id and t.prompt == task.prompt for t in same) else [task]


@cache
def _suite_category(split: str, seed: int, scale: str | float, category: str) -> tuple[Task, ...]:
    from crm_gym.tasks.suites import load_suite
    from crm_gym.tasks.suites.crmarena_pro.framework import SPLIT_SEEDS

    try:
        tasks = load_suite("crmarena_pro", split, seed=None if SPLIT_SEEDS.get(split) == seed else seed, scale=scale)
    except (ValueError, KeyError):
        return ()
    return tuple(t for t in tasks if t.category == category)


# -- the pieces ------------------------------------------------------------------------------------------------


def _period(task: Task) -> tuple[str, Slot] | None:
    """The prompt without its period phrase, and the period slot; None when either is missing."""
    meta = task.metadata
    try:
        literal = tuple(meta["literal"]) if meta.get("literal") else None
        period = Period(
            str(meta["period"]), "", dt.date.fromisoformat(meta["start"]), dt.date.fromisoformat(meta["end"]), literal
        )  # noqa: E501
    except (KeyError, TypeError, ValueError):
        return None
    lowered = task.prompt.lower()
    said = [w for w in period.phrasings() if w and lowered.count(w.lower()) == 1]
    if not said:
        return None
    phrase = max(said, key=len)
    at = lowered.index(phrase.lower())
    words = task.prompt[at : at + len(phrase)]
    rest = _without(task.prompt, at, at + len(phrase))
    slot = Slot(
        kind="period",
        value=SlotValue(
            text=_PREPOSITION.sub("", words), binding={"start": meta["start"], "stop": period.stop.isoformat()}
        ),
        statements=_PERIOD_STATEMENTS,
        fields=_DATE_FIELDS.get(task.category, ()),
    )
    return rest, slot


def _without(text: str, start: int, stop: int) -> str:
    """``text`` without ``text[start:stop]``; a phrase that opened a sentence before a comma takes the comma with it
    and the sentence starts with the next word."""
    before, after = text[:start], text[stop:]
    opens = not before.strip() or before.rstrip()[-1] in ".?!:"
    if opens and after.startswith(","):
        after = after[1:].lstrip()
        return _tidy(before + after[:1].upper() + after[1:])
    return _tidy(before + after)


def _subject(task: Task, opening: str) -> tuple[str, Slot] | None:
    """``opening`` with the product or customer it names told as "one of our products" (and any sentence giving
    its id or the buyer left out), and its slot; None when the prompt is not one of the phrase book's templates."""
    meta = task.metadata
    book, formats = _SUBJECT_BOOKS.get(task.category, (None, ()))
    field, record = meta.get("field"), meta.get("target")
    ending = next((f for f in formats if opening.endswith(f)), None)
    if book is None or field not in _SUBJECT_NOUNS or not isinstance(record, str) or ending is None:
        return None
    noun, obj, generic = _SUBJECT_NOUNS[field]
    body = opening[: -len(ending)].rstrip()
    for template in book.families.get(str(meta.get("phrasing")), ()):
        text = template.format(target=_TARGET, period=_PERIOD_MARK, Period=_PERIOD_MARK)
        at = text.index(_PERIOD_MARK)
        pattern = re.escape(_first_lower(_without(text, at, at + 1))).replace(_TARGET, "(?P<target>.+?)")
        found = re.match(pattern, _first_lower(body))
        if found is None:
            continue
        words = body[found.start("target") : found.end("target")]
        extra = body[found.end() :].strip()
        question = _tidy(body[: found.start("target")] + generic + body[found.end("target") : found.end()])
        if extra and record not in extra and meta.get("named_by") != "description":
            return None
        told = words if meta.get("named_by") != "id" else f"{words} (the {field} Id is {record})"
        statements = _SUBJECT_STATEMENTS
        if extra and record not in extra:  # a description's sentence on whose cases count goes with it
            statements = tuple(f"{s} {extra}" for s in statements)
        slot = Slot(
            kind=field,
            value=SlotValue(text=told, binding={field: record}),
            statements=statements,
            fields=((obj, "Name"), (obj, "Id")),
            asks=(noun,),
        )
        return f"{_capital(question)} {ending}", slot
    return None


def _metric(task: Task, opening: str) -> tuple[str, Slot] | None:
    """A question written afresh without the metric (keeping the answer instructions after the question), and the
    metric slot; None for a question scoped to some agents or states or a product family, or with no question mark."""
    meta = task.metadata
    name = _METRICS.get((str(meta.get("metric")), bool(meta.get("lowest"))))
    asked, mark, instructions = opening.rpartition("?")
    if name is None or meta.get("scope") != "all" or meta.get("family") is not None or not mark or not asked:
        return None
    if task.category == "best_region_identification":
        question = "Which of the states we sell to came out on top?"
    else:
        question = f"Which of our sales agents had the {'lowest' if meta.get('lowest') else 'highest'} rate?"
    slot = Slot(kind="metric", value=SlotValue(text=name), statements=_METRIC_STATEMENTS)
    return _tidy(f"{question} {instructions}"), slot


def _first_lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _tidy(text: str) -> str:
    text = re.sub(r"\s+([,?.:;])", r"\1", text)
    text = re.sub(r",([?.])", r"\1", text)
    return re.sub(r"\s{2,}", " ", text).strip()


def _scenario(task: Task, opening: str, slots: list[Slot]) -> UserScenario:
    return UserScenario(task_id=task.id, opening=opening, request=task.prompt, slots=tuple(slots), persona=task.persona)


# -- the categories --------------------------------------------------------------------------------------------


def period_only(task: Task) -> UserScenario | None:
    """Rankings of agents over a period (sales amount and cycle, handle time, transfers): the period is withheld."""
    found = _period(task)
    return _scenario(task, found[0], [found[1]]) if found else None


def period_and_metric(task: Task) -> UserScenario | None:
    """Conversion rates and best regions: the period and which metric ranks them are withheld."""
    found = _period(task)
    metric = _metric(task, found[0]) if found else None
    if found is None or metric is None:
        return None
    return _scenario(task, metric[0], [found[1], metric[1]])


def period_and_subject(task: Task) -> UserScenario | None:
    """Top issues and monthly trends: the period and the product or customer are withheld."""
    found = _period(task)
    subject = _subject(task, found[0]) if found else None
    if found is None or subject is None:
        return None
    return _scenario(task, subject[0], [found[1], subject[1]])


SCENARIOS: dict[str, Callable[[Task], UserScenario | None]] = {
    "sales_amount_understanding": period_only,
    "sales_cycle_understanding": period_only,
    "handle_time": period_only,
    "transfer_count": period_only,
    "conversion_rate_comprehension": period_and_metric,
    "best_region_identification": period_and_metric,
    "top_issue_identification": period_and_subject,
    "monthly_trend_analysis": period_and_subject,
}
"""The scenario function of each category with an interactive form."""
