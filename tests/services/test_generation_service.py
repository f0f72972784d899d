"""The generation service owns a whole run: the data loaded in a thread and reused while the
files are unchanged, the stream, the run recorded through the experiment SDK (also when it
is cancelled), and one ``RunEnded`` saying where it went — or why nowhere. Against the local
vendor server, with a real data folder and real experiment folders."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import threading

import pytest

from persona_tui.resources import sample_project
from persona_tui.services.context import AppContext
from persona_tui.services.generation import (
    NOTHING_PRODUCED,
    GenerationService,
    PersonaConfig,
    RunEnded,
    RunRequest,
    TextDelta,
)
from tests.vendor_server import CutStream, Stall, Status

SAMPLE_REPLY = (sample_project() / "personas.json").read_text("utf-8")


@pytest.fixture
def server(sample_ollama):
    return sample_ollama


@pytest.fixture
def study(tmp_path):
    folder = tmp_path / "study"
    shutil.copytree(sample_project() / "data", folder)
    return folder


def service_for(paths) -> GenerationService:
    return GenerationService(AppContext.load(paths))


async def events_of(service, request) -> list:
    return [event async for event in service.run(request)]


def experiment_folders(paths) -> list:
    root = paths.experiments_dir
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


async def test_a_run_loads_in_a_thread_reuses_an_unchanged_load_and_records_the_run(
        server, paths, study, monkeypatch):
    service = service_for(paths)
    loaded_on = []
    load = service.documents.load

    def watched(data_paths):
        loaded_on.append(threading.current_thread() is threading.main_thread())
        return load(data_paths)

    monkeypatch.setattr(service.documents, "load", watched)
    config = PersonaConfig(count=3)
    await service.estimate(str(study), "ollama", "", config)
    events = await events_of(service, RunRequest(str(study), "ollama", "", config))
    assert loaded_on == [False, False]  # both off the event loop's thread
    assert service.documents.reads == 1  # the run reused the estimate's load
    ended = events[-1]
    assert isinstance(ended, RunEnded) and ended.status == "ok" and ended.finished
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == SAMPLE_REPLY
    record = json.loads((ended.saved_to / "run.json").read_text("utf-8"))
    assert record["status"] == "ok" and record["persona_count"] == 3
    assert ended.saved_to.parent.parent.name.startswith("app-")

    # a file changed (same size, new content and time): the key changes, the data is read
    first = sorted(study.iterdir())[0]
    text = first.read_text("utf-8")
    first.write_text(text.replace("e", "E", 1), "utf-8")
    stat = first.stat()
    os.utime(first, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    await service.estimate(str(study), "ollama", "", config)
    assert service.documents.reads == 2
    (study / "new.txt").write_text("Interviewer: hello?\nP9: a new transcript.\n", "utf-8")
    await service.estimate(str(study), "ollama", "", config)
    assert service.documents.reads == 3
    await service.estimate(str(study), "ollama", "", config)
    assert service.documents.reads == 3


async def test_a_run_that_fails_before_producing_anything_leaves_no_folder(server, paths):
    service = service_for(paths)
    missing = await events_of(service, RunRequest(str(paths.data_dir / "nope"), "ollama"))
    no_key = await events_of(service, RunRequest("sample", "openai"))
    server.fail_next(Status(400, "refused"))
    refused = await events_of(service, RunRequest("sample", "ollama"))
    for events, code in ((missing, "E2001"), (no_key, "E1003"), (refused, None)):
        (ended,) = [e for e in events if isinstance(e, RunEnded)]
        assert ended.status == "failed" and ended.saved_to is None
        assert ended.not_saved == NOTHING_PRODUCED and ended.error is not None
        if code:
            assert ended.error.code == code
    assert experiment_folders(paths) == []


async def test_a_failure_is_recorded_in_an_experiment_the_user_named(server, paths):
    service = service_for(paths)
    server.fail_next(Status(400, "refused"))
    events = await events_of(service, RunRequest("sample", "ollama", experiment="mine"))
    ended = events[-1]
    assert ended.status == "failed" and ended.saved_to is not None
    assert experiment_folders(paths) == ["mine"]
    assert json.loads((ended.saved_to / "run.json").read_text("utf-8"))["status"] == "failed"


async def test_a_run_cut_off_midway_is_recorded_with_what_it_produced(server, paths):
    server.fail_next(CutStream(after=5, abrupt=True))
    ended = (await events_of(service_for(paths), RunRequest("sample", "ollama")))[-1]
    assert ended.status == "failed" and ended.error.code == "E3004"
    assert ended.partial_text == "".join(server.chunks()[:5])
    assert (ended.saved_to / "raw_output.txt").read_text("utf-8") == ended.partial_text


async def test_cancelling_records_the_partial_run_says_where_then_cancels(server, paths):
    server.tokens = ["tok "] * 4000
    server.delay = 0.002
    service = service_for(paths)
    seen: list = []
    streaming = asyncio.Event()

    async def consume():
        async for event in service.run(RunRequest("sample", "ollama")):
            seen.append(event)
            if isinstance(event, TextDelta) and len(seen) > 20:
                streaming.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(streaming.wait(), 20)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task  # the cancellation goes on after the run is recorded
    ended = seen[-1]
    assert isinstance(ended, RunEnded) and ended.status == "cancelled"
    shown = "".join(e.text for e in seen if isinstance(e, TextDelta))
    assert shown and ended.partial_text == shown
    assert (ended.saved_to / "raw_output.txt").read_text("utf-8") == shown
    record = json.loads((ended.saved_to / "run.json").read_text("utf-8"))
    assert record["status"] == "cancelled" and record["output_tokens"] > 0


async def test_cancelling_before_anything_arrived_keeps_nothing(server, paths):
    server.fail_next(Stall(3))  # the reply is seconds away (``delay`` only spaces chunks)
    service = service_for(paths)
    seen: list = []

    async def consume():
        async for event in service.run(RunRequest("sample", "ollama")):
            seen.append(event)

    task = asyncio.create_task(consume())
    for _ in range(200):  # until the request is at the server
        await asyncio.sleep(0.02)
        if any("chat" in r.path for r in server.requests):
            break
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert seen[-1].status == "cancelled" and seen[-1].saved_to is None
    assert experiment_folders(paths) == []


def test_the_cli_leaves_no_folder_for_a_run_that_never_started(server, paths, capsys):
    """Issue 16, point 11: each failed ``generate`` left a folder holding only the failure."""
    from persona_tui.cli import main

    assert main(["generate", "--from", str(paths.data_dir / "nope"),
                 "--provider", "ollama"]) == 2
    assert main(["generate", "--from", "sample", "--provider", "openai"]) == 1
    err = capsys.readouterr().err
    assert err.count("error E2001") == 1 and err.count("error E1003") == 1
    assert f"not saved: {NOTHING_PRODUCED}" in err
    assert experiment_folders(paths) == []
