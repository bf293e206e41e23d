"""The `crm-gym` command line: argument parsing only; the work is done by the library."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from crm_gym.api import MockCrmApi
from crm_gym.runner.cli_eval import eval_command, export_command, rescore_command
from crm_gym.runner.cli_serve import serve_command
from crm_gym.runner.report import report_command
from crm_gym.world.generate import build_org, parse_scale
from crm_gym.world.schema import list_profiles

app = typer.Typer(help="crm_gym: a Gymnasium environment for CRM agents.", no_args_is_help=True)
org_app = typer.Typer(help="Build and inspect CRM orgs.", no_args_is_help=True)
suite_app = typer.Typer(help="Inspect task suites.", no_args_is_help=True)
app.add_typer(org_app, name="org")
app.add_typer(suite_app, name="suite")
console = Console()

ProfileArg = Annotated[str, typer.Argument(help=f"Org profile: {', '.join(list_profiles())}.")]


@org_app.command("build")
def org_build(
    profile: ProfileArg,
    out: Annotated[Path, typer.Option(help="SQLite file to write.")],
    seed: Annotated[int, typer.Option(help="Generator seed.")] = 0,
    scale: Annotated[str, typer.Option(help="tiny, small, default, large or a multiplier.")] = "default",
) -> None:
    """Generate a seeded org and save it as a SQLite file."""
    world = build_org(profile, seed=seed, scale=parse_scale(scale))
    world.save(out)
    table = Table("object", "rows", title=f"{profile} org, seed {seed}: {world.count()} rows -> {out}")
    for name in world.schema.objects:
        table.add_row(name, str(world.count(name)))
    console.print(table)


@app.command("tools")
def tools(
    profile: ProfileArg = "arc",
    flavor: Annotated[str, typer.Option(help="openai_chat, openai_responses or anthropic.")] = "openai_chat",
) -> None:
    """Print the tool specs an LLM sees for an org profile, as JSON."""
    from crm_gym.world.world import World

    api = MockCrmApi(World.empty(profile))
    typer.echo(json.dumps(api.tool_specs(flavor), indent=2))  # type: ignore[arg-type]


@suite_app.command("list")
def suite_list() -> None:
    """List the suites and their descriptions."""
    from crm_gym.tasks.suites import SUITES

    for name, text in SUITES.items():
        console.print(f"[bold]{name}[/bold]: {text}")


@suite_app.command("base-rates")
def suite_base_rates(
    suite: Annotated[str, typer.Argument(help="Suite name.")] = "crmarena_pro",
    split: Annotated[str, typer.Option(help="Split.")] = "test",
    scale: Annotated[str, typer.Option(help="Org scale (crmarena_pro).")] = "default",
    out: Annotated[Path | None, typer.Option(help="Also write the report as JSON here.")] = None,
) -> None:
    """Score five degenerate answers on every task of a suite split: the score must not be gameable."""
    from crm_gym.scoring.base_rates import DEGENERATE, base_rates
    from crm_gym.tasks.suites import load_suite

    tasks = load_suite(suite, split, scale=parse_scale(scale))
    report = base_rates(tasks)
    table = Table("category", *DEGENERATE, title=f"{suite}/{split}: functional (evaluator alone) / total")
    rows = {**report.by_category, "ALL": report.overall}
    for name, rates in rows.items():
        table.add_row(name, *(f"{r.functional:.2f} ({r.evaluator:.2f}) / {r.total:.1f}" for r in rates.values()))
    console.print(table)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(report.model_dump_json(indent=2))


@suite_app.command("stats")
def suite_stats_command(
    suite: Annotated[str, typer.Argument(help="Suite name.")] = "crmarena_pro",
    split: Annotated[str, typer.Option(help="Split measured (its train split gives the phrasing overlap).")] = "test",
    scale: Annotated[str, typer.Option(help="Org scale (crmarena_pro).")] = "default",
    out: Annotated[Path | None, typer.Option(help="Also write the stats as JSON here.")] = None,
) -> None:
    """Per category: distinct prompt shapes, top gold and None shares, oracle depth, degenerate floors, train/test
    phrasing overlap; the privacy settings' refusal rules and the org's text repetition."""
    from crm_gym.scoring.suite_stats import FLOORS, suite_stats
    from crm_gym.tasks.suites import load_suite

    tasks = load_suite(suite, split, scale=parse_scale(scale))
    train = load_suite(suite, "train", scale=parse_scale(scale)) if split != "train" and suite != "arc" else []
    world = tasks[0].build_world()
    stats = suite_stats(tasks, world, train, suite=suite, split=split)
    table = Table("category", "shapes/100", "in train", "top gold", "None", "calls", ">=4", *FLOORS)
    for name, c in stats.by_category.items():
        table.add_row(
            name,
            f"{c.prompt_shapes_per_100:.0f}",
            f"{c.shapes_seen_in_train:.0%}",
            f"{c.top_gold_share:.0%}",
            f"{c.none_share:.0%}",
            f"{c.mean_oracle_calls:.1f}",
            f"{c.share_4_or_more_calls:.0%}",
            *(f"{c.floors.get(n, 0.0):.2f}" for n in FLOORS),
        )
    table.add_row(
        "ALL (answer tasks)",
        "",
        "",
        "",
        "",
        "",
        f"{stats.share_4_or_more_calls:.0%}",
        *(f"{stats.floors[n]:.3f}" for n in FLOORS),
    )
    console.print(table)
    if stats.privacy is not None:
        p = stats.privacy
        console.print(
            f"privacy settings: {p.tasks} tasks ({p.legitimate} legitimate look-alikes): "
            f"refuse all {p.refuse_all:.2f}, refuse on the best single cue {p.refuse_on_cue:.2f} ({p.best_cue!r})",
            markup=False,
        )
    console.print(
        "largest share of records one sentence appears in: "
        + ", ".join(f"{kind} {share:.1%}" for kind, share in stats.text_repetition.items()),
        markup=False,
    )
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(stats.model_dump_json(indent=2))


@suite_app.command("grading")
def suite_grading(
    corpus: Annotated[Path | None, typer.Option(help="Labelled answers (default: data/grading/answers.jsonl).")] = None,
    part: Annotated[str, typer.Option("--set", help="all, dev or held_out.")] = "all",
    judge: Annotated[
        str | None, typer.Option(help="Also grade free text with an LLM judge: openai:MODEL or anthropic:MODEL.")
    ] = None,
    judge_cache: Annotated[Path | None, typer.Option(help="Cache folder of the judge's requests.")] = None,
    mistakes: Annotated[bool, typer.Option(help="List every answer graded against its label.")] = False,
) -> None:
    """Grade the labelled answer corpus: right answers accepted and rejected, wrong ones rejected and accepted,
    per category and per answer kind (exit 1 on any false accept or more than 2% false rejects)."""
    from crm_gym.scoring.corpus import disagreements, grade_corpus, load_corpus

    if part not in ("all", "dev", "held_out"):
        raise typer.BadParameter(f"--set must be all, dev or held_out, got {part!r}.")
    entries = [e for e in load_corpus(corpus) if part == "all" or e.set == part]
    report = grade_corpus(entries)
    for title, rows in (("category", report.by_category), ("answer kind", report.by_kind)):
        table = Table(title, "answers", "right accepted", "false rejects", "wrong rejected", "false accepts", "FR rate")
        for name, c in {**rows, "ALL": report.overall}.items():
            counts = (c.total, c.right_accepted, c.false_rejects, c.wrong_rejected, c.false_accepts)
            table.add_row(name, *(str(n) for n in counts), f"{c.false_reject_rate:.1%}")
        console.print(table)
    if mistakes:
        for m in report.mistakes:
            console.print(f"{m.id} (labelled {m.label}): {m.answer!r} -> {m.reason}", markup=False, highlight=False)
    if judge is not None:
        from crm_gym.agents.llm import make_judge

        llm = make_judge(judge, cache_dir=judge_cache)
        try:
            found = disagreements(entries, llm)
        finally:
            llm.close()
        free = sum(e.metric == "fuzzy_match" and e.gold is not None for e in entries)
        console.print(f"{judge} disagrees with the deterministic grader on {len(found)} of {free} free-text answers.")
        for entry_id, alone, judged in found:
            console.print(f"  {entry_id}: grader {'pass' if alone else 'fail'}, judge {'pass' if judged else 'fail'}")
    kinds = [*report.by_kind.values(), report.overall]
    if report.overall.false_accepts or any(c.false_reject_rate > 0.02 for c in kinds):
        raise typer.Exit(1)


@app.command("train")
def train(
    timesteps: Annotated[int, typer.Option(help="MaskablePPO timesteps per seed (CPU).")] = 60_000,
    eval_episodes: Annotated[int | None, typer.Option(help="Cap on held-out episodes (default: all).")] = None,
    seed: Annotated[int, typer.Option(help="First training seed.")] = 0,
    n_seeds: Annotated[int, typer.Option(help="Training seeds (seed, seed + 1, ...).")] = 1,
    out: Annotated[Path, typer.Option(help="Where the curve PNG and the JSON figures go.")] = Path("docs/results"),
) -> None:
    """Train MaskablePPO on the menu env (needs the `train` extra); compare it on held-out tasks with the random
    masked policy and fixed rules (answer None, best lookup then None, best lookup then the top candidate)."""
    from crm_gym.runner.train import summary, train_maskable_ppo

    report = train_maskable_ppo(
        timesteps=timesteps, eval_episodes=eval_episodes, seed=seed, n_seeds=n_seeds, out_dir=out
    )
    console.print_json(json.dumps(summary(report)))


app.command("eval")(eval_command)
app.command("rescore")(rescore_command)
app.command("report")(report_command)
app.command("export")(export_command)
app.command("serve")(serve_command)


if __name__ == "__main__":
    app()
