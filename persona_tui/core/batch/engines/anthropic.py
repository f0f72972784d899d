"""Anthropic's Message Batches: ``/v1/messages/batches`` with ``custom_id`` and ``params``
(a Messages request) per item; results as JSONL at the batch's ``results_url``.

Limits: 100,000 requests or 256 MB per batch. ``processing_status`` is ``in_progress``,
``canceling`` or ``ended``; an ended batch's outcome is read from its request counts.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlparse

from persona_tui.core.batch.engines.base import (
    BatchEngine,
    EngineStatus,
    Outcome,
    Results,
    jsonl_records,
    line_request,
)
from persona_tui.core.errors import ProviderError


class AnthropicBatchEngine(BatchEngine):
    name = "anthropic"
    max_requests = 100_000
    max_bytes = 256 * 1024 * 1024

    async def submit(self, lines, *, model, job_id):
        requests = [{"custom_id": line["custom_id"],
                     "params": await line_request(self.provider, line)} for line in lines]
        self.check_size(len(requests), len(json.dumps(requests)))
        batch = await self.call("POST", "/v1/messages/batches", json_body={"requests": requests})
        return batch["id"], self._status(batch)

    def _status(self, batch: dict[str, Any]) -> EngineStatus:
        counts = {k: int(v or 0) for k, v in (batch.get("request_counts") or {}).items()}
        total = sum(counts.values())
        failed = counts.get("errored", 0) + counts.get("expired", 0) + counts.get("canceled", 0)
        processing = batch.get("processing_status")
        if processing != "ended":
            status = "in_progress"
        elif batch.get("cancel_initiated_at"):
            status = "cancelled"
        elif counts.get("expired"):
            status = "expired"
        else:
            status = "completed"
        engine = {"results_url": batch["results_url"]} if batch.get("results_url") else {}
        return EngineStatus(status, total, counts.get("succeeded", 0), failed, engine)

    async def status(self, engine):
        return self._status(await self.call("GET", f"/v1/messages/batches/{engine['batch_id']}"))

    async def cancel(self, engine):
        return self._status(await self.call(
            "POST", f"/v1/messages/batches/{engine['batch_id']}/cancel"))

    def _results_path(self, url: str) -> str:
        """The key goes only to the host it belongs to: a results URL elsewhere is refused."""
        ours, theirs = urlparse(self.provider.base_url), urlparse(url)
        if theirs.scheme and (theirs.scheme, theirs.netloc) != (ours.scheme, ours.netloc):
            raise ProviderError(f"anthropic gave a results URL on another host "
                                f"({theirs.netloc}); not sending the key there",
                                provider=self.name, code="E3001",
                                hint="Check the base URL configured for anthropic.")
        return theirs.path + (f"?{theirs.query}" if theirs.query else "")

    async def results(self, engine):
        url = engine.get("results_url") or f"/v1/messages/batches/{engine['batch_id']}/results"
        data = await self.call("GET", self._results_path(url), raw=True)
        records, warnings = jsonl_records(data, "anthropic results")
        outcomes = []
        for item in records:
            custom_id = str(item.get("custom_id") or "")
            result = item.get("result") or {}
            kind = result.get("type")
            if not custom_id:
                continue
            if kind == "succeeded":
                outcomes.append(self.parse_reply(custom_id, result.get("message")))
            elif kind in ("expired", "canceled"):
                outcomes.append(Outcome(custom_id, "expired" if kind == "expired"
                                        else "cancelled", error=f"request {kind}"))
            else:
                error = (result.get("error") or {}).get("error") or result.get("error") or {}
                message = error.get("message") if isinstance(error, dict) else str(error)
                outcomes.append(Outcome(custom_id, "errored",
                                        error=f"{error.get('type', 'error')}: {message}"[:500]
                                        if isinstance(error, dict) else str(message)[:500]))
        return Results(outcomes, {"results.jsonl": data}, warnings)
