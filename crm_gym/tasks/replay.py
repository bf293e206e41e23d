"""Replay a fixed list of tool calls on a task's org: how oracle solutions are checked and trajectories re-scored."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from crm_gym.api.api import MockCrmApi, ToolResult
from crm_gym.tasks.model import Task, ToolCall
from crm_gym.world.world import World


@dataclass
class Replay:
    """The org after the calls, the API that served them (with its counters) and every result."""

    world: World
    api: MockCrmApi
    results: list[ToolResult]


def replay_calls(task: Task, calls: Sequence[ToolCall], world: World | None = None) -> Replay:
    """Run ``calls`` in order on a fresh copy of the task's org (or on ``world``); errors are results, not raised."""
    world = world if world is not None else task.build_world()
    api = MockCrmApi(world)
    results = [api.execute(call.tool, call.args) for call in calls]
    return Replay(world=world, api=api, results=results)
