"""``persona-tui batch …`` against the local vendor server: exit codes, output, --json."""

from __future__ import annotations

import json

import pytest

from persona_tui.cli import main
from persona_tui.resources import sample_project
from tests.providers.conftest import KEYS
from tests.vendor_server import Status

SAMPLE_REPLY = (sample_project() / "personas.json").read_text("utf-8")
DATA = sample_project() / "data"


@pytest.fixture
def server(vendor_server, monkeypatch):
    vendor_server.reset()
    vendor_server.reply = SAMPLE_REPLY
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEYS["anthropic"])
    monkeypatch.setenv("ANTHROPIC_BASE_URL", vendor_server.url)
    yield vendor_server
    vendor_server.reset()


def run(capsys, *argv):
    code = main(["batch", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_submit_status_collect_list(server, capsys):
    code, out, err = run(capsys, "submit", "--from", str(DATA), "--from",
                         str(DATA / "interviews"), "--provider", "anthropic", "--model",
                         "claude-haiku-4-5", "--count", "2", "--experiment", "study-set")
    assert code == 0
    job_id = out.strip()
    assert job_id.startswith("batch-")
    assert "interactive $" in err and "batch $" in err  # the estimate, before sending

    code, out, _ = run(capsys, "status", job_id, "--json")
    status = json.loads(out)
    assert code == 0 and status["status"] == "completed"
    assert status["request_counts"] == {"total": 2, "completed": 2, "failed": 0}

    code, out, _ = run(capsys, "collect", job_id)
    assert code == 0
    assert out.count("persona(s)") == 2 and "batch cost $" in out and "saved to" in out

    code, out, _ = run(capsys, "collect", job_id, "--json")
    studies = json.loads(out)["studies"]
    assert code == 0 and [len(s["personas"]) for s in studies] == [2, 2]  # --count 2

    code, out, _ = run(capsys, "list")
    assert code == 0 and job_id in out and "study-set" in out


def test_unfinished_and_failed_jobs_exit_1(server, capsys):
    server.batches.hold, server.batches.done = True, 0
    code, out, _ = run(capsys, "submit", "--from", str(DATA), "--provider", "anthropic")
    job_id = out.strip()
    code, out, _ = run(capsys, "status", job_id)
    assert code == 0 and "in_progress" in out
    code, out, _ = run(capsys, "collect", job_id, "--json")
    assert code == 1
    error = json.loads(out)["error"]
    assert error["code"] == "E4001" and "not finished" in error["message"] and error["hint"]
    code, out, _ = run(capsys, "cancel", job_id)
    assert code == 0 and "cancelled" in out
    code, out, err = run(capsys, "collect", job_id)
    assert code == 1 and "0 persona(s)" in out and "resubmit" in err


def test_usage_and_data_errors_exit_2(server, capsys, tmp_path):
    code, out, _ = run(capsys, "submit", "--from", str(tmp_path / "missing"), "--provider",
                       "anthropic", "--json")
    assert code == 2 and json.loads(out)["error"]["code"].startswith("E2")
    code, out, _ = run(capsys, "status", "batch-unknown", "--json")
    assert code == 2 and "no batch job" in json.loads(out)["error"]["message"]
    code, _, err = run(capsys, "submit", "--from", str(DATA), "--provider", "vllm-file")
    assert code == 2 and "--model" in err
    with pytest.raises(SystemExit) as exit_:
        main(["batch", "submit", "--from", str(DATA), "--provider", "ollama"])
    assert exit_.value.code == 2


def test_provider_failures_exit_1_without_leaking_the_key(server, capsys, monkeypatch):
    server.fail_next(Status(401, "invalid x-api-key"))
    code, out, err = run(capsys, "submit", "--from", str(DATA), "--provider", "anthropic")
    assert code == 1 and "rejected the API key" in err
    assert KEYS["anthropic"] not in out + err


def test_vllm_file_round_trip(server, capsys, tmp_path):
    code, out, err = run(capsys, "submit", "--from", str(DATA), "--provider", "vllm-file",
                         "--model", "Qwen/Qwen2.5-7B-Instruct")
    job_id = out.strip()
    assert code == 0 and "vllm run-batch -i" in err
    target = tmp_path / "requests.jsonl"
    code, out, _ = run(capsys, "requests", job_id, "--out", str(target))
    assert code == 0 and target.exists()
    code, out, err = run(capsys, "collect", job_id)
    assert code == 2 and "--results" in err
    from tests.batch.test_vllm_file import vllm_output

    results = tmp_path / "results.jsonl"
    results.write_text(vllm_output(target.read_text(), SAMPLE_REPLY))
    code, out, _ = run(capsys, "collect", job_id, "--results", str(results))
    assert code == 0 and "3 persona(s)" in out and "batch cost $0.0000" in out


def test_sample_study_and_bad_options(server, capsys):
    code, out, err = run(capsys, "submit", "--from", "sample", "--provider", "anthropic",
                         "--json")
    assert code == 0 and json.loads(out)["request_counts"]["total"] == 1
    code, out, _ = run(capsys, "submit", "--from", "sample", "--provider", "anthropic",
                       "--count", "99", "--json")
    error = json.loads(out)["error"]
    assert code == 2 and error["code"] == "E1101" and "count" in error["message"]
