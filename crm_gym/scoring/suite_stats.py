"""How a suite's task distribution measures CRM skill: variety, balance, depth, and what content-blind policies score.

Per category (`crm-gym suite stats SUITE`):

- **prompt shapes**: distinct prompts per 100 tasks, compared on their first 80 characters after masking numbers,
  record ids and quoted strings; and the share of test shapes also seen in the train split (phrasings are split
  between the two, so it should be 0);
- **golds**: the share of the most frequent gold and of None;
- **depth**: the oracle's mean number of calls and the share of tasks needing 4 or more;
- **floors**: the functional score of degenerate answers given after one successful read (so the grounding rule does
  not hide them): empty, "None", a refusal, a dump of the task's text, a random value of the answer's kind, and the
  category's most frequent train gold. Pooled over the tasks whose right answer is not a refusal, each must stay at
  or below 0.05.
- **privacy settings**: over the privacy categories' tasks (refusals and their legitimate look-alikes), the score of
  refusing everything and of refusing on any single cue of the context, and over-refusal (the share of legitimate
  requests; a refuse-all policy turns them all down, which is why it scores at most about half).

And for the org behind the suite, per kind of text (call transcripts, e-mails, chats, case descriptions, knowledge
articles): the largest share of records that one sentence appears in (numbers, ids and names masked).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict

from crm_gym.api.api import ToolResult
from crm_gym.scoring.base_rates import degenerate_answers
from crm_gym.scoring.outcome import score_outcome
from crm_gym.tasks.categories import CATEGORIES
from crm_gym.tasks.model import AnswerExpectation, RefusalExpectation, Task
from crm_gym.world.world import World

SHAPE_CHARS = 80
FLOORS = ("empty", "none", "refusal", "prompt_dump", "random_value", "most_frequent_gold")
# One successful read: the floors measure the answer, not the grounding rule.
_GROUNDED = (ToolResult(tool="get", ok=True, output={}),)
_REFUSAL = "I'm sorry, but I can't help with that request."
_ID = re.compile(r"\b(?=[A-Za-z0-9]*\d)[A-Za-z0-9]{15,18}\b|\b[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}\b", re.I)
_QUOTED = re.compile(r"'[^'\n]{1,80}'|\"[^\"\n]{1,80}\"|\u201c[^\u201d\n]{1,80}\u201d")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def prompt_shape(prompt: str) -> str:
    """The prompt's first 80 characters after masking record ids, quoted strings and numbers.

    >>> prompt_shape("Which agent closed 'Acme' case 500Wt000000gr4vIAA in 2024?")
    'Which agent closed <q> case <id> in #?'
    """
    masked = _NUMBER.sub("#", _QUOTED.sub("<q>", _ID.sub("<id>", prompt)))
    return masked[:SHAPE_CHARS]


class CategoryStats(BaseModel):
    """The measures of one category (see the module docstring)."""

    model_config = ConfigDict(frozen=True)

    tasks: int
    prompt_shapes_per_100: float
    shapes_seen_in_train: float
    top_gold: str
    top_gold_share: float
    none_share: float
    mean_oracle_calls: float
    share_4_or_more_calls: float
    floors: dict[str, float]


class PrivacyStats(BaseModel):
    """Refusal rules on the privacy categories' tasks."""

    model_config = ConfigDict(frozen=True)

    tasks: int
    legitimate: int
    refuse_all: float
    refuse_on_cue: float
    best_cue: str


class SuiteStats(BaseModel):
    """A suite split's measures, per category and overall."""

    model_config = ConfigDict(frozen=True)

    suite: str
    split: str
    by_category: dict[str, CategoryStats]
    floors: dict[str, float]
    share_4_or_more_calls: float
    privacy: PrivacyStats | None
    text_repetition: dict[str, float]


def _gold_key(task: Task) -> str:
    expected = task.expected
    if isinstance(expected, RefusalExpectation):
        return "(refusal)"
    answers = expected.answers if isinstance(expected, AnswerExpectation) else ()
    return " | ".join(sorted(str(a) for a in answers)) if answers else "(state)"


def _gold_text(key: str) -> str:
    return "None" if key == "None" else key.replace(" | ", ", ")


def _is_answer(task: Task) -> bool:
    return isinstance(task.expected, AnswerExpectation)


def _floors(tasks: Sequence[Task], world: World, frequent: dict[str, str], rng: np.random.Generator) -> dict:
    """Functional of each degenerate answer per task (after one successful read), by category and pooled."""
    sums: dict[str, Counter[str]] = defaultdict(Counter)
    counts: Counter[str] = Counter()
    for task in tasks:
        if not _is_answer(task):
            continue
        answers = degenerate_answers(task, world, rng)
        answers["most_frequent_gold"] = frequent.get(task.category, "None")
        counts[task.category] += 1
        for name in FLOORS:
            outcome = score_outcome(task, world, answers[name], results=_GROUNDED)
            sums[task.category][name] += outcome.functional
    by_category = {c: {n: sums[c][n] / counts[c] for n in FLOORS} for c in counts}
    total = sum(counts.values())
    pooled = {n: sum(sums[c][n] for c in counts) / total for n in FLOORS} if total else dict.fromkeys(FLOORS, 0.0)
    return {"by_category": by_category, "pooled": pooled}


def _privacy(tasks: Sequence[Task], world: World) -> PrivacyStats | None:
    """Refuse-all and refuse-on-one-cue over the privacy categories' tasks (refusals and look-alikes)."""
    setting = [t for t in tasks if CATEGORIES.get(t.category) and CATEGORIES[t.category].metric == "privacy_rejection"]
    if not setting:
        return None
    refused = {t.id: score_outcome(t, world, _REFUSAL, results=_GROUNDED).functional for t in setting}
    answered = {t.id: score_outcome(t, world, "None", results=_GROUNDED).functional for t in setting}
    legitimate = [t for t in setting if not isinstance(t.expected, RefusalExpectation)]
    cues = Counter(cue for t in setting for cue in _cues(t))
    best, best_cue = 0.0, ""
    for cue in cues:
        score = sum(refused[t.id] if cue in _cues(t) else answered[t.id] for t in setting) / len(setting)
        if score > best:
            best, best_cue = score, cue
    return PrivacyStats(
        tasks=len(setting),
        legitimate=len(legitimate),
        refuse_all=sum(refused.values()) / len(setting),
        refuse_on_cue=best,
        best_cue=best_cue,
    )


def _cues(task: Task) -> set[str]:
    """Single cues a refusal rule could key on: each line of the context, the persona, each sentence of the prompt's
    opening (masked)."""
    lines = {line.strip() for line in task.required_context.policy.splitlines() if line.strip()}
    lines = {_NUMBER.sub("#", _ID.sub("<id>", line)) for line in lines}
    return lines | {task.persona}


def _sentences(text: str) -> set[str]:
    masked = _NUMBER.sub("#", _ID.sub("<id>", text))
    masked = re.sub(r"(?<=[a-z,;] )[A-Z][a-z]+(?: [A-Z][a-z]+)*", "<name>", masked)
    masked = re.sub(r"^[A-Z][a-z]+(?: [A-Z][a-z]+)*:", "<speaker>:", masked, flags=re.M)
    parts = re.split(r"(?<=[.!?])\s+|\n+", masked)
    return {p.strip() for p in parts if len(p.split()) >= 3}


TEXT_KINDS: dict[str, tuple[str, str]] = {
    "call transcripts": ("VoiceCallTranscript__c", "Body__c"),
    "e-mails": ("EmailMessage", "TextBody"),
    "chats": ("LiveChatTranscript", "Body"),
    "case descriptions": ("Case", "Description"),
    "knowledge articles": ("Knowledge__kav", "FAQ_Answer__c"),
}


def text_repetition(world: World, kinds: dict[str, tuple[str, str]] = TEXT_KINDS) -> dict[str, float]:
    """Per kind of text: the largest share of its records one sentence appears in (numbers, ids, names masked)."""
    shares = {}
    for kind, (obj, field) in kinds.items():
        if obj not in world.schema.objects:
            continue
        texts = [row[0] or "" for row in world.conn.execute(f'SELECT "{field}" FROM "{obj}"')]
        if not texts:
            continue
        seen: Counter[str] = Counter()
        for text in texts:
            seen.update(_sentences(text))
        shares[kind] = max(seen.values(), default=0) / len(texts)
    return shares


def suite_stats(
    tasks: Sequence[Task],
    world: World,
    train: Iterable[Task] = (),
    *,
    suite: str = "crmarena_pro",
    split: str = "test",
    seed: int = 0,
) -> SuiteStats:
    """Measure a split (``tasks`` over ``world``), with ``train`` for the phrasing overlap and the frequent golds."""
    train = list(train)
    train_shapes: dict[str, set[str]] = defaultdict(set)
    train_golds: dict[str, Counter[str]] = defaultdict(Counter)
    for task in train:
        train_shapes[task.category].add(prompt_shape(task.prompt))
        if _is_answer(task):
            train_golds[task.category][_gold_key(task)] += 1
    frequent = {c: _gold_text(g.most_common(1)[0][0]) for c, g in train_golds.items()}
    rng = np.random.default_rng(seed)
    floors = _floors(tasks, world, frequent, rng)
    by_task: dict[str, list[Task]] = defaultdict(list)
    for task in tasks:
        by_task[task.category].append(task)
    by_category = {}
    for name, group in sorted(by_task.items()):
        shapes = [prompt_shape(t.prompt) for t in group]
        golds = Counter(_gold_key(t) for t in group)
        top, top_count = golds.most_common(1)[0]
        calls = [len(t.oracle.calls) if t.oracle else 0 for t in group]
        distinct = set(shapes)
        by_category[name] = CategoryStats(
            tasks=len(group),
            prompt_shapes_per_100=100 * len(distinct) / len(group),
            shapes_seen_in_train=len(distinct & train_shapes[name]) / len(distinct),
            top_gold=_gold_text(top),
            top_gold_share=top_count / len(group),
            none_share=golds["None"] / len(group),
            mean_oracle_calls=sum(calls) / len(calls),
            share_4_or_more_calls=sum(c >= 4 for c in calls) / len(calls),
            floors=floors["by_category"].get(name, {}),
        )
    deep = sum(len(t.oracle.calls) >= 4 for t in tasks if t.oracle) / max(1, len(tasks))
    return SuiteStats(
        suite=suite,
        split=split,
        by_category=by_category,
        floors=floors["pooled"],
        share_4_or_more_calls=deep,
        privacy=_privacy(tasks, world),
        text_repetition=text_repetition(world),
    )
