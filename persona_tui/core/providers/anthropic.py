"""Anthropic's Messages API: ``/v1/messages`` as server-sent events.

Events: ``message_start`` (input tokens), ``content_block_delta`` (text), ``message_delta``
(stop reason, output tokens), ``message_stop`` (the end), ``ping`` keep-alives, and ``error``
events that can arrive mid-stream (``overloaded_error`` is common under load).
"""

from __future__ import annotations

import json
from typing import Any

from persona_tui.core.errors import ProviderError
from persona_tui.core.providers.base import Message, ModelInfo, split_system
from persona_tui.core.providers.http_base import (
    ChatProvider,
    EventDecoder,
    RequestSpec,
    loads_event,
    shape_checked,
)
from persona_tui.core.providers.registry import get_spec

DEFAULT_ANTHROPIC_URL = get_spec("anthropic").default_base_url
ANTHROPIC_VERSION = "2023-06-01"
DEFAULT_MAX_TOKENS = 8192
JSON_INSTRUCTION = "Reply with JSON only: no prose, no Markdown fences."
#: the tool a schema-held reply is forced through (its input is the reply)
TOOL_NAME = "record_reply"


class AnthropicProvider(ChatProvider):
    name = "anthropic"
    key_env = get_spec("anthropic").key_env[0]
    key_required = True
    supports_seed = False

    def __init__(self, base_url: str | None = None, api_key: str | None = None, **kwargs) -> None:
        super().__init__(base_url or DEFAULT_ANTHROPIC_URL, api_key, **kwargs)

    def headers(self) -> dict[str, str]:
        headers = {"anthropic-version": ANTHROPIC_VERSION}
        if self._api_key:
            headers["x-api-key"] = self._api_key
        return headers

    def structured_modes(self, model: str) -> tuple[str, ...]:
        # The Messages API has no JSON switch; forcing the one tool whose input schema is the
        # reply's schema makes the model write exactly that object
        return ("tool", "prompt")

    def _body(self, messages: list[Message], model: str, temperature: float | None,
              max_tokens: int | None, json_mode: bool, stream: bool,
              schema: dict[str, Any] | None = None, mode: str | None = None,
              seed: int | None = None) -> dict[str, Any]:
        system, conversation = split_system(messages)
        if (json_mode or schema is not None) and mode != "tool":
            # no JSON switch here: say it in the system prompt
            system = f"{system}\n\n{JSON_INSTRUCTION}".strip()
        body: dict[str, Any] = {
            "model": model, "max_tokens": max_tokens or DEFAULT_MAX_TOKENS,
            "messages": [{"role": m.role, "content": m.content} for m in conversation],
        }
        if system:
            body["system"] = system
        if temperature is not None:
            body["temperature"] = min(temperature, 1.0)  # Anthropic's range is 0..1
        if stream:
            body["stream"] = True
        if schema is not None and mode == "tool":
            body["tools"] = [{"name": TOOL_NAME, "description": "Record the reply.",
                              "input_schema": schema}]
            body["tool_choice"] = {"type": "tool", "name": TOOL_NAME}
        return body

    async def stream_request(self, messages, *, model, temperature, max_tokens, json_mode,
                             schema=None, mode=None, seed=None):
        return RequestSpec("/v1/messages",
                           self._body(messages, model, temperature, max_tokens, json_mode, True,
                                      schema, mode))

    async def complete_request(self, messages, *, model, temperature, max_tokens, json_mode,
                               schema=None, mode=None, seed=None):
        return RequestSpec("/v1/messages",
                           self._body(messages, model, temperature, max_tokens, json_mode,
                                      False, schema, mode))

    def stream_decoder(self, state):
        def on_event(event) -> str | None:
            if event.event == "ping":
                return None
            body = loads_event(event.data, self.name)
            kind = body.get("type", event.event) if isinstance(body, dict) else event.event
            if kind == "content_block_delta":
                delta = body.get("delta") or {}
                if delta.get("type") == "input_json_delta":  # the forced tool's input
                    return delta.get("partial_json")
                return delta.get("text") if delta.get("type") == "text_delta" else None
            if kind == "error":
                raise ProviderError(f"anthropic: {self.error_message(body)}",
                                    provider=self.name, code="E3004")
            if kind == "message_start":
                usage = (body.get("message") or {}).get("usage") or {}
                state.input_tokens = usage.get("input_tokens", state.input_tokens)
                state.output_tokens = usage.get("output_tokens", state.output_tokens)
            elif kind == "message_delta":
                state.finish_reason = (body.get("delta") or {}).get("stop_reason")
                usage = body.get("usage") or {}
                if isinstance(usage.get("output_tokens"), int):
                    state.output_tokens = usage["output_tokens"]
                if isinstance(usage.get("input_tokens"), int):
                    state.input_tokens = usage["input_tokens"]
            elif kind == "message_stop":
                state.finished = True
            return None

        return EventDecoder(on_event)

    def parse_complete(self, body, state):
        if not isinstance(body, dict) or body.get("type") != "message":
            raise ProviderError("anthropic sent a reply that is not a message",
                                provider=self.name)
        usage = body.get("usage") or {}
        state.input_tokens = usage.get("input_tokens")
        state.output_tokens = usage.get("output_tokens")
        state.finish_reason = body.get("stop_reason")
        parts = []
        for block in body.get("content", []):
            if block.get("type") == "text":
                parts.append(block.get("text", ""))
            elif block.get("type") == "tool_use" and block.get("name") == TOOL_NAME:
                parts.append(json.dumps(block.get("input"), ensure_ascii=False))
        return "".join(parts)

    @shape_checked
    async def list_models(self) -> list[ModelInfo]:
        self.require_key()
        models: list[ModelInfo] = []
        params: dict[str, str] = {"limit": "1000"}
        while True:
            body = await self.request("GET", "/v1/models", params=params)
            for item in body.get("data", []):
                models.append(ModelInfo(id=item["id"], provider=self.name,
                                        display_name=item.get("display_name"), details=item))
            if not body.get("has_more") or not body.get("last_id"):
                return models
            params = {"limit": "1000", "after_id": body["last_id"]}
