"""LLM policies over the providers' official SDKs (the ``llm`` extra): OpenAI-compatible and Anthropic.

Import from here, not from `crm_gym.agents` (which stays importable without the SDKs)::

    from crm_gym.agents.llm import AnthropicPolicy, LlmCache, OpenAIPolicy

    policy = OpenAIPolicy("gpt-4.1-mini", cache=LlmCache("runs/llm-cache"))

Names load on first use, so ``OpenAIPolicy`` never imports the anthropic SDK (seconds of start-up) and back.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crm_gym.agents.llm.anthropic_policy import AnthropicPolicy
    from crm_gym.agents.llm.cache import LlmCache
    from crm_gym.agents.llm.judge import LlmJudge, make_judge
    from crm_gym.agents.llm.openai_policy import OpenAIPolicy

_HOMES = {
    "AnthropicPolicy": "crm_gym.agents.llm.anthropic_policy",
    "LlmCache": "crm_gym.agents.llm.cache",
    "LlmJudge": "crm_gym.agents.llm.judge",
    "make_judge": "crm_gym.agents.llm.judge",
    "OpenAIPolicy": "crm_gym.agents.llm.openai_policy",
}
__all__ = ["AnthropicPolicy", "LlmCache", "LlmJudge", "OpenAIPolicy", "make_judge"]


def __getattr__(name: str) -> Any:
    """Load an exported name's module (and its SDK) on first use."""
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
