"""The local vendor server is only worth testing against if the vendors' own clients accept
it: each official Python client must parse its streams, replies, model lists and errors the
way it parses the real service's. (Test-only dependencies; persona_tui never imports them.)"""

from __future__ import annotations

import pytest

from tests.vendor_server import ErrorEvent, Status
from tests.vendor_server.wire import ANTHROPIC_KEY, GEMINI_KEY, OPENAI_KEY


# --- OpenAI ----------------------------------------------------------------------------------

@pytest.fixture
def openai_client(server):
    openai = pytest.importorskip("openai")
    return openai.OpenAI(base_url=f"{server.url}/v1", api_key=OPENAI_KEY, max_retries=0)


def test_openai_client_streams_with_usage(server, openai_client):
    stream = openai_client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], stream=True,
        stream_options={"include_usage": True})
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == server.reply
    assert chunks[-1].usage.completion_tokens == len(server.chunks())
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"


def test_openai_client_reply_and_models(server, openai_client):
    reply = openai_client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    assert reply.choices[0].message.content == server.reply
    assert reply.usage.prompt_tokens == 21
    assert [m.id for m in openai_client.models.list()] == ["gpt-4o-mini", "gpt-4o",
                                                           "gpt-4.1-mini"]


def test_openai_client_errors(server, openai_client):
    import openai

    bad = openai.OpenAI(base_url=f"{server.url}/v1", api_key="sk-wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as err:
        bad.models.list()
    assert err.value.code == "invalid_api_key"
    server.fail_next(Status(429, "Rate limit reached", {"retry-after": "3"}))
    with pytest.raises(openai.RateLimitError) as rate:
        openai_client.chat.completions.create(model="gpt-4o-mini",
                                              messages=[{"role": "user", "content": "x"}])
    assert rate.value.response.headers["retry-after"] == "3"
    server.fail_next(ErrorEvent(after=2))
    with pytest.raises(openai.APIError, match="server had an error"):
        list(openai_client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}], stream=True))


# --- Anthropic -------------------------------------------------------------------------------

@pytest.fixture
def anthropic_client(server):
    anthropic = pytest.importorskip("anthropic")
    return anthropic.Anthropic(base_url=server.url, api_key=ANTHROPIC_KEY, max_retries=0)


def test_anthropic_client_streams(server, anthropic_client):
    with anthropic_client.messages.stream(model="claude-sonnet-4-6", max_tokens=100,
                                          messages=[{"role": "user", "content": "hi"}]) as s:
        text = "".join(s.text_stream)
        final = s.get_final_message()
    assert text == server.reply
    assert final.stop_reason == "end_turn"
    assert (final.usage.input_tokens, final.usage.output_tokens) == (21, len(server.chunks()))


def test_anthropic_client_reply_and_models(server, anthropic_client):
    message = anthropic_client.messages.create(model="claude-sonnet-4-6", max_tokens=100,
                                               messages=[{"role": "user", "content": "hi"}])
    assert message.content[0].text == server.reply
    assert [m.id for m in anthropic_client.models.list()] == ["claude-sonnet-4-6",
                                                              "claude-haiku-4-5"]


def test_anthropic_client_errors(server, anthropic_client):
    import anthropic

    bad = anthropic.Anthropic(base_url=server.url, api_key="wrong", max_retries=0)
    with pytest.raises(anthropic.AuthenticationError):
        bad.models.list()
    server.fail_next(Status(529, "Overloaded"))
    with pytest.raises(anthropic.APIStatusError) as err:
        anthropic_client.messages.create(model="claude-sonnet-4-6", max_tokens=10,
                                         messages=[{"role": "user", "content": "x"}])
    assert err.value.status_code == 529
    server.fail_next(ErrorEvent(after=2))
    with pytest.raises(anthropic.APIStatusError, match="Overloaded"):
        with anthropic_client.messages.stream(model="claude-sonnet-4-6", max_tokens=10,
                                              messages=[{"role": "user", "content": "x"}]) as s:
            "".join(s.text_stream)


# --- Gemini ----------------------------------------------------------------------------------

@pytest.fixture
def gemini_client(server):
    genai = pytest.importorskip("google.genai")
    from google.genai import types

    return genai.Client(api_key=GEMINI_KEY,
                        http_options=types.HttpOptions(base_url=server.url))


def test_gemini_client_streams_and_replies(server, gemini_client):
    chunks = list(gemini_client.models.generate_content_stream(model="gemini-2.5-flash",
                                                               contents="hi"))
    assert "".join(c.text or "" for c in chunks) == server.reply
    assert chunks[-1].candidates[0].finish_reason.name == "STOP"
    assert chunks[-1].usage_metadata.candidates_token_count == len(server.chunks())
    reply = gemini_client.models.generate_content(model="gemini-2.5-flash", contents="hi")
    assert reply.text == server.reply
    assert reply.usage_metadata.prompt_token_count == 21
    request = [r for r in server.requests if "generate" in r.path.lower()][0]
    assert request.headers["x-goog-api-key"] == GEMINI_KEY


def test_gemini_client_models_and_errors(server, gemini_client):
    from google import genai
    from google.genai import errors, types

    names = [m.name for m in gemini_client.models.list()]
    assert names == ["models/gemini-2.5-flash", "models/gemini-2.5-pro"]
    bad = genai.Client(api_key="wrong", http_options=types.HttpOptions(base_url=server.url))
    with pytest.raises(errors.ClientError) as err:
        bad.models.generate_content(model="gemini-2.5-flash", contents="hi")
    assert err.value.code == 400 and "API key not valid" in str(err.value)
    server.fail_next(Status(429, "Resource has been exhausted"))
    with pytest.raises(errors.ClientError) as rate:
        gemini_client.models.generate_content(model="gemini-2.5-flash", contents="hi")
    assert rate.value.code == 429 and rate.value.status == "RESOURCE_EXHAUSTED"


# --- Ollama ----------------------------------------------------------------------------------

@pytest.fixture
def ollama_client(server):
    ollama = pytest.importorskip("ollama")
    return ollama.Client(host=server.url)


def test_ollama_client_streams_and_lists(server, ollama_client):
    parts = list(ollama_client.chat(model="llama3.2", stream=True,
                                    messages=[{"role": "user", "content": "hi"}]))
    assert "".join(p.message.content for p in parts) == server.reply
    assert parts[-1].done and parts[-1].eval_count == len(server.chunks())
    assert parts[-1].done_reason == "stop"
    reply = ollama_client.chat(model="llama3.2", messages=[{"role": "user", "content": "hi"}])
    assert reply.message.content == server.reply
    listed = ollama_client.list()
    assert [m.model for m in listed.models] == ["llama3.2:latest", "qwen2.5:7b"]
    assert listed.models[0].details.quantization_level == "Q4_K_M"
    shown = ollama_client.show("llama3.2")
    assert shown.modelinfo["llama.context_length"] == 131072


def test_ollama_client_errors(server, ollama_client):
    import ollama

    with pytest.raises(ollama.ResponseError) as err:
        ollama_client.chat(model="missing", messages=[{"role": "user", "content": "hi"}])
    assert err.value.status_code == 404 and "not found" in err.value.error
    server.fail_next(ErrorEvent(after=1))
    with pytest.raises(ollama.ResponseError, match="error was encountered"):
        list(ollama_client.chat(model="llama3.2", stream=True,
                                messages=[{"role": "user", "content": "hi"}]))
