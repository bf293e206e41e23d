"""The CRM API: `MockCrmApi` and its tools, with specs for OpenAI and Anthropic."""

from crm_gym.api import tools as _tools  # noqa: F401  (importing registers every tool)
from crm_gym.api.api import ApiCounters, MockCrmApi, ToolResult

__all__ = ["ApiCounters", "MockCrmApi", "ToolResult"]
