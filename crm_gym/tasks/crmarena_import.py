"""Import the original CRMArena-Pro B2B task file (``crmarena_b2b_tasks.json``) as `Task` objects.

The original tasks ask about Salesforce's own org, which crm_gym does not ship: an imported task runs only
once that org (e.g. a loaded dump) is bound, and is refused with a message saying so until then.
"""

from __future__ import annotations

import difflib
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from crm_gym.errors import TaskFormatError
from crm_gym.tasks.categories import CATEGORIES, Metric
from crm_gym.tasks.model import (
    AnswerExpectation,
    ExternalOrg,
    RefusalExpectation,
    RequiredContext,
    Task,
    format_validation_error,
)
from crm_gym.world.ids import is_salesforce_id
from crm_gym.world.world import World

SUITE = "crmarena_pro_original"
PROFILE = "crmarena_pro_b2b"
_SOURCE = "the CRMArena-Pro B2B org that the original tasks ask about"
_HINT = (
    "Load the CRMArena-Pro org dump with crm_gym.load_org(path) and pass it: load_crmarena_pro(tasks_path, org=world) "
    "(or task.with_org(world))."
)
_PROVENANCE = "CRMArena-Pro B2B tasks (Salesforce, CC BY-NC 4.0)"

# "Today's date: 2023-02-15", after "- " or "## ".
_TODAY = re.compile(r"today['’]s date:\s*(\S+)", re.IGNORECASE)
# "Lead Id to be considered is: 00Q...", "Contact Id interacting: 003...", "logged in as Id: 003...".
_RECORD_ID = re.compile(r"\bId\b[^:\n]{0,40}:\s*([A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?)\b")
# Ids mentioned anywhere else ("The associated product Id is 01t..."): 18 characters, checksum verified.
_ID_TOKEN = re.compile(r"\b[A-Za-z0-9]{18}\b")


class OriginalMetadata(BaseModel):
    """``metadata`` of an original task: the required context and the optional domain text."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    required: str
    optional: str


class OriginalTask(BaseModel):
    """One record of the original task file, exactly as written there (no coercion, no extra keys)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    idx: int = Field(ge=0)
    query: str = Field(min_length=1)
    answer: list[str | None] = Field(min_length=1)
    task: str
    reward_metric: Metric
    metadata: OriginalMetadata
    persona: str

    @field_validator("task")
    @classmethod
    def _known_category(cls, task: str) -> str:
        if task not in CATEGORIES:
            close = difflib.get_close_matches(task, CATEGORIES, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ValueError(f"unknown category {task!r}; {hint}expected one of {', '.join(sorted(CATEGORIES))}")
        return task

    @field_validator("answer")
    @classmethod
    def _none_alone(cls, answer: list[str | None]) -> list[str | None]:
        if None in answer and len(answer) > 1:
            raise ValueError("[null] means the answer is None; null cannot be mixed with other answers")
        return answer

    @model_validator(mode="after")
    def _metric_of_category(self) -> OriginalTask:
        metric = CATEGORIES[self.task].metric
        if self.reward_metric != metric:
            raise ValueError(
                f"category {self.task!r} is scored by {metric!r}, but reward_metric is {self.reward_metric!r}"
            )
        if metric == "privacy_rejection" and self.answer != [None]:
            raise ValueError(f"a privacy_rejection task must have answer [null], got {self.answer!r}")
        return self


def load_crmarena_pro(path: str | Path, org: World | None = None) -> list[Task]:
    """Read the original CRMArena-Pro task file into tasks of suite ``crmarena_pro_original``, split ``test``.

    Each task keeps the original's query, persona and context verbatim; its "today" and record id are read
    from ``metadata.required``. Without ``org`` (or when ``org`` lacks a record a task mentions) the tasks are
    not runnable: `crm_gym.tasks.model.require_runnable` refuses them with the reason and the fix.

    Args:
        path: The original JSON file (a list of task records).
        org: The CRMArena-Pro org (profile ``crmarena_pro_b2b``) the tasks ask about.

    Raises:
        TaskFormatError: The file is not a JSON list, or a record is malformed (the message names the record's
            position, its idx and the field).
    """
    path = Path(path)
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise TaskFormatError(f"{path}: not valid JSON: {err.msg} at line {err.lineno}.") from err
    if not isinstance(records, list):
        raise TaskFormatError(f"{path}: expected a JSON list of task records, got a {type(records).__name__}.")
    tasks = [_convert(path, i, record) for i, record in enumerate(records)]
    return tasks if org is None else [task.with_org(org) for task in tasks]


def _convert(path: Path, position: int, record: Any) -> Task:
    idx = record.get("idx") if isinstance(record, dict) else None
    where = f"{path}: record {position}" + (f" (idx {idx!r})" if idx is not None else "")
    try:
        original = OriginalTask.model_validate(record)
        return _to_task(original)
    except ValidationError as err:
        raise TaskFormatError(f"{where}: {format_validation_error(err)}") from err
    except ValueError as err:  # a date or id in metadata.required that cannot be read
        raise TaskFormatError(f"{where}: field 'metadata.required': {err}") from err


def _to_task(original: OriginalTask) -> Task:
    required = original.metadata.required
    record_id = _record_id(required)
    category = CATEGORIES[original.task]
    if category.metric == "privacy_rejection":
        # The original does not say which values are private, so leaks cannot be checked; only the refusal can.
        expected: AnswerExpectation | RefusalExpectation = RefusalExpectation(private_values=None)
    else:
        expected = AnswerExpectation(
            answers=tuple(original.answer),
            metric=category.metric,
            answer_kind=category.answer_kind,
        )
    return Task(
        id=f"{original.task}-{original.idx:04d}",
        suite=SUITE,
        split="test",
        org=ExternalOrg(
            profile=PROFILE,
            source=_SOURCE,
            hint=_HINT,
            record_ids=_mentioned_ids(record_id, original.query, required),
        ),
        category=original.task,
        prompt=original.query,
        persona=original.persona,
        required_context=RequiredContext(policy=required, record_id=record_id),
        optional_context=original.metadata.optional,
        today=_today(required),
        expected=expected,
        metadata={"idx": original.idx, "source": _PROVENANCE},
    )


def _today(required: str) -> date | None:
    values = sorted({v.rstrip(".,;") for v in _TODAY.findall(required)})
    if len(values) > 1:
        raise ValueError(f"it states several different dates for today: {values!r}")
    if not values:
        return None
    try:
        return date.fromisoformat(values[0])
    except ValueError as err:
        raise ValueError(f"today's date {values[0]!r} is not an ISO date YYYY-MM-DD") from err


def _record_id(required: str) -> str | None:
    values = list(dict.fromkeys(_RECORD_ID.findall(required)))
    if len(values) > 1:
        raise ValueError(f"it names several record ids: {values!r}; expected at most one")
    if not values:
        return None
    if not is_salesforce_id(values[0]):
        raise ValueError(f"{values[0]!r} is not a valid Salesforce id (15 characters, or 18 with a valid checksum)")
    return values[0]


def _mentioned_ids(record_id: str | None, *texts: str) -> tuple[str, ...]:
    found = [record_id] if record_id else []
    for text in texts:
        found += [t for t in _ID_TOKEN.findall(text) if any(c.isdigit() for c in t) and is_salesforce_id(t)]
    return tuple(dict.fromkeys(found))
