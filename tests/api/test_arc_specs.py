"""The 25 Arc tools: registered by their names, documented, and their specs carry the schema's enum values."""

from __future__ import annotations

import pytest

from crm_gym import MockCrmApi
from crm_gym.api.registry import registered_tools
from crm_gym.world.schema import load_schema

ARC_WRITE_TOOLS = {
    "create_new_client", "create_new_opportunity", "create_quote", "upload_document", "modify_opportunity",
    "create_new_contact", "create_contract", "add_note", "modify_client", "modify_quote", "modify_contact",
    "delete_opportunity", "delete_quote", "cancel_quote", "clone_opportunity",
}  # fmt: skip
ARC_READ_TOOLS = {
    "client_search", "opportunity_search", "contact_search", "quote_search", "contract_search", "company_search",
    "view_opportunity_details", "quote_details", "compare_quotes", "summarize_opportunities",
}  # fmt: skip


def _specs(flavor: str = "openai_chat") -> dict[str, dict]:
    return {s["function"]["name"]: s["function"] for s in MockCrmApi().tool_specs(flavor)}


def test_the_25_arc_tools_are_registered_with_their_names_and_write_flags() -> None:
    arc = {name: t for name, t in registered_tools().items() if t.group == "arc"}
    assert set(arc) == ARC_WRITE_TOOLS | ARC_READ_TOOLS and len(arc) == 25
    assert {name for name, t in arc.items() if t.writes} == ARC_WRITE_TOOLS


@pytest.mark.parametrize("name", sorted(ARC_WRITE_TOOLS | ARC_READ_TOOLS))
def test_every_arc_tool_describes_itself_and_each_argument(name: str) -> None:
    spec = _specs()[name]
    assert len(spec["description"]) > 80
    for arg, prop in spec["parameters"]["properties"].items():
        assert prop.get("description"), f"{name}.{arg} has no description"
    assert spec["parameters"]["additionalProperties"] is False


def test_enum_arguments_carry_the_schema_values() -> None:
    schema = load_schema("arc")
    specs = _specs()
    for name, arg, obj, field in [
        ("create_new_client", "status", "Client", "status"),
        ("modify_client", "status", "Client", "status"),
        ("client_search", "status", "Client", "status"),
        ("create_new_opportunity", "stage", "Opportunity", "stage"),
        ("modify_opportunity", "stage", "Opportunity", "stage"),
        ("clone_opportunity", "stage", "Opportunity", "stage"),
        ("opportunity_search", "stage", "Opportunity", "stage"),
        ("create_quote", "status", "Quote", "status"),
        ("modify_quote", "status", "Quote", "status"),
        ("quote_search", "status", "Quote", "status"),
        ("create_contract", "status", "Contract", "status"),
        ("contract_search", "status", "Contract", "status"),
        ("company_search", "type", "Company", "type"),
        ("upload_document", "entity_type", "Document", "entity_type"),
        ("add_note", "entity_type", "Note", "entity_type"),
    ]:
        prop = specs[name]["parameters"]["properties"][arg]
        assert prop["enum"] == list(schema.objects[obj].fields[field].values), f"{name}.{arg}"
        assert "case-sensitive" in prop["description"]


def test_bounds_and_formats_reach_the_spec() -> None:
    props = _specs()["create_new_opportunity"]["parameters"]["properties"]
    assert (props["probability"]["minimum"], props["probability"]["maximum"]) == (1, 99)
    assert (props["amount"]["exclusiveMinimum"], props["amount"]["maximum"]) == (0, 10_000_000)
    assert props["close_date"]["format"] == "date"
    quote_amount = _specs()["create_quote"]["parameters"]["properties"]["amount"]
    assert (quote_amount["exclusiveMinimum"], quote_amount["maximum"]) == (0, 10_000_000)  # the opportunity's rule
    assert "pdf|doc|docx" in _specs()["upload_document"]["parameters"]["properties"]["file_name"]["pattern"]
    assert _specs()["create_new_client"]["parameters"]["required"] == ["name"]


@pytest.mark.parametrize("flavor", ["openai_responses", "anthropic"])
def test_other_flavors_carry_the_same_parameters(flavor: str) -> None:
    chat = _specs()["modify_opportunity"]["parameters"]
    other = {s.get("name"): s for s in MockCrmApi().tool_specs(flavor)}["modify_opportunity"]
    assert other.get("parameters", other.get("input_schema")) == chat
