"""The `crm-gym eval`, `crm-gym rescore` and `crm-gym export` commands (registered in `crm_gym.cli`)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from crm_gym.errors import CrmGymError
from crm_gym.redaction import redact_text
from crm_gym.runner.eval_config import EvalConfig

console = Console()


def eval_command(
    policy: Annotated[str, typer.Option(help="baseline, oracle, random, openai:MODEL, anthropic:MODEL or a2a:URL.")],
    out: Annotated[Path, typer.Option(help="Run folder: run.json and episodes.jsonl.")],
    suite: Annotated[list[str], typer.Option(help="Suite (repeat for several).")] = ["crmarena_pro"],  # noqa: B006
    split: Annotated[str, typer.Option(help="Split of every suite.")] = "test",
    category: Annotated[list[str] | None, typer.Option(help="Only this category (repeatable).")] = None,
    task_id: Annotated[list[str] | None, typer.Option(help="Only this task id (repeatable).")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many tasks per suite (round-robin).")] = None,
    trials: Annotated[int, typer.Option(help="Episodes per task and level pair.")] = 1,
    concurrency: Annotated[int, typer.Option(help="Episodes in flight.")] = 8,
    drift: Annotated[list[str], typer.Option(help="Drift level (repeat for a grid).")] = ["none"],  # noqa: B006
    rot: Annotated[list[str], typer.Option(help="Rot level (repeat for a grid).")] = ["none"],  # noqa: B006
    interaction: Annotated[
        list[str], typer.Option(help="single, multi (tasks with a user scenario), or both (repeat).")
    ] = ["single"],  # noqa: B006
    user: Annotated[str, typer.Option(help="Simulated user: scripted, llm:openai:MODEL or llm:anthropic:MODEL.")] = (
        "scripted"
    ),
    user_option: Annotated[
        list[str] | None, typer.Option(help="LLM user option KEY=VALUE, VALUE as JSON or text (repeatable).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Run seed.")] = 0,
    max_steps: Annotated[int, typer.Option(help="Step limit per episode.")] = 20,
    org_scale: Annotated[str, typer.Option(help="crmarena_pro org scale: default, small, tiny.")] = "default",
    backend: Annotated[str, typer.Option(help="asyncio or ray.")] = "asyncio",
    ray_cpus_per_episode: Annotated[float, typer.Option(help="Ray: CPUs per episode task (<1 for LLMs).")] = 1.0,
    timeout: Annotated[float, typer.Option(help="Seconds per episode before it counts as an infra error.")] = 600,
    option: Annotated[
        list[str] | None, typer.Option(help="Policy option KEY=VALUE, VALUE as JSON or text (repeatable).")
    ] = None,
    resume: Annotated[bool, typer.Option(help="Keep the episodes already in --out.")] = True,
) -> None:
    """Evaluate a policy on suites of tasks; resumable, one JSON line per episode."""
    from crm_gym.runner.evaluate import run_eval

    with _user_errors():
        config = EvalConfig(
            policy=policy,
            policy_options=_parse_options(option or [], "--option"),
            suite=suite,
            split=split,
            categories=category,
            task_ids=task_id,
            limit=limit,
            trials=trials,
            concurrency=concurrency,
            drift_level=drift,
            rot_level=rot,
            interaction=interaction,
            user=user,
            user_options=_parse_options(user_option or [], "--user-option"),
            seed=seed,
            max_steps=max_steps,
            org_scale=org_scale,
            out_dir=out,
            backend=backend,
            ray_cpus_per_episode=ray_cpus_per_episode,
            timeout_s=timeout,
            resume=resume,
        )
        results = run_eval(config, progress=True)
    scored = [r for r in results if r.scored]
    passed = sum(bool(r.passed) for r in scored)
    console.print(
        f"{len(results)} episodes: {len(scored)} scored, {passed} passed, "
        f"{len(results) - len(scored)} infrastructure errors -> {out}"
    )


def rescore_command(
    run: Annotated[Path, typer.Argument(help="Run folder written by `crm-gym eval`.")],
) -> None:
    """Replay every scored episode and check the stored scores (writes rescored.jsonl; exit 1 on a mismatch)."""
    from crm_gym.runner.rescore import rescore
    from crm_gym.scoring import GRADER_VERSION

    with _user_errors():
        report = rescore(run)
    for key, lines in list(report.duplicates.items())[:20]:
        console.print(f"[red]duplicate[/red] {escape(key)} is recorded {lines} times", highlight=False)
    for mismatch in report.mismatches[:20]:
        shown = escape(f"{mismatch.episode} {mismatch.field}: {mismatch.stored!r} -> {mismatch.rescored!r}")
        console.print(f"[red]mismatch[/red] {shown}", highlight=False)
    for change in report.verdict_changes[:50]:
        verdict = {True: "pass", False: "fail", None: "-"}
        shown = escape(
            f"{change.episode}: {verdict[change.stored]} -> {verdict[change.rescored]}: {change.now} "
            f"(grader {change.grader or '1'}: {change.was})"
        )
        console.print(f"[yellow]verdict changed[/yellow] {shown}", highlight=False)
    if report.regraded:
        console.print(
            f"{report.regraded} episodes were graded by another answer grader: regraded by version {GRADER_VERSION}, "
            f"{len(report.verdict_changes)} verdicts changed (listed above, at most 50)."
        )
    console.print(
        f"{report.episodes} episodes rescored, {report.skipped} infra errors skipped, "
        f"{len(report.mismatches)} mismatches, {len(report.duplicates)} episodes recorded more than once "
        f"-> {report.output}"
    )
    if not report.ok:
        raise typer.Exit(1)


def export_command(
    run: Annotated[Path, typer.Argument(help="Run folder written by `crm-gym eval`.")],
    out: Annotated[Path, typer.Option(help="sft: a JSONL file; hf, prefs: a folder.")],
    format: Annotated[
        str, typer.Option(help="sft (chat JSONL), hf (dataset folder) or prefs (preference pairs, dataset folder).")
    ] = "sft",
    passed_only: Annotated[bool, typer.Option(help="Keep only the episodes that passed.")] = False,
) -> None:
    """Export a run's scored trajectories for fine-tuning."""
    from crm_gym.runner.export import export

    with _user_errors():
        count = export(run, format, out, passed_only=passed_only)  # type: ignore[arg-type]
    console.print(f"{count} episodes -> {out}")


@contextlib.contextmanager
def _user_errors() -> Iterator[None]:
    """Print a misuse (bad option, unknown task, another run's folder) as one red line and exit with 2."""
    try:
        yield
    except CrmGymError as err:
        console.print(f"[red]{escape(redact_text(str(err)))}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from err
    except ValidationError as err:
        for problem in err.errors():
            where = ".".join(str(part) for part in problem["loc"])
            got = redact_text(repr(problem["input"]))
            console.print(
                f"[red]{escape(where)}: {escape(problem['msg'])} (got {escape(got)})[/red]",
                highlight=False,
                soft_wrap=True,
            )
        raise typer.Exit(2) from err


def _parse_options(pairs: list[str], flag: str) -> dict[str, object]:
    options: dict[str, object] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise typer.BadParameter(f"{pair!r} is not KEY=VALUE.", param_hint=flag)
        try:
            options[name] = json.loads(value)
        except json.JSONDecodeError:
            options[name] = value
    return options
