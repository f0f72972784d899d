"""Gemini's batch mode: ``models/{model}:batchGenerateContent`` with the requests inline,
each tagged ``metadata.key`` = our ``custom_id``; the batch is a long-running operation
(``batches/…``) whose metadata carries the state, counts and, when done, the responses.

Inline requests are limited to 20 MB per batch; larger jobs need Gemini's file upload, which
this adapter does not do yet (it refuses with a hint rather than sending a doomed request).
"""

from __future__ import annotations

import json
from typing import Any

from persona_tui.core.batch.engines.base import (
    BatchEngine,
    EngineStatus,
    Outcome,
    Results,
    line_request,
)
from persona_tui.core.providers.gemini import API_VERSION, model_path

_STATE = {"BATCH_STATE_PENDING": "validating", "BATCH_STATE_RUNNING": "in_progress",
          "BATCH_STATE_SUCCEEDED": "completed", "BATCH_STATE_FAILED": "failed",
          "BATCH_STATE_CANCELLED": "cancelled", "BATCH_STATE_EXPIRED": "expired",
          # the names the client libraries use for the same states
          "JOB_STATE_PENDING": "validating", "JOB_STATE_RUNNING": "in_progress",
          "JOB_STATE_SUCCEEDED": "completed", "JOB_STATE_FAILED": "failed",
          "JOB_STATE_CANCELLED": "cancelled", "JOB_STATE_EXPIRED": "expired"}


def _metadata(operation: dict[str, Any]) -> dict[str, Any]:
    meta = operation.get("metadata")
    return meta if isinstance(meta, dict) else operation


def _int(value: Any) -> int:
    try:
        return int(value or 0)  # int64 counts arrive as strings
    except (TypeError, ValueError):
        return 0


class GeminiBatchEngine(BatchEngine):
    name = "gemini"
    max_requests = 100_000
    max_bytes = 20 * 1024 * 1024

    async def submit(self, lines, *, model, job_id):
        requests = []
        for line in lines:
            requests.append({"request": await line_request(self.provider, line),
                             "metadata": {"key": line["custom_id"]}})
        self.check_size(len(requests), len(json.dumps(requests)))
        operation = await self.call(
            "POST", f"/{API_VERSION}/{model_path(model)}:batchGenerateContent",
            json_body={"batch": {"displayName": job_id,
                                 "inputConfig": {"requests": {"requests": requests}}}})
        status = self._status(operation)
        status.engine["order"] = [line["custom_id"] for line in lines]
        return operation["name"], status

    def _status(self, operation: dict[str, Any]) -> EngineStatus:
        meta = _metadata(operation)
        stats = meta.get("batchStats") or {}
        total = _int(stats.get("requestCount"))
        status = _STATE.get(str(meta.get("state")), "in_progress")
        return EngineStatus(status, total, _int(stats.get("successfulRequestCount")),
                            _int(stats.get("failedRequestCount")))

    async def status(self, engine):
        return self._status(await self.call("GET", f"/{API_VERSION}/{engine['batch_id']}"))

    async def cancel(self, engine):
        await self.call("POST", f"/{API_VERSION}/{engine['batch_id']}:cancel", json_body={})
        return await self.status(engine)

    async def results(self, engine):
        raw = await self.call("GET", f"/{API_VERSION}/{engine['batch_id']}", raw=True)
        try:
            operation = json.loads(raw)
        except json.JSONDecodeError:
            return Results([], {"operation.json": raw},
                           ["gemini: the batch's results are cut short or damaged; fetch "
                            "them again (`batch collect`)"])
        meta = _metadata(operation)
        output = meta.get("output") or (operation.get("response") or {})
        items = ((output.get("inlinedResponses") or {}).get("inlinedResponses")) or []
        order = engine.get("order") or []
        outcomes = []
        for position, item in enumerate(items):
            key = (item.get("metadata") or {}).get("key")
            if not key and position < len(order):
                key = order[position]  # responses come in the order of the requests
            if not key:
                continue
            if isinstance(item.get("response"), dict):
                outcomes.append(self.parse_reply(str(key), item["response"]))
            else:
                error = item.get("error") or {}
                outcomes.append(Outcome(str(key), "errored",
                                        error=f"{error.get('status', 'error')}: "
                                              f"{error.get('message', 'no response')}"[:500]))
        warnings = []
        if output.get("responsesFile"):
            warnings.append("gemini returned its results as a file, which this version "
                            "cannot download yet")
        return Results(outcomes, {"operation.json": raw}, warnings)
