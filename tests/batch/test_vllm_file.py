"""provider="vllm-file": the request file is OpenAI batch input that `vllm run-batch` reads,
and its output file, in vLLM's own shape, is read back into personas."""

from __future__ import annotations

import json
import secrets
import typing
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from persona_tui.core.batch.format import RequestKey
from persona_tui.resources import sample_project
from persona_tui.sdk.batch import BatchJob, submit_batch
from tests.vendor_server import wire

SAMPLE_REPLY = (sample_project() / "personas.json").read_text("utf-8")
DATA = sample_project() / "data"
MODEL = "Qwen/Qwen2.5-7B-Instruct"


def vllm_output(requests_jsonl: str, reply: str, errors: dict[str, str] | None = None) -> str:
    """What `vllm run-batch -o` writes: one BatchRequestOutput per input line (id
    ``vllm-…``, ``response`` with status_code, request_id and body; ``error`` a string for
    a request it could not run, with status 400 and no body)."""
    lines = []
    for raw in requests_jsonl.splitlines():
        request = json.loads(raw)
        custom_id = request["custom_id"]
        if errors and custom_id in errors:
            response = {"status_code": 400, "request_id": f"vllm-batch-{secrets.token_hex(16)}",
                        "body": None}
            lines.append({"id": f"vllm-{secrets.token_hex(16)}", "custom_id": custom_id,
                          "response": response, "error": errors[custom_id]})
            continue
        body = wire.openai_completion(request["body"]["model"], reply, 612, 480)
        lines.append({"id": f"vllm-{secrets.token_hex(16)}", "custom_id": custom_id,
                      "response": {"status_code": 200,
                                   "request_id": f"vllm-batch-{secrets.token_hex(16)}",
                                   "body": body}, "error": None})
    return "".join(json.dumps(line) + "\n" for line in lines)


def _chat_params():
    from openai.types.chat.completion_create_params import CompletionCreateParamsNonStreaming

    return CompletionCreateParamsNonStreaming


def test_request_file_is_openai_batch_input(tmp_path):
    """Each line: BatchRequestInput of OpenAI's API reference (custom_id, method POST, url,
    body), the body a valid non-streaming Chat Completions request by the openai package's
    own type, with no field that type does not know."""
    pytest.importorskip("openai")
    job = submit_batch([DATA, DATA / "interviews"], provider="vllm-file", model=MODEL,
                       context_tokens=4000)
    assert job.status == "in_progress"
    path = job.write_requests(tmp_path / "requests.jsonl")
    params = _chat_params()
    known = set(typing.get_type_hints(params))
    adapter = TypeAdapter(params)  # extra fields: checked against `known` above
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(lines) == job.request_counts.total > 2
    ids = set()
    for line in lines:
        assert set(line) == {"custom_id", "method", "url", "body"}
        assert line["method"] == "POST" and line["url"] == "/v1/chat/completions"
        assert isinstance(line["custom_id"], str) and line["custom_id"] not in ids
        ids.add(line["custom_id"])
        RequestKey.parse(line["custom_id"])
        assert set(line["body"]) <= known, set(line["body"]) - known
        adapter.validate_python(line["body"])
        assert line["body"]["model"] == MODEL and line["body"]["stream"] is False
        # the reply schema as structured output, as vLLM takes it (json_schema, the schema as is)
        assert line["body"]["response_format"]["type"] == "json_schema"
        assert line["body"]["response_format"]["json_schema"]["schema"]["type"] == "object"


def test_output_file_is_read_back_with_errors_per_study(tmp_path):
    job = submit_batch([DATA, DATA / "interviews"], provider="vllm-file", model=MODEL,
                       context_tokens=4000)
    requests = job.write_requests(tmp_path / "in.jsonl").read_text()
    bad = sorted(cid for cid in job.record.requests if cid.startswith("s0001"))[0]
    out = tmp_path / "out.jsonl"
    out.write_text(vllm_output(requests, SAMPLE_REPLY,
                               {bad: "Error code: 400 - prompt is too long"}))
    results = BatchJob.load(job.id).collect(results_path=out)
    assert [len(r.personas) for r in results] == [3, 3]
    assert all(r.cost_usd == 0.0 for r in results)
    assert results[0].input_tokens == 612 * job.record.studies[0].chunks
    assert not any(w.startswith("chunk") for w in results[0].warnings)
    assert any("prompt is too long" in w for w in results[1].warnings)
    run = json.loads((Path(results[0].output_dir) / "run.json").read_text())
    assert run["pricing"] == "local" and run["batch_job"] == job.id

    retry = BatchJob.load(job.id).resubmit()
    assert list(retry.record.requests) == [bad]
    retry_in = retry.write_requests(tmp_path / "retry.jsonl").read_text()
    assert [json.loads(line)["custom_id"] for line in retry_in.splitlines()] == [bad]
    (tmp_path / "retry-out.jsonl").write_text(vllm_output(retry_in, SAMPLE_REPLY))
    (merged,) = retry.collect(results_path=tmp_path / "retry-out.jsonl")
    assert len(merged.personas) == 3 and not any("too long" in w for w in merged.warnings)


def test_collect_without_results_file_says_what_to_run():
    job = submit_batch([DATA], provider="vllm-file", model=MODEL)
    from persona_tui.core.errors import ValidationError

    with pytest.raises(ValidationError) as error:
        job.collect()
    assert "vllm run-batch -i" in error.value.hint and MODEL in error.value.hint
