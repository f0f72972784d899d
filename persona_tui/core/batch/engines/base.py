"""What every batch engine adapter does, and the HTTP call they share.

An adapter submits the job's request lines, reads the engine's status, cancels, and turns the
engine's result file into :class:`Outcome` records keyed by ``custom_id``. HTTP goes through
the provider's own connection pool, headers, retry rules and error mapping, so a 429, a 5xx
or a dropped connection is handled and reported exactly as on the streaming path.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from persona_tui.core.errors import ProviderError
from persona_tui.core.providers.http_base import ChatProvider, StreamState


@dataclass
class EngineStatus:
    status: str
    total: int = 0
    completed: int = 0
    failed: int = 0
    #: the engine's ids and links to remember (file ids, results URL)
    engine: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    """How one request ended, in the engine-neutral form ``results.jsonl`` keeps."""

    custom_id: str
    outcome: str  # succeeded | errored | expired | cancelled
    text: str = ""
    input_tokens: int | None = None
    output_tokens: int | None = None
    finish_reason: str | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class Results:
    outcomes: list[Outcome]
    #: file name -> bytes as the engine sent them, kept so nothing paid for is lost
    raw: dict[str, bytes] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


class BatchEngine:
    """One vendor's batch API. ``provider`` builds request bodies and parses replies."""

    name = "engine"
    max_requests = 50_000
    max_bytes = 200 * 1024 * 1024
    #: whether the engine runs on the user's own hardware (no price, no network)
    local = False

    def __init__(self, provider: ChatProvider) -> None:
        self.provider = provider

    async def submit(self, lines: list[dict[str, Any]], *, model: str, job_id: str
                     ) -> tuple[str | None, EngineStatus]:
        raise NotImplementedError

    async def status(self, engine: dict[str, Any]) -> EngineStatus:
        raise NotImplementedError

    async def cancel(self, engine: dict[str, Any]) -> EngineStatus:
        raise NotImplementedError

    async def results(self, engine: dict[str, Any]) -> Results:
        raise NotImplementedError

    # --- shared helpers ----------------------------------------------------------------------

    def parse_reply(self, custom_id: str, body: Any) -> Outcome:
        """A successful reply body, read by the provider exactly as an interactive reply."""
        state = StreamState(finished=True)
        try:
            text = self.provider.parse_complete(body, state)
        except ProviderError as exc:
            return Outcome(custom_id, "errored", error=str(exc))
        return Outcome(custom_id, "succeeded", text=text, input_tokens=state.input_tokens,
                       output_tokens=state.output_tokens, finish_reason=state.finish_reason)

    def check_size(self, count: int, size: int) -> None:
        from persona_tui.core.errors import ValidationError

        if count > self.max_requests or size > self.max_bytes:
            raise ValidationError(
                f"{count:,} requests ({size / 1e6:.1f} MB) exceed {self.name}'s batch limits "
                f"({self.max_requests:,} requests, {self.max_bytes / 1e6:.0f} MB)",
                hint="Submit the studies as several jobs.")

    async def call(self, method: str, path: str, *, json_body: Any = None,
                   files: Any = None, data: Any = None, params: dict[str, str] | None = None,
                   raw: bool = False) -> Any:
        """One request with the provider's retries; JSON back, or bytes with ``raw``."""
        provider = self.provider
        provider.require_key()
        client = provider.pool.client(provider.base_url)
        deadline = time.monotonic() + provider.config.total_timeout
        attempt = 0
        while True:
            try:
                response = await asyncio.wait_for(
                    client.request(method, path, json=json_body, files=files, data=data,
                                   params=params, headers=provider.headers()),
                    timeout=max(0.001, deadline - time.monotonic()))
            except TimeoutError:
                raise ProviderError(f"{provider.name} did not answer within "
                                    f"{provider.config.total_timeout:.0f} s",
                                    provider=provider.name, code="E3003") from None
            except (httpx.ReadError, httpx.RemoteProtocolError) as exc:
                await provider._wait_before_retry(attempt, None, None,
                                                  provider._network_error(exc))
                attempt += 1
                continue
            except httpx.HTTPError as exc:
                raise provider._network_error(exc) from None
            if response.is_success:
                if raw:
                    return response.content
                try:
                    return response.json()
                except ValueError:
                    raise ProviderError(
                        f"{provider.name} sent a batch reply that is cut short or not JSON",
                        provider=provider.name, code="E3004",
                        hint="Nothing is lost: ask again (the job is kept and resumable).") \
                        from None
            body: Any
            try:
                body = response.json()
            except ValueError:
                body = response.text
            await provider._wait_before_retry(attempt, response, None,
                                              provider._status_error(response, body))
            attempt += 1


def line_schema(body: dict[str, Any]) -> dict[str, Any] | None:
    """The reply schema a job-format body carries as structured output, or None."""
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        return (response_format.get("json_schema") or {}).get("schema")
    if response_format.get("type") == "json_object" and "schema" in response_format:
        return response_format["schema"]
    return None


async def vendor_request(provider: ChatProvider, messages, *, model: str,
                         schema: dict | None, temperature: float | None,
                         max_tokens: int | None, seed: int | None) -> dict[str, Any]:
    """The request body ``provider`` sends for this prompt, as in an interactive run: the
    reply schema through its own structured-output mechanism, in the mode it tries first
    (or the one it found works), the seed where it takes one. A batch cannot fall back to
    another mode mid-request; a request refused for its mode errors and can be resubmitted."""
    mode = provider._modes(model, schema)[0]
    spec = await provider.complete_request(
        messages, model=model, temperature=temperature, max_tokens=max_tokens,
        json_mode=True, schema=schema, mode=mode,
        seed=seed if getattr(provider, "supports_seed", True) else None)
    return spec.body


async def line_request(provider: ChatProvider, line: dict[str, Any]) -> dict[str, Any]:
    """A job-format line's request, rebuilt by another vendor's provider."""
    from persona_tui.core.batch.format import body_messages

    body = line["body"]
    return await vendor_request(provider, body_messages(body), model=body["model"],
                                schema=line_schema(body), temperature=body.get("temperature"),
                                max_tokens=body.get("max_tokens"), seed=body.get("seed"))


def jsonl_records(data: bytes, what: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Records of a result file; a last line cut short is reported, never half-read."""
    records, warnings = [], []
    lines = data.decode("utf-8", "replace").split("\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            warnings.append(f"{what}: line {number} is cut short or damaged; the requests "
                            "without a readable result can be resubmitted")
            continue
        if isinstance(item, dict):
            records.append(item)
    return records, warnings


__all__ = ["BatchEngine", "EngineStatus", "Outcome", "Results", "jsonl_records", "line_request",
           "line_schema", "vendor_request"]
