"""Every exception crm_gym raises, under one base class per audience, and `brief` for the values they quote."""

from __future__ import annotations

import reprlib
from collections.abc import Iterable
from typing import Any

_BRIEF = reprlib.Repr()  # Python 3.11's Repr takes no arguments; 3.12's would
_BRIEF.maxlevel, _BRIEF.maxstring, _BRIEF.maxlong, _BRIEF.maxother = 3, 80, 40, 80


def brief(value: Any) -> str:
    """A short ``repr`` of any value for an error message: long text, deep or circular containers are cut."""
    return _BRIEF.repr(value)


class CrmGymError(Exception):
    """Base class for developer-facing errors (misuse of the library)."""


class CrmError(CrmGymError, ValueError):
    """An agent-facing error raised by a CRM tool.

    The message names the field, the bad value and what is allowed, so a model can act on it.
    A call that raises ``CrmError`` has changed nothing.
    """


class DriftedNameError(CrmError):
    """A `CrmError` whose message already speaks the drifted schema names an episode shows (not rewritten again).

    ``stale_names`` are the canonical names the call used that the episode's drift renamed: the error is the
    agent's stale schema knowledge, which the drift-adaptation dimension measures.
    """

    def __init__(self, message: str, *, stale_names: Iterable[str] = ()) -> None:
        """``message`` for the agent; ``stale_names``: renamed canonical names that caused the error."""
        super().__init__(message)
        self.stale_names = tuple(sorted(set(stale_names)))


class EnvArgumentError(CrmGymError, ValueError):
    """Raised when `gym.make` or `reset` gets an argument of the wrong type or value; the message names it."""


class WallClockBackstopError(CrmGymError, TimeoutError):
    """A tool call ran past the wall-clock backstop (``config.WORK_BACKSTOP_SECONDS``) and was stopped.

    The deterministic work budget (`crm_gym.api.budget`) is what stops a call normally; the backstop fires only
    when that budget failed to, so the cause is the machine or crm_gym, never the agent. It leaves `env.step`
    as an exception (the call changed nothing): runners record the episode as an infrastructure failure, never
    as a score.
    """


class UnknownProfileError(CrmGymError, KeyError):
    """Raised when an org profile name has no schema file."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])


class SchemaError(CrmGymError, ValueError):
    """Raised when a schema file is malformed."""


class UnknownTaskError(CrmGymError, KeyError):
    """Raised when a task id is not part of the requested suite or task set."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])


class TaskFormatError(CrmGymError, ValueError):
    """Raised when a task file or task record is malformed; the message names the record and the field."""


class TaskNotRunnableError(CrmGymError, RuntimeError):
    """Raised when a task cannot run yet (e.g. it needs an org that is not bound); the message says how to fix it."""


class ScoringError(CrmGymError, ValueError):
    """Raised when an answer is scored against an unknown category, a malformed gold answer or the wrong metric."""


class OrgLoadError(CrmGymError, ValueError):
    """Raised when a SQLite dump cannot be loaded as an org: missing file or table, or rows that break the schema."""


class MissingOrgMetadataError(CrmGymError, KeyError):
    """Raised when a world carries no generator metadata (policies, today), e.g. one loaded from a foreign dump."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])


class UserSimulatorError(CrmGymError, RuntimeError):
    """The simulated user of a multi-turn episode could not reply: its provider failed after the retries, or every
    reply it gave stated a fact its scenario does not hold. An infrastructure failure, never the agent's: the runner
    records the episode as ``infra_error``, and the env ends it without a score."""
