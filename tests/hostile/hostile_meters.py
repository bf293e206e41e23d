"""The meters of the metered calls a hostile test makes, and the check that each stayed within its budget."""

from __future__ import annotations

import pytest

from crm_gym.api import budget


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
