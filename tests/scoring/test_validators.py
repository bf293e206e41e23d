"""State validators: expected values from the task, collateral changes fail, progress tracks the work."""

from __future__ import annotations

import pytest

from crm_gym import MockCrmApi
from crm_gym.scoring.validators import check_state
from crm_gym.tasks.model import (
    NoOtherChanges,
    RecordChanged,
    RecordCreated,
    RecordDeleted,
    RecordUnchanged,
    StateExpectation,
)


@pytest.fixture
def api() -> MockCrmApi:
    api = MockCrmApi()
    with api.world.bulk_load():
        api.world.insert("Client", {"client_id": "c1", "name": "Acme Corp", "status": "Active"})
        api.world.insert("Client", {"client_id": "c2", "name": "Acme Holdings", "status": "Prospect"})
        api.world.insert("Opportunity", {"opportunity_id": "o1", "name": "Renewal", "client_id": "c1"})
        api.world.insert("Quote", {"quote_id": "q1", "opportunity_id": "o1", "amount": 10.0, "status": "Draft"})
    return api


def _expect(*assertions) -> StateExpectation:  # noqa: ANN002 - assertion union
    return StateExpectation(assertions=assertions)


CREATE = _expect(
    RecordCreated(object="Opportunity", match={"name": "Upsell"}, fields={"client_id": "c1", "stage": "Proposal"}),
    NoOtherChanges(),
)


def test_expected_creation_passes_and_wrong_value_fails(api: MockCrmApi) -> None:
    assert check_state(CREATE, api.world).progress == 0.0
    api.create("Opportunity", {"name": "Upsell", "client_id": "c1", "stage": "Proposal"})
    report = check_state(CREATE, api.world)
    assert report.passed and report.progress == 1.0


def test_value_the_agent_chose_is_not_trusted(api: MockCrmApi) -> None:
    api.create("Opportunity", {"name": "Upsell", "client_id": "c2", "stage": "Proposal"})
    report = check_state(CREATE, api.world)
    assert not report.passed
    assert "client_id is 'c2', expected 'c1'" in report.checks[0].reason


def test_collateral_change_fails_the_case(api: MockCrmApi) -> None:
    api.create("Opportunity", {"name": "Upsell", "client_id": "c1", "stage": "Proposal"})
    api.update("Client", "c2", {"status": "Inactive"})
    report = check_state(CREATE, api.world)
    assert not report.passed and report.progress == 0.0
    assert "changed Client c2 (status)" in report.checks[1].reason


def test_two_matching_creations_are_ambiguous(api: MockCrmApi) -> None:
    for _ in range(2):
        api.create("Opportunity", {"name": "Upsell", "client_id": "c1", "stage": "Proposal"})
    assert not check_state(CREATE, api.world).checks[0].passed


def test_change_of_other_field_on_same_record_is_collateral(api: MockCrmApi) -> None:
    expectation = _expect(
        RecordChanged(object="Opportunity", record_id="o1", fields={"stage": "Negotiation"}), NoOtherChanges()
    )
    api.update("Opportunity", "o1", {"stage": "Negotiation"})
    assert check_state(expectation, api.world).passed
    api.update("Opportunity", "o1", {"amount": 5.0})
    assert not check_state(expectation, api.world).passed


def test_cascaded_deletes_are_part_of_the_expected_delete(api: MockCrmApi) -> None:
    expectation = _expect(RecordDeleted(object="Opportunity", record_id="o1"), NoOtherChanges())
    api.delete("Opportunity", "o1")  # cascades to quote q1
    assert check_state(expectation, api.world).passed


def test_decline_case_progress_starts_full_and_drops_on_the_invalid_change(api: MockCrmApi) -> None:
    expectation = _expect(RecordUnchanged(object="Client", record_id="c1"), NoOtherChanges())
    assert check_state(expectation, api.world).progress == 1.0
    api.update("Client", "c1", {"status": "Inactive"})
    report = check_state(expectation, api.world)
    assert report.progress == 0.0 and not report.passed


def test_progress_counts_positive_assertions(api: MockCrmApi) -> None:
    expectation = _expect(
        RecordChanged(object="Opportunity", record_id="o1", fields={"stage": "Negotiation"}),
        RecordChanged(object="Quote", record_id="q1", fields={"status": "Sent"}),
        NoOtherChanges(),
    )
    api.update("Opportunity", "o1", {"stage": "Negotiation"})
    assert check_state(expectation, api.world).progress == 0.5
    api.update("Quote", "q1", {"status": "Sent"})
    assert check_state(expectation, api.world).progress == 1.0


def test_numbers_compare_within_float_tolerance(api: MockCrmApi) -> None:
    expectation = _expect(RecordChanged(object="Quote", record_id="q1", fields={"amount": 0.3}))
    api.update("Quote", "q1", {"amount": 0.1 + 0.2})
    assert check_state(expectation, api.world).passed
