"""`crm-gym report RUN_DIR`: read a run folder (run.json, episodes.jsonl) and write report.md and report.html.

The numbers come from `crm_gym.runner.report_stats`, the text from `report_markdown`, the page and its plots
from `report_html` and `report_plots`. The same records always give the same bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from crm_gym.errors import CrmGymError
from crm_gym.runner.report_html import render_html
from crm_gym.runner.report_markdown import name, render_markdown, report_sections
from crm_gym.runner.report_stats import run_stats
from crm_gym.runner.store import EPISODES_FILE, read_episodes, read_run

MARKDOWN_FILE, HTML_FILE = "report.md", "report.html"


def write_report(run_dir: Path | str, seed: int = 0) -> tuple[Path, Path]:
    """Write report.md and report.html into ``run_dir``.

    Args:
        run_dir: A run folder written by `crm-gym eval` (run.json and episodes.jsonl; a run still going is fine).
        seed: Seed of the bootstrap confidence intervals.

    Returns:
        The paths of report.md and report.html.
    """
    run_dir = Path(run_dir)
    run = read_run(run_dir)
    stats = run_stats(read_episodes(run_dir), seed=seed)
    if stats.episodes == 0:
        raise CrmGymError(f"{run_dir / EPISODES_FILE} holds no finished episode yet; report when some have run.")
    sections = report_sections(stats, run.model_dump(mode="json"))
    folder = run_dir.resolve().name
    md_path, html_path = run_dir / MARKDOWN_FILE, run_dir / HTML_FILE
    md_path.write_text(render_markdown(f"crm_gym run report: {name(folder)}", stats, sections), encoding="utf-8")
    html_path.write_text(render_html(f"crm_gym run report: {folder}", stats, sections), encoding="utf-8")
    return md_path, html_path


def report_command(
    run_dir: Annotated[Path, typer.Argument(help="Run folder written by `crm-gym eval`.")],
) -> None:
    """Write report.md and report.html (plots, confidence intervals, pass^k, degradation) for a run folder."""
    try:
        paths = write_report(run_dir)
    except (CrmGymError, ValidationError) as error:  # a bad folder or a run.json of another format
        typer.secho(str(error), fg="red", err=True)
        raise typer.Exit(2) from error
    for path in paths:
        typer.echo(path)
