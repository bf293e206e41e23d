"""`crm-gym serve`: the benchmark as an A2A evaluator (an AgentBeats "green agent") that assesses other agents.

It accepts Entropic CRMArena's assessment request -- one message whose data part (or JSON text) is
``{"participants": {"agent": URL}, "config": {...}}`` with the config keys of `AssessmentConfig` -- evaluates
that agent with `crm_gym.agents.a2a_policy.A2APolicy` through `crm_gym.runner.evaluate.run_eval`, and answers with
an artifact (a text summary and the results document of `crm_gym.runner.results_document`). The task ends
``completed``; ``rejected`` for a malformed request or unknown tasks; ``failed`` (with the document) when no
episode could be scored because the agent was unreachable. Serves A2A 1.0 and 0.3 clients over JSON-RPC.
"""

from __future__ import annotations

import asyncio
import time

import uvicorn
from a2a.helpers import get_data_parts, get_message_text, new_data_part, new_task_from_user_message, new_text_part
from a2a.server.agent_execution import AgentExecutor, RequestContext
from a2a.server.events import EventQueue
from a2a.server.request_handlers import DefaultRequestHandler
from a2a.server.routes import create_agent_card_routes, create_jsonrpc_routes
from a2a.server.tasks import InMemoryTaskStore, TaskUpdater
from a2a.types import AgentCapabilities, AgentCard, AgentInterface, AgentSkill, Message
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator
from starlette.applications import Starlette

from crm_gym.entropy.drift import DriftLevel
from crm_gym.entropy.rot import RotLevel
from crm_gym.errors import CrmGymError
from crm_gym.runner.evaluate import EvalConfig, run_eval
from crm_gym.runner.results_document import results_document, summary_text

RESULTS_ARTIFACT = "CRMArena Assessment Results"


class AssessmentConfig(BaseModel):
    """The ``config`` of an assessment request (Entropic's keys; unknown keys are rejected).

    Attributes:
        task_limit: At most this many tasks, round-robin over the categories (None: every task).
        task_ids: Only these tasks.
        task_categories: Only these categories.
        drift_level: Schema drift of every episode (Entropic ran "medium").
        rot_level: Context rot of every episode (Entropic ran "medium").
        max_steps: Step limit of an episode.
        timeout: Seconds the agent may take for each reply.
    """

    model_config = ConfigDict(extra="forbid")

    task_limit: int | None = Field(default=None, ge=1)
    task_ids: list[str] | None = None
    task_categories: list[str] | None = None
    drift_level: DriftLevel = "medium"
    rot_level: RotLevel = "medium"
    max_steps: int = Field(default=20, ge=1)
    timeout: float = Field(default=300.0, gt=0)


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


class ServeSettings(BaseModel):
    """What the server evaluates on, the same for every request."""

    model_config = ConfigDict(frozen=True)

    suite: str = "crmarena_pro"
    split: str = "test"
    org_scale: str | float = "default"
    seed: int = 0
    concurrency: int = Field(default=4, ge=1)


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
    """The evaluation run that answers ``request``."""
    config = request.config
    return EvalConfig(
        policy=f"a2a:{request.participants['agent']}",
        policy_options={"timeout": config.timeout},
        suite=settings.suite,
        split=settings.split,
        org_scale=settings.org_scale,
        categories=config.task_categories,
        task_ids=config.task_ids,
        limit=config.task_limit,
        drift_level=config.drift_level,
        rot_level=config.rot_level,
        max_steps=config.max_steps,
        seed=settings.seed,
        concurrency=settings.concurrency,
        timeout_s=None,  # each reply is bounded by the policy's timeout, and the episode by max_steps
    )


class AssessmentExecutor(AgentExecutor):
    """Runs one assessment per request and answers with its results document."""

    def __init__(self, settings: ServeSettings) -> None:
        """``settings``: the suite, split, scale, seed and concurrency of every assessment."""
        self.settings = settings

    async def execute(self, context: RequestContext, event_queue: EventQueue) -> None:
        """Validate the request, evaluate the participant, publish the results artifact."""
        from crm_gym import __version__

        assert context.message is not None and context.task_id is not None and context.context_id is not None
        if context.current_task is None:
            await event_queue.enqueue_event(new_task_from_user_message(context.message))
        updater = TaskUpdater(event_queue, context.task_id, context.context_id)
        try:
            request = parse_request(context.message)
            config = eval_config(request, self.settings)
        except ValueError as err:  # pydantic's ValidationError included
            await updater.reject(updater.new_agent_message([new_text_part(f"Invalid assessment request: {err}")]))
            return
        participant = str(request.participants["agent"])
        await updater.start_work(updater.new_agent_message([new_text_part(f"Assessing {participant}.")]))
        started = time.perf_counter()
        try:  # in a worker thread, so the server keeps answering while the episodes run
            episodes = await asyncio.to_thread(run_eval, config)
        except CrmGymError as err:
            await updater.reject(updater.new_agent_message([new_text_part(f"Cannot run this assessment: {err}")]))
            return
        document = results_document(
            episodes,
            participant,
            extension_metrics={
                **self.settings.model_dump(mode="json", exclude={"concurrency"}),
                **request.config.model_dump(mode="json", include={"drift_level", "rot_level", "max_steps"}),
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


def build_app(card_url: str, settings: ServeSettings | None = None) -> Starlette:
    """The evaluator as a Starlette app: agent card and JSON-RPC endpoint (A2A 1.0, and 0.3 clients) at ``/``."""
    card = agent_card(card_url)
    handler = DefaultRequestHandler(
        agent_executor=AssessmentExecutor(settings or ServeSettings()), task_store=InMemoryTaskStore(), agent_card=card
    )
    return Starlette(
        routes=[*create_agent_card_routes(card), *create_jsonrpc_routes(handler, "/", enable_v0_3_compat=True)]
    )


def serve(host: str, port: int, card_url: str | None = None, settings: ServeSettings | None = None) -> None:
    """Serve the evaluator with uvicorn until interrupted; ``card_url`` defaults to ``http://HOST:PORT/``."""
    uvicorn.run(build_app(card_url or f"http://{host}:{port}/", settings), host=host, port=port)
