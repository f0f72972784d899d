"""OpenAI's Chat Completions API, and every server that copies it (LM Studio, llama.cpp's
server, vLLM, …): ``/chat/completions`` as server-sent events ending in ``data: [DONE]``.

``base_url`` includes the version prefix (``https://api.openai.com/v1``,
``http://127.0.0.1:1234/v1``). The official endpoint needs a key; compatible local servers
usually do not, so a key is only required for api.openai.com.
"""

from __future__ import annotations

import re
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
from persona_tui.core.providers.structured import for_vendor

DEFAULT_OPENAI_URL = get_spec("openai").default_base_url


class OpenAIProvider(ChatProvider):
    name = "openai"
    key_env = get_spec("openai").key_env[0]

    def __init__(self, base_url: str | None = None, api_key: str | None = None, **kwargs) -> None:
        super().__init__(base_url or DEFAULT_OPENAI_URL, api_key, **kwargs)
        self.key_required = (urlparse(self.base_url).hostname or "").endswith("openai.com")
        self._tokenizer: str | None = None
        #: (what the user gave, what works) when a base URL without ``/v1`` was corrected
        self.base_url_fixed: tuple[str, str] | None = None
        self._url_checked = bool(re.search(r"/v\d+$", self.base_url)) or self.key_required

    async def ensure_version_prefix(self) -> None:
        """``http://127.0.0.1:8080`` instead of ``…/v1``: the most common local-server slip.

        When the base URL has no version segment, ``{base}/models`` is asked once; if that is
        not found but ``{base}/v1/models`` answers, the ``/v1`` URL is used from then on and
        :attr:`base_url_fixed` says so (the app suggests saving it).
        """
        if self._url_checked:
            return
        self._url_checked = True
        try:
            await self.request("GET", "/models")
            return
        except ProviderError as exc:
            if exc.status_code != 404:
                return
        candidate = f"{self.base_url}/v1"
        try:
            await self.request("GET", f"{candidate}/models")
        except ProviderError:
            return
        self.base_url_fixed = (self.base_url, candidate)
        self.base_url = candidate

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}

    def structured_modes(self, model: str) -> tuple[str, ...]:
        if self.key_required:  # api.openai.com: strict json_schema is always there
            return ("json_schema",)
        # compatible servers differ: vLLM and LM Studio take json_schema, llama.cpp's servers
        # take a schema inside json_object, older ones only json_object
        return ("json_schema", "json_object_schema", "json_object", "prompt")

    def _response_format(self, schema: dict[str, Any], mode: str) -> dict[str, Any] | None:
        if mode == "json_schema":
            dialect = "openai-strict" if self.key_required else "full"
            return {"type": "json_schema", "json_schema": {
                "name": "personas", "strict": True, "schema": for_vendor(schema, dialect)}}
        if mode == "json_object_schema":
            return {"type": "json_object", "schema": schema}
        if mode == "json_object":
            return {"type": "json_object"}
        return None

    def _body(self, messages: list[Message], model: str, temperature: float | None,
              max_tokens: int | None, json_mode: bool, stream: bool,
              schema: dict[str, Any] | None = None, mode: str | None = None,
              seed: int | None = None) -> dict[str, Any]:
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
        if seed is not None:
            body["seed"] = seed
        if schema is not None and mode is not None:
            response_format = self._response_format(schema, mode)
            if response_format is not None:
                body["response_format"] = response_format
        elif json_mode:
            body["response_format"] = {"type": "json_object"}
        return body

    async def stream_request(self, messages, *, model, temperature, max_tokens, json_mode,
                             schema=None, mode=None, seed=None):
        await self.ensure_version_prefix()
        return RequestSpec("/chat/completions",
                           self._body(messages, model, temperature, max_tokens, json_mode, True,
                                      schema, mode, seed))

    async def complete_request(self, messages, *, model, temperature, max_tokens, json_mode,
                               schema=None, mode=None, seed=None):
        await self.ensure_version_prefix()
        return RequestSpec("/chat/completions",
                           self._body(messages, model, temperature, max_tokens, json_mode,
                                      False, schema, mode, seed))

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

    # --- token counts from servers that send no usage (llama.cpp, vLLM) -------------------------

    #: tokenizer routes, tried in order: llama-cpp-python, then llama.cpp's and vLLM's
    TOKENIZERS = ("/extras/tokenize/count", "/tokenize")

    @property
    def server_root(self) -> str:
        """The server's address without the API version (tokenizers live beside ``/v1``)."""
        return re.sub(r"/v\d+$", "", self.base_url)

    async def count_tokens(self, text: str, model: str) -> int | None:
        if self.key_required:
            return None  # api.openai.com always reports usage and has no tokenizer route
        routes = self.TOKENIZERS if self._tokenizer is None else (self._tokenizer,)
        for route in routes:
            if route == "":
                return None
            try:
                body = await self.request("POST", self.server_root + route, json_body={
                    "input": text, "content": text, "prompt": text, "model": model})
            except ProviderError:
                continue
            count = body.get("count") if isinstance(body, dict) else None
            if count is None and isinstance(body, dict) and isinstance(body.get("tokens"), list):
                count = len(body["tokens"])
            if isinstance(count, int) and not isinstance(count, bool):
                self._tokenizer = route
                return count
        self._tokenizer = ""  # none here: do not ask again
        return None

    @shape_checked
    async def list_models(self) -> list[ModelInfo]:
        self.require_key()
        await self.ensure_version_prefix()
        body = await self.request("GET", "/models")
        data = body.get("data", []) if isinstance(body, dict) else []
        return [ModelInfo(id=item["id"], provider=self.name, details=item)
                for item in data if isinstance(item, dict) and item.get("id")]
