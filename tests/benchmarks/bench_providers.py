"""Provider overhead and pool concurrency against the local vendor-protocol server.

    uv run python tests/benchmarks/bench_providers.py

(1) A 20,000-token reply streamed at full speed through each provider, next to a bare httpx
read of the same stream (lines counted, nothing parsed) in the same run: tokens/s and the
ratio provider/bare (target <= 1.1). A third column adds json.loads of every event to the
bare read — work no client can skip — to show our own share. Each figure is the best of 3.
The server runs in its own process so that it does not share the client's interpreter lock.
(2) 64 concurrent requests through one provider (one connection pool), each with 0.5 s of
simulated server latency, next to the slowest of 8 single requests (target <= 1.2x).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from persona_tui.core.providers import create_provider  # noqa: E402
from tests.vendor_server.wire import ANTHROPIC_KEY, GEMINI_KEY, OPENAI_KEY  # noqa: E402

TOKENS = 20_000
KEYS = {"openai": OPENAI_KEY, "anthropic": ANTHROPIC_KEY, "gemini": GEMINI_KEY, "ollama": None}
MODELS = {"openai": "gpt-4o-mini", "anthropic": "claude-sonnet-4-6",
          "gemini": "gemini-2.5-flash", "ollama": "llama3.2"}


def url(server, vendor):
    return f"{server.url}/v1" if vendor == "openai" else server.url


async def through_provider(server, vendor) -> tuple[float, int]:
    async with create_provider(vendor, base_url=url(server, vendor),
                               api_key=KEYS[vendor]) as provider:
        start = time.perf_counter()
        count = 0
        async for chunk in provider.stream("hi", model=MODELS[vendor]):
            count += bool(chunk.text)
        return time.perf_counter() - start, count


def bare_request(server, vendor) -> tuple[str, dict, dict, dict]:
    if vendor == "ollama":
        return f"{server.url}/api/chat", {"model": "llama3.2", "stream": True,
                                         "messages": [{"role": "user", "content": "hi"}]}, {}, {}
    if vendor == "openai":
        return (f"{server.url}/v1/chat/completions",
                {"model": "gpt-4o-mini", "stream": True,
                 "messages": [{"role": "user", "content": "hi"}],
                 "stream_options": {"include_usage": True}},
                {"authorization": f"Bearer {OPENAI_KEY}"}, {})
    if vendor == "anthropic":
        return (f"{server.url}/v1/messages",
                {"model": "claude-sonnet-4-6", "max_tokens": 100, "stream": True,
                 "messages": [{"role": "user", "content": "hi"}]},
                {"x-api-key": ANTHROPIC_KEY, "anthropic-version": "2023-06-01"}, {})
    return (f"{server.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent",
            {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]},
            {"x-goog-api-key": GEMINI_KEY}, {"alt": "sse"})


async def bare(server, vendor, *, decode: bool = False) -> float:
    """Read the stream's lines with httpx; ``decode`` also json-decodes each event."""
    target, body, headers, params = bare_request(server, vendor)
    loads = json.loads
    async with httpx.AsyncClient(timeout=60) as client:
        start = time.perf_counter()
        async with client.stream("POST", target, json=body, headers=headers,
                                 params=params) as response:
            async for line in response.aiter_lines():
                if decode and line:
                    if line.startswith("data: "):
                        line = line[6:]
                    if line[0] in "{[" and line != "[DONE]":
                        loads(line)
        return time.perf_counter() - start


class RemoteServer:
    """The vendor server in a child process, steered through its /_control endpoint."""

    def __init__(self) -> None:
        import subprocess

        root = Path(__file__).resolve().parents[2]
        self.process = subprocess.Popen([sys.executable, "-m", "tests.vendor_server"],
                                        cwd=root, stdout=subprocess.PIPE, text=True)
        self.url = self.process.stdout.readline().strip()

    def control(self, **settings) -> None:
        httpx.post(f"{self.url}/_control", json=settings).raise_for_status()

    def close(self) -> None:
        self.process.terminate()
        self.process.wait()


async def streaming(server) -> None:
    server.control(token_count=TOKENS)
    print(f"(1) {TOKENS:,}-token stream, best of 3")
    print(f"    {'vendor':<10} {'bare httpx':>14} {'bare+json':>14} {'provider':>14} "
          f"{'ratio':>6} {'vs +json':>8}")
    for vendor in ("ollama", "openai", "anthropic", "gemini"):
        bare_times, json_times, provider_times = [], [], []
        for _ in range(3):
            bare_times.append(await bare(server, vendor))
            json_times.append(await bare(server, vendor, decode=True))
            elapsed, count = await through_provider(server, vendor)
            assert count == TOKENS, count
            provider_times.append(elapsed)
        b, j, p = min(bare_times), min(json_times), min(provider_times)
        print(f"    {vendor:<10} {TOKENS / b:9,.0f} tok/s {TOKENS / j:9,.0f} tok/s "
              f"{TOKENS / p:9,.0f} tok/s {p / b:6.2f} {p / j:8.2f}")
    server.control(token_count=None)


async def concurrency(server) -> None:
    latency = 0.5
    server.control(reply="short reply of a few tokens")
    singles = []
    async with create_provider("openai", base_url=url(server, "openai"),
                               api_key=OPENAI_KEY) as provider:
        for _ in range(8):
            server.control(stalls=[latency])
            start = time.perf_counter()
            await provider.complete("hi", model="gpt-4o-mini")
            singles.append(time.perf_counter() - start)
        server.control(stalls=[latency] * 64)
        start = time.perf_counter()
        await asyncio.gather(*(provider.complete("hi", model="gpt-4o-mini")
                               for _ in range(64)))
        together = time.perf_counter() - start
    slowest = max(singles)
    print(f"(2) 64 concurrent requests, {latency} s server latency each, one pool")
    print(f"    single requests: median {statistics.median(singles):.3f} s, "
          f"slowest {slowest:.3f} s")
    print(f"    64 concurrent  : {together:.3f} s  ratio to slowest single "
          f"{together / slowest:.2f} (target <= 1.2)")


async def main() -> None:
    server = RemoteServer()
    try:
        await streaming(server)
        await concurrency(server)
    finally:
        server.close()


if __name__ == "__main__":
    asyncio.run(main())
