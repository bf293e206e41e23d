"""JSON true/false is never a number: every numeric argument of every tool, and every numeric field written through
the generic create and update tools, refuses a boolean by name, value and what is allowed, changing nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest

from crm_gym import CrmError, MockCrmApi, World
from crm_gym.api.registry import TOOL_PROFILES, registered_tools


def _takes_numbers(prop: dict[str, Any]) -> bool:
    kinds = [prop.get("type"), *(option.get("type") for option in prop.get("anyOf", ()))]
    return "integer" in kinds or "number" in kinds


def _numeric_arguments() -> list[tuple[str, str, str]]:
    schema = MockCrmApi().schema
    return sorted(
        {
            (profile, name, arg)
            for profile in TOOL_PROFILES
            for name, definition in registered_tools(profile).items()
            for arg, prop in definition.parameters_schema(schema)["properties"].items()
            if _takes_numbers(prop)
        }
    )


NUMERIC_ARGUMENTS = _numeric_arguments()


def test_the_numeric_arguments_cover_arc_and_generic_tools() -> None:
    tools = {name for _, name, _ in NUMERIC_ARGUMENTS}
    assert {"create_new_opportunity", "create_quote", "modify_quote", "opportunity_search", "search"} <= tools
    assert ("arc_compat", "quote_search", "version") in NUMERIC_ARGUMENTS
    assert len(NUMERIC_ARGUMENTS) >= 25


@pytest.mark.parametrize(("profile", "tool", "arg"), NUMERIC_ARGUMENTS, ids=lambda v: str(v))
@pytest.mark.parametrize("flag", [True, False])
def test_every_numeric_argument_refuses_a_boolean(
    arc_api: MockCrmApi, profile: str, tool: str, arg: str, flag: bool
) -> None:
    api = MockCrmApi(arc_api.world, tool_profile=profile)  # type: ignore[arg-type]
    before = api.world.state_hash()
    with pytest.raises(
        CrmError, match=re.escape(f"argument {arg!r}: {flag!r} is invalid (a boolean is not a number); expected ")
    ):
        api.call(tool, {arg: flag})
    assert api.world.state_hash() == before


@pytest.mark.parametrize("profile", TOOL_PROFILES)
def test_a_boolean_inside_an_updates_object_is_refused_too(arc_api: MockCrmApi, profile: str) -> None:
    api = MockCrmApi(arc_api.world, tool_profile=profile)  # type: ignore[arg-type]
    deal = api.world.rows("Opportunity")[0]
    quote = api.world.rows("Quote")[0]
    before = api.world.state_hash()
    for tool, args in (
        ("modify_opportunity", {"opportunity_id": deal["opportunity_id"], "updates": {"probability": True}}),
        ("modify_opportunity", {"opportunity_id": deal["opportunity_id"], "updates": {"amount": False}}),
        ("modify_quote", {"quote_id": quote["quote_id"], "updates": {"amount": True}}),
    ):
        field = next(iter(args["updates"]))
        with pytest.raises(CrmError, match=re.escape(f"argument {field!r}: {args['updates'][field]!r} is invalid")):
            api.call(tool, args)
    assert api.world.state_hash() == before


def _numeric_fields(world: World) -> list[tuple[str, str]]:
    return [
        (obj, field)
        for obj, spec in world.schema.objects.items()
        for field, field_spec in spec.fields.items()
        if field_spec.type in ("integer", "number")
    ]


@pytest.mark.parametrize("profile", ["arc", "crmarena_pro_b2b"])
def test_generic_create_and_update_refuse_booleans_in_every_numeric_field(arc_api: MockCrmApi, profile: str) -> None:
    api = arc_api if profile == "arc" else MockCrmApi(World.empty(profile))
    fields = _numeric_fields(api.world)
    assert len(fields) >= (4 if profile == "arc" else 15)
    before = api.world.state_hash()
    for obj, field in fields:
        with pytest.raises(CrmError, match=re.escape(f"{obj}.{field}: True is not allowed; expected a")):
            api.create(obj, {field: True})
    for obj, field in (f for f in fields if api.world.rows(f[0])):
        record = api.world.rows(obj)[0]
        pk = api.schema.objects[obj].primary_key
        with pytest.raises(CrmError, match=re.escape(f"{obj}.{field}: False is not allowed; expected a")):
            api.update(obj, record[pk], {field: False})
    assert api.world.state_hash() == before
