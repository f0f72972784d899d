"""50 personas in batches of 5, 8 requests at a time, against the local server with 250 ms
of simulated latency per request.

    uv run python tests/benchmarks/bench_batches.py

Prints the wall time next to the ideal — waves of requests (ceil(10 / 8) = 2) times the
latency — measured in the same run. Target: within 1.25x of ideal. Two runs: the server
streams each word as its own chunk (~1,200 per reply; then the Python test server's own
throughput dominates), and in 80-character chunks, which isolates our pipeline's overhead.
"""

from __future__ import annotations

import asyncio
import json
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from persona_tui.core.models.options import PersonaConfig  # noqa: E402
from persona_tui.resources import sample_project  # noqa: E402
from persona_tui.sdk.async_generator import AsyncPersonaGenerator  # noqa: E402
from tests.benchmarks.bench_providers import RemoteServer  # noqa: E402
from tests.vendor_server.wire import GEMINI_KEY  # noqa: E402

TOTAL, BATCH, CONCURRENCY, LATENCY = 50, 5, 8, 0.25


def five_personas() -> str:
    personas = json.loads((sample_project() / "personas.json").read_text())["personas"]
    batch = [dict(personas[i % 3], name=f"{personas[i % 3]['name']} {i}") for i in range(BATCH)]
    return json.dumps({"personas": batch})


async def measure(server, chunk_chars: int | None) -> tuple[float, int, int]:
    server.control(reply=five_personas(), chunk_chars=chunk_chars)
    requests = math.ceil(TOTAL / BATCH)
    server.control(stalls=[LATENCY] * requests)
    generator = AsyncPersonaGenerator("gemini", "gemini-2.5-flash", base_url=server.url,
                                      api_key=GEMINI_KEY)
    start = time.perf_counter()
    result = await generator.abatch(sample_project() / "data", TOTAL, PersonaConfig(),
                                    batch_size=BATCH, concurrency=CONCURRENCY)
    return time.perf_counter() - start, len(result.personas), requests


async def main() -> None:
    server = RemoteServer()
    try:
        # one warm-up request: regex compilation and TLS context set-up happen once per
        # process, not per batch
        server.control(reply=five_personas())
        await AsyncPersonaGenerator("gemini", "gemini-2.5-flash", base_url=server.url,
                                    api_key=GEMINI_KEY).agenerate(sample_project() / "data")
        rows = [(label, *await measure(server, size))
                for label, size in (("word-sized chunks", None), ("80-char chunks", 80))]
    finally:
        server.close()
    for label, wall, count, requests in rows:
        waves = math.ceil(requests / CONCURRENCY)
        ideal = waves * LATENCY
        print(f"{label:>18}: {count} personas in {requests} requests of {BATCH}, "
              f"concurrency {CONCURRENCY}, {LATENCY * 1000:.0f} ms latency each")
        print(f"{'':>18}  wall {wall:.3f} s   ideal {ideal:.3f} s ({waves} waves x {LATENCY} s)"
              f"   ratio {wall / ideal:.2f} (target <= 1.25)")


if __name__ == "__main__":
    asyncio.run(main())
