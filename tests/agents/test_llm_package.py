"""The LLM policies' package: optional SDKs, the system text the model sees."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from crm_gym.agents.llm import OpenAIPolicy
from crm_gym.envs.chat import system_text
from crm_gym.errors import CrmGymError


def _run(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_agents_package_imports_without_the_sdks() -> None:
    code = (
        "import sys\n"
        "sys.modules['openai'] = sys.modules['anthropic'] = None\n"
        "import crm_gym.agents\n"
        "assert 'crm_gym.agents.llm' not in sys.modules\n"
        "try:\n"
        "    from crm_gym.agents.llm import OpenAIPolicy\n"
        "except ImportError:\n"
        "    print('the policies need the sdks')\n"
    )
    assert _run(code) == "the policies need the sdks"


def test_each_policy_imports_only_its_own_sdk() -> None:
    code = (
        "import sys\n"
        "from crm_gym.agents.llm import LlmCache, OpenAIPolicy\n"
        "print('openai' in sys.modules, 'anthropic' in sys.modules)\n"
    )
    assert _run(code) == "True False"


def test_the_system_text_holds_persona_context_schema_and_how_to_answer() -> None:
    observation = {
        "persona": "You are a sales director.",
        "context": "Today's date: 2024-03-15",
        "schema": "Deal(Amount, Id, Stage)",
        "prompt": "Which deal is largest?",
    }
    text = system_text(observation)
    assert text.startswith("You are a sales director.")
    assert "## Context\nToday's date: 2024-03-15" in text
    assert "## CRM schema: object(field, ...)\nDeal(Amount, Id, Stage)" in text
    assert "reply with it as plain text and no tool call" in text
    assert "Which deal is largest?" not in text  # the prompt is the first user message, not system text


def test_acting_before_reset_is_refused() -> None:
    policy = OpenAIPolicy("m", api_key="x")
    with pytest.raises(CrmGymError, match=r"aact\(\) before reset\(\)"):
        asyncio.run(policy.aact({}, {}))
