"""Run every `>>>` example in the package's docstrings."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import crm_gym

MODULES = sorted(m.name for m in pkgutil.walk_packages(crm_gym.__path__, "crm_gym.") if not m.name.endswith("__main__"))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"
