"""Fixtures of the hostile-input suite: a small crmarena_pro org, the meters of every metered call, and checks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crm_gym import build_org
from crm_gym.api import budget
from crm_gym.world.world import World


class MeterLog:
    """The `WorkMeter` of every query and search run while it is installed (see `recording_meters`)."""

    def __init__(self) -> None:
        self.meters: list[budget.WorkMeter] = []

    def assert_bounded(self) -> None:
        """Each call stayed within its budget or was stopped by it, never by the wall-clock backstop."""
        for meter in self.meters:
            assert meter.stop_reason != "backstop"
            if meter.stop_reason is None:
                assert meter.steps <= meter.budget.steps and meter.temp_bytes <= meter.budget.temp_bytes


def recording_meters(monkeypatch: pytest.MonkeyPatch) -> MeterLog:
    """Record every meter `crm_gym.api.budget.metered` makes from now on."""
    log = MeterLog()

    class Recorded(budget.WorkMeter):
        def __init__(self, work: budget.WorkBudget) -> None:
            super().__init__(work)
            log.meters.append(self)

    monkeypatch.setattr(budget, "WorkMeter", Recorded)
    return log


@pytest.fixture
def meters(monkeypatch: pytest.MonkeyPatch) -> Iterator[MeterLog]:
    """The meters of the test's calls; the test fails if one was stopped by the backstop or overran its budget."""
    log = recording_meters(monkeypatch)
    yield log
    log.assert_bounded()


@pytest.fixture(scope="session")
def small_org() -> World:
    """A small crmarena_pro_b2b org (3,023 records); tests take a copy."""
    return build_org("crmarena_pro_b2b", seed=0, scale="small")
