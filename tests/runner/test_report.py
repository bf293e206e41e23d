"""`crm-gym report` end to end: real episodes -> episodes.jsonl -> report.md and report.html, rendered in Chromium."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import typer
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from crm_gym import CrmArenaEnv
from crm_gym.agents import OraclePolicy, Policy, PolicyStep, RandomPolicy
from crm_gym.errors import CrmGymError
from crm_gym.runner.eval_config import EvalConfig
from crm_gym.runner.records import EpisodeKey, EpisodeResult, StepRecord
from crm_gym.runner.report import report_command, write_report
from crm_gym.runner.report_plots import BLUE, ORANGE
from crm_gym.runner.store import RunInfo, read_run, write_episodes

CATEGORIES = ("activity_priority", "handle_time", "knowledge_qa", "lead_qualification", "case_routing")
CONDITIONS = (("none", "none"), ("low", "none"), ("high", "none"), ("none", "high"))
TRIALS = 3
LEVEL_PENALTY = {"none": 0.0, "low": 0.1, "medium": 0.2, "high": 0.35}


class NoisyOraclePolicy(Policy):
    """Plays the oracle with a chance that falls with drift and rot, else random calls: a run with texture."""

    kind = "noisy_oracle"

    def __init__(self, env: CrmArenaEnv, skill: float, seed: int) -> None:
        self.skill, self.seed = skill, seed
        self._oracle, self._random = OraclePolicy(env), RandomPolicy(seed)
        self._rng = np.random.default_rng(seed)
        self._active: Policy = self._oracle

    def config(self) -> dict[str, Any]:
        return {"kind": self.kind, "skill": self.skill, "seed": self.seed, "temperature": 0.7, "top_p": 0.95}

    def reset(self, observation: dict[str, Any], info: dict[str, Any], tools: list[dict[str, Any]]) -> None:
        chance = self.skill - LEVEL_PENALTY[info["drift_level"]] - LEVEL_PENALTY[info["rot_level"]]
        self._active = self._oracle if self._rng.random() < chance else self._random
        self._active.reset(observation, info, tools)

    def act(self, observation: dict[str, Any], info: dict[str, Any]) -> PolicyStep:
        return self._active.act(observation, info)


def play_run(tasks_per_category: int = 2, infra_every: int = 17) -> list[EpisodeResult]:
    """Real episodes of a few crmarena_pro categories under four drift/rot conditions, as the runner records them;
    every ``infra_every``-th episode is replaced by an infrastructure failure."""
    env = CrmArenaEnv(suite="crmarena_pro", split="test", org_scale="small", categories=CATEGORIES, max_steps=8)
    chosen = [t for c in CATEGORIES for t in sorted(env.tasks.values(), key=lambda t: t.id) if t.category == c]
    tasks = [t for i, t in enumerate(chosen) if sum(u.category == t.category for u in chosen[:i]) < tasks_per_category]
    policy = NoisyOraclePolicy(env, skill=0.85, seed=7)
    results = []
    for task in tasks:
        for drift, rot in CONDITIONS:
            for trial in range(TRIALS):
                key = EpisodeKey(task_id=task.id, trial=trial, drift_level=drift, rot_level=rot)
                episode = _play(env, policy, key, seed=len(results))
                if len(results) % infra_every == infra_every - 1:
                    episode = episode.model_copy(
                        update={"status": "infra_error", "error": "PolicyInfrastructureError: HTTP 503 after 5 retries"}
                    )
                results.append(episode)
    return results


def _play(env: CrmArenaEnv, policy: Policy, key: EpisodeKey, seed: int) -> EpisodeResult:
    options = {"task_id": key.task_id, "drift_level": key.drift_level, "rot_level": key.rot_level}
    observation, info = env.reset(seed=seed, options=options)
    first = observation
    policy.reset(observation, info, env.tool_specs("openai_chat"))
    steps, total, done = [], 0.0, False
    while not done:
        action = policy.act(observation, info).action
        observation, reward, terminated, truncated, info = env.step(action)
        steps.append(StepRecord(action=action, tool=info["tool"], tool_error=info["tool_error"], reward=reward))
        total, done = total + reward, terminated or truncated
    return EpisodeResult(
        key=key,
        suite=info["suite"],
        split="test",
        category=info["category"],
        seed=seed,
        max_steps=env.max_steps,
        policy=policy.config(),
        status=info["status"],
        observation={k: v for k, v in first.items() if isinstance(v, str)},
        steps=steps,
        answer=steps[-1].action.get("answer") if isinstance(steps[-1].action, dict) else None,
        functional=info["functional"],
        passed=info["passed"],
        outcome=info["outcome"],
        score=info["score"],
        measures=info["measures"],
        episode_return=total,
        wall_seconds=0.01,
    )


def write_run(run_dir: Path, episodes: list[EpisodeResult]) -> Path:
    """Write a run folder as the runner does: run.json and episodes.jsonl."""
    run_dir.mkdir(parents=True, exist_ok=True)
    config = EvalConfig(
        policy="noisy_oracle",
        policy_options={"skill": 0.85, "temperature": 0.7, "top_p": 0.95},
        categories=list(CATEGORIES),
        trials=TRIALS,
        drift_level=sorted({d for d, _ in CONDITIONS}),
        rot_level=sorted({r for _, r in CONDITIONS}),
        org_scale="small",
        max_steps=8,
    )
    info = RunInfo(config=config.model_dump(mode="json"), crm_gym_version="0.1.0", started_at="2026-11-23T12:00:00")
    (run_dir / "run.json").write_text(info.model_dump_json(indent=2), encoding="utf-8")
    write_episodes(run_dir / "episodes.jsonl", episodes)
    return run_dir


@pytest.fixture(scope="module")
def episodes() -> list[EpisodeResult]:
    return play_run()


@pytest.fixture(scope="module")
def report(episodes: list[EpisodeResult], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_report(write_run(tmp_path_factory.mktemp("run"), episodes))


def test_markdown_has_every_section_and_the_run_config(
    report: tuple[Path, Path], episodes: list[EpisodeResult]
) -> None:
    text = report[0].read_text(encoding="utf-8")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Headline",
        "## Success by category",
        "## Score dimensions",
        "## Reliability: pass^k",
        "## Over-refusal",
        "## Degradation under drift and rot",
        "## Infrastructure failures",
        "## Agent failures",
        "## Run configuration",
    ]
    failures = [e for e in episodes if not e.scored]
    assert failures and f"{len(failures)} infrastructure failures" in text
    assert all(e.key.text() in text for e in failures)
    assert '"temperature": 0.7' in text and "| top_p | 0.95 |" in text and '"started_at": "2026-11-23T12:00:00"' in text
    assert all(category in text for category in CATEGORIES)
    assert "| 3 | " in text  # the pass^3 row


def test_html_is_self_contained_with_one_plot_per_view(report: tuple[Path, Path]) -> None:
    page = report[1].read_text(encoding="utf-8")
    assert page.count("<figure") == 4 and page.count("<svg") == 4  # categories, dimensions, pass^k, degradation
    links = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert links and all(link.startswith("#") for link in links), sorted({x for x in links if not x.startswith("#")})
    assert "<script" not in page and "<link" not in page and "url(http" not in page
    assert "<table" in page and "<h2>Score dimensions</h2>" in page


def test_the_same_records_give_the_same_bytes(
    report: tuple[Path, Path], episodes: list[EpisodeResult], tmp_path: Path
) -> None:
    again = write_report(write_run(tmp_path / report[0].parent.name, episodes[::-1]))  # same name, reversed lines
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in report]


def test_a_missing_empty_or_repeated_run_names_the_problem(episodes: list[EpisodeResult], tmp_path: Path) -> None:
    with pytest.raises(CrmGymError, match="run.json does not exist"):
        write_report(tmp_path)
    run_dir = write_run(tmp_path, [])
    with pytest.raises(CrmGymError, match="holds no finished episode"):
        write_report(run_dir)
    write_run(run_dir, [*episodes[:3], episodes[1]])
    with pytest.raises(CrmGymError, match=f"Episode {re.escape(episodes[1].key.text())} appears more than once"):
        write_report(run_dir)


def test_the_command_prints_the_paths_or_the_error(report: tuple[Path, Path], tmp_path: Path) -> None:
    app = typer.Typer()
    app.command()(report_command)
    done = CliRunner().invoke(app, [str(report[0].parent)])
    assert done.exit_code == 0 and done.output.split() == [str(p) for p in report]
    failed = CliRunner().invoke(app, [str(tmp_path)])
    assert failed.exit_code == 2 and "run.json does not exist" in failed.output


def test_reporting_does_not_import_matplotlib_until_it_plots() -> None:
    code = "import sys, crm_gym, crm_gym.runner.report; print('matplotlib' in sys.modules)"
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
        == "False"
    )


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
SIZE_PROBE = """<script>
document.body.dataset.plots = [...document.querySelectorAll("figure svg")]
  .map(s => s.getBoundingClientRect()).map(r => Math.round(r.width) + "x" + Math.round(r.height)).join(" ");
</script></body>"""


def chromium(tmp_path: Path, *args: str) -> str:
    """Run headless Chromium with no network, no sandbox and a throwaway profile; its stdout."""
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1100,5200",
        "--hide-scrollbars",
    ]
    done = subprocess.run([CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary on PATH (apt-get install chromium)")
def test_chromium_lays_out_every_plot_with_a_real_size(report: tuple[Path, Path], tmp_path: Path) -> None:
    probe = tmp_path / "probe.html"
    probe.write_text(report[1].read_text(encoding="utf-8").replace("</body>", SIZE_PROBE), encoding="utf-8")
    dom = chromium(tmp_path, "--dump-dom", probe.as_uri())
    sizes = re.search(r'data-plots="([^"]*)"', dom)
    assert sizes, dom[:500]
    dimensions = [tuple(map(int, size.split("x"))) for size in sizes.group(1).split()]
    assert len(dimensions) == 4
    assert all(400 <= width <= 900 and 150 <= height <= 900 for width, height in dimensions), dimensions


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary on PATH (apt-get install chromium)")
def test_chromium_paints_the_plots(report: tuple[Path, Path], tmp_path: Path) -> None:
    from PIL import Image

    shot = tmp_path / "report.png"
    chromium(tmp_path, f"--screenshot={shot}", report[1].as_uri())
    image = Image.open(shot).convert("RGB")
    colors = {color: count for count, color in image.getcolors(1 << 24)}
    # The bars and lines are drawn in the plots' blue and orange; text and tables never use them.
    assert colors.get(_rgb(BLUE), 0) > 20_000 and colors.get(_rgb(ORANGE), 0) > 2_000
    assert colors[(255, 255, 255)] < 0.9 * image.width * image.height


EVIL = "evil.example"
HOSTILE = (
    f"![pixel](http://{EVIL}/x.png) [click](http://{EVIL}/c) <img src=http://{EVIL}/i.png> "
    f"<a href='http://{EVIL}/a'>a</a> <http://{EVIL}/auto> http://{EVIL}/bare www.{EVIL} | ``` *em* _em_"
)
LINK_PROBE = """<script>
document.body.dataset.links = JSON.stringify([...document.querySelectorAll("[href],[src],[srcset]")]
  .map(e => e.getAttribute("href") || e.getAttribute("src") || e.getAttribute("srcset")));
document.body.dataset.images = String(document.images.length);
document.body.dataset.styles = [...document.querySelectorAll("[style]")].map(e => e.getAttribute("style")).join(";");
</script></body>"""


@pytest.fixture(scope="module")
def hostile_report(episodes: list[EpisodeResult], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A report whose records carry agent text written to become links, images and markup: an infrastructure
    error, an agent failure, a category, the policy config and the run config."""
    hostile = [
        episodes[0].model_copy(update={"status": "infra_error", "error": f"PolicyInfrastructureError: {HOSTILE}"}),
        episodes[1].model_copy(update={"status": "agent_error", "error": f"AgentFailureError: {HOSTILE}"}),
        episodes[2].model_copy(update={"category": f"[cat](http://{EVIL}/cat)"}),
        episodes[3].model_copy(update={"policy": {"kind": f"![k](http://{EVIL}/k.png)", "url": HOSTILE}}),
        *episodes[4:20],
    ]
    run_dir = write_run(tmp_path_factory.mktemp("hostile"), hostile)
    info = read_run(run_dir)
    config = {**info.config, "policy_options": {"note": f"```\n{HOSTILE}\n```", "api_key": "sk-live-123456789"}}
    (run_dir / "run.json").write_text(info.model_copy(update={"config": config}).model_dump_json(), encoding="utf-8")
    return write_report(run_dir)


def test_agent_text_in_report_md_is_text_never_a_link_an_image_or_markup(hostile_report: tuple[Path, Path]) -> None:
    text = hostile_report[0].read_text(encoding="utf-8")
    assert text.count(EVIL) >= 5 and "sk-live-123456789" not in text
    # rendered as a Markdown viewer would, links on: every hostile text is code, and nothing is a link or image
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    flat = [child for t in tokens for child in [t, *(t.children or [])]]
    assert not [t.type for t in flat if t.type in ("link_open", "image", "html_inline", "html_block")]
    assert {t.type for t in flat if EVIL in t.content and not t.children} <= {"code_inline", "fence"}


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary on PATH (apt-get install chromium)")
def test_agent_text_in_report_html_is_text_in_chromium(hostile_report: tuple[Path, Path], tmp_path: Path) -> None:
    page = hostile_report[1].read_text(encoding="utf-8")
    assert "sk-live-123456789" not in page
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", LINK_PROBE), encoding="utf-8")
    dom = chromium(tmp_path, "--dump-dom", probe.as_uri())
    links = json.loads(html.unescape(re.search(r'data-links="([^"]*)"', dom).group(1)))
    assert links and all(link.startswith("#") for link in links), [x for x in links if not x.startswith("#")]
    assert re.search(r'data-images="([^"]*)"', dom).group(1) == "0"
    assert "url(" not in re.search(r'data-styles="([^"]*)"', dom).group(1)
    assert "![pixel](http://evil.example/x.png) [click](http://evil.example/c)" in html.unescape(dom)  # shown


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


if __name__ == "__main__":  # python tests/runner/test_report.py OUT_DIR: a demo run folder and its report
    out = write_run(Path(sys.argv[1]), play_run(tasks_per_category=4))
    print(*write_report(out))
