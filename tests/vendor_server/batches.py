"""The vendors' batch engines, as their API references describe them.

OpenAI: ``POST /v1/files`` (multipart, purpose ``batch``), ``/v1/batches`` (create, retrieve,
cancel), ``GET /v1/files/{id}/content`` for the output and error files. Anthropic:
``/v1/messages/batches`` (create, retrieve, cancel) and ``…/results`` as JSONL. Gemini:
``models/{m}:batchGenerateContent`` with inline requests, ``batches/{id}`` as a long-running
operation, ``batches/{id}:cancel``.

Tests steer the simulated engine through :class:`BatchBook`: how long processing takes, or
``hold`` (stay in progress with ``done`` requests finished, as a real batch half-way through),
per-request errors, a whole-batch validation failure, results cut short, and
:meth:`BatchBook.expire` / :meth:`BatchBook.release` to end held batches.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tests.vendor_server import wire


def _iso(t: float | None) -> str | None:
    if t is None:
        return None
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class SimBatch:
    vendor: str
    id: str
    model: str
    requests: list[tuple[str, dict[str, Any]]]
    created: float
    input_file_id: str | None = None
    display_name: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    #: None while running; then "completed", "failed", "expired" or "cancelled"
    ended: str | None = None
    ended_at: float | None = None
    cancel_at: float | None = None
    #: custom_id -> ("succeeded", text) | ("errored", message) | ("expired"|"cancelled", "")
    outcomes: dict[str, tuple[str, str]] = field(default_factory=dict)
    failure: str | None = None
    output_file_id: str | None = None
    error_file_id: str | None = None


class BatchBook:
    """Batch state shared by the handler threads."""

    def __init__(self, default_reply=lambda: "") -> None:
        self.default_reply = default_reply  # the server's reply, when no per-request one
        self.lock = threading.RLock()
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, SimBatch] = {}
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.files.clear()
            self.batches.clear()
            self.processing_s = 0.0
            self.hold = False
            self.done = 0
            self.errors: dict[str, str] = {}  # custom_id -> error message
            self.fail_validation: str | None = None
            self.cut_results = False
            self.replies: dict[str, str] = {}  # custom_id -> reply text

    # --- steering ----------------------------------------------------------------------------

    def expire(self) -> None:
        """Every running batch reaches the end of its window: finished requests are kept."""
        with self.lock:
            for batch in self.batches.values():
                if batch.ended is None:
                    self._finish(batch, "expired")

    def release(self) -> None:
        with self.lock:
            self.hold = False

    # --- the simulated engine ----------------------------------------------------------------

    def create(self, vendor: str, model: str, requests: list[tuple[str, dict[str, Any]]],
               **extra: Any) -> SimBatch:
        prefix = {"openai": "batch_", "anthropic": "msgbatch_", "gemini": "batches/"}[vendor]
        batch = SimBatch(vendor, prefix + secrets.token_hex(12), model, requests, time.time(),
                         **extra)
        with self.lock:
            if self.fail_validation:
                batch.failure = self.fail_validation
                batch.ended, batch.ended_at = "failed", time.time()
            self.batches[batch.id] = batch
        return batch

    def settle(self, batch: SimBatch) -> SimBatch:
        with self.lock:
            if batch.ended is None and not self.hold and \
                    time.time() >= batch.created + self.processing_s:
                self._finish(batch, "completed")
        return batch

    def cancel(self, batch: SimBatch) -> SimBatch:
        with self.lock:
            if batch.ended is None:
                batch.cancel_at = time.time()
                self._finish(batch, "cancelled")
        return batch

    def _finish(self, batch: SimBatch, how: str) -> None:
        finished = len(batch.requests) if how == "completed" else self.done
        for position, (custom_id, _) in enumerate(batch.requests):
            if position >= finished:
                batch.outcomes[custom_id] = (how, "")
            elif custom_id in self.errors:
                batch.outcomes[custom_id] = ("errored", self.errors[custom_id])
            else:
                batch.outcomes[custom_id] = ("succeeded", self.replies.get(custom_id)
                                              or self.default_reply())
        batch.ended, batch.ended_at = how, time.time()

    def status_counts(self, batch: SimBatch) -> dict[str, int]:
        counts = {"processing": 0, "succeeded": 0, "errored": 0, "expired": 0, "cancelled": 0}
        if batch.ended is None:
            counts["processing"] = len(batch.requests) - min(self.done, len(batch.requests)) \
                if self.hold else len(batch.requests)
            counts["succeeded"] = len(batch.requests) - counts["processing"]
            return counts
        for kind, _ in batch.outcomes.values():
            counts[kind] += 1
        return counts

    def cut(self, data: bytes) -> bytes:
        """A result file that stops part-way through its last line."""
        if not self.cut_results or len(data) < 40:
            return data
        return data[: len(data) - 30]


# --- OpenAI ----------------------------------------------------------------------------------

def openai_batch(batch: SimBatch, book: BatchBook) -> dict[str, Any]:
    counts = book.status_counts(batch)
    status = batch.ended or "in_progress"
    created = int(batch.created)
    ended = int(batch.ended_at) if batch.ended_at else None
    return {
        "id": batch.id, "object": "batch", "endpoint": "/v1/chat/completions",
        "model": batch.model,
        "errors": ({"object": "list", "data": [{"code": "invalid_request", "message":
                                                batch.failure, "param": None, "line": 1}]}
                   if batch.failure else None),
        "input_file_id": batch.input_file_id, "completion_window": "24h", "status": status,
        "output_file_id": batch.output_file_id, "error_file_id": batch.error_file_id,
        "created_at": created, "in_progress_at": created, "expires_at": created + 86400,
        "finalizing_at": ended, "completed_at": ended if status == "completed" else None,
        "failed_at": ended if status == "failed" else None,
        "expired_at": ended if status == "expired" else None,
        "cancelling_at": int(batch.cancel_at) if batch.cancel_at else None,
        "cancelled_at": ended if status == "cancelled" else None,
        "request_counts": {"total": len(batch.requests), "completed": counts["succeeded"],
                           "failed": counts["errored"] + counts["expired"]
                           + counts["cancelled"]},
        "metadata": batch.metadata or None,
    }


def openai_files(batch: SimBatch, book: BatchBook, prompt: int) -> None:
    """Write the output and error files once the batch has ended."""
    if batch.ended in (None, "failed") or batch.output_file_id or batch.error_file_id:
        return
    output, errors = [], []
    for custom_id, body in batch.requests:
        kind, text = batch.outcomes[custom_id]
        line_id = f"batch_req_{secrets.token_hex(8)}"
        if kind == "succeeded":
            reply = wire.openai_completion(body.get("model", batch.model), text, prompt,
                                           len(wire_tokens(text)))
            output.append({"id": line_id, "custom_id": custom_id, "response": {
                "status_code": 200, "request_id": f"req_{secrets.token_hex(8)}",
                "body": reply}, "error": None})
        elif kind == "errored":
            errors.append({"id": line_id, "custom_id": custom_id, "response": {
                "status_code": 400, "request_id": f"req_{secrets.token_hex(8)}",
                "body": wire.error_body("openai", 400, text)}, "error": None})
        else:
            code = "batch_expired" if kind == "expired" else "batch_cancelled"
            errors.append({"id": line_id, "custom_id": custom_id, "response": None,
                           "error": {"code": code, "message": (
                               "This request could not be executed before the completion "
                               "window expired." if kind == "expired" else
                               "This request was cancelled before it ran.")}})
    with book.lock:
        if output:
            batch.output_file_id = _store_file(book, output)
        if errors:
            batch.error_file_id = _store_file(book, errors)


def _store_file(book: BatchBook, lines: list[dict[str, Any]]) -> str:
    file_id = f"file-{secrets.token_hex(12)}"
    book.files[file_id] = book.cut("".join(wire.dumps(line) + "\n" for line in lines).encode())
    return file_id


def wire_tokens(text: str) -> list[str]:
    from tests.vendor_server.server import tokens_of

    return tokens_of(text)


def file_object(file_id: str, size: int, name: str, purpose: str) -> dict[str, Any]:
    return {"id": file_id, "object": "file", "bytes": size, "created_at": int(time.time()),
            "filename": name, "purpose": purpose, "status": "processed",
            "expires_at": int(time.time()) + 30 * 86400, "status_details": None}


def parse_multipart(content_type: str, raw: bytes) -> tuple[dict[str, str],
                                                            dict[str, tuple[str, bytes]]]:
    """Form fields and files of a multipart/form-data body (enough for file uploads)."""
    boundary = None
    for part in content_type.split(";"):
        part = part.strip()
        if part.startswith("boundary="):
            boundary = part[9:].strip('"')
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, bytes]] = {}
    if not boundary:
        return fields, files
    for chunk in raw.split(b"--" + boundary.encode())[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, body = chunk.partition(b"\r\n\r\n")
        body = body.removesuffix(b"\r\n")
        headers = head.decode("utf-8", "replace")
        name = filename = None
        for item in headers.replace("\r\n", ";").split(";"):
            item = item.strip()
            if item.startswith("name="):
                name = item[5:].strip('"')
            elif item.startswith("filename="):
                filename = item[9:].strip('"')
        if name is None:
            continue
        if filename is not None:
            files[name] = (filename, body)
        else:
            fields[name] = body.decode("utf-8", "replace")
    return fields, files


# --- Anthropic -------------------------------------------------------------------------------

def anthropic_batch(batch: SimBatch, book: BatchBook, base_url: str) -> dict[str, Any]:
    counts = book.status_counts(batch)
    ended = batch.ended is not None
    return {
        "id": batch.id, "type": "message_batch",
        "processing_status": "ended" if ended else "in_progress",
        "request_counts": {"processing": counts["processing"],
                           "succeeded": counts["succeeded"],
                           "errored": counts["errored"], "canceled": counts["cancelled"],
                           "expired": counts["expired"]},
        "ended_at": _iso(batch.ended_at), "created_at": _iso(batch.created),
        "expires_at": _iso(batch.created + 86400), "archived_at": None,
        "cancel_initiated_at": _iso(batch.cancel_at),
        "results_url": f"{base_url}/v1/messages/batches/{batch.id}/results" if ended else None,
    }


def anthropic_results(batch: SimBatch, book: BatchBook, prompt: int) -> bytes:
    lines = []
    for custom_id, params in batch.requests:
        kind, text = batch.outcomes[custom_id]
        if kind == "succeeded":
            result = {"type": "succeeded", "message": wire.anthropic_message(
                params.get("model", batch.model), text, prompt, len(wire_tokens(text)))}
        elif kind == "errored":
            result = {"type": "errored", "error": {
                "type": "error", "error": {"type": "invalid_request_error", "message": text}}}
        else:
            result = {"type": "canceled" if kind == "cancelled" else "expired"}
        lines.append({"custom_id": custom_id, "result": result})
    return book.cut("".join(wire.dumps(line) + "\n" for line in lines).encode())


# --- Gemini ----------------------------------------------------------------------------------

_GEMINI_STATE = {None: "BATCH_STATE_RUNNING", "completed": "BATCH_STATE_SUCCEEDED",
                 "failed": "BATCH_STATE_FAILED", "expired": "BATCH_STATE_EXPIRED",
                 "cancelled": "BATCH_STATE_CANCELLED"}


def gemini_operation(batch: SimBatch, book: BatchBook, prompt: int) -> dict[str, Any]:
    counts = book.status_counts(batch)
    meta: dict[str, Any] = {
        "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.GenerateContentBatch",
        "model": f"models/{batch.model}", "displayName": batch.display_name,
        "createTime": _iso(batch.created), "updateTime": _iso(batch.ended_at or batch.created),
        "batchStats": {"requestCount": str(len(batch.requests)),
                       "successfulRequestCount": str(counts["succeeded"]),
                       "failedRequestCount": str(counts["errored"]),
                       "pendingRequestCount": str(counts["processing"])},
        "state": _GEMINI_STATE[batch.ended], "name": batch.id}
    operation: dict[str, Any] = {"name": batch.id, "metadata": meta,
                                 "done": batch.ended is not None}
    if batch.ended is not None and batch.ended != "failed":
        meta["endTime"] = _iso(batch.ended_at)
        items = []
        for custom_id, _request in batch.requests:
            kind, text = batch.outcomes[custom_id]
            if kind == "succeeded":
                items.append({"response": wire.gemini_body(batch.model, text, prompt,
                                                           len(wire_tokens(text)), "STOP"),
                              "metadata": {"key": custom_id}})
            elif kind == "errored":
                items.append({"error": {"code": 400, "message": text,
                                        "status": "INVALID_ARGUMENT"},
                              "metadata": {"key": custom_id}})
        output = {"inlinedResponses": {"inlinedResponses": items}}
        meta["output"] = output
        operation["response"] = {
            "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta."
                     "GenerateContentBatchOutput", **output}
    if batch.failure:
        operation["error"] = {"code": 400, "message": batch.failure}
    return operation


def gemini_bytes(operation: dict[str, Any], book: BatchBook) -> bytes:
    data = json.dumps(operation).encode()
    return book.cut(data) if operation.get("done") else data
