"""Google's Gemini API: ``models/{model}:streamGenerateContent?alt=sse``.

The key travels in the ``x-goog-api-key`` header, never in the URL, where proxies and logs
would keep it. Gemini streams have no terminator event: the last event carries
``finishReason``, so a stream that closes without one was cut off. A bad key is HTTP 400 with
reason ``API_KEY_INVALID``, not 401.
"""

from __future__ import annotations

from typing import Any

from persona_tui.core.errors import ProviderError
from persona_tui.core.providers.base import Message, ModelInfo, split_system
from persona_tui.core.providers.http_base import (
    ChatProvider,
    EventDecoder,
    RequestSpec,
    StreamState,
    loads_event,
    shape_checked,
)
from persona_tui.core.providers.registry import get_spec
from persona_tui.core.providers.structured import for_vendor

DEFAULT_GEMINI_URL = get_spec("gemini").default_base_url
API_VERSION = "v1beta"


def model_path(model: str) -> str:
    return model if model.startswith("models/") else f"models/{model}"


class GeminiProvider(ChatProvider):
    name = "gemini"
    key_env = get_spec("gemini").key_env[0]
    key_required = True

    def __init__(self, base_url: str | None = None, api_key: str | None = None, **kwargs) -> None:
        super().__init__(base_url or DEFAULT_GEMINI_URL, api_key, **kwargs)

    def headers(self) -> dict[str, str]:
        return {"x-goog-api-key": self._api_key} if self._api_key else {}

    def is_auth_failure(self, status: int, body: Any) -> bool:
        if status in (401, 403):
            return True
        text = str(body)
        return status == 400 and ("API_KEY_INVALID" in text or "API key not valid" in text)

    def structured_modes(self, model: str) -> tuple[str, ...]:
        return ("json_schema", "json_object")

    def _body(self, messages: list[Message], temperature: float | None, max_tokens: int | None,
              json_mode: bool, schema: dict[str, Any] | None = None, mode: str | None = None,
              seed: int | None = None) -> dict[str, Any]:
        system, conversation = split_system(messages)
        body: dict[str, Any] = {"contents": [
            {"role": "model" if m.role == "assistant" else "user", "parts": [{"text": m.content}]}
            for m in conversation]}
        if system:
            body["systemInstruction"] = {"parts": [{"text": system}]}
        config: dict[str, Any] = {}
        if temperature is not None:
            config["temperature"] = temperature
        if max_tokens is not None:
            config["maxOutputTokens"] = max_tokens
        if seed is not None:
            config["seed"] = seed
        if json_mode or mode in ("json_schema", "json_object"):
            config["responseMimeType"] = "application/json"
        if schema is not None and mode == "json_schema":
            config["responseSchema"] = for_vendor(schema, "gemini")
        if config:
            body["generationConfig"] = config
        return body

    async def stream_request(self, messages, *, model, temperature, max_tokens, json_mode,
                             schema=None, mode=None, seed=None):
        return RequestSpec(f"/{API_VERSION}/{model_path(model)}:streamGenerateContent",
                           self._body(messages, temperature, max_tokens, json_mode, schema,
                                      mode, seed),
                           {"alt": "sse"})

    async def complete_request(self, messages, *, model, temperature, max_tokens, json_mode,
                               schema=None, mode=None, seed=None):
        return RequestSpec(f"/{API_VERSION}/{model_path(model)}:generateContent",
                           self._body(messages, temperature, max_tokens, json_mode, schema,
                                      mode, seed))

    def _read(self, body: Any, state: StreamState) -> str:
        if not isinstance(body, dict):
            raise ProviderError("gemini sent a reply that is not JSON", provider=self.name)
        if "error" in body:
            raise ProviderError(f"gemini: {self.error_message(body)}", provider=self.name,
                                code="E3004")
        usage = body.get("usageMetadata") or {}
        if isinstance(usage.get("promptTokenCount"), int):
            state.input_tokens = usage["promptTokenCount"]
        if isinstance(usage.get("candidatesTokenCount"), int):
            state.output_tokens = usage["candidatesTokenCount"]
        text = []
        for candidate in body.get("candidates") or []:
            for part in (candidate.get("content") or {}).get("parts") or []:
                if isinstance(part.get("text"), str) and not part.get("thought"):
                    text.append(part["text"])
            if candidate.get("finishReason"):
                state.finish_reason = candidate["finishReason"]
                state.finished = True
        feedback = body.get("promptFeedback") or {}
        if feedback.get("blockReason"):
            raise ProviderError(f"gemini blocked the prompt ({feedback['blockReason']})",
                                provider=self.name, code="E3001",
                                hint="Rephrase the request or check the data for flagged text.")
        return "".join(text)

    def stream_decoder(self, state):
        return EventDecoder(lambda event: self._read(loads_event(event.data, self.name), state))

    def parse_complete(self, body, state):
        return self._read(body, state)

    @shape_checked
    async def list_models(self) -> list[ModelInfo]:
        self.require_key()
        models: list[ModelInfo] = []
        params: dict[str, str] = {"pageSize": "1000"}
        while True:
            body = await self.request("GET", f"/{API_VERSION}/models", params=params)
            for item in body.get("models", []):
                if "generateContent" not in item.get("supportedGenerationMethods", [
                        "generateContent"]):
                    continue
                models.append(ModelInfo(id=item["name"].removeprefix("models/"),
                                        provider=self.name, display_name=item.get("displayName"),
                                        context_length=item.get("inputTokenLimit"), details=item))
            token = body.get("nextPageToken")
            if not token:
                return models
            params = {"pageSize": "1000", "pageToken": token}
