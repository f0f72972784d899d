"""Opt-in: a vllm-file job whose requests a real model answers — llama.cpp's OpenAI-compatible
server running SmolLM2-135M-Instruct stands in for ``vllm run-batch``: each request line's
body is sent to ``/v1/chat/completions`` (its ``json_schema`` response format given as
llama-cpp-python takes a schema, the one place the stand-in differs from vLLM) and the replies
are written in vLLM's output shape, then collected.

    LLAMA_SERVER_PYTHON=VENV/bin/python uv run pytest -m real_peer tests/batch
"""

from __future__ import annotations

import json
import secrets

import httpx
import pytest

from persona_tui.resources import sample_project
from persona_tui.sdk.batch import BatchJob, submit_batch
from tests.providers.test_real_peer import llama_server  # noqa: F401  (the fixture)

pytestmark = pytest.mark.real_peer


def test_vllm_file_job_answered_by_a_real_model(llama_server, tmp_path):  # noqa: F811
    data = sample_project() / "data" / "interviews"
    job = submit_batch([data / "p01-maya.md", data / "p03-ruth.md"], provider="vllm-file",
                       model="smollm2", context_tokens=4096)
    requests = job.write_requests(tmp_path / "requests.jsonl").read_text().splitlines()
    lines, usage = [], []
    for raw in requests:
        request = json.loads(raw)
        body = dict(request["body"], max_tokens=600)  # a 135M model: keep the run short
        schema = (body.get("response_format") or {}).get("json_schema", {}).get("schema")
        if schema is not None:  # vLLM takes json_schema; llama-cpp-python wants it this way
            body["response_format"] = {"type": "json_object", "schema": schema}
        reply = httpx.post(f"{llama_server}/chat/completions", json=body, timeout=300)
        assert reply.status_code == 200, reply.text[:300]
        usage.append(reply.json()["usage"])
        lines.append({"id": f"vllm-{secrets.token_hex(16)}", "custom_id": request["custom_id"],
                      "response": {"status_code": 200,
                                   "request_id": f"vllm-batch-{secrets.token_hex(16)}",
                                   "body": reply.json()}, "error": None})
    out = tmp_path / "results.jsonl"
    out.write_text("".join(json.dumps(line) + "\n" for line in lines))
    results = BatchJob.load(job.id).collect(results_path=out)
    assert len(results) == 2
    for result, used in zip(results, usage, strict=True):
        # the vendor's own counts, not estimates; the parser kept what was readable
        assert result.input_tokens == used["prompt_tokens"]
        assert result.output_tokens == used["completion_tokens"]
        assert result.personas or result.errors
        print(f"study: {len(result.personas)} personas, {result.input_tokens} in, "
              f"{result.output_tokens} out, errors {result.errors[:1]}, "
              f"warnings {result.warnings[:2]}")
