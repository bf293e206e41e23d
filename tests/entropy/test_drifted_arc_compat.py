"""Drift reaches Arc's call shapes: the keys of an updates object, the arc_compat field searches and its tools."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pytest

import crm_gym
from crm_gym import CrmError, MockCrmApi
from crm_gym.entropy.drift import draw_drift
from crm_gym.entropy.drifted_api import DriftedApi
from crm_gym.errors import DriftedNameError
from crm_gym.world.world import World


@pytest.fixture(scope="module")
def org() -> World:
    return crm_gym.build_org("arc", seed=0, scale="tiny")


def _drifted(org: World, renamed: Iterable[str], profile: str = "default") -> tuple[MockCrmApi, DriftedApi]:
    """A plain API and a drifted one (the first high-drift seed that renames every field in ``renamed``)."""
    seed = next(s for s in range(200) if set(renamed) <= set(draw_drift(org.schema, "high", s).fields))
    plain = MockCrmApi(org.copy(), tool_profile=profile)  # type: ignore[arg-type]
    drifted = MockCrmApi(org.copy(), tool_profile=profile)  # type: ignore[arg-type]
    return plain, DriftedApi(drifted, draw_drift(org.schema, "high", seed))


@pytest.mark.parametrize("profile", ["default", "arc_compat"])
def test_an_updates_object_speaks_the_drifted_names(org: World, profile: str) -> None:
    plain, api = _drifted(org, ("stage", "probability"), profile)
    stage, probability = api.drift.fields["stage"], api.drift.fields["probability"]
    deal = next(o for o in org.rows("Opportunity") if o["stage"] == "Proposal")
    oid = deal["opportunity_id"]
    changed = api.modify_opportunity(**{api.drift.fields.get("opportunity_id", "opportunity_id"): oid},
                                     updates={stage: "Negotiation", probability: 60})  # fmt: skip
    assert (changed[stage], changed[probability]) == ("Negotiation", 60)
    assert api.world.get("Opportunity", oid)["stage"] == "Negotiation"
    tool, args = api.translate_call("modify_opportunity", {"opportunity_id": oid, "updates": {"stage": "Proposal"}})
    assert args["updates"] == {stage: "Proposal"}
    api.call(tool, args)
    assert api.world.get("Opportunity", oid)["stage"] == "Proposal"
    spec = next(s for s in api.tool_specs("anthropic") if s["name"] == "modify_opportunity")["input_schema"]
    nested = spec["properties"]["updates"]["properties"]
    assert stage in nested and "stage" not in nested and nested[stage]["enum"][0] == "Prospecting"


def test_a_canonical_key_in_updates_is_a_stale_name(org: World) -> None:
    _, api = _drifted(org, ("stage",))
    stage = api.drift.fields["stage"]
    oid = org.rows("Opportunity")[0]["opportunity_id"]
    args = api.translate_call("modify_opportunity", {"opportunity_id": oid})[1]
    before = api.world.state_hash()
    with pytest.raises(DriftedNameError, match=rf"updates has no field 'stage'\..*Fields: .*{stage}") as stale:
        api.call("modify_opportunity", {**args, "updates": {"stage": "Proposal"}})
    assert stale.value.stale_names == ("stage",)
    with pytest.raises(CrmError) as unknown:  # not a schema name at all: the tool refuses it, in drifted words
        api.call("modify_opportunity", {**args, "updates": {"assigned_to": "Rosa"}})
    assert "'assigned_to'" in str(unknown.value) and stage in str(unknown.value)
    assert not re.search(r"\bstage\b", str(unknown.value))
    assert api.world.state_hash() == before


def test_arc_compat_searches_take_the_drifted_field_names(org: World) -> None:
    plain, api = _drifted(org, ("name", "stage"), "arc_compat")
    name, stage = api.drift.fields["name"], api.drift.fields["stage"]
    closed = api.opportunity_search(**{stage: "closed"})
    assert {o[stage] for o in closed} == {"Closed-Won", "Closed-Lost"}
    assert len(closed) == len(plain.opportunity_search(stage="closed"))
    some = org.rows("Client")[0]
    assert [c[name] for c in api.client_search(**{name: some["name"][:5]})] == [
        c["name"] for c in plain.client_search(name=some["name"][:5])
    ]
    with pytest.raises(DriftedNameError, match=r"client_search has no argument 'name'") as stale:
        api.client_search(name="a")
    assert stale.value.stale_names == ("name",)
    summary = api.summarize_opportunities(**{stage: "closed"})
    assert summary["total_count"] == len(closed)


def test_the_quote_version_label_argument_follows_its_fields_drift(org: World) -> None:
    _, api = _drifted(org, ("version_label",))
    label = api.drift.fields["version_label"]
    oid = org.rows("Opportunity")[0]["opportunity_id"]
    args = api.translate_call("create_quote", {"opportunity_id": oid, "amount": 10.0, "version": "v9"})[1]
    assert args[label] == "v9" and "version" not in args
    quote = api.call("create_quote", args)
    assert quote[label] == "v9"
