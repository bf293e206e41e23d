"""Fixtures of the hostile-input suite: a small crmarena_pro org, the meters of every metered call, and checks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hostile_meters import MeterLog, recording_meters

from crm_gym import build_org
from crm_gym.world.world import World


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
