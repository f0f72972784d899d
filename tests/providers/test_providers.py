"""Every provider against the local vendor-protocol server: streaming, complete, models,
headers, usage, and each fault the real services produce."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest

from persona_tui.core.errors import (
    AuthenticationError,
    ConfigurationError,
    ProviderError,
    RateLimitError,
)
from persona_tui.core.providers import create_provider
from persona_tui.core.providers.http_base import HTTPConfig
from tests.providers.conftest import KEYS, MODELS, base_url
from tests.vendor_server import CutStream, ErrorEvent, Stall, Status

VENDORS = ["ollama", "openai", "anthropic", "gemini"]
FAST = HTTPConfig(backoff_base=0.01, backoff_max=0.05, max_retries=2)


def make(server, vendor, *, key="default", config=FAST, **kwargs):
    api_key = KEYS[vendor] if key == "default" else key
    return create_provider(vendor, base_url=base_url(server, vendor), api_key=api_key,
                           config=config, **kwargs)


async def collect(provider, vendor, **kwargs):
    chunks = []
    async for chunk in provider.stream([{"role": "system", "content": "Be brief."},
                                        {"role": "user", "content": "Say hello."}],
                                       model=MODELS[vendor], **kwargs):
        chunks.append(chunk)
    return chunks


def chat_requests(server):
    return [r for r in server.requests if r.method == "POST" and "show" not in r.path]


@pytest.mark.parametrize("vendor", VENDORS)
async def test_stream_yields_text_then_usage(server, vendor):
    async with make(server, vendor) as provider:
        chunks = await collect(provider, vendor)
    text = "".join(c.text for c in chunks)
    assert text == server.reply
    final = chunks[-1]
    assert final.done and not final.text
    assert final.usage.input_tokens == 21
    assert final.usage.output_tokens == len(server.chunks())
    assert not final.usage.estimated
    assert final.finish_reason in ("stop", "end_turn", "STOP")
    assert final.ttft_s is not None and final.latency_s >= final.ttft_s


@pytest.mark.parametrize("vendor", VENDORS)
async def test_complete_returns_the_same_text_as_stream(server, vendor):
    async with make(server, vendor) as provider:
        streamed = "".join(c.text for c in await collect(provider, vendor))
        response = await provider.complete("Say hello.", model=MODELS[vendor])
    assert response.text == streamed
    assert (response.input_tokens, response.output_tokens) == (21, len(server.chunks()))
    assert response.provider == vendor and response.model == MODELS[vendor]
    assert not response.usage_estimated


@pytest.mark.parametrize("vendor", VENDORS)
async def test_list_models(server, vendor):
    async with make(server, vendor) as provider:
        models = await provider.list_models()
    ids = [m.id for m in models]
    expected = {"ollama": ["llama3.2:latest", "qwen2.5:7b"],
                "openai": ["gpt-4o-mini", "gpt-4o", "gpt-4.1-mini"],
                "anthropic": ["claude-sonnet-4-6", "claude-haiku-4-5"],
                "gemini": ["gemini-2.5-flash", "gemini-2.5-pro"]}[vendor]
    assert ids == expected
    if vendor == "ollama":
        assert (models[0].family, models[0].parameter_size, models[0].quantization) == (
            "llama", "3.2B", "Q4_K_M")
    if vendor == "gemini":
        assert models[0].context_length == 1048576


async def test_headers_and_payloads_sent(server):
    for vendor in VENDORS:
        async with make(server, vendor) as provider:
            await collect(provider, vendor, temperature=0.2, max_tokens=300, json_mode=True)
    by_vendor = {}
    for request in chat_requests(server):
        vendor = ("ollama" if request.path == "/api/chat" else "openai"
                  if "completions" in request.path else "anthropic"
                  if request.path == "/v1/messages" else "gemini")
        by_vendor[vendor] = request
    openai = by_vendor["openai"]
    assert openai.headers["authorization"] == f"Bearer {KEYS['openai']}"
    assert openai.body["stream_options"] == {"include_usage": True}
    assert openai.body["response_format"] == {"type": "json_object"}
    assert openai.body["messages"][0] == {"role": "system", "content": "Be brief."}
    anthropic = by_vendor["anthropic"]
    assert anthropic.headers["x-api-key"] == KEYS["anthropic"]
    assert anthropic.headers["anthropic-version"] == "2023-06-01"
    assert anthropic.body["system"].startswith("Be brief.")
    assert "JSON only" in anthropic.body["system"]
    assert [m["role"] for m in anthropic.body["messages"]] == ["user"]
    assert anthropic.body["max_tokens"] == 300
    gemini = by_vendor["gemini"]
    assert gemini.headers["x-goog-api-key"] == KEYS["gemini"]
    assert gemini.query == {"alt": ["sse"]}  # the key is never in the URL
    assert gemini.body["generationConfig"] == {"temperature": 0.2, "maxOutputTokens": 300,
                                               "responseMimeType": "application/json"}
    assert gemini.body["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
    ollama = by_vendor["ollama"]
    assert "authorization" not in ollama.headers
    assert ollama.body["format"] == "json"
    assert ollama.body["options"]["num_predict"] == 300
    assert ollama.body["options"]["temperature"] == 0.2


async def test_ollama_sizes_num_ctx_to_the_prompt_within_the_model_limit(server):
    async with make(server, "ollama") as provider:
        await provider.complete("short prompt", model="llama3.2")
        long_prompt = "word " * 200_000  # ~250k tokens, beyond the model's 131072
        await provider.complete(long_prompt, model="llama3.2")
    contexts = [r.body["options"]["num_ctx"] for r in chat_requests(server)]
    assert contexts[0] == 5120  # (prompt + default output budget) * 1.1, rounded up to 1024
    assert contexts[1] == 131072  # capped at /api/show's llama.context_length
    assert sum(r.path == "/api/show" for r in server.requests) == 1  # cached


@pytest.mark.parametrize("vendor", ["openai", "anthropic", "gemini"])
async def test_bad_key_is_a_configuration_error_naming_the_setting(server, vendor):
    secret = "wrong-key-that-must-not-leak-1234"
    async with make(server, vendor, key=secret) as provider:
        with pytest.raises(AuthenticationError) as err:
            await collect(provider, vendor)
    error = err.value
    assert isinstance(error, ConfigurationError)
    assert error.provider == vendor
    assert {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY",
            "gemini": "GEMINI_API_KEY"}[vendor] in error.hint
    assert secret not in str(error) and secret not in error.hint
    assert len(chat_requests(server)) == 1  # an auth failure is never retried


@pytest.mark.parametrize("vendor", ["anthropic", "gemini"])
async def test_missing_key_fails_before_any_request(server, vendor):
    async with make(server, vendor, key=None) as provider:
        with pytest.raises(ConfigurationError) as err:
            await collect(provider, vendor)
    assert err.value.code == "E1003"
    assert server.requests == []


async def test_openai_compatible_server_needs_no_key(server):
    async with make(server, "openai", key=None) as provider:
        with pytest.raises(AuthenticationError):  # our test server wants one, like OpenAI
            await collect(provider, "openai")
    assert "authorization" not in server.requests[0].headers


@pytest.mark.parametrize("vendor", VENDORS)
async def test_429_with_retry_after_then_success(server, vendor):
    server.fail_next(Status(429, "Rate limit reached", {"retry-after": "0"}))
    notices = []
    async with make(server, vendor, on_retry=notices.append) as provider:
        text = "".join(c.text for c in await collect(provider, vendor))
    assert text == server.reply
    assert len(notices) == 1
    assert (notices[0].reason, notices[0].status_code, notices[0].wait_s) == (
        "rate limited", 429, 0.0)
    assert len(chat_requests(server)) == 2


async def test_retry_after_is_honoured_and_reported(server):
    server.fail_next(Status(429, headers={"retry-after": "1"}))
    notices = []
    async with make(server, "openai") as provider:
        start = time.monotonic()
        await provider.complete("hi", model="gpt-4o-mini", on_retry=notices.append)
        waited = time.monotonic() - start
    assert notices[0].wait_s == 1.0
    assert "retrying in 1 s" in notices[0].describe()
    assert waited >= 0.95


async def test_persistent_429_raises_rate_limit_error_with_retry_after(server):
    server.fail_next(*[Status(429, headers={"retry-after": "0"})] * 3)
    async with make(server, "anthropic") as provider:
        with pytest.raises(RateLimitError) as err:
            await collect(provider, "anthropic")
    assert err.value.retry_after == 0.0 and err.value.status_code == 429
    assert len(chat_requests(server)) == 3  # one try and two retries


async def test_wait_longer_than_allowed_is_not_slept(server):
    server.fail_next(Status(429, headers={"retry-after": "3600"}))
    async with make(server, "openai") as provider:
        start = time.monotonic()
        with pytest.raises(RateLimitError) as err:
            await provider.complete("hi", model="gpt-4o-mini")
    assert err.value.retry_after == 3600
    assert time.monotonic() - start < 1


@pytest.mark.parametrize(("vendor", "status"), [("openai", 500), ("gemini", 503),
                                                ("ollama", 500), ("anthropic", 529)])
async def test_server_errors_back_off_then_succeed(server, vendor, status):
    server.fail_next(Status(status))
    notices = []
    async with make(server, vendor, on_retry=notices.append) as provider:
        text = "".join(c.text for c in await collect(provider, vendor))
    assert text == server.reply
    assert notices[0].status_code == status
    assert notices[0].reason == ("server overloaded" if status == 529 else
                                 f"server error {status}")


async def test_other_errors_carry_status_and_vendor_message(server):
    server.fail_next(Status(400, "messages: roles must alternate"))
    async with make(server, "anthropic") as provider:
        with pytest.raises(ProviderError) as err:
            await collect(provider, "anthropic")
    assert err.value.status_code == 400
    assert "roles must alternate" in str(err.value)


async def test_unknown_ollama_model_is_model_not_found(server):
    async with make(server, "ollama") as provider:
        with pytest.raises(ProviderError) as err:
            await provider.complete("hi", model="no-such-model")
    assert err.value.code == "E3005"
    assert "try pulling it first" in str(err.value)


@pytest.mark.parametrize("vendor", VENDORS)
@pytest.mark.parametrize("abrupt", [False, True])
async def test_stream_cut_before_final_event_keeps_partial_text(server, vendor, abrupt):
    server.fail_next(CutStream(after=3, abrupt=abrupt))
    received = []
    async with make(server, vendor) as provider:
        with pytest.raises(ProviderError) as err:
            async for chunk in provider.stream("hi", model=MODELS[vendor]):
                received.append(chunk.text)
    expected = "".join(server.chunks()[:3])
    assert err.value.partial_text == expected == "".join(received)
    assert err.value.code == "E3004"
    assert len(chat_requests(server)) == 1  # never retried once text had streamed


@pytest.mark.parametrize("vendor", VENDORS)
async def test_error_event_mid_stream(server, vendor):
    server.fail_next(ErrorEvent(after=2))
    async with make(server, vendor) as provider:
        with pytest.raises(ProviderError) as err:
            await collect(provider, vendor)
    assert err.value.partial_text == "".join(server.chunks()[:2])
    if vendor == "anthropic":
        assert "Overloaded" in str(err.value)
    assert len(chat_requests(server)) == 1


async def test_stall_before_first_byte_times_out(server):
    server.fail_next(Stall(2.0))
    config = HTTPConfig(read_timeout=0.3, max_retries=0)
    async with make(server, "openai", config=config) as provider:
        start = time.monotonic()
        with pytest.raises(ProviderError, match="did not answer in time"):
            await collect(provider, "openai")
    assert time.monotonic() - start < 1.5


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_ollama_not_running_says_how_to_start_it():
    url = f"http://127.0.0.1:{_free_port()}"
    async with create_provider("ollama", base_url=url) as provider:
        with pytest.raises(ProviderError) as err:
            await provider.list_models()
    # what happened in the message, the advice once, in the hint
    assert str(err.value) == f"Ollama is not reachable at {url}"
    assert "`ollama serve`" in err.value.hint and "OLLAMA_HOST" in err.value.hint
    assert err.value.code == "E3003"
    assert err.value.describe().count("ollama serve") == 1


async def test_cancelling_a_consumer_closes_the_stream_at_once(server):
    server.tokens = ["tok "] * 2000
    server.delay = 0.01  # 20 s if the stream were read to the end
    async with make(server, "openai") as provider:
        stream = provider.stream("hi", model="gpt-4o-mini")
        first = await stream.__anext__()
        start = time.monotonic()
        await stream.aclose()
        assert time.monotonic() - start < 0.5
        assert first.text == "tok "
        server.delay = 0.0
        server.tokens = None
        response = await provider.complete("again", model="gpt-4o-mini")  # pool still works
    assert response.text == server.reply


async def test_task_cancellation_mid_stream(server):
    server.tokens = ["tok "] * 2000
    server.delay = 0.01
    async with make(server, "anthropic") as provider:
        seen = []

        async def consume():
            async for chunk in provider.stream("hi", model="claude-sonnet-4-6"):
                seen.append(chunk.text)

        task = asyncio.create_task(consume())
        while not seen:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert 0 < len(seen) < 2000


def test_reprs_never_show_keys(server):
    for vendor in ("openai", "anthropic", "gemini"):
        provider = make(server, vendor)
        assert KEYS[vendor] not in repr(provider)
        assert "api_key=set" in repr(provider)


async def test_usage_is_estimated_when_the_vendor_reports_none(server):
    """An OpenAI-compatible server that ignores stream_options sends no usage chunk."""
    async with make(server, "openai") as provider:
        # ask without include_usage by sending through complete() on a server reply that
        # lacks usage: simulate by patching the request body builder
        original = provider._body

        def no_usage(*args, **kwargs):
            body = original(*args, **kwargs)
            body.pop("stream_options", None)
            return body

        provider._body = no_usage
        chunks = await collect(provider, "openai")
    assert chunks[-1].usage.estimated
    assert chunks[-1].usage.output_tokens > 0
