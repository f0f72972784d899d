"""Generation end to end against the local vendor-protocol server."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time

import pytest

from persona_tui import AsyncPersonaGenerator, ExperimentConfig, PersonaConfig, PersonaGenerator
from persona_tui.core.errors import BudgetExceededError, GenerationError, ProviderError
from persona_tui.core.generation.events import (
    Failed,
    Finished,
    PersonaParsed,
    RetryWait,
    TextDelta,
    UsageUpdate,
)
from persona_tui.core.generation.prompts import PROMPT_VERSION
from persona_tui.sdk.async_experiment import AsyncExperimentSDK
from persona_tui.sdk.experiment import ExperimentSDK
from tests.generation.conftest import DATA, SAMPLE_REPLY
from tests.vendor_server import CutStream, Status
from tests.vendor_server.wire import ANTHROPIC_KEY, GEMINI_KEY, OPENAI_KEY

KEYS = {"openai": OPENAI_KEY, "anthropic": ANTHROPIC_KEY, "gemini": GEMINI_KEY, "ollama": None}
MODELS = {"openai": "gpt-4o-mini", "anthropic": "claude-haiku-4-5",
          "gemini": "gemini-2.5-flash", "ollama": "llama3.2"}


def generator(server, vendor="openai", **kwargs):
    url = f"{server.url}/v1" if vendor == "openai" else server.url
    return AsyncPersonaGenerator(vendor, MODELS[vendor], base_url=url, api_key=KEYS[vendor],
                                 **kwargs)


@pytest.mark.parametrize("vendor", ["ollama", "openai", "anthropic", "gemini"])
async def test_end_to_end_from_the_sample_project(server, vendor):
    result = await generator(server, vendor).agenerate(DATA, PersonaConfig(count=3))
    assert [p.name for p in result.personas] == ["Jess Morgan", "Alex Brennan", "Margaret Hale"]
    assert all(e.verified for p in result.personas for e in p.evidence)
    assert result.provider == vendor and result.model == MODELS[vendor]
    assert result.input_tokens == 21 and result.output_tokens == len(server.chunks())
    assert not result.tokens_estimated
    if vendor in ("ollama", "openai"):  # Ollama, and an OpenAI-compatible server on loopback
        assert result.cost_usd == 0.0
    else:
        assert result.cost_usd > 0
    request = [r for r in server.requests if r.method == "POST" and "show" not in r.path][-1]
    sent = json.dumps(request.body)
    assert 'document id=\\"interviews/p01-maya.md\\"' in sent  # sources labelled by id
    assert "Write 3 distinct user persona" in sent


async def test_stream_events_in_order(server):
    server.delay = 0.002
    events = [e async for e in generator(server).astream(DATA, PersonaConfig(count=3))]
    kinds = [type(e).__name__ for e in events]
    assert kinds[0] == "TextDelta" and kinds[-1] == "Finished"
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == SAMPLE_REPLY
    parsed = [e for e in events if isinstance(e, PersonaParsed)]
    assert [e.index for e in parsed] == [0, 1, 2]
    assert [e.persona.name for e in parsed] == ["Jess Morgan", "Alex Brennan", "Margaret Hale"]
    assert any(isinstance(e, UsageUpdate) for e in events)
    result = events[-1].result
    assert result.prompt_version == PROMPT_VERSION and result.mode == "whole"
    assert set(result.metrics) >= {"completeness", "evidence_coverage", "distinctiveness"}


async def test_the_run_reads_its_documents_off_the_event_loop(server, monkeypatch):
    import threading

    from persona_tui.core.generation import names

    seen = []
    original = names.ParticipantNames.__init__

    def record(self, documents):
        seen.append(threading.current_thread() is threading.main_thread())
        original(self, documents)

    monkeypatch.setattr(names.ParticipantNames, "__init__", record)
    events = [e async for e in generator(server).astream(DATA, PersonaConfig(count=3))]
    assert isinstance(events[-1], Finished)
    # the run's name guard scans every document's words: never on the caller's loop
    assert seen and not any(seen)


async def test_personas_are_announced_before_the_stream_ends(server):
    server.delay = 0.001
    first_persona_at = None
    deltas_after = 0
    async for event in generator(server).astream(DATA):
        if isinstance(event, PersonaParsed) and first_persona_at is None:
            first_persona_at = time.monotonic()
        elif isinstance(event, TextDelta) and first_persona_at is not None:
            deltas_after += 1
    assert deltas_after > 0  # text kept streaming after the first persona was shown


async def test_chunking_when_data_exceeds_the_context(server):
    result = await generator(server, context_tokens=3000).arun(DATA, PersonaConfig(count=2))
    assert result.mode == "chunked" and result.chunks > 1
    chats = [r for r in server.requests if r.path.endswith("completions")]
    assert len(chats) == result.chunks
    assert any("split into" in w for w in result.warnings)
    assert len(result.personas) == 2  # merged and cut back to the count asked for


async def test_small_overflow_is_truncated_with_a_warning(server):
    full = await generator(server).arun(DATA)
    needed = full.documents and sum(d.token_estimate for d in full.documents)
    from persona_tui.core.generation.prompts import output_budget

    context = int(needed * 0.93) + output_budget(PersonaConfig()) + 700
    result = await generator(server, context_tokens=context).arun(DATA)
    assert result.mode == "truncated"
    assert any("shortened to fit" in w for w in result.warnings)


async def test_invented_evidence_is_kept_but_unverified(server):
    data = json.loads(SAMPLE_REPLY)
    data["personas"][0]["evidence"][0]["excerpt"] = "a sentence no participant ever said"
    server.reply = json.dumps(data)
    result = await generator(server).agenerate(DATA)
    evidence = result.personas[0].evidence[0]
    assert evidence.excerpt == "a sentence no participant ever said" and not evidence.verified
    assert any("1 of 24 evidence excerpts were not found" in w for w in result.warnings)


async def test_budget_refused_before_anything_is_spent(server):
    events = [e async for e in generator(server, "gemini").astream(DATA,
                                                                    PersonaConfig(budget=1e-6))]
    assert len(events) == 1 and isinstance(events[0], Failed)
    error = events[0].error
    assert isinstance(error, BudgetExceededError)
    assert error.budget == 1e-6 and error.estimated > 1e-6
    assert server.requests == []


async def test_budget_stops_a_run_mid_way_and_keeps_finished_personas(server):
    server.tokens = [SAMPLE_REPLY] + ["pad "] * 6000
    server.delay = 0.0005
    config = PersonaConfig(count=3, max_tokens=100, budget=0.002)
    result = await generator(server, "gemini").arun(DATA, config)
    assert result.stopped == "budget"
    assert len(result.personas) == 3
    assert any("budget was reached" in w for w in result.warnings)
    assert result.output_tokens < 6000


async def test_unknown_price_needs_consent_for_a_budget(server):
    gen = generator(server, "anthropic")
    gen.model = "claude-unpriced-model"
    events = [e async for e in gen.astream(DATA, PersonaConfig(budget=1.0))]
    assert isinstance(events[0], Failed) and events[0].error.code == "E4003"
    consenting = generator(server, "anthropic", allow_unpriced=True)
    consenting.model = "claude-unpriced-model"
    result = await consenting.agenerate(DATA, PersonaConfig(budget=1.0))
    assert result.cost_usd is None and result.personas


async def test_cancelling_the_consumer_closes_the_stream(server):
    server.tokens = ["tok "] * 5000
    server.delay = 0.005
    stream = generator(server).astream(DATA)
    async for event in stream:
        if isinstance(event, TextDelta):
            break
    start = time.monotonic()
    await stream.aclose()
    assert time.monotonic() - start < 1.0


async def test_cut_off_reply_salvages_complete_personas(server):
    server.reply = SAMPLE_REPLY[: SAMPLE_REPLY.index('"Margaret Hale"') + 5]
    result = await generator(server).agenerate(DATA)
    assert [p.name for p in result.personas] == ["Jess Morgan", "Alex Brennan"]
    assert any("cut off" in w and "kept 2" in w for w in result.warnings)


async def test_dropped_connection_fails_with_the_partial_text(server):
    server.fail_next(CutStream(after=40, abrupt=True))
    events = [e async for e in generator(server).astream(DATA)]
    failed = events[-1]
    assert isinstance(failed, Failed) and isinstance(failed.error, ProviderError)
    assert failed.partial_text == "".join(server.chunks()[:40])
    with pytest.raises(ProviderError):
        server.fail_next(CutStream(after=40, abrupt=True))
        await generator(server).agenerate(DATA)


async def test_rate_limit_wait_is_reported_as_it_happens(server):
    server.fail_next(Status(429, headers={"retry-after": "0"}))
    events = [e async for e in generator(server).astream(DATA)]
    waits = [e for e in events if isinstance(e, RetryWait)]
    assert waits and "rate limited" in waits[0].message
    assert isinstance(events[-1], Finished)


async def test_unparseable_reply_is_a_generation_error(server):
    server.reply = "I'm sorry, I can't write personas."
    with pytest.raises(GenerationError) as err:
        await generator(server).agenerate(DATA)
    assert "no personas" in str(err.value) and err.value.partial_text == server.reply


async def test_data_errors_surface_as_failed_events(server, tmp_path):
    (tmp_path / "x.pdf").write_bytes(b"%PDF-1.4")
    events = [e async for e in generator(server).astream(tmp_path / "x.pdf")]
    assert isinstance(events[0], Failed) and events[0].error.code == "E2004"


def test_sync_api_in_plain_code_and_estimate(server):
    sync = PersonaGenerator("openai", "gpt-4o-mini", base_url=f"{server.url}/v1",
                            api_key=OPENAI_KEY)
    result = sync.generate(DATA)
    assert len(result.personas) == 3
    estimate = sync.estimate_cost(DATA, count=5)
    assert estimate.input_tokens > 3000 and estimate.output_tokens == 5 * 700 + 200
    assert estimate.is_local and estimate.total_cost == 0.0  # a server on loopback is free
    hosted = PersonaGenerator("gemini", "gemini-2.5-flash", base_url=server.url,
                              api_key=GEMINI_KEY).estimate_cost(DATA, count=5)
    assert hosted.total_cost == pytest.approx(hosted.input_tokens * 0.30e-6 + 3700 * 2.5e-6)


async def test_sync_api_inside_a_running_loop(server):
    sync = PersonaGenerator("ollama", "llama3.2", base_url=server.url)
    assert len(sync.generate(DATA).personas) == 3  # as in Jupyter


async def test_experiments_written_listed_reread_and_deleted(server, tmp_path):
    sdk = AsyncExperimentSDK(tmp_path, generator_factory=lambda c: generator(server))
    config = ExperimentConfig(name="money-study", description="sample", provider="openai",
                              model="gpt-4o-mini", data_paths=[str(DATA)])
    await sdk.create(config)
    assert [e.name for e in await sdk.list()] == ["money-study"]
    result = await sdk.run("money-study")
    run_dir = tmp_path / "money-study" / "runs"
    (folder,) = list(run_dir.iterdir())
    assert result.output_dir == str(folder)
    assert {p.name for p in folder.iterdir()} == {"run.json", "raw_output.txt",
                                                  "personas.json", "personas.md"}
    record = (await sdk.runs("money-study"))[0]
    assert record["status"] == "ok" and record["prompt_version"] == PROMPT_VERSION
    assert record["input_tokens"] == 21 and record["persona_count"] == 3
    assert any(path.endswith("survey.csv") for path in record["input_files"])
    assert "# Jess Morgan" in (folder / "personas.md").read_text()
    server.fail_next(Status(400, "bad request from the test"))
    with pytest.raises(ProviderError):
        await sdk.run("money-study")
    failed = (await sdk.runs("money-study"))[-1]
    assert failed["status"] == "failed" and "bad request from the test" in failed["error"]
    await sdk.delete("money-study")
    assert await sdk.list() == []


def test_sync_experiment_sdk(server, tmp_path):
    sdk = ExperimentSDK(tmp_path, generator_factory=lambda c: generator(server))
    sdk.create(ExperimentConfig(name="sync-one", provider="openai", data_paths=[str(DATA)]))
    assert len(sdk.run("sync-one").personas) == 3
    assert [r["status"] for r in sdk.runs("sync-one")] == ["ok"]


def _cli(server, *args):
    env = {**os.environ, "OLLAMA_HOST": server.url}
    return subprocess.run([sys.executable, "-m", "persona_tui", *args], capture_output=True,
                          text=True, timeout=120, env=env)


def test_generate_command(server, isolated_home):
    done = _cli(server, "generate", "--from", str(DATA), "--provider", "ollama", "--count", "3",
                "--experiment", "cli-run")
    assert done.returncode == 0, done.stderr
    assert "3 persona(s) from ollama/llama3.2" in done.stdout
    assert "Jess Morgan" in done.stdout and "saved to" in done.stdout
    as_json = _cli(server, "generate", "--from", str(DATA), "--json")
    assert json.loads(as_json.stdout)["personas"][0]["name"] == "Jess Morgan"
    missing = _cli(server, "generate", "--from", "/no/such/folder")
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    server.reply = "no json"
    failed = _cli(server, "generate", "--from", str(DATA))
    assert failed.returncode == 1 and "hint:" in failed.stderr


def test_object_scanner_finds_personas_as_they_close_across_calls():
    from persona_tui.core.generation.incremental import ObjectScanner

    reply = ('Sure [1]:\n```json\n{"personas": [{"name": "A \\"}\\" [", "goals": [{"x": 1}]},'
             ' {"name": "B"}, {"name": "C"')
    scanner, found = ObjectScanner(), []
    for end in range(1, len(reply) + 1, 5):  # arbitrary cut points, as a stream gives them
        found += scanner.feed(reply[:end])
    found += scanner.feed(reply)
    assert [json.loads(raw)["name"] for raw in found] == ['A "}" [', "B"]  # C is unfinished


async def test_the_inbox_keeps_order_and_joins_the_texts_between_other_items():
    from persona_tui.core.generation.pipeline import _Inbox

    inbox = _Inbox()
    for piece in ("a", "b"):
        inbox.text(piece)
    inbox.put("retry", "wait")
    inbox.text("c")
    inbox.text("d")
    inbox.put("chunk", "final")
    got = [await inbox.get() for _ in range(4)]
    assert got == [("text", "ab"), ("retry", "wait"), ("text", "cd"), ("chunk", "final")]

    async def reader():  # the run waits; the reader's first piece wakes it
        await asyncio.sleep(0.01)
        inbox.text("e")
        inbox.text("f")
        inbox.put("end", None)

    task = asyncio.create_task(reader())
    assert await inbox.get() == ("text", "ef")
    assert await inbox.get() == ("end", None)
    await task
