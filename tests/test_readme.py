"""The README's Python example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_example_runs(capsys) -> None:  # noqa: ANN001 - pytest fixture
    block = re.search(r"```python\n(.*?)```", README.read_text(), re.S)
    assert block is not None, "the README has no python example"
    assert len(block.group(1).strip().splitlines()) <= 10
    exec(compile(block.group(1), "README.md", "exec"), {})  # noqa: S102 - our own documentation
    out = capsys.readouterr().out
    assert "Opportunity.stage: 'negotiation' is not allowed" in out
    assert "(no changes) 3 1" in out
