"""The user scenario of a task: `scenario_for` dispatches on the task's suite (`arc`, `crmarena_pro`).

A task of another suite, or one whose case has no interactive form, has no scenario: it runs single-turn only.
"""

from __future__ import annotations

from collections.abc import Callable

from crm_gym.conversation.scenario import UserScenario
from crm_gym.conversation.scenarios.arc import arc_scenario
from crm_gym.conversation.scenarios.crmarena_pro import crmarena_pro_scenario
from crm_gym.tasks.model import Task

BY_SUITE: dict[str, Callable[[Task], UserScenario | None]] = {
    "arc": arc_scenario,
    "crmarena_pro": crmarena_pro_scenario,
}


def scenario_for(task: Task) -> UserScenario | None:
    """The task's user scenario, or None when it has no conversational form."""
    build = BY_SUITE.get(task.suite)
    return build(task) if build else None
