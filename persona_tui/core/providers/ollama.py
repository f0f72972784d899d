"""Ollama's native API: ``/api/chat`` streaming newline-delimited JSON.

Ollama's default context window (2,048–4,096 tokens depending on version) silently truncates
long transcripts, so every request sets ``options.num_ctx`` from the prompt's size, capped at
the model's own context length from ``/api/show``.
"""

from __future__ import annotations

import json
from typing import Any

from persona_tui.core.data.tokens import estimate_tokens
from persona_tui.core.errors import ProviderError
from persona_tui.core.providers.base import Message, ModelInfo
from persona_tui.core.providers.http_base import (
    ChatProvider,
    LineDecoder,
    RequestSpec,
    StreamState,
    shape_checked,
)
from persona_tui.core.providers.registry import get_spec

DEFAULT_OLLAMA_URL = get_spec("ollama").default_base_url
MIN_CONTEXT = 4096
DEFAULT_OUTPUT_BUDGET = 4096


def normalize_tag(name: str) -> str:
    """``llama3.2`` and ``llama3.2:latest`` are the same model."""
    return name if ":" in name.split("/")[-1] else f"{name}:latest"


class OllamaProvider(ChatProvider):
    name = "ollama"

    def __init__(self, base_url: str | None = None, api_key: str | None = None, **kwargs) -> None:
        super().__init__(base_url or DEFAULT_OLLAMA_URL, api_key, **kwargs)
        self._context_lengths: dict[str, int | None] = {}

    def headers(self) -> dict[str, str]:
        # A key is only sent when the user put Ollama behind an authenticating proxy.
        return {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}

    def unreachable_message(self) -> str:
        # what happened only: the advice is the hint's, so no screen or CLI line says it twice
        return f"Ollama is not reachable at {self.base_url}"

    def unreachable_hint(self) -> str:
        return ("Start Ollama with `ollama serve`, or set OLLAMA_HOST (or the Ollama base URL "
                "on Providers) to where it runs.")

    # --- context sizing ----------------------------------------------------------------------

    async def context_length(self, model: str) -> int | None:
        """The model's trained context length from ``/api/show`` (cached), if it says."""
        if model not in self._context_lengths:
            try:
                body = await self.request("POST", "/api/show", json_body={"model": model})
            except ProviderError:
                body = {}
            length = None
            info = body.get("model_info") if isinstance(body, dict) else None
            if isinstance(info, dict):
                for key, value in info.items():
                    if key.endswith(".context_length") and isinstance(value, int):
                        length = value
                        break
            self._context_lengths[model] = length
        return self._context_lengths[model]

    async def num_ctx(self, messages: list[Message], model: str, max_tokens: int | None) -> int:
        prompt = sum(estimate_tokens(m.content) + 4 for m in messages)
        wanted = int((prompt + (max_tokens or DEFAULT_OUTPUT_BUDGET)) * 1.1)
        size = max(MIN_CONTEXT, -(-wanted // 1024) * 1024)
        limit = await self.context_length(model)
        return min(size, limit) if limit else size

    # --- requests ----------------------------------------------------------------------------

    def structured_modes(self, model: str) -> tuple[str, ...]:
        # a JSON Schema in ``format`` (Ollama 0.5+, enforced by a grammar); older servers
        # refuse it and take only "json"
        return ("json_schema", "json_object")

    async def _body(self, messages: list[Message], model: str, temperature: float | None,
                    max_tokens: int | None, json_mode: bool, stream: bool,
                    schema: dict[str, Any] | None = None, mode: str | None = None,
                    seed: int | None = None) -> dict[str, Any]:
        options: dict[str, Any] = {"num_ctx": await self.num_ctx(messages, model, max_tokens)}
        if temperature is not None:
            options["temperature"] = temperature
        if max_tokens is not None:
            options["num_predict"] = max_tokens
        if seed is not None:
            options["seed"] = seed
        body: dict[str, Any] = {
            "model": model, "stream": stream, "options": options,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
        }
        if schema is not None and mode == "json_schema":
            body["format"] = schema
        elif json_mode or mode == "json_object":
            body["format"] = "json"
        return body

    async def stream_request(self, messages, *, model, temperature, max_tokens, json_mode,
                             schema=None, mode=None, seed=None):
        return RequestSpec("/api/chat", await self._body(messages, model, temperature,
                                                         max_tokens, json_mode, True, schema,
                                                         mode, seed))

    async def complete_request(self, messages, *, model, temperature, max_tokens, json_mode,
                               schema=None, mode=None, seed=None):
        return RequestSpec("/api/chat", await self._body(messages, model, temperature,
                                                         max_tokens, json_mode, False, schema,
                                                         mode, seed))

    def _final(self, line: dict[str, Any], state: StreamState) -> None:
        state.finished = True
        state.finish_reason = line.get("done_reason") or "stop"
        if isinstance(line.get("prompt_eval_count"), int):
            state.input_tokens = line["prompt_eval_count"]
        if isinstance(line.get("eval_count"), int):
            state.output_tokens = line["eval_count"]

    def stream_decoder(self, state):
        def on_line(raw: str) -> str | None:
            try:
                line = json.loads(raw)
            except json.JSONDecodeError:
                raise ProviderError(f"ollama sent a line that is not JSON: {raw[:80]!r}",
                                    provider=self.name, code="E3004") from None
            if "error" in line:
                raise ProviderError(f"ollama: {line['error']}", provider=self.name,
                                    code="E3004")
            if line.get("done"):
                self._final(line, state)
            return (line.get("message") or {}).get("content")

        return LineDecoder(on_line)

    def parse_complete(self, body, state):
        if not isinstance(body, dict):
            raise ProviderError("ollama sent a reply that is not JSON", provider=self.name)
        self._final(body, state)
        return (body.get("message") or {}).get("content") or ""

    # --- models ------------------------------------------------------------------------------

    async def version(self) -> str:
        body = await self.request("GET", "/api/version")
        return str(body.get("version", "")) if isinstance(body, dict) else ""

    @shape_checked
    async def list_models(self) -> list[ModelInfo]:
        body = await self.request("GET", "/api/tags")
        models = []
        for item in body.get("models", []) if isinstance(body, dict) else []:
            details = item.get("details") or {}
            models.append(ModelInfo(
                id=item.get("name") or item.get("model", ""), provider=self.name,
                size_bytes=item.get("size"), family=details.get("family"),
                parameter_size=details.get("parameter_size"),
                quantization=details.get("quantization_level"),
                modified_at=item.get("modified_at"), details=details))
        return models
