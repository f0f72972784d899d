"""Batch jobs against the local vendor server's batch engines, over real sockets: submit,
poll, resume from disk (and from another process), collect, partial failure and
resubmission, cancel, expiry, engine faults, and the vLLM request/results files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from persona_tui.core.batch.format import RequestKey
from persona_tui.core.errors import (
    AuthenticationError,
    BudgetExceededError,
    GenerationError,
    ProviderError,
    ValidationError,
)
from persona_tui.core.models.options import PersonaConfig
from persona_tui.resources import sample_project
from persona_tui.sdk.async_generator import AsyncPersonaGenerator
from persona_tui.sdk.batch import BatchJob, estimate_batch, list_batches, submit_batch
from tests.providers.conftest import KEYS, MODELS, base_url
from tests.vendor_server import Status

SAMPLE_REPLY = (sample_project() / "personas.json").read_text("utf-8")
DATA = sample_project() / "data"
ENGINES = ["openai", "anthropic", "gemini"]
CHUNKED = 4000  # context tokens that split the sample study into four chunks


@pytest.fixture
def server(vendor_server):
    vendor_server.reset()
    vendor_server.reply = SAMPLE_REPLY
    yield vendor_server
    vendor_server.reset()


def submit(server, vendor, studies=None, **kwargs):
    model = kwargs.pop("model", MODELS[vendor])
    return submit_batch(studies or [DATA], provider=vendor, model=model,
                        base_url=base_url(server, vendor), api_key=KEYS[vendor], **kwargs)


def load(job):
    return BatchJob.load(job.id, api_key=KEYS[job.provider])


def batch_posts(server):
    return [r for r in server.requests if r.method == "POST"]


@pytest.mark.parametrize("vendor", ENGINES)
def test_submit_poll_resume_collect(server, vendor):
    job = submit(server, vendor, [DATA, DATA / "interviews"], context_tokens=CHUNKED)
    assert job.status in ("validating", "in_progress")
    assert job.request_counts.total == len(job.record.requests) > 2
    assert all(RequestKey.parse(cid).study in (0, 1) for cid in job.record.requests)

    resumed = load(job)  # a fresh object, read from disk
    resumed.refresh()
    assert resumed.status == "completed"
    assert resumed.request_counts.completed == resumed.request_counts.total

    results = resumed.collect()
    assert len(results) == 2
    assert all(len(r.personas) == 3 and not r.errors for r in results)
    assert {p.name for p in results[0].personas} == {
        p["name"] for p in json.loads(SAMPLE_REPLY)["personas"]}
    runs = [json.loads((Path(r.output_dir) / "run.json").read_text()) for r in results]
    assert [run["pricing"] for run in runs] == ["batch", "batch"]
    assert {run["batch_job"] for run in runs} == {job.id}
    assert runs[0]["persona_count"] == 3
    assert (resumed.folder / "raw").is_dir() and list((resumed.folder / "raw").iterdir())


@pytest.mark.parametrize("vendor", ENGINES)
async def test_batch_study_ends_as_the_interactive_run_does(server, vendor):
    """Same prompts sent, same personas, same evidence checks, same warnings."""
    generator = AsyncPersonaGenerator(vendor, MODELS[vendor], base_url=base_url(server, vendor),
                                      api_key=KEYS[vendor], context_tokens=CHUNKED)
    interactive = await generator.arun(DATA)
    sent_live = [r.body for r in server.requests if r.method == "POST"]
    server.requests.clear()

    from persona_tui.sdk.batch import asubmit_batch

    job = await asubmit_batch([DATA], provider=vendor, model=MODELS[vendor],
                              base_url=base_url(server, vendor), api_key=KEYS[vendor],
                              context_tokens=CHUNKED)
    (batch,) = await job.acollect()
    assert [p.name for p in batch.personas] == [p.name for p in interactive.personas]
    assert [[e.verified for e in p.evidence] for p in batch.personas] == \
        [[e.verified for e in p.evidence] for p in interactive.personas]
    assert batch.warnings == interactive.warnings
    created = next(r for r in batch_posts(server)
                   if r.path in ("/v1/files", "/v1/messages/batches")
                   or r.path.endswith(":batchGenerateContent"))
    assert _prompts(vendor, created) == [_live_prompt(vendor, b) for b in sent_live]


def _live_prompt(vendor, body):
    """A streamed request without what only streaming needs: the batch sends the rest —
    messages, reply schema as structured output, sampling options — unchanged."""
    return {k: v for k, v in body.items() if k not in ("stream", "stream_options")}


def _prompts(vendor, created):
    if vendor == "openai":  # the uploaded JSONL file
        from tests.vendor_server.batches import parse_multipart

        _, files = parse_multipart(created.headers["content-type"], created.body.encode())
        bodies = [json.loads(line)["body"] for line in files["file"][1].decode().splitlines()]
    elif vendor == "anthropic":
        bodies = [item["params"] for item in created.body["requests"]]
    else:
        bodies = [item["request"]
                  for item in created.body["batch"]["inputConfig"]["requests"]["requests"]]
    return [_live_prompt(vendor, body) for body in bodies]


def test_estimate_shows_both_prices_and_the_budget_applies_to_the_batch_price(server):
    estimate = estimate_batch([DATA, DATA], provider="anthropic", model="claude-haiku-4-5",
                              api_key=KEYS["anthropic"])
    assert estimate.requests == 2 and estimate.studies == 2
    assert estimate.batch.total_cost == pytest.approx(estimate.interactive.total_cost / 2)
    assert "interactive $" in estimate.describe() and "batch $" in estimate.describe()
    between = (estimate.batch.total_cost + estimate.interactive.total_cost) / 2
    # a budget the interactive run would break but the batch fits: accepted
    job = submit(server, "anthropic", [DATA, DATA], config=PersonaConfig(budget=between),
                 model="claude-haiku-4-5")
    assert job.estimate.batch_usd == pytest.approx(estimate.batch.total_cost)
    assert job.estimate.interactive_usd == pytest.approx(estimate.interactive.total_cost)
    server.requests.clear()
    with pytest.raises(BudgetExceededError):
        submit(server, "anthropic", [DATA, DATA], model="claude-haiku-4-5",
               config=PersonaConfig(budget=estimate.batch.total_cost / 2))
    assert batch_posts(server) == []  # refused before anything was sent


@pytest.mark.parametrize("vendor", ENGINES)
def test_partial_failure_is_reported_per_study_and_resubmitted_alone(server, vendor):
    job = submit(server, vendor, [DATA, DATA / "interviews"], context_tokens=CHUNKED)
    bad = sorted(cid for cid in job.record.requests if cid.startswith("s0000"))[1]
    server.batches.errors[bad] = "simulated: the request was malformed"
    first = load(job).collect()
    assert first[1].personas and not any(w.startswith("chunk ") for w in first[1].warnings)
    problem = [w for w in first[0].warnings if w.startswith("chunk 2 of")]
    assert problem and "malformed" in problem[0] and "resubmit" in problem[0]
    assert first[0].personas  # the other chunks of the study are kept
    failed = load(job).failed_requests()
    assert list(failed) == [bad]

    server.batches.errors.clear()
    server.requests.clear()
    retry = load(job).resubmit()
    assert retry.record.parent == job.id and retry.request_counts.total == 1
    assert [s.index for s in retry.record.studies] == [0]
    (merged,) = load(retry).collect()
    assert not any(w.startswith("chunk") for w in merged.warnings)
    assert {p.name for p in merged.personas} == {p.name for p in first[0].personas}
    assert load(job).record.children == [retry.id]
    with pytest.raises(ValidationError, match="no failed requests"):
        load(retry).resubmit()


@pytest.mark.parametrize("vendor", ENGINES)
def test_cancel_keeps_what_finished(server, vendor):
    server.batches.hold, server.batches.done = True, 1
    job = submit(server, vendor, [DATA], context_tokens=CHUNKED)
    total = job.request_counts.total
    job = load(job).cancel()
    assert job.status == "cancelled"
    (result,) = job.collect()
    outcomes = sorted(r.outcome for r in load(job).record.requests.values())
    assert outcomes == ["cancelled"] * (total - 1) + ["succeeded"]
    assert len(result.personas) == 3
    assert sum("cancelled" in w for w in result.warnings) == total - 1
    assert len(load(job).failed_requests()) == total - 1


@pytest.mark.parametrize("vendor", ENGINES)
def test_expiry_keeps_what_finished_and_unfinished_jobs_do_not_collect(server, vendor):
    server.batches.hold, server.batches.done = True, 2
    job = submit(server, vendor, [DATA], context_tokens=CHUNKED)
    with pytest.raises(GenerationError, match="not finished"):
        load(job).collect()
    assert load(job).refresh().status == "in_progress"
    server.batches.expire()
    job = load(job).refresh()
    assert job.status == "expired"
    (result,) = job.collect()
    states = [r.outcome for r in load(job).record.requests.values()]
    assert states.count("succeeded") == 2 and states.count("expired") == len(states) - 2
    assert result.personas and any("expired" in w for w in result.warnings)


def test_a_batch_that_fails_validation_says_why(server):
    server.batches.fail_validation = "line 1: the model does not exist"
    job = submit(server, "openai").refresh()
    assert job.status == "failed"
    assert any("does not exist" in w for w in job.record.warnings)
    (result,) = job.collect()
    assert not result.personas and result.errors
    assert json.loads((Path(result.output_dir) / "run.json").read_text())["status"] == "failed"


@pytest.mark.parametrize("vendor", ["openai", "anthropic"])
def test_results_cut_short_are_reported_and_resubmittable(server, vendor):
    server.batches.cut_results = True
    job = submit(server, vendor, [DATA], context_tokens=CHUNKED)
    (result,) = load(job).collect()
    assert any("cut short" in w for w in load(job).record.warnings)
    assert len(load(job).failed_requests()) == 1 and result.personas
    server.batches.cut_results = False
    (merged,) = load(job).resubmit().collect()
    assert len(merged.personas) == 3 and not any(w.startswith("chunk") for w in merged.warnings)


def test_gemini_operation_cut_short_is_an_error_and_nothing_is_lost(server):
    """Gemini's results come inside the batch operation itself: a cut-off operation is a
    stream-interrupted error, and asking again later gets everything."""
    server.batches.cut_results = True
    job = submit(server, "gemini", [DATA], context_tokens=CHUNKED)
    with pytest.raises(ProviderError) as error:
        load(job).collect()
    assert error.value.code == "E3004" and "cut short" in str(error.value)
    server.batches.cut_results = False
    (result,) = load(job).collect()
    assert len(result.personas) == 3 and not load(job).failed_requests()


@pytest.mark.parametrize("vendor", ENGINES)
def test_engine_faults_are_handled_like_the_streaming_path(server, vendor):
    job = submit(server, vendor)
    server.fail_next(Status(429, "slow down", {"retry-after": "0"}),
                     Status(503, headers={"retry-after": "0"}))
    assert load(job).refresh().status == "completed"  # waited and retried
    job2 = submit(server, vendor)
    server.fail_next(*[Status(500, headers={"retry-after": "0"})] * 4)
    with pytest.raises(ProviderError) as error:
        load(job2).refresh()
    assert error.value.status_code == 500
    with pytest.raises(AuthenticationError):
        BatchJob.load(job2.id, api_key="wrong-key").refresh()
    assert load(job2).refresh().status == "completed"  # nothing was lost on the way


def test_a_refused_submission_is_recorded_and_a_crashed_one_says_so(server):
    server.fail_next(Status(400, "input file is invalid"))
    with pytest.raises(ProviderError, match="invalid"):
        submit(server, "anthropic")
    (refused,) = list_batches()
    assert refused.status == "failed" and "invalid" in refused.record.warnings[-1]
    job = submit(server, "anthropic")
    with job.store.update(job.id) as record:  # as a process killed mid-submit leaves it
        record.engine = {"submitting": True}
    with pytest.raises(GenerationError, match="never accepted"):
        load(job).refresh()


@pytest.mark.parametrize("vendor", ENGINES)
def test_resume_in_another_process(server, isolated_home, vendor):
    """Submitted here; polled, collected and recorded by a second process that finds the
    job by id alone and its key where the SDK finds keys."""
    job = submit(server, vendor, [DATA, DATA / "interviews"])
    script = (
        "import json, sys\n"
        "from persona_tui.sdk.batch import BatchJob\n"
        "job = BatchJob.load(sys.argv[1])\n"
        "results = job.refresh().collect()\n"
        "print(json.dumps([[p.name for p in r.personas] for r in results]))\n")
    env = {"PERSONA_TUI_HOME": str(isolated_home), f"{vendor.upper()}_API_KEY": KEYS[vendor],
           "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", script, job.id], capture_output=True,
                          text=True, env=env, cwd=Path(__file__).resolve().parents[2],
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    names = json.loads(done.stdout)
    assert [len(n) for n in names] == [3, 3]
    assert load(job).status == "completed" and len(load(job).record.runs) == 2
    assert KEYS[vendor] not in "".join(p.read_text() for p in job.folder.rglob("*.json*"))


def test_data_changed_since_submission_is_a_clear_study_error(server, tmp_path):
    study = tmp_path / "study"
    study.mkdir()
    (study / "notes.md").write_text((DATA / "field-notes.md").read_text())
    job = submit(server, "gemini", [study])
    (study / "notes.md").write_text("Entirely different notes.\n")
    (result,) = load(job).collect()
    assert not result.personas and "no longer builds the prompts" in result.errors[0]
    # what the engine returned was paid for: tokens and the batch cost are still reported
    assert result.output_tokens > 0 and result.cost_usd > 0 and result.raw_output
    run = json.loads((Path(result.output_dir) / "run.json").read_text())
    assert run["status"] == "failed" and run["output_tokens"] == result.output_tokens


def test_list_and_unknown_jobs(server):
    first, second = submit(server, "openai"), submit(server, "gemini", experiment="mine")
    assert [j.id for j in list_batches()] == [first.id, second.id]
    assert second.experiment == "mine"
    with pytest.raises(ValidationError, match="no batch job"):
        BatchJob.load("batch-nope")
    with pytest.raises(ValidationError):
        BatchJob.load("../etc")
    with pytest.raises(Exception, match="no batch engine"):
        submit_batch([DATA], provider="ollama")


def test_concurrent_updates_of_one_job_lose_nothing(server):
    import threading

    job = submit(server, "openai")

    def note(n):
        with job.store.update(job.id) as record:
            record.warnings.append(f"note {n}")

    threads = [threading.Thread(target=note, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(load(job).record.warnings) == sorted(f"note {n}" for n in range(16))
