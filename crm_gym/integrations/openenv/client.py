"""`CrmGymClient`: OpenEnv's async WebSocket client for a crm_gym server (``.sync()`` for blocking use).

Example::

    async with CrmGymClient(base_url="http://127.0.0.1:8000") as env:
        result = await env.reset(task_id="arc-client_search-001", drift_level="high")
        result = await env.step(CrmAction(tool="client_search", arguments={"query": "acme"}))
"""

from __future__ import annotations

from typing import Any

from openenv.core.client_types import StepResult
from openenv.core.env_client import EnvClient

from crm_gym.integrations.openenv.models import CrmAction, CrmObservation, CrmState


class CrmGymClient(EnvClient[CrmAction, CrmObservation, CrmState]):
    """A session on a crm_gym OpenEnv server: ``reset(task_id=..., group=..., drift_level=..., rot_level=...,
    seed=...)``, ``step(CrmAction(...))``, ``state()``."""

    def _step_payload(self, action: CrmAction) -> dict[str, Any]:
        return action.model_dump(exclude={"metadata"})

    def _parse_result(self, payload: dict[str, Any]) -> StepResult[CrmObservation]:
        observation = CrmObservation(
            **{k: v for k, v in payload.get("observation", {}).items() if k in CrmObservation.model_fields},
            done=payload.get("done", False),
            reward=payload.get("reward"),
        )
        return StepResult(observation=observation, reward=payload.get("reward"), done=payload.get("done", False))

    def _parse_state(self, payload: dict[str, Any]) -> CrmState:
        return CrmState(**payload)
