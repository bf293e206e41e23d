"""Every exception crm_gym raises, under one base class per audience."""

from __future__ import annotations


class CrmGymError(Exception):
    """Base class for developer-facing errors (misuse of the library)."""


class CrmError(CrmGymError, ValueError):
    """An agent-facing error raised by a CRM tool.

    The message names the field, the bad value and what is allowed, so a model can act on it.
    A call that raises ``CrmError`` has changed nothing.
    """


class UnknownProfileError(CrmGymError, KeyError):
    """Raised when an org profile name has no schema file."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])


class SchemaError(CrmGymError, ValueError):
    """Raised when a schema file is malformed."""
