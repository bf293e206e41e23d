"""`crm-gym serve`: the command's options; each protocol's server (an extra) is imported only when it runs."""

from __future__ import annotations

from typing import Annotated, Literal

import typer
from rich.console import Console

Protocol = Literal["a2a", "openenv"]


def serve_command(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 9009,
    protocol: Annotated[
        str, typer.Option(help="a2a: an A2A evaluator of other agents; openenv: an OpenEnv environment server.")
    ] = "a2a",
    card_url: Annotated[str | None, typer.Option(help="a2a: URL advertised in the agent card.")] = None,
    suite: Annotated[str, typer.Option(help="Suite the episodes come from.")] = "crmarena_pro",
    split: Annotated[str, typer.Option(help="Split of the suite.")] = "test",
    scale: Annotated[str, typer.Option(help="crmarena_pro org scale (default, small, ...).")] = "default",
    seed: Annotated[int, typer.Option(help="a2a: run seed of every assessment.")] = 0,
    concurrency: Annotated[int, typer.Option(help="a2a: episodes in flight at once.")] = 4,
    max_sessions: Annotated[int, typer.Option(help="openenv: concurrent WebSocket sessions.")] = 64,
    drift: Annotated[str, typer.Option(help="openenv: default drift level of a reset.")] = "none",
    rot: Annotated[str, typer.Option(help="openenv: default rot level of a reset.")] = "none",
    max_steps: Annotated[int, typer.Option(help="openenv: step limit of an episode.")] = 20,
    stable_tools: Annotated[
        bool, typer.Option(help="openenv: the same tool specs in every episode (argument names not drifted).")
    ] = False,
) -> None:
    """Serve crm_gym: as an A2A evaluator (green agent) of the agent a request names, or as an OpenEnv
    environment server for trainers (``--protocol openenv``: HTTP, WebSocket ``/ws``, ``/health``)."""
    if protocol not in ("a2a", "openenv"):
        Console(stderr=True).print(f"[red]--protocol must be a2a or openenv, got {protocol!r}.[/red]")
        raise typer.Exit(2)
    extra = "a2a" if protocol == "a2a" else "openenv"
    try:
        if protocol == "openenv":
            import uvicorn

            from crm_gym.integrations.openenv import OpenEnvSettings, build_app
        else:
            from crm_gym.runner.serve import ServeSettings, serve
    except ImportError as err:
        need = f"crm-gym serve --protocol {protocol} needs the {extra} extra: pip install 'crm_gym[{extra}]'"
        Console(stderr=True).print(f"[red]{need} ({err})[/red]")
        raise typer.Exit(2) from err
    if protocol == "openenv":
        settings = OpenEnvSettings(
            suite=suite,
            split=split,
            org_scale=scale,
            drift_level=drift,
            rot_level=rot,
            max_steps=max_steps,
            stable_tools=stable_tools,
            max_sessions=max_sessions,
        )
        uvicorn.run(build_app(settings), host=host, port=port, log_level="warning")
        return
    settings = ServeSettings(suite=suite, split=split, org_scale=scale, seed=seed, concurrency=concurrency)
    serve(host, port, card_url, settings)
