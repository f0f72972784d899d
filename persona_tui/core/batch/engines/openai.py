"""OpenAI's Batch API: the request lines uploaded as a file (purpose ``batch``), a batch
over it on ``/v1/chat/completions`` with the 24 h window, results as output and error files.

Limits (OpenAI's batch guide): 50,000 requests and 200 MB per input file. Statuses are
OpenAI's own; ``cancelling`` is reported as ``in_progress`` until it settles.
"""

from __future__ import annotations

import json
from typing import Any

from persona_tui.core.batch.engines.base import (
    BatchEngine,
    EngineStatus,
    Outcome,
    Results,
    jsonl_records,
)
from persona_tui.core.batch.format import ENDPOINT

_STATUS = {"validating": "validating", "in_progress": "in_progress",
           "finalizing": "finalizing", "completed": "completed", "failed": "failed",
           "expired": "expired", "cancelling": "in_progress", "cancelled": "cancelled"}


def read_output_lines(engine: BatchEngine, data: bytes, what: str
                      ) -> tuple[list[Outcome], list[str]]:
    """OpenAI batch output lines (also vLLM ``run_batch``'s): ``custom_id``, ``response``
    with ``status_code`` and ``body``, and ``error``."""
    records, warnings = jsonl_records(data, what)
    outcomes = []
    for item in records:
        custom_id = str(item.get("custom_id") or "")
        if not custom_id:
            continue
        response = item.get("response") or {}
        status = response.get("status_code")
        body = response.get("body")
        if status == 200 and isinstance(body, dict) and not item.get("error"):
            outcomes.append(engine.parse_reply(custom_id, body))
            continue
        error = item.get("error") or (body.get("error") if isinstance(body, dict) else None)
        if isinstance(error, dict) and isinstance(error.get("error"), dict):
            error = error["error"]  # an error response wrapped whole (vLLM)
        message = error.get("message") if isinstance(error, dict) else error
        code = error.get("code") if isinstance(error, dict) else None
        kind = "expired" if code == "batch_expired" else \
            "cancelled" if code == "batch_cancelled" else "errored"
        text = f"HTTP {status}: {message}" if status else str(message or "no reply")
        outcomes.append(Outcome(custom_id, kind, error=text[:500]))
    return outcomes, warnings


class OpenAIBatchEngine(BatchEngine):
    name = "openai"

    async def submit(self, lines, *, model, job_id):
        payload = "".join(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n"
                          for line in lines).encode("utf-8")
        self.check_size(len(lines), len(payload))
        upload = await self.call("POST", "/files", data={"purpose": "batch"},
                                 files={"file": (f"{job_id}.jsonl", payload,
                                                 "application/jsonl")})
        batch = await self.call("POST", "/batches", json_body={
            "input_file_id": upload["id"], "endpoint": ENDPOINT, "completion_window": "24h",
            "metadata": {"persona_tui_job": job_id}})
        status = self._status(batch)
        status.engine["input_file_id"] = upload["id"]
        return batch["id"], status

    def _status(self, batch: dict[str, Any]) -> EngineStatus:
        counts = batch.get("request_counts") or {}
        engine = {key: batch.get(key) for key in ("output_file_id", "error_file_id")
                  if batch.get(key)}
        warnings = [f"openai: {e.get('message')}" for e in
                    ((batch.get("errors") or {}).get("data") or []) if isinstance(e, dict)]
        return EngineStatus(_STATUS.get(batch.get("status", ""), "in_progress"),
                            int(counts.get("total") or 0), int(counts.get("completed") or 0),
                            int(counts.get("failed") or 0), engine, warnings)

    async def status(self, engine):
        return self._status(await self.call("GET", f"/batches/{engine['batch_id']}"))

    async def cancel(self, engine):
        return self._status(await self.call("POST", f"/batches/{engine['batch_id']}/cancel"))

    async def results(self, engine):
        results = Results([])
        for key in ("output_file_id", "error_file_id"):
            file_id = engine.get(key)
            if not file_id:
                continue
            data = await self.call("GET", f"/files/{file_id}/content", raw=True)
            results.raw[f"{key.removesuffix('_id')}.jsonl"] = data
            outcomes, warnings = read_output_lines(self, data, f"openai {key}")
            results.outcomes += outcomes
            results.warnings += warnings
        return results
