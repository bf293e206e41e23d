"""The `crm-gym` command line: argument parsing only; the work is done by the library."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from crm_gym.api import MockCrmApi
from crm_gym.world.generate import build_org
from crm_gym.world.schema import list_profiles

app = typer.Typer(help="crm_gym: a Gymnasium environment for CRM agents.", no_args_is_help=True)
org_app = typer.Typer(help="Build and inspect CRM orgs.", no_args_is_help=True)
app.add_typer(org_app, name="org")
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
    world = build_org(profile, seed=seed, scale=_parse_scale(scale))
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


def _parse_scale(scale: str) -> str | float:
    try:
        return float(scale)
    except ValueError:
        return scale


if __name__ == "__main__":
    app()
