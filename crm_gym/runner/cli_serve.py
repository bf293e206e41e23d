"""The `crm-gym serve` command: options and their checks; the servers are imported only when one runs."""

from __future__ import annotations

import secrets
from typing import Annotated, Literal

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from crm_gym.errors import CrmGymError

TOKEN_VARIABLE = "CRM_GYM_SERVE_TOKEN"

Protocol = Literal["a2a", "openenv"]
# max_steps: for a2a the largest a request may set, for openenv the step limit of an episode.
_DEFAULT_MAX_STEPS = {"a2a": 50, "openenv": 20}


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
    concurrency: Annotated[int, typer.Option(help="a2a: episodes in flight at once in one assessment.")] = 4,
    allow_agent_host: Annotated[
        list[str] | None,
        typer.Option(
            help="a2a: an agent host the evaluator may reach (repeatable): a name, an IP, a network (CIDR), each "
            "with an optional :PORT, or '*' for any public host. Private, loopback and link-local addresses are "
            "refused unless listed as addresses. None given: every agent is refused."
        ),
    ] = None,
    token: Annotated[
        list[str] | None,
        typer.Option(
            envvar=TOKEN_VARIABLE,
            help=f"a2a: a client token, at least 16 characters (repeatable, one client each; or ${TOKEN_VARIABLE}, "
            "which keeps it out of the process list). None given: one is generated and printed.",
        ),
    ] = None,
    max_steps: Annotated[
        int | None,
        typer.Option(help="a2a: largest max_steps a request may set (50); openenv: step limit of an episode (20)."),
    ] = None,
    max_timeout: Annotated[float, typer.Option(help="a2a: largest per-reply timeout (s) a request may set.")] = 300.0,
    max_tasks: Annotated[int, typer.Option(help="a2a: most tasks in one assessment.")] = 100,
    max_request_bytes: Annotated[int, typer.Option(help="a2a: largest request body.")] = 64 * 1024,
    max_assessments_per_client: Annotated[int, typer.Option(help="a2a: assessments one client may run at once.")] = 1,
    max_assessments: Annotated[int, typer.Option(help="a2a: assessments running at once in all.")] = 4,
    max_sessions: Annotated[int, typer.Option(help="openenv: concurrent WebSocket sessions.")] = 64,
    drift: Annotated[str, typer.Option(help="openenv: default drift level of a reset.")] = "none",
    rot: Annotated[str, typer.Option(help="openenv: default rot level of a reset.")] = "none",
    stable_tools: Annotated[
        bool, typer.Option(help="openenv: the same tool specs in every episode (argument names not drifted).")
    ] = False,
) -> None:
    """Serve crm_gym: as an A2A evaluator (green agent) of the agent a request names, or as an OpenEnv
    environment server for trainers (``--protocol openenv``: HTTP, WebSocket ``/ws``, ``/health``)."""
    errors = Console(stderr=True)
    if protocol not in _DEFAULT_MAX_STEPS:
        errors.print(f"[red]--protocol must be a2a or openenv, got {escape(repr(protocol))}.[/red]")
        raise typer.Exit(2)
    steps = max_steps if max_steps is not None else _DEFAULT_MAX_STEPS[protocol]
    try:
        if protocol == "openenv":
            import uvicorn

            from crm_gym.integrations.openenv import OpenEnvSettings, build_app
        else:
            from crm_gym.runner.serve import ServeLimits, ServeSettings, serve
    except ImportError as err:
        errors.print(
            f"[red]crm-gym serve --protocol {protocol} needs the {protocol} extra: "
            f"pip install 'crm_gym[{protocol}]' ({escape(str(err))})[/red]"
        )
        raise typer.Exit(2) from err
    if protocol == "openenv":
        settings = OpenEnvSettings(
            suite=suite,
            split=split,
            org_scale=scale,
            drift_level=drift,
            rot_level=rot,
            max_steps=steps,
            stable_tools=stable_tools,
            max_sessions=max_sessions,
        )
        uvicorn.run(build_app(settings), host=host, port=port, log_level="warning")
        return
    tokens = token or [secrets.token_urlsafe(32)]
    if any(len(t) < 16 for t in tokens):
        errors.print("[red]Every --token must be at least 16 characters long.[/red]")
        raise typer.Exit(2)
    if not token:
        errors.print(f"Clients authenticate with 'Authorization: Bearer {tokens[0]}' (a token generated for this run).")
    if not allow_agent_host:
        errors.print("[yellow]No --allow-agent-host given: every assessment will be refused.[/yellow]")
    try:
        limits = ServeLimits(
            max_steps=steps,
            max_reply_timeout=max_timeout,
            max_tasks=max_tasks,
            max_request_bytes=max_request_bytes,
            max_assessments_per_client=max_assessments_per_client,
            max_assessments=max_assessments,
        )
        a2a_settings = ServeSettings(
            suite=suite,
            split=split,
            org_scale=scale,
            seed=seed,
            concurrency=concurrency,
            allowed_agent_hosts=tuple(allow_agent_host or ()),
            limits=limits,
        )
    except (CrmGymError, ValidationError) as err:
        errors.print(f"[red]{escape(str(err))}[/red]", highlight=False)
        raise typer.Exit(2) from err
    serve(host, port, tokens, card_url, a2a_settings)
