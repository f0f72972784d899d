"""Structured output, generation controls, token-count sources and the base-URL check, each
against the local vendor server over real sockets."""

from __future__ import annotations

import json

import pytest

from persona_tui.core.errors import ProviderError
from persona_tui.core.generation.schema import persona_schema
from persona_tui.core.models.options import PersonaConfig
from persona_tui.core.providers import create_provider
from persona_tui.core.providers.http_base import HTTPConfig
from persona_tui.core.providers.structured import for_vendor
from tests.providers.conftest import KEYS, MODELS, base_url
from tests.vendor_server import Status
from tests.vendor_server.server import tokens_of
from tests.vendor_server.wire import gemini_schema_problem, openai_format_problem

FAST = HTTPConfig(backoff_base=0.01, backoff_max=0.05, max_retries=2)
SCHEMA = persona_schema(PersonaConfig(count=2), passages=12, names=["Alex Rivers", "Iris Vance"])
REPLY = json.dumps({"personas": [{"name": "Alex Rivers", "title": "t"}]})


def make(server, vendor, url=None, **kwargs):
    return create_provider(vendor, base_url=url or base_url(server, vendor),
                           api_key=KEYS[vendor], config=FAST, **kwargs)


async def stream(provider, vendor, **kwargs):
    chunks = [c async for c in provider.stream("Write personas.", model=MODELS[vendor],
                                               **kwargs)]
    return "".join(c.text for c in chunks), chunks[-1]


def chats(server):
    return [r.body for r in server.requests
            if r.method == "POST" and "show" not in r.path and "tokenize" not in r.path]


@pytest.mark.parametrize("vendor, mode", [("openai", "json_schema"), ("ollama", "json_schema"),
                                          ("gemini", "json_schema"), ("anthropic", "tool")])
async def test_each_vendor_gets_the_schema_its_own_way(server, vendor, mode):
    server.reply = REPLY
    async with make(server, vendor) as provider:
        text, final = await stream(provider, vendor, response_schema=SCHEMA)
        reply = await provider.complete("Write personas.", model=MODELS[vendor],
                                        response_schema=SCHEMA)
    assert json.loads(text) == json.loads(REPLY) == json.loads(reply.text)
    assert final.output_mode == mode and reply.output_mode == mode
    body = chats(server)[0]
    if vendor == "openai":
        assert body["response_format"]["type"] == "json_schema"
        assert body["response_format"]["json_schema"]["strict"] is True
        assert body["response_format"]["json_schema"]["schema"] == SCHEMA  # a local server
    elif vendor == "ollama":
        assert body["format"] == SCHEMA
    elif vendor == "gemini":
        config = body["generationConfig"]
        assert config["responseMimeType"] == "application/json"
        assert "additionalProperties" not in json.dumps(config["responseSchema"])
        assert config["responseSchema"]["propertyOrdering"] == ["personas"]
    else:
        assert body["tool_choice"] == {"type": "tool", "name": body["tools"][0]["name"]}
        assert body["tools"][0]["input_schema"] == SCHEMA
        assert "JSON only" not in body.get("system", "")  # the tool holds it, not words


@pytest.mark.parametrize("accepted, status, expected", [
    ({"json_object_schema", "json_object", "text"}, 500, "json_object_schema"),  # llama-cpp-py
    ({"json_object_schema", "json_object", "text"}, 422, "json_object_schema"),
    ({"json_object", "text"}, 400, "json_object"),
    ({"text"}, 400, "prompt"),
])
async def test_openai_compatible_servers_fall_back_and_remember(server, accepted, status,
                                                                expected):
    server.reply = REPLY
    server.openai_formats = accepted
    server.openai_format_status = status  # llama-cpp-python says 500 "validation error"
    async with make(server, "openai") as provider:
        text, final = await stream(provider, "openai", response_schema=SCHEMA)
        tries = len(chats(server))
        await stream(provider, "openai", response_schema=SCHEMA)
    assert json.loads(text) == json.loads(REPLY)
    assert final.output_mode == expected
    order = ["json_schema", "json_object_schema", "json_object", "prompt"]
    assert tries == order.index(expected) + 1
    assert len(chats(server)) == tries + 1  # the second request goes straight to the mode
    sent = [b.get("response_format") for b in chats(server)]
    assert sent[-1] == (None if expected == "prompt" else sent[tries - 1])


async def test_a_refusal_for_another_reason_is_not_retried_in_another_mode(server):
    server.fail_next(Status(400, "messages: too long for this model"))
    async with make(server, "openai") as provider:
        with pytest.raises(ProviderError, match="too long"):
            await stream(provider, "openai", response_schema=SCHEMA)
    assert len(chats(server)) == 1


async def test_older_ollama_gets_format_json(server):
    server.reply = REPLY
    server.ollama_schema_format = False
    async with make(server, "ollama") as provider:
        _, final = await stream(provider, "ollama", response_schema=SCHEMA)
    assert final.output_mode == "json_object"
    assert [b["format"] for b in chats(server)] == [SCHEMA, "json"]


def test_dialects_keep_each_vendor_s_rules():
    strict = for_vendor(SCHEMA, "openai-strict")
    text = json.dumps(strict)
    assert not any(k in text for k in ('"maxLength"', '"minItems"', '"maxItems"'))
    assert openai_format_problem({"type": "json_schema", "json_schema": {
        "name": "p", "strict": True, "schema": strict}}, {"json_schema"}) is None
    # the server's checks are real: the schema as is would be refused by Gemini
    assert gemini_schema_problem({"responseMimeType": "application/json",
                                  "responseSchema": SCHEMA}) is not None
    gemini = for_vendor(SCHEMA, "gemini")
    assert gemini_schema_problem({"responseMimeType": "application/json",
                                  "responseSchema": gemini}) is None
    passage = gemini["properties"]["personas"]["items"]["properties"]["quotes"]["items"]
    assert passage == {"type": "integer", "minimum": 1, "maximum": 12}
    loose = json.loads(json.dumps(SCHEMA).replace('"additionalProperties": false', '"x": 1'))
    assert openai_format_problem({"type": "json_schema", "json_schema": {
        "name": "p", "strict": True, "schema": loose}}, {"json_schema"}) is not None


@pytest.mark.parametrize("vendor", ["openai", "ollama", "gemini", "anthropic"])
async def test_generation_controls_reach_the_wire(server, vendor):
    async with make(server, vendor) as provider:
        await stream(provider, vendor, temperature=0.3, max_tokens=321,
                     seed=None if vendor == "anthropic" else 42)
    body = chats(server)[0]
    if vendor == "openai":
        assert (body["temperature"], body["max_tokens"], body["seed"]) == (0.3, 321, 42)
    elif vendor == "ollama":
        options = body["options"]
        assert (options["temperature"], options["num_predict"], options["seed"]) == \
            (0.3, 321, 42)
    elif vendor == "gemini":
        config = body["generationConfig"]
        assert (config["temperature"], config["maxOutputTokens"], config["seed"]) == \
            (0.3, 321, 42)
    else:
        assert (body["temperature"], body["max_tokens"]) == (0.3, 321)
        assert provider.supports_seed is False


@pytest.mark.parametrize("tokenizer", ["llama-cpp-python", "llama.cpp", "vllm"])
async def test_servers_without_usage_are_counted_by_their_tokenizer(server, tokenizer):
    server.openai_usage = False
    server.tokenizer = tokenizer
    async with make(server, "openai") as provider:
        text, final = await stream(provider, "openai")
    assert final.usage.source == "tokenizer" and not final.usage.estimated
    assert final.usage.output_tokens == len(tokens_of(text))
    assert final.usage.input_tokens == len(tokens_of("Write personas.")) + 4
    paths = [r.path for r in server.requests if "tokenize" in r.path]
    assert paths and all(p in ("/extras/tokenize/count", "/tokenize") for p in paths)


async def test_without_usage_or_tokenizer_counts_are_marked_estimates(server):
    server.openai_usage = False
    async with make(server, "openai") as provider:
        _, final = await stream(provider, "openai")
        await stream(provider, "openai")
    assert final.usage.source == "estimate" and final.usage.estimated
    asked = [r.path for r in server.requests if "tokenize" in r.path]
    assert len(asked) == 2  # both routes tried once, then never again


async def test_ollama_eval_counts_are_vendor_counts(server):
    async with make(server, "ollama") as provider:
        _, final = await stream(provider, "ollama")
    assert final.usage.source == "vendor" and final.usage.output_tokens == len(server.chunks())


async def test_base_url_without_v1_is_found_and_used(server):
    async with make(server, "openai", url=server.url) as provider:  # no /v1
        models = await provider.list_models()
        text, _ = await stream(provider, "openai")
    assert models and text == server.reply
    assert provider.base_url_fixed == (server.url, f"{server.url}/v1")
    assert [r.path for r in server.requests][:2] == ["/models", "/v1/models"]


async def test_a_base_url_with_v1_is_never_probed(server):
    async with make(server, "openai") as provider:
        await stream(provider, "openai")
    assert provider.base_url_fixed is None
    assert [r.path for r in server.requests] == ["/v1/chat/completions"]
