"""Opt-in: the product against a real OpenAI-compatible server, llama.cpp's (llama-cpp-python),
running SmolLM2-135M-Instruct on 127.0.0.1 — judged by what a researcher cares about.

    LLAMA_SERVER_PYTHON=VENV/bin/python uv run pytest -m real_peer \\
        tests/providers/test_real_peer.py

(``uv run --group real-peer pytest -m real_peer`` compiles llama.cpp once instead, ~6 min.)
``LLAMA_SERVER_URL`` (a running server's ``/v1`` URL) skips starting one.
``REAL_PEER_RUNS`` (default 10) sets how many runs of the sample study the study test makes;
``REAL_PEER_MAX_TOKENS`` (default 1200) caps each reply. So small a model writes poor
personas; what must hold whatever it writes: no persona named after a participant, and no run
reported ``ok`` that is not (see :mod:`tests.providers.real_peer_study` for the judging).
"""

from __future__ import annotations

import json
import os

import pytest

from persona_tui.core.discovery.ollama_models import qualification_prompt
from persona_tui.core.generation.parser import PersonaParser
from persona_tui.core.generation.schema import persona_schema
from persona_tui.core.models.options import PersonaConfig
from persona_tui.core.providers.openai import OpenAIProvider
from persona_tui.core.utils.json_extractor import JSONExtractor
from tests.providers import real_peer_study as study

pytestmark = pytest.mark.real_peer


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    if os.environ.get("LLAMA_SERVER_URL"):  # a server already running (its /v1 URL)
        yield os.environ["LLAMA_SERVER_URL"]
        return
    why = study.server_available()
    if why:
        pytest.skip(why)
    with study.llama_server(tmp_path_factory.mktemp("llama")) as url:
        yield url


async def test_streaming_and_complete_against_llama_cpp(llama_server):
    async with OpenAIProvider(base_url=llama_server) as provider:
        models = await provider.list_models()
        assert [m.id for m in models] == ["smollm2"]
        chunks = [c async for c in provider.stream("Say hello in five words.", model="smollm2",
                                                   max_tokens=40, temperature=0.0)]
        text = "".join(c.text for c in chunks)
        final = chunks[-1]
        assert text.strip()
        assert final.done and final.usage.output_tokens > 0
        reply = await provider.complete("Say hello in five words.", model="smollm2",
                                        max_tokens=40, temperature=0.0)
        assert reply.text.strip()


async def test_the_schema_is_enforced_and_token_counts_are_the_servers(llama_server):
    """llama-cpp-python refuses json_schema (HTTP 500 "validation error") and takes the schema
    inside json_object, as a grammar: the reply is then JSON of the schema's shape, however
    small the model. It sends usage on complete but not in the stream, where its tokenizer
    route counts instead of our estimate."""
    schema = persona_schema(PersonaConfig(count=1, complexity="simple"), passages=3,
                            names=["Iris Vance"])
    async with OpenAIProvider(base_url=llama_server) as provider:
        chunks = [c async for c in provider.stream(
            "Write one persona as JSON. Passages: [1] I hate chasing people for money. "
            "[2] We use a spreadsheet. [3] I want reminders from the app.", model="smollm2",
            max_tokens=400, temperature=0.0, response_schema=schema)]
    final = chunks[-1]
    assert final.output_mode == "json_object_schema"
    assert final.usage.source in ("vendor", "tokenizer") and not final.usage.estimated
    if final.finish_reason != "length":
        value = json.loads("".join(c.text for c in chunks))
        assert value["personas"][0]["name"] == "Iris Vance"


async def test_json_mode_output_never_breaks_the_parser(llama_server):
    """Whatever the tiny model writes, extraction and parsing return, never raise."""
    outcomes = []
    async with OpenAIProvider(base_url=llama_server) as provider:
        for max_tokens in (64, 256):  # 64 forces a cut-off reply
            reply = await provider.complete(qualification_prompt(), model="smollm2",
                                            json_mode=True, max_tokens=max_tokens,
                                            temperature=0.0)
            value = JSONExtractor().extract(reply.text)
            salvage = JSONExtractor().salvage(reply.text)
            result = PersonaParser().parse(reply.text)
            outcomes.append((max_tokens, reply.finish_reason, value is not None,
                             salvage is not None, len(result.personas), result.errors[:1]))
    print("\nreal peer outcomes:", outcomes)
    assert len(outcomes) == 2


async def test_the_sample_study_as_a_researcher_would_judge_it(llama_server):
    runs = int(os.environ.get("REAL_PEER_RUNS", "10"))
    max_tokens = int(os.environ.get("REAL_PEER_MAX_TOKENS", "1200"))
    figures = await study.study(llama_server, runs, count=3, max_tokens=max_tokens,
                                complexity="moderate")
    summary = figures["summary"]
    print("\nreal peer study:", json.dumps(summary, indent=2))
    for run in figures["runs"]:
        print(json.dumps(run, ensure_ascii=False))
    # what users care about, whatever so small a model writes
    assert summary["personas_named_after_participants"] == 0
    assert summary["runs_reported_ok_that_are_not"] == 0
    # and the study measured something: a run that gave personas gave checkable evidence
    if summary["personas"]:
        assert summary["personas_with_verified_excerpt"] > 0


async def test_a_whole_run_through_the_generation_service(llama_server, paths):
    """The app's and the CLI's run (``GenerationService.run``) against the real model: the
    text streams, the run is recorded with what the model wrote, and ``RunEnded`` agrees
    with ``run.json``. So small a model may write no valid persona: a failed run must then
    still be recorded with its text (it produced something)."""
    import time

    from persona_tui.services.context import AppContext
    from persona_tui.services.generation import GenerationService, RunEnded, RunRequest, TextDelta
    from tests.config_files import write_config

    write_config({"providers": {"openai": {"base_url": llama_server}}}, paths)
    service = GenerationService(AppContext.load(paths))
    started = time.monotonic()
    events = [e async for e in service.run(RunRequest(
        "sample", "openai", "smollm2", PersonaConfig(count=1, max_tokens=400)))]
    ended = events[-1]
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert isinstance(ended, RunEnded) and text and ended.saved_to is not None
    record = json.loads((ended.saved_to / "run.json").read_text("utf-8"))
    assert record["status"] == ended.status
    assert (ended.saved_to / "raw_output.txt").read_text("utf-8") == text
    personas = len(ended.result.personas) if ended.finished else 0
    print(f"\nservice run: {ended.status}, {personas} persona(s), {len(text)} characters, "
          f"{record.get('output_tokens')} output tokens, {time.monotonic() - started:.1f} s")
