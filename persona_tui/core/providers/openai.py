"""OpenAI's Chat Completions API, and every server that copies it (LM Studio, llama.cpp's
server, vLLM, …): ``/chat/completions`` as server-sent events ending in ``data: [DONE]``.

``base_url`` includes the version prefix (``https://api.openai.com/v1``,
``http://127.0.0.1:1234/v1``). The official endpoint needs a key; compatible local servers
usually do not, so a key is only required for api.openai.com.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from persona_tui.core.errors import ProviderError
from persona_tui.core.providers.base import Message, ModelInfo
from persona_tui.core.providers.http_base import (
    ChatProvider,
    EventDecoder,
    RequestSpec,
    StreamState,
    loads_event,
    shape_checked,
)
from persona_tui.core.providers.registry import get_spec

DEFAULT_OPENAI_URL = get_spec("openai").default_base_url


class OpenAIProvider(ChatProvider):
    name = "openai"
    key_env = get_spec("openai").key_env[0]

    def __init__(self, base_url: str | None = None, api_key: str | None = None, **kwargs) -> None:
        super().__init__(base_url or DEFAULT_OPENAI_URL, api_key, **kwargs)
        self.key_required = (urlparse(self.base_url).hostname or "").endswith("openai.com")

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}

    def _body(self, messages: list[Message], model: str, temperature: float | None,
              max_tokens: int | None, json_mode: bool, stream: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "stream": stream,
        }
        if stream:
            body["stream_options"] = {"include_usage": True}
        if temperature is not None:
            body["temperature"] = temperature
        if max_tokens is not None:
            body["max_tokens"] = max_tokens
        if json_mode:
            body["response_format"] = {"type": "json_object"}
        return body

    async def stream_request(self, messages, *, model, temperature, max_tokens, json_mode):
        return RequestSpec("/chat/completions",
                           self._body(messages, model, temperature, max_tokens, json_mode, True))

    async def complete_request(self, messages, *, model, temperature, max_tokens, json_mode):
        return RequestSpec("/chat/completions",
                           self._body(messages, model, temperature, max_tokens, json_mode, False))

    @staticmethod
    def _read_usage(body: dict[str, Any], state: StreamState) -> None:
        usage = body.get("usage")
        if isinstance(usage, dict):
            if isinstance(usage.get("prompt_tokens"), int):
                state.input_tokens = usage["prompt_tokens"]
            if isinstance(usage.get("completion_tokens"), int):
                state.output_tokens = usage["completion_tokens"]

    def stream_decoder(self, state):
        def on_event(event) -> str | None:
            if state.finished:
                return None
            if event.data == "[DONE]" or event.data.strip() == "[DONE]":
                state.finished = True
                return None
            body = loads_event(event.data, self.name)
            if "error" in body:
                raise ProviderError(f"openai: {self.error_message(body)}", provider=self.name,
                                    code="E3004")
            if body.get("usage"):
                self._read_usage(body, state)
            text = []
            for choice in body.get("choices") or ():
                if choice.get("finish_reason"):
                    state.finish_reason = choice["finish_reason"]
                content = (choice.get("delta") or {}).get("content")
                if content:
                    text.append(content)
            return "".join(text)

        return EventDecoder(on_event)

    def parse_complete(self, body, state):
        if not isinstance(body, dict) or not body.get("choices"):
            raise ProviderError("openai sent a reply without choices", provider=self.name)
        choice = body["choices"][0]
        state.finish_reason = choice.get("finish_reason")
        self._read_usage(body, state)
        return (choice.get("message") or {}).get("content") or ""

    @shape_checked
    async def list_models(self) -> list[ModelInfo]:
        self.require_key()
        body = await self.request("GET", "/models")
        data = body.get("data", []) if isinstance(body, dict) else []
        return [ModelInfo(id=item["id"], provider=self.name, details=item)
                for item in data if isinstance(item, dict) and item.get("id")]
