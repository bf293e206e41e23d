"""`crm-gym serve`: the command's options; the A2A server (the `a2a` extra) is imported only when it runs."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console


def serve_command(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 9009,
    card_url: Annotated[str | None, typer.Option(help="URL advertised in the agent card.")] = None,
    suite: Annotated[str, typer.Option(help="Suite the assessments run.")] = "crmarena_pro",
    split: Annotated[str, typer.Option(help="Split of the suite.")] = "test",
    scale: Annotated[str, typer.Option(help="crmarena_pro org scale (default, small, ...).")] = "default",
    seed: Annotated[int, typer.Option(help="Run seed of every assessment.")] = 0,
    concurrency: Annotated[int, typer.Option(help="Episodes in flight at once.")] = 4,
) -> None:
    """Serve crm_gym as an A2A evaluator (green agent) that assesses the agent an assessment request names."""
    try:
        from crm_gym.runner.serve import ServeSettings, serve
    except ImportError as err:
        Console(stderr=True).print(f"[red]crm-gym serve needs the a2a extra: pip install 'crm_gym[a2a]' ({err})[/red]")
        raise typer.Exit(2) from err
    settings = ServeSettings(suite=suite, split=split, org_scale=scale, seed=seed, concurrency=concurrency)
    serve(host, port, card_url, settings)
