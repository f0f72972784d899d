"""The local server's batch engines, checked by the vendors' official clients (test-only
dependencies) as the streaming endpoints are: each client must create, poll, read results
from and cancel a batch, and the raw replies must validate against the clients' own types."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.vendor_server.wire import ANTHROPIC_KEY, GEMINI_KEY, OPENAI_KEY


@pytest.fixture
def server(vendor_server):
    vendor_server.reset()
    yield vendor_server
    vendor_server.reset()


def _line(custom_id: str, text: str = "hi") -> dict:
    return {"custom_id": custom_id, "method": "POST", "url": "/v1/chat/completions",
            "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": text}]}}


def test_openai_client_files_and_batches(server):
    openai = pytest.importorskip("openai")
    from openai.types import Batch, FileObject

    client = openai.OpenAI(base_url=f"{server.url}/v1", api_key=OPENAI_KEY, max_retries=0)
    payload = "".join(json.dumps(_line(f"r{i}")) + "\n" for i in range(3)).encode()
    server.batches.errors["r1"] = "simulated bad request"
    upload = client.files.create(file=("in.jsonl", payload), purpose="batch")
    assert upload.purpose == "batch" and upload.bytes == len(payload)
    batch = client.batches.create(input_file_id=upload.id, endpoint="/v1/chat/completions",
                                  completion_window="24h", metadata={"k": "v"})
    assert batch.status == "validating" and batch.input_file_id == upload.id
    done = client.batches.retrieve(batch.id)
    assert done.status == "completed"
    assert (done.request_counts.total, done.request_counts.completed,
            done.request_counts.failed) == (3, 2, 1)
    raw = httpx.get(f"{server.url}/v1/batches/{batch.id}",
                    headers={"Authorization": f"Bearer {OPENAI_KEY}"}).json()
    Batch.model_validate(raw)  # the client's own type, validated strictly
    FileObject.model_validate(upload.model_dump())
    output = [json.loads(x) for x in client.files.content(done.output_file_id).text.splitlines()]
    errors = [json.loads(x) for x in client.files.content(done.error_file_id).text.splitlines()]
    assert [o["custom_id"] for o in output] == ["r0", "r2"]
    assert output[0]["response"]["status_code"] == 200
    assert output[0]["response"]["body"]["choices"][0]["message"]["content"] == server.reply
    assert errors[0]["custom_id"] == "r1" and errors[0]["response"]["status_code"] == 400

    server.batches.hold = True
    held = client.batches.create(input_file_id=upload.id, endpoint="/v1/chat/completions",
                                 completion_window="24h")
    assert client.batches.retrieve(held.id).status == "in_progress"
    assert client.batches.cancel(held.id).status == "cancelled"
    with pytest.raises(openai.NotFoundError):
        client.batches.retrieve("batch_nope")


def test_anthropic_client_message_batches(server):
    anthropic = pytest.importorskip("anthropic")
    client = anthropic.Anthropic(base_url=server.url, api_key=ANTHROPIC_KEY, max_retries=0)
    requests = [{"custom_id": f"r{i}", "params": {
        "model": "claude-haiku-4-5", "max_tokens": 64,
        "messages": [{"role": "user", "content": "hi"}]}} for i in range(3)]
    server.batches.errors["r2"] = "simulated bad request"
    batch = client.messages.batches.create(requests=requests)
    assert batch.processing_status == "in_progress" and batch.type == "message_batch"
    ended = client.messages.batches.retrieve(batch.id)
    assert ended.processing_status == "ended"
    assert ended.request_counts.succeeded == 2 and ended.request_counts.errored == 1
    results = {r.custom_id: r.result for r in client.messages.batches.results(batch.id)}
    assert results["r0"].type == "succeeded"
    assert results["r0"].message.content[0].text == server.reply
    assert results["r2"].type == "errored"
    assert results["r2"].error.error.message == "simulated bad request"

    server.batches.hold, server.batches.done = True, 1
    held = client.messages.batches.create(requests=requests)
    cancelled = client.messages.batches.cancel(held.id)
    assert cancelled.processing_status == "ended" and cancelled.cancel_initiated_at
    kinds = sorted(r.result.type for r in client.messages.batches.results(held.id))
    assert kinds == ["canceled", "canceled", "succeeded"]


def test_gemini_client_batches(server):
    genai = pytest.importorskip("google.genai")
    from google.genai import types

    client = genai.Client(api_key=GEMINI_KEY, http_options=types.HttpOptions(base_url=server.url))
    inline = [{"contents": [{"role": "user", "parts": [{"text": "hi"}]}],
               "metadata": {"key": f"r{i}"}} for i in range(2)]
    job = client.batches.create(model="gemini-2.5-flash", src=inline,
                                config={"display_name": "fidelity"})
    assert job.name.startswith("batches/") and job.state.name == "JOB_STATE_PENDING"
    done = client.batches.get(name=job.name)
    assert done.state.name == "JOB_STATE_SUCCEEDED"
    responses = done.dest.inlined_responses
    assert [r.metadata["key"] for r in responses] == ["r0", "r1"]
    assert responses[0].response.text == server.reply

    server.batches.hold = True
    held = client.batches.create(model="gemini-2.5-flash", src=inline)
    client.batches.cancel(name=held.name)
    assert client.batches.get(name=held.name).state.name == "JOB_STATE_CANCELLED"
    server.batches.hold = True
    late = client.batches.create(model="gemini-2.5-flash", src=inline)
    server.batches.expire()
    assert client.batches.get(name=late.name).state.name == "JOB_STATE_EXPIRED"
