"""What `import crm_gym` gives: a dozen names, the env ids registered, nothing heavy imported."""

from __future__ import annotations

import subprocess
import sys

import gymnasium as gym

import crm_gym


def test_public_names_resolve() -> None:
    for name in crm_gym.__all__:
        assert getattr(crm_gym, name) is not None, name
    assert issubclass(crm_gym.CrmError, ValueError)
    assert crm_gym.list_suites() == ["arc", "crmarena_pro"]


def test_importing_registers_the_env_ids() -> None:
    assert "CrmArena-v0" in gym.registry


def test_the_core_import_pulls_no_llm_sdk_and_no_torch() -> None:
    heavy = ("torch", "openai", "anthropic", "stable_baselines3")
    code = f"import sys, crm_gym; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
