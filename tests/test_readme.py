"""The README's Python example runs as written."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def _examples() -> list[str]:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert len(blocks) == 2, "the README has an env example and an API example"
    return blocks


def _run(block: str) -> None:
    assert len(block.strip().splitlines()) <= 12
    exec(compile(block, "README.md", "exec"), {})  # noqa: S102 - our own documentation


def test_readme_env_example_runs_an_episode_with_the_baseline(capsys) -> None:  # noqa: ANN001 - pytest fixture
    _run(_examples()[0])
    category, passed, total, steps = capsys.readouterr().out.split()
    assert passed == "True" and float(total) > 90 and int(steps) >= 2


def test_readme_api_example_runs(capsys) -> None:  # noqa: ANN001 - pytest fixture
    _run(_examples()[1])
    out = capsys.readouterr().out
    assert "Opportunity.stage: 'negotiation' is not allowed" in out
    assert "(no changes) 3 1" in out


def _bash_blocks() -> list[str]:
    return re.findall(r"```bash\n(.*?)```", README.read_text(), re.S)


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (README.parent / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci == _bash_blocks()[1].strip()


def test_the_main_job_commands_run_on_a_sample(tmp_path: Path) -> None:
    """The README's main job (eval then report), on one task per suite and a small org, with its own arguments."""
    steps = [c.strip() for c in _bash_blocks()[0].split("&&") if "crm-gym" in c]
    assert [s.split()[1] for s in steps] == ["eval", "report"]
    out = tmp_path / "run"
    for step in steps:
        args = [a if a != "runs/baseline" else str(out) for a in shlex.split(step)[1:]]
        if args[0] == "eval":
            args += ["--limit", "1", "--org-scale", "small"]
        result = subprocess.run([sys.executable, "-m", "crm_gym", *args], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
    assert (out / "report.html").stat().st_size > 10_000
    assert "baseline" in (out / "report.md").read_text()
