"""`crm-gym serve`: the benchmark as an A2A evaluator (an AgentBeats "green agent") that assesses other agents.

It accepts Entropic CRMArena's assessment request -- one message whose data part (or JSON text) is
``{"participants": {"agent": URL}, "config": {...}}`` with the config keys of `AssessmentConfig` -- evaluates
that agent with `crm_gym.agents.a2a_policy.A2APolicy` through `crm_gym.runner.evaluate.run_eval`, and answers with
an artifact (a text summary and the results document of `crm_gym.runner.results_document`). The task ends
``completed``; ``rejected`` for a malformed request, unknown tasks, limits passed, or an agent it may not reach;
``failed`` (with the document) when no episode could be scored because the agent did not answer. Serves A2A 1.0
and 0.3 clients over JSON-RPC.

Safe to expose by default (docs/security.md): every request needs a bearer token (`crm_gym.runner.serve_guard`);
the agent must be on the operator's host allowlist (`crm_gym.agents.url_guard`), checked on its card and on every
connection; a refused or unreadable agent gets one fixed text, and episode errors in the results document are
one fixed text per kind, so answers reveal nothing about the network behind the evaluator; steps, reply
timeouts, tasks, request size and concurrent assessments (per client and in all) are capped (`ServeLimits`);
tasks are visible to their own client only, and the task store evicts old ones.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Sequence
from typing import Literal

import uvicorn
from a2a.client import A2ACardResolver
from a2a.helpers import get_data_parts, get_message_text, new_data_part, new_task_from_user_message, new_text_part
from a2a.server.agent_execution import AgentExecutor, RequestContext
from a2a.server.events import EventQueue
from a2a.server.request_handlers import DefaultRequestHandler
from a2a.server.routes import create_agent_card_routes, create_jsonrpc_routes
from a2a.server.tasks import TaskUpdater
from a2a.types import (
    AgentCapabilities,
    AgentCard,
    AgentInterface,
    AgentSkill,
    HTTPAuthSecurityScheme,
    Message,
    SecurityRequirement,
    SecurityScheme,
    StringList,
)
from a2a.utils.errors import A2AError
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator
from starlette.applications import Starlette
from starlette.middleware import Middleware

from crm_gym.agents.url_guard import AgentUrlGuard, guarded_client
from crm_gym.entropy.drift import DriftLevel
from crm_gym.entropy.rot import RotLevel
from crm_gym.errors import CrmGymError
from crm_gym.runner.evaluate import EvalConfig, run_eval
from crm_gym.runner.plan import select_tasks
from crm_gym.runner.records import EpisodeResult
from crm_gym.runner.results_document import results_document, summary_text
from crm_gym.runner.serve_guard import BodyLimit, EvictingTaskStore, bearer_auth

log = logging.getLogger(__name__)
RESULTS_ARTIFACT = "CRMArena Assessment Results"
#: The one answer to an agent the evaluator will not or cannot reach, whatever the reason.
UNREACHABLE_AGENT = (
    "Cannot assess this agent: its URL is not on this evaluator's list of agent hosts, or its agent card could not "
    "be read from an allowed host."
)
#: The one error text of an episode, per status, in the results document (the details stay in the server's log).
EPISODE_ERRORS = {
    "infra_error": "infrastructure: the agent could not be reached or did not answer in time (not scored)",
    "agent_error": "agent: the agent failed the task or sent a reply that could not be used (scored)",
}
A2A_RETRIES = 2  # each reply: the first attempt and two retries, 0.5 s and 1 s apart
CARD_TIMEOUT = 30.0


class AssessmentConfig(BaseModel):
    """The ``config`` of an assessment request (Entropic's keys; unknown keys are rejected).

    Attributes:
        task_limit: At most this many tasks, round-robin over the categories (None: every task).
        task_ids: Only these tasks.
        task_categories: Only these categories.
        drift_level: Schema drift of every episode (Entropic ran "medium").
        rot_level: Context rot of every episode (Entropic ran "medium").
        max_steps: Step limit of an episode (at most the server's `ServeLimits.max_steps`).
        timeout: Seconds the agent may take for each reply (at most `ServeLimits.max_reply_timeout`).
        interaction: "single" (Entropic's form: the whole request at once) or "multi" (crm_gym's: the tasks with a
            user scenario open with an incomplete request, and the agent asks the scripted user with the
            ``ask_user`` tool, docs/conversations.md).
    """

    model_config = ConfigDict(extra="forbid")

    task_limit: int | None = Field(default=None, ge=1)
    task_ids: list[str] | None = None
    task_categories: list[str] | None = None
    drift_level: DriftLevel = "medium"
    rot_level: RotLevel = "medium"
    max_steps: int = Field(default=20, ge=1)
    timeout: float = Field(default=300.0, gt=0)
    interaction: Literal["single", "multi"] = "single"


class AssessmentRequest(BaseModel):
    """An assessment request: the participant to assess (role ``agent``) and the config."""

    participants: dict[str, AnyHttpUrl]
    config: AssessmentConfig = Field(default_factory=AssessmentConfig)

    @field_validator("participants")
    @classmethod
    def _has_agent(cls, value: dict[str, AnyHttpUrl]) -> dict[str, AnyHttpUrl]:
        if "agent" not in value:
            raise ValueError(f"participants must name the role 'agent' (got roles {sorted(value)})")
        return value


class ServeLimits(BaseModel):
    """Upper bounds on what one request may ask for and on what clients may hold at once.

    Attributes:
        max_steps: Largest ``max_steps`` a request may set.
        max_reply_timeout: Largest ``timeout`` (seconds per reply) a request may set.
        max_tasks: Most tasks in one assessment (also what a request without ``task_limit`` gets).
        max_request_bytes: Largest request body.
        max_assessments_per_client: Assessments one client (token) may have running at once.
        max_assessments: Assessments running at once in the whole server.
        task_store_size: Tasks the server keeps (the least recently updated are evicted first).
        task_store_ttl: Seconds a task is kept after its last update.
    """

    model_config = ConfigDict(frozen=True)

    max_steps: int = Field(default=50, ge=1)
    max_reply_timeout: float = Field(default=300.0, gt=0)
    max_tasks: int = Field(default=100, ge=1)
    max_request_bytes: int = Field(default=64 * 1024, ge=1024)
    max_assessments_per_client: int = Field(default=1, ge=1)
    max_assessments: int = Field(default=4, ge=1)
    task_store_size: int = Field(default=1000, ge=1)
    task_store_ttl: float = Field(default=24 * 3600.0, gt=0)


class ServeSettings(BaseModel):
    """What the server evaluates on, the same for every request, and whom it may reach.

    Attributes:
        suite: The suite every assessment runs.
        split: Its split.
        org_scale: crmarena_pro org scale.
        seed: Run seed of every assessment.
        concurrency: Episodes in flight at once in one assessment.
        allowed_agent_hosts: Entries of the `AgentUrlGuard` every agent must pass (none: every agent is refused).
        limits: The `ServeLimits`.
    """

    model_config = ConfigDict(frozen=True)

    suite: str = "crmarena_pro"
    split: str = "test"
    org_scale: str | float = "default"
    seed: int = 0
    concurrency: int = Field(default=4, ge=1)
    allowed_agent_hosts: tuple[str, ...] = ()
    limits: ServeLimits = Field(default_factory=ServeLimits)

    @field_validator("allowed_agent_hosts")
    @classmethod
    def _valid_hosts(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        AgentUrlGuard(value)  # raises CrmGymError naming an entry of no allowed form
        return value


def parse_request(message: Message) -> AssessmentRequest:
    """The request in ``message``: its first data part with ``participants``, else its text as JSON.

    Raises:
        pydantic.ValidationError: the request is malformed (the message names the field).
    """
    for data in get_data_parts(message.parts):
        if isinstance(data, dict) and "participants" in data:
            return AssessmentRequest.model_validate(data)
    return AssessmentRequest.model_validate_json(get_message_text(message))


def eval_config(request: AssessmentRequest, settings: ServeSettings) -> EvalConfig:
    """The evaluation run that answers ``request``.

    Raises:
        ValueError: the request asks for more than the server's limits allow (the message names the limit).
    """
    config, limits = request.config, settings.limits
    over = [
        f"{name} {value} is over this evaluator's limit of {limit}"
        for name, value, limit in (
            ("max_steps", config.max_steps, limits.max_steps),
            ("timeout", config.timeout, limits.max_reply_timeout),
            ("task_limit", config.task_limit or 0, limits.max_tasks),
        )
        if value > limit
    ]
    if over:
        raise ValueError("; ".join(over))
    # a reply takes at most A2A_RETRIES + 1 attempts of `timeout` s and the waits between them
    reply_bound = (A2A_RETRIES + 1) * config.timeout + 0.5 * (2**A2A_RETRIES - 1)
    return EvalConfig(
        policy=f"a2a:{request.participants['agent']}",
        policy_options={
            "timeout": config.timeout,
            "max_retries": A2A_RETRIES,
            "allowed_hosts": list(settings.allowed_agent_hosts),
        },
        suite=settings.suite,
        split=settings.split,
        org_scale=settings.org_scale,
        categories=config.task_categories,
        task_ids=config.task_ids,
        limit=config.task_limit or limits.max_tasks,
        drift_level=config.drift_level,
        rot_level=config.rot_level,
        interaction=config.interaction,
        max_steps=config.max_steps,
        seed=settings.seed,
        concurrency=settings.concurrency,
        timeout_s=config.max_steps * reply_bound + 60.0,  # every reply at its bound, and the env's steps
    )


async def check_agent(url: str, guard: AgentUrlGuard) -> None:
    """Check that the evaluator may reach the agent at ``url``: its host, its card (read through the guard, no
    redirect followed), and every URL the card gives for it.

    Raises:
        CrmGymError: the agent may not be reached, or its card cannot be read (`UNREACHABLE_AGENT`, whatever the
            reason; the reason goes to the log).
    """
    try:
        await guard.check_url(url)
        async with guarded_client(guard, CARD_TIMEOUT) as http:
            card = await A2ACardResolver(http, url).get_agent_card()
        for interface in card.supported_interfaces:
            await guard.check_url(interface.url)
    except (CrmGymError, A2AError, ValueError) as err:
        log.info("Agent %s refused: %s: %s", url, type(err).__name__, err)
        raise CrmGymError(UNREACHABLE_AGENT) from err


class AssessmentExecutor(AgentExecutor):
    """Runs one assessment per request and answers with its results document."""

    def __init__(self, settings: ServeSettings) -> None:
        """``settings``: the suite, split, scale, seed, concurrency, allowed agent hosts and limits."""
        self.settings = settings
        self._guard = AgentUrlGuard(settings.allowed_agent_hosts)
        self._running: Counter[str] = Counter()  # assessments in progress, by client

    async def execute(self, context: RequestContext, event_queue: EventQueue) -> None:
        """Validate the request, check the agent and the limits, evaluate it, publish the results artifact."""
        if context.message is None or context.task_id is None or context.context_id is None:
            raise CrmGymError("An assessment needs a message, a task id and a context id.")
        if context.current_task is None:
            await event_queue.enqueue_event(new_task_from_user_message(context.message))
        updater = TaskUpdater(event_queue, context.task_id, context.context_id)
        try:
            request = parse_request(context.message)
            config = eval_config(request, self.settings)
        except ValueError as err:  # pydantic's ValidationError included
            await updater.reject(updater.new_agent_message([new_text_part(f"Invalid assessment request: {err}")]))
            return
        client = context.call_context.user.user_name
        busy = self._busy(client)
        if busy:
            await updater.reject(updater.new_agent_message([new_text_part(busy)]))
            return
        self._running[client] += 1
        try:
            await self._assess(request, config, updater)
        finally:
            self._running[client] -= 1

    def _busy(self, client: str) -> str | None:
        """Why a new assessment of ``client`` cannot start now, or None."""
        limits = self.settings.limits
        if self._running[client] >= limits.max_assessments_per_client:
            return (
                f"This client already has {self._running[client]} assessment(s) running (at most "
                f"{limits.max_assessments_per_client} per client): wait for one to finish."
            )
        if sum(self._running.values()) >= limits.max_assessments:
            return f"The evaluator is running its maximum of {limits.max_assessments} assessments: try again later."
        return None

    async def _assess(self, request: AssessmentRequest, config: EvalConfig, updater: TaskUpdater) -> None:
        from crm_gym import __version__

        participant = str(request.participants["agent"])
        try:
            await asyncio.to_thread(select_tasks, config)  # unknown tasks or categories, before any connection
        except CrmGymError as err:
            await updater.reject(updater.new_agent_message([new_text_part(f"Cannot run this assessment: {err}")]))
            return
        try:
            await check_agent(participant, self._guard)
        except CrmGymError as err:
            await updater.reject(updater.new_agent_message([new_text_part(str(err))]))
            return
        await updater.start_work(updater.new_agent_message([new_text_part(f"Assessing {participant}.")]))
        started = time.perf_counter()
        try:  # in a worker thread, so the server keeps answering while the episodes run
            episodes = await asyncio.to_thread(run_eval, config)
        except CrmGymError as err:
            await updater.reject(updater.new_agent_message([new_text_part(f"Cannot run this assessment: {err}")]))
            return
        document = results_document(
            [_uniform_error(e) for e in episodes],
            participant,
            extension_metrics={
                **self.settings.model_dump(mode="json", include={"suite", "split", "org_scale", "seed"}),
                **request.config.model_dump(
                    mode="json", include={"drift_level", "rot_level", "max_steps", "interaction"}
                ),
            },
            total_seconds=time.perf_counter() - started,
            version=__version__,
        )
        text = summary_text(document)
        await updater.add_artifact([new_text_part(text), new_data_part(document)], name=RESULTS_ARTIFACT)
        if document["summary"]["total_tasks"]:
            await updater.complete()
        else:
            await updater.failed(updater.new_agent_message([new_text_part(f"No episode could be scored.\n{text}")]))

    async def cancel(self, context: RequestContext, event_queue: EventQueue) -> None:
        """Assessments run to the end: cancelling is not supported."""
        raise CrmGymError("crm_gym assessments cannot be cancelled.")


def _uniform_error(episode: EpisodeResult) -> EpisodeResult:
    """The episode with its error replaced by the fixed text of its kind (the details are logged)."""
    if episode.error is None:
        return episode
    log.info("Episode %s: %s", episode.key.text(), episode.error)
    return episode.model_copy(update={"error": EPISODE_ERRORS.get(episode.status, episode.status)})


def agent_card(url: str) -> AgentCard:
    """The evaluator's agent card, served at ``/.well-known/agent-card.json``; ``url`` is where it is reached."""
    from crm_gym import __version__

    example = '{"participants": {"agent": "http://agent:9009/"}, "config": {"task_limit": 10}}'
    return AgentCard(
        name="crm_gym",
        description=(
            "CRM agent benchmark (CRMArena-Pro and Arc tasks on a seeded CRM, with schema drift and context rot), "
            "scored on Entropic CRMArena's 7 dimensions. Send an assessment request naming the agent to assess."
        ),
        version=__version__,
        supported_interfaces=[
            AgentInterface(url=url, protocol_binding="JSONRPC", protocol_version=version) for version in ("1.0", "0.3")
        ],
        capabilities=AgentCapabilities(streaming=True),
        security_schemes={
            "bearer": SecurityScheme(
                http_auth_security_scheme=HTTPAuthSecurityScheme(
                    scheme="bearer", description="The token printed by, or given to, `crm-gym serve`."
                )
            )
        },
        security_requirements=[SecurityRequirement(schemes={"bearer": StringList()})],
        default_input_modes=["application/json", "text/plain"],
        default_output_modes=["application/json", "text/plain"],
        skills=[
            AgentSkill(
                id="crm-assessment",
                name="CRM agent assessment",
                description="Plays CRM tasks with the participant over A2A and returns its scores.",
                tags=["benchmark", "crm", "evaluation"],
                examples=[example],
            )
        ],
    )


def build_app(card_url: str, tokens: Sequence[str], settings: ServeSettings | None = None) -> Starlette:
    """The evaluator as a Starlette app: agent card and JSON-RPC endpoint (A2A 1.0, and 0.3 clients) at ``/``, every
    request authenticated by one of ``tokens`` (each a client) and bounded in size."""
    settings = settings or ServeSettings()
    limits = settings.limits
    card = agent_card(card_url)
    handler = DefaultRequestHandler(
        agent_executor=AssessmentExecutor(settings),
        task_store=EvictingTaskStore(limits.task_store_size, limits.task_store_ttl),
        agent_card=card,
    )
    return Starlette(
        routes=[*create_agent_card_routes(card), *create_jsonrpc_routes(handler, "/", enable_v0_3_compat=True)],
        middleware=[bearer_auth(tokens), Middleware(BodyLimit, max_bytes=limits.max_request_bytes)],
    )


def serve(
    host: str, port: int, tokens: Sequence[str], card_url: str | None = None, settings: ServeSettings | None = None
) -> None:
    """Serve the evaluator with uvicorn until interrupted; ``card_url`` defaults to ``http://HOST:PORT/``."""
    app = build_app(card_url or f"http://{host}:{port}/", tokens, settings)
    uvicorn.run(app, host=host, port=port, limit_concurrency=256, timeout_keep_alive=5)
