"""Tool specs checked with the OpenAI and Anthropic SDKs' own types, and sent through their real clients."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Annotated, Any, get_type_hints

import anthropic
import httpx2
import openai
import pytest
from anthropic.types import ToolParam
from openai.types.chat import ChatCompletionFunctionToolParam
from openai.types.responses import FunctionToolParam
from openai.types.shared_params import FunctionDefinition
from pydantic import TypeAdapter

from crm_gym import MockCrmApi
from crm_gym.api import registry
from crm_gym.api.registry import FieldRef, ToolDef
from crm_gym.api.specs import SpecFlavor, tool_spec

FLAVORS: list[SpecFlavor] = ["openai_chat", "openai_responses", "anthropic"]
SDK_TYPES: dict[SpecFlavor, type] = {
    "openai_chat": ChatCompletionFunctionToolParam,
    "openai_responses": FunctionToolParam,
    "anthropic": ToolParam,
}
TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")  # what both providers accept


def _keys(typed_dict: type) -> set[str]:
    return set(get_type_hints(typed_dict))


def _parameters(spec: dict[str, Any], flavor: SpecFlavor) -> dict[str, Any]:
    if flavor == "openai_chat":
        return spec["function"]["parameters"]
    return spec["input_schema"] if flavor == "anthropic" else spec["parameters"]


def _name(spec: dict[str, Any], flavor: SpecFlavor) -> str:
    return spec["function"]["name"] if flavor == "openai_chat" else spec["name"]


@pytest.fixture(scope="module")
def api() -> MockCrmApi:
    return MockCrmApi()


# -- the SDKs' own types -------------------------------------------------------------------------------------


@pytest.mark.parametrize("flavor", FLAVORS)
def test_every_spec_validates_as_the_sdk_param_type(api: MockCrmApi, flavor: SpecFlavor) -> None:
    adapter = TypeAdapter(SDK_TYPES[flavor])
    specs = api.tool_specs(flavor)
    assert [_name(s, flavor) for s in specs] == sorted(api.tools)
    for spec in specs:
        assert adapter.validate_python(spec) == spec
        assert set(spec) <= _keys(SDK_TYPES[flavor]), "a key the SDK type does not know would be dropped or refused"
        if flavor == "openai_chat":
            assert set(spec["function"]) <= _keys(FunctionDefinition)


def test_the_sdk_types_refuse_a_broken_spec(api: MockCrmApi) -> None:
    spec = api.tool_specs("anthropic")[0]
    with pytest.raises(ValueError, match="input_schema"):
        TypeAdapter(ToolParam).validate_python({"name": spec["name"]})
    with pytest.raises(ValueError, match="strict"):
        TypeAdapter(FunctionToolParam).validate_python({"type": "function", "name": "x", "parameters": {}})


# -- JSON-schema sanity --------------------------------------------------------------------------------------


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


@pytest.mark.parametrize("flavor", FLAVORS)
def test_every_spec_is_a_clean_object_schema(api: MockCrmApi, flavor: SpecFlavor) -> None:
    for spec in api.tool_specs(flavor):
        name, params = _name(spec, flavor), _parameters(spec, flavor)
        definition = api.tools[name]
        assert TOOL_NAME.match(name)
        assert definition.description.strip()
        assert params["type"] == "object"
        assert params["additionalProperties"] is False
        assert set(params["properties"]) == set(definition.args_model().model_fields)
        assert set(params.get("required", [])) <= set(params["properties"])
        assert params.get("required", []) == [
            n for n, f in definition.args_model().model_fields.items() if f.is_required()
        ]
        for arg, prop in params["properties"].items():
            assert prop.get("description"), f"{name}.{arg} has no description"
            assert "type" in prop or "anyOf" in prop or "enum" in prop, f"{name}.{arg} has no type"
        assert len(set(params.get("required", []))) == len(params.get("required", []))
        for node in _walk(params):
            assert not isinstance(node.get("title"), str), f"pydantic title left in {name}"
            assert node.get("type") != "null" and node.get("default", 0) is not None, f"null noise in {name}"
            assert node.get("type") != "array" or "items" in node, f"array without items in {name}"
            if "enum" in node:
                assert node["enum"] and len(set(node["enum"])) == len(node["enum"]), f"bad enum in {name}"
        json.dumps(spec, allow_nan=False)  # plain JSON, nothing a wire encoder could choke on


def test_the_three_flavors_share_one_parameter_schema(api: MockCrmApi) -> None:
    by_flavor = [{_name(s, f): _parameters(s, f) for s in api.tool_specs(f)} for f in FLAVORS]
    assert by_flavor[0] == by_flavor[1] == by_flavor[2]
    descriptions = [
        {_name(s, f): s.get("description") or s["function"]["description"] for s in api.tool_specs(f)} for f in FLAVORS
    ]
    assert descriptions[0] == descriptions[1] == descriptions[2]


def _assert_field_refs_in_spec(definition: ToolDef, api: MockCrmApi) -> None:
    params = definition.parameters_schema(api.schema)
    arg_fields = definition.args_model().model_fields
    for arg, ref in definition.field_refs.items():
        spec = api.schema.objects[ref.object].fields[ref.field]
        prop = params["properties"][arg]
        assert f"Allowed: {spec.allowed()}." in prop["description"]
        if spec.type == "enum":
            assert prop["enum"] == list(spec.values), f"{definition.name}.{arg}"
            # every value the model is offered gets past the tool's own argument check
            adapter = TypeAdapter(arg_fields[arg].rebuild_annotation())
            for value in spec.values:
                adapter.validate_python(value)
        formats = {"date": "date", "datetime": "date-time", "email": "email"}
        if spec.type in formats:
            assert prop["format"] == formats[spec.type]
        for key, bound in (("minimum", spec.min), ("maximum", spec.max), ("exclusiveMinimum", spec.exclusive_min)):
            if bound is not None:
                assert prop[key] == bound
        if spec.max_length is not None:
            assert prop["maxLength"] == spec.max_length


def test_field_ref_arguments_of_registered_tools_carry_the_schema_rules(api: MockCrmApi) -> None:
    with_refs = [d for d in api.tools.values() if d.field_refs]
    assert with_refs, "the Arc tools take their enum values from the schema"
    for definition in with_refs:
        _assert_field_refs_in_spec(definition, api)


def test_a_field_ref_argument_gets_enum_and_format(api: MockCrmApi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_REGISTRY", {})
    monkeypatch.setattr(registry, "_MODELS", {})

    @registry.tool(writes=False, group="arc")
    def probe_field_refs(
        api: MockCrmApi,
        stage: Annotated[str | None, FieldRef("Opportunity", "stage")] = None,
        close_date: Annotated[str | None, FieldRef("Opportunity", "close_date")] = None,
        probability: Annotated[int | None, FieldRef("Opportunity", "probability")] = None,
    ) -> None:
        """Probe.

        Args:
            stage: The stage.
            close_date: The close date.
            probability: The probability.
        """

    definition = registry.registered_tools()["probe_field_refs"]
    _assert_field_refs_in_spec(definition, api)
    props = definition.parameters_schema(api.schema)["properties"]
    assert props["stage"]["enum"] == [
        "Prospecting",
        "Qualification",
        "Proposal",
        "Negotiation",
        "Closed-Won",
        "Closed-Lost",
    ]
    assert props["stage"]["type"] == "string" and "anyOf" not in props["stage"]
    assert props["close_date"] == {
        "type": "string",
        "format": "date",
        "description": "The close date. Allowed: "
        + api.schema.objects["Opportunity"].fields["close_date"].allowed()
        + ".",
    }
    assert props["probability"]["type"] == "integer"
    TypeAdapter(ToolParam).validate_python(tool_spec(definition, api.schema, "anthropic"))


# -- through the real SDK clients -----------------------------------------------------------------------------


class _Server:
    """A mock transport that records each request's JSON and answers with the next canned body.

    Both SDKs run on httpx2 (a fork of httpx with the same API).
    """

    def __init__(self, answers: list[Callable[[], dict[str, Any]]]) -> None:
        self.requests: list[dict[str, Any]] = []
        self._answers = iter(answers)

    def client(self, http: Any) -> Any:
        """An ``http.Client`` (``http`` is the httpx2 module) whose requests this server answers."""

        def handle(request: Any) -> Any:
            self.requests.append(json.loads(request.content))
            return http.Response(200, json=next(self._answers)())

        return http.Client(transport=http.MockTransport(handle))


def _chat_answer(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    call = {"id": "call_1", "type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": "gpt-test",
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {"role": "assistant", "content": None, "tool_calls": [call]},
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


def _responses_answer(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    call = {
        "type": "function_call",
        "id": "fc_1",
        "call_id": "call_1",
        "name": name,
        "arguments": json.dumps(arguments),
        "status": "completed",
    }
    return {
        "id": "resp_1",
        "object": "response",
        "created_at": 0,
        "model": "gpt-test",
        "status": "completed",
        "output": [call],
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "usage": {
            "input_tokens": 10,
            "output_tokens": 5,
            "total_tokens": 15,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens_details": {"reasoning_tokens": 0},
        },
    }


def _anthropic_answer(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-test",
        "content": [{"type": "tool_use", "id": "toolu_1", "name": name, "input": arguments}],
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 5},
    }


def _ask(flavor: SpecFlavor, http_client: Any, tools: list[dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    """One request through the provider's real SDK; return the tool call it parsed from the answer."""
    if flavor == "openai_chat":
        client = openai.OpenAI(api_key="test", base_url="http://llm.test/v1", http_client=http_client, max_retries=0)
        message = (
            client.chat.completions.create(model="gpt-test", messages=[{"role": "user", "content": "go"}], tools=tools)
            .choices[0]
            .message
        )
        call = message.tool_calls[0]
        return call.function.name, json.loads(call.function.arguments)
    if flavor == "openai_responses":
        client = openai.OpenAI(api_key="test", base_url="http://llm.test/v1", http_client=http_client, max_retries=0)
        item = client.responses.create(model="gpt-test", input="go", tools=tools).output[0]
        assert item.type == "function_call"
        return item.name, json.loads(item.arguments)
    client = anthropic.Anthropic(api_key="test", base_url="http://llm.test", http_client=http_client, max_retries=0)
    block = client.messages.create(
        model="claude-test", max_tokens=64, messages=[{"role": "user", "content": "go"}], tools=tools
    ).content[0]
    assert block.type == "tool_use"
    return block.name, dict(block.input)


ANSWERS = {"openai_chat": _chat_answer, "openai_responses": _responses_answer, "anthropic": _anthropic_answer}


@pytest.mark.parametrize("flavor", FLAVORS)
def test_specs_go_through_the_sdk_unchanged_and_tool_calls_come_back_valid(flavor: SpecFlavor) -> None:
    api = MockCrmApi()
    tools = api.tool_specs(flavor)
    create_args = {"object": "Client", "values": {"name": "Acme Corp", "status": "Active"}}
    created: dict[str, Any] = {}
    answer = ANSWERS[flavor]
    server = _Server(
        [
            lambda: answer("create", create_args),
            lambda: answer("get", {"object": "Client", "id": created["client_id"]}),
            lambda: answer("describe", {}),
            lambda: answer("create_new_client", {"name": "Beta LLC", "status": "Prospect", "email": "info@beta.com"}),
        ]
    )
    http_client = server.client(httpx2)

    name, args = _ask(flavor, http_client, tools)
    api.tools[name].args_model().model_validate(args)
    created.update(api.call(name, args))
    name, args = _ask(flavor, http_client, tools)
    assert api.call(name, args) == created
    name, args = _ask(flavor, http_client, tools)
    assert {o["name"] for o in api.call(name, args)["objects"]} == set(api.schema.objects)
    name, args = _ask(flavor, http_client, tools)
    assert api.call(name, args)["status"] == "Prospect"

    assert len(server.requests) == 4
    for request in server.requests:
        assert request["tools"] == tools
    assert api.counters.calls == 4 and api.counters.errors == 0
    assert api.world.count("Client") == 2
