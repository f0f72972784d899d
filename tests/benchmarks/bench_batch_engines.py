"""1,000 batch requests across 50 studies, submitted to and collected from each engine of
the local vendor server (in its own process, with simulated processing time).

    uv run python tests/benchmarks/bench_batch_engines.py [--rounds N]

"Ours" is the time spent in this process, the engine's processing wait excluded: submit
(load and plan 50 studies, build 1,000 request bodies, price, persist, upload, create) plus
collect (poll once, download, persist the raw results, map every request, then run the
generation pipeline over each study's replies and record 50 runs). The baseline, measured in
the same rounds, is the floor any approach pays: the same 50 studies loaded and planned, and
the same 1,000 replies parsed and merged by the pipeline straight from memory (no HTTP, no
files). Peak memory is the process's peak RSS and tracemalloc's peak for one extra round.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from persona_tui.core.batch.collect import ReplayProvider, Reply  # noqa: E402
from persona_tui.core.batch.engines.base import vendor_request  # noqa: E402
from persona_tui.core.batch.planning import plan_batch, study_input  # noqa: E402
from persona_tui.core.generation.pipeline import (  # noqa: E402
    GenerationConfig,
    GenerationPipeline,
)
from persona_tui.core.models.options import PersonaConfig  # noqa: E402
from persona_tui.core.providers.openai import OpenAIProvider  # noqa: E402
from persona_tui.resources import sample_project  # noqa: E402
from tests.benchmarks.bench_providers import RemoteServer  # noqa: E402
from tests.vendor_server.wire import ANTHROPIC_KEY, GEMINI_KEY, OPENAI_KEY  # noqa: E402

STUDIES, PER_STUDY, FILES, CONTEXT, PROCESSING_S = 50, 20, 40, 4000, 1.0
KEYS = {"openai": OPENAI_KEY, "anthropic": ANTHROPIC_KEY, "gemini": GEMINI_KEY}
MODELS = {"openai": "gpt-4o-mini", "anthropic": "claude-haiku-4-5",
          "gemini": "gemini-2.5-flash"}


def make_studies(root: Path) -> list[Path]:
    """50 studies of 40 interview files each; at a 4,000-token context two files make one
    chunk, so each study is 20 requests."""
    sources = sorted((sample_project() / "data" / "interviews").glob("p0[1-3]*.md"))
    texts = [p.read_text("utf-8") for p in sources]
    studies = []
    for s in range(STUDIES):
        folder = root / f"study-{s:02d}"
        folder.mkdir(parents=True)
        for f in range(FILES):
            (folder / f"interview-{f:02d}.md").write_text(
                f"# Interview {s}-{f}\n\n{texts[f % len(texts)]}", "utf-8")
        studies.append(folder)
    return studies


async def ours(server: RemoteServer, vendor: str, studies: list[Path]) -> tuple[float, float,
                                                                               int, int]:
    from persona_tui.sdk.batch import BatchJob, asubmit_batch

    url = f"{server.url}/v1" if vendor == "openai" else server.url
    started = time.perf_counter()
    job = await asubmit_batch(studies, provider=vendor, model=MODELS[vendor], base_url=url,
                              api_key=KEYS[vendor], context_tokens=CONTEXT)
    submit_s = time.perf_counter() - started
    assert job.request_counts.total == STUDIES * PER_STUDY, job.request_counts
    await asyncio.sleep(PROCESSING_S + 0.05)  # the engine's processing: not ours
    started = time.perf_counter()
    results = await BatchJob.load(job.id, api_key=KEYS[vendor]).acollect()
    collect_s = time.perf_counter() - started
    assert len(results) == STUDIES and all(len(r.personas) == 3 for r in results)
    return submit_s, collect_s, job.request_counts.total, len(results)


async def baseline(studies: list[Path], reply: str) -> float:
    """Load and plan the studies, then parse the replies through the pipeline in memory."""
    persona = PersonaConfig()
    builder = OpenAIProvider(base_url="http://127.0.0.1:9/v1")

    async def body(messages, schema):
        return await vendor_request(builder, messages, model="m", schema=schema,
                                    temperature=0.7, max_tokens=2300, seed=None)

    started = time.perf_counter()
    plan = await plan_batch(studies, persona, CONTEXT, model="m", body_for=body)
    for study in plan.studies:
        replies = {r.digest: Reply(reply, 21, 753) for r in plan.requests
                   if r.key.study == study.index}
        pipeline = GenerationPipeline(ReplayProvider("openai", replies, study.index),
                                      GenerationConfig(model="m", persona=persona,
                                                       context_tokens=CONTEXT))
        result = await pipeline.run(study_input(study.data_paths))
        assert len(result.personas) == 3
    return time.perf_counter() - started


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def main(rounds: int) -> None:
    reply = (sample_project() / "personas.json").read_text("utf-8")
    server = RemoteServer()
    home = tempfile.mkdtemp(prefix="bench-batch-")
    os.environ["PERSONA_TUI_HOME"] = home
    try:
        server.control(reply=reply, batch_processing_s=PROCESSING_S)
        studies = make_studies(Path(home) / "data-in")
        rows: dict[str, list[tuple[float, float]]] = {v: [] for v in KEYS}
        floor: list[float] = []
        for _ in range(rounds):  # alternate: baseline, then each engine
            gc.collect()
            floor.append(await baseline(studies, reply))
            for vendor in KEYS:
                gc.collect()
                submit_s, collect_s, _, _ = await ours(server, vendor, studies)
                rows[vendor].append((submit_s, collect_s))
        gc.collect()
        tracemalloc.start()
        await ours(server, "openai", studies)
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        server.close()
    base = min(floor)
    print(f"{STUDIES} studies x {PER_STUDY} chunks = {STUDIES * PER_STUDY} requests, "
          f"{rounds} alternating rounds (best shown; all rounds below)")
    print(f"  baseline (load + plan + parse the same replies in memory): {base:.2f} s   "
          f"rounds {', '.join(f'{x:.2f}' for x in floor)}")
    for vendor, times in rows.items():
        submit_s = min(t[0] for t in times)
        collect_s = min(t[1] for t in times)
        print(f"  {vendor:<9} submit {submit_s:.2f} s + collect {collect_s:.2f} s = "
              f"{submit_s + collect_s:.2f} s ours ({(submit_s + collect_s) / base:.2f}x "
              f"baseline)   rounds {json.dumps([[round(a, 2), round(b, 2)] for a, b in times])}")
    print(f"  peak RSS {rss_mb():.0f} MB; tracemalloc peak for one openai round "
          f"{traced_peak / 1e6:.1f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    asyncio.run(main(parser.parse_args().rounds))
