"""Scenarios of the `crmarena_pro` categories whose questions have an interactive form: which period, which product
or customer, which metric.

One small function per category derives the scenario from the task's prompt and metadata. The contract each
relies on (a function returns None, and the task stays single-turn, when its task does not meet it):

- the period is a phrase of the prompt (a month, quarter, season or year, "the past N months"), and the metadata
  gives its first and last days as ``start`` and ``end`` (ISO dates);
- a product or customer is named in the prompt and identified by a sentence "The associated product Id is X." (or
  "account Id");
- the metric of ``conversion_rate_comprehension`` and ``best_region_identification`` is the metadata's
  ``ranking`` ("lead-highest", "quote-lowest", "closing", "sales").

The opening is the prompt with the withheld phrases taken out (or, when the metric is withheld, a question written
afresh that keeps the prompt's answer instructions).

A slot is withheld only where another value changes the gold. The categories' answer spaces are small (a dozen
agents, states or months), so another period often has the same top agent; a task is therefore conversational only
when each withheld slot is decisive among its siblings (the other tasks of its category in the suite): no sibling
that differs from it in that slot alone (same other withheld values, same other settings: direction, threshold)
has the same gold. A task whose gold is None stays single-turn too: "nothing in that period" is also what many wrong
periods give. The guessing base rate is then measured, not assumed (`crm_gym.conversation.guessing`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from functools import cache

from crm_gym.conversation.guessing import value_key
from crm_gym.conversation.scenario import Slot, SlotValue, UserScenario
from crm_gym.tasks.model import GeneratedOrg, Task

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_PERIOD = re.compile(
    r",?\s*\b(?:in|during|over|for|within|throughout)\s+(?P<phrase>(?:the\s+)?(?:"
    rf"(?:month\s+of\s+)?(?:{_MONTHS})\s+\d{{4}}"
    r"|Q[1-4]\s+\d{4}"
    r"|(?:first|second|third|fourth)\s+quarter\s+of\s+\d{4}"
    r"|(?:spring|summer|autumn|fall|winter)(?:\s+of)?\s+\d{4}"
    r"|(?:past|last)\s+(?:\d+\s+)?(?:weeks?|months?|quarters?|years?)"
    r"|(?:year\s+)?\d{4}"
    r"))\b",
    re.IGNORECASE,
)
_ID_SENTENCE = re.compile(r"\s*The associated (?P<what>product|account) Id is (?P<id>[A-Za-z0-9]{15,18})\.")
_ANSWER_FORMAT = re.compile(r"Return only .*$", re.DOTALL)
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
_METRICS: dict[str, str] = {
    "lead": "the lead conversion rate",
    "quote": "the quote acceptance rate",
    "closing": "the fastest average case closing time",
    "sales": "the highest total sales amount",
}
_SUBJECT_PATTERNS = (  # (how the prompt names the subject, how the opening names it instead)
    (re.compile(r"\bin which (?P<name>.+?) had significantly"), "in which one of our {noun}s had significantly"),
    (re.compile(r"\bsignificantly more (?P<name>.+?) cases\b"), "significantly more cases for one of our {noun}s"),
    (re.compile(r"\bcases for (?P<name>.+?) in one\b"), "cases for one of our {noun}s in one"),
    (re.compile(r"\b(?P<prep>with|for) (?P<name>[A-Z][^?]*?)\?"), "{prep} one of our {noun}s?"),
)


def crmarena_pro_scenario(task: Task) -> UserScenario | None:
    """The scenario of a `crmarena_pro` task, or None when its category (or the task) has no interactive form or a
    withheld slot is not decisive among the task's siblings (see the module docstring)."""
    build = SCENARIOS.get(task.category)
    scenario = build(task) if build else None
    if scenario is None or task.expected.kind != "answer" or task.expected.is_none:
        return None
    siblings = [(t, build(t)) for t in _siblings(task) if t.id != task.id]
    return scenario if _decisive(task, scenario, siblings) else None


def _direction(task: Task, scenario: UserScenario) -> str:
    """Which way the task ranks ("DESC", "highest", "lead-lowest"; the metric left out when it is withheld): a
    sibling ranked another way asks another question, whatever its gold."""
    ranking = str(task.metadata.get("ranking", ""))
    if scenario.slot("metric") is not None:
        ranking = ranking.rpartition("-")[2]
    return f"{task.metadata.get('order', '')}/{ranking}"


def _decisive(task: Task, scenario: UserScenario, siblings: Sequence[tuple[Task, UserScenario | None]]) -> bool:
    """Whether every withheld slot decides the gold: no sibling ranked the same way that differs from ``task`` in
    that slot alone has the same gold (a threshold or other setting may differ: it rarely changes the top)."""
    mine = {s.kind: value_key(s.value) for s in scenario.withheld}
    direction = _direction(task, scenario)
    for sibling, other in siblings:
        if other is None or sibling.expected != task.expected or _direction(sibling, other) != direction:
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
    found = list(_PERIOD.finditer(task.prompt))
    start, end = task.metadata.get("start"), task.metadata.get("end")
    if len(found) != 1 or not isinstance(start, str) or not isinstance(end, str):
        return None
    try:
        stop = (dt.date.fromisoformat(end) + dt.timedelta(days=1)).isoformat()
    except ValueError:
        return None
    match = found[0]
    rest = _tidy(task.prompt[: match.start()] + task.prompt[match.end() :])
    slot = Slot(
        kind="period",
        value=SlotValue(text=match["phrase"], binding={"start": start, "stop": stop}),
        statements=_PERIOD_STATEMENTS,
        fields=_DATE_FIELDS.get(task.category, ()),
    )
    return rest, slot


def _subject(text: str) -> tuple[str, Slot] | None:
    """``text`` without the product or customer it names, and its slot; None when it names none."""
    sentence = _ID_SENTENCE.search(text)
    if sentence is None:
        return None
    what, record_id = sentence["what"], sentence["id"]
    text = text[: sentence.start()] + text[sentence.end() :]
    noun = "product" if what == "product" else "customer"
    for pattern, replacement in _SUBJECT_PATTERNS:
        found = pattern.search(text)
        if found and 0 < len(found["name"].split()) <= 6:
            named = replacement.format(noun=noun, prep=found.groupdict().get("prep") or "")
            rest = _tidy(text[: found.start()] + named + text[found.end() :])
            kind, obj = ("product", "Product2") if what == "product" else ("account", "Account")
            slot = Slot(
                kind=kind,
                value=SlotValue(text=f"{found['name']} (the {what} Id is {record_id})", binding={what: record_id}),
                statements=_SUBJECT_STATEMENTS,
                fields=((obj, "Name"), (obj, "Id")),
            )
            return rest, slot
    return None


def _metric(task: Task) -> tuple[str, Slot] | None:
    """A question written afresh without the metric (keeping the prompt's answer instructions), and the metric
    slot; None without a ranking or answer instructions."""
    ranking = str(task.metadata.get("ranking", ""))
    metric, _, order = ranking.partition("-")
    instructions = _ANSWER_FORMAT.search(task.prompt)
    if metric not in _METRICS or instructions is None:
        return None
    if task.category == "best_region_identification":
        question = "Which state came out on top?"
    else:
        question = f"Which agent had the {order} rate?"
    slot = Slot(kind="metric", value=SlotValue(text=_METRICS[metric]), statements=_METRIC_STATEMENTS)
    return f"{question} {instructions.group()}", slot


def _tidy(text: str) -> str:
    text = re.sub(r"\s+([,?.])", r"\1", text)
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
    found, metric = _period(task), _metric(task)
    if found is None or metric is None:
        return None
    return _scenario(task, metric[0], [found[1], metric[1]])


def period_and_subject(task: Task) -> UserScenario | None:
    """Top issues and monthly trends: the period and the product or customer are withheld."""
    found = _period(task)
    subject = _subject(found[0]) if found else None
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
