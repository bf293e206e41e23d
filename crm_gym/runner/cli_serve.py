"""`crm-gym serve`: the command's options; the A2A server (the `a2a` extra) is imported only when it runs."""

from __future__ import annotations

import secrets
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from crm_gym.errors import CrmGymError

TOKEN_VARIABLE = "CRM_GYM_SERVE_TOKEN"


def serve_command(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 9009,
    card_url: Annotated[str | None, typer.Option(help="URL advertised in the agent card.")] = None,
    suite: Annotated[str, typer.Option(help="Suite the assessments run.")] = "crmarena_pro",
    split: Annotated[str, typer.Option(help="Split of the suite.")] = "test",
    scale: Annotated[str, typer.Option(help="crmarena_pro org scale (default, small, ...).")] = "default",
    seed: Annotated[int, typer.Option(help="Run seed of every assessment.")] = 0,
    concurrency: Annotated[int, typer.Option(help="Episodes in flight at once in one assessment.")] = 4,
    allow_agent_host: Annotated[
        list[str] | None,
        typer.Option(
            help="An agent host the evaluator may reach (repeatable): a name, an IP, a network (CIDR), each with an "
            "optional :PORT, or '*' for any public host. Private, loopback and link-local addresses are refused "
            "unless listed as addresses. None given: every agent is refused."
        ),
    ] = None,
    token: Annotated[
        list[str] | None,
        typer.Option(
            envvar=TOKEN_VARIABLE,
            help=f"A client token, at least 16 characters (repeatable, one client each; or ${TOKEN_VARIABLE}, which "
            "keeps it out of the process list). None given: one is generated and printed.",
        ),
    ] = None,
    max_steps: Annotated[int, typer.Option(help="Largest max_steps a request may set.")] = 50,
    max_timeout: Annotated[float, typer.Option(help="Largest per-reply timeout (s) a request may set.")] = 300.0,
    max_tasks: Annotated[int, typer.Option(help="Most tasks in one assessment.")] = 100,
    max_request_bytes: Annotated[int, typer.Option(help="Largest request body.")] = 64 * 1024,
    max_assessments_per_client: Annotated[int, typer.Option(help="Assessments one client may run at once.")] = 1,
    max_assessments: Annotated[int, typer.Option(help="Assessments running at once in all.")] = 4,
) -> None:
    """Serve crm_gym as an A2A evaluator (green agent) that assesses the agent an assessment request names."""
    errors = Console(stderr=True)
    try:
        from crm_gym.runner.serve import ServeLimits, ServeSettings, serve
    except ImportError as err:
        errors.print(f"[red]crm-gym serve needs the a2a extra: pip install 'crm_gym[a2a]' ({err})[/red]")
        raise typer.Exit(2) from err
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
            max_steps=max_steps,
            max_reply_timeout=max_timeout,
            max_tasks=max_tasks,
            max_request_bytes=max_request_bytes,
            max_assessments_per_client=max_assessments_per_client,
            max_assessments=max_assessments,
        )
        settings = ServeSettings(
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
    serve(host, port, tokens, card_url, settings)
