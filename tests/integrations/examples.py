"""Load a script of ``examples/`` as a module (the folder is not a package), to call its functions in tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load_example(name: str) -> ModuleType:
    """The module of ``examples/<name>.py`` (loaded once per test session)."""
    key = f"crm_gym_examples.{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, EXAMPLES / f"{name}.py")
        if spec is None or spec.loader is None:
            raise ImportError(f"no example {name!r} in {EXAMPLES}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return sys.modules[key]
