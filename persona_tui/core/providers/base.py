"""What every provider speaks: messages in, text deltas and usage out.

``stream`` yields :class:`StreamChunk` text deltas and ends with one chunk that carries usage
and the finish reason; ``complete`` returns the same text as one :class:`LLMResponse`. Retries
and rate-limit waits are reported through ``on_retry`` so a UI can say "rate limited, retrying
in 4 s" instead of looking frozen.
"""

from __future__ import annotations

import abc
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from persona_tui.core.data.tokens import estimate_tokens

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True, slots=True)
class Message:
    role: Role
    content: str


MessagesLike = Iterable[Message | Mapping[str, Any]] | str


def normalize_messages(messages: MessagesLike) -> list[Message]:
    """Accept a prompt string, ``Message`` objects or ``{"role", "content"}`` dicts."""
    if isinstance(messages, str):
        return [Message("user", messages)]
    result = []
    for item in messages:
        if isinstance(item, Message):
            result.append(item)
        else:
            role = str(item.get("role", "user"))
            if role not in ("system", "user", "assistant"):
                raise ValueError(f"unknown message role {role!r}")
            result.append(Message(role, str(item.get("content", ""))))  # type: ignore[arg-type]
    return result


def split_system(messages: list[Message]) -> tuple[str, list[Message]]:
    """System text joined, and the conversation without it (Anthropic and Gemini want it apart)."""
    system = "\n\n".join(m.content for m in messages if m.role == "system")
    return system, [m for m in messages if m.role != "system"]


@dataclass(frozen=True, slots=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    #: True when the vendor reported no usage and the numbers are our estimate
    estimated: bool = False
    #: where the counts come from: "vendor" (the reply's usage), "tokenizer" (the server's
    #: own tokenizer, asked afterwards) or "estimate" (characters / 4)
    source: str = "vendor"


@dataclass(slots=True)
class StreamChunk:
    """A text delta; the last chunk of a stream has ``done=True`` and carries usage."""

    text: str = ""
    done: bool = False
    finish_reason: str | None = None
    usage: Usage | None = None
    ttft_s: float | None = None
    latency_s: float | None = None
    #: how the reply was held to a schema: "json_schema", "json_object_schema",
    #: "json_object", "tool" (Anthropic forced tool use) or "prompt" (instructions only);
    #: None when no schema was asked for
    output_mode: str | None = None


@dataclass(slots=True)
class LLMResponse:
    text: str
    provider: str
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    finish_reason: str | None = None
    latency_s: float = 0.0
    ttft_s: float | None = None
    usage_estimated: bool = False
    output_mode: str | None = None
    usage_source: str = "vendor"


@dataclass(frozen=True, slots=True)
class RetryNotice:
    """A wait before another attempt; ``reason`` is said to the user as is."""

    provider: str
    attempt: int
    max_attempts: int
    wait_s: float
    reason: str
    status_code: int | None = None

    def describe(self) -> str:
        return (f"{self.provider}: {self.reason}, retrying in {self.wait_s:.0f} s "
                f"(attempt {self.attempt + 1} of {self.max_attempts})")


RetryCallback = Callable[[RetryNotice], Awaitable[None] | None]


async def notify(callback: RetryCallback | None, notice: RetryNotice) -> None:
    if callback is None:
        return
    result = callback(notice)
    if inspect.isawaitable(result):
        await result


@dataclass(slots=True)
class ModelInfo:
    """One model as a vendor lists it; fields a vendor does not give stay None."""

    id: str
    provider: str
    display_name: str | None = None
    context_length: int | None = None
    size_bytes: int | None = None
    family: str | None = None
    parameter_size: str | None = None
    quantization: str | None = None
    modified_at: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Vendor metadata is shown in tables and printed by the CLI: text fields become clean
        # strings (no escape sequences), numbers must be plausible counts, or they are None.
        self.id = _text(self.id) or ""
        self.provider = _text(self.provider) or ""
        for name in ("display_name", "family", "parameter_size", "quantization", "modified_at"):
            setattr(self, name, _text(getattr(self, name)))
        self.context_length = count_or_none(self.context_length)
        self.size_bytes = count_or_none(self.size_bytes)
        if not isinstance(self.details, dict):
            self.details = {}


#: the largest token count or size believed from a vendor (anything above is a wire error)
MAX_COUNT = 10**15


def count_or_none(value: Any) -> int | None:
    """``value`` when it is a plausible count (an int, not a bool, 0..MAX_COUNT), else None."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT:
        return value
    return None


def _text(value: Any) -> str | None:
    from persona_tui.core.utils.sanitize import strip_control

    if value is None or isinstance(value, (dict, list, tuple)):
        return None
    return strip_control(str(value))[:200]


def estimate_usage(messages: list[Message], output: str) -> Usage:
    prompt = sum(estimate_tokens(m.content) + 4 for m in messages)
    return Usage(prompt, estimate_tokens(output), estimated=True, source="estimate")


class LLMProvider(abc.ABC):
    """An LLM vendor. Subclasses speak one wire protocol; nothing here knows any vendor."""

    name: str = "provider"
    #: whether the vendor takes a sampling seed (Anthropic does not)
    supports_seed: bool = True

    @abc.abstractmethod
    def stream(self, messages: MessagesLike, *, model: str, temperature: float | None = None,
               max_tokens: int | None = None, json_mode: bool = False,
               on_retry: RetryCallback | None = None, response_schema: dict | None = None,
               seed: int | None = None) -> AsyncIterator[StreamChunk]:
        """Text deltas as they arrive; the last chunk has ``done=True`` and the usage.

        ``response_schema`` (a JSON Schema) asks for structured output through the vendor's
        own mechanism; the final chunk's ``output_mode`` says which one was used.
        """

    async def complete(self, messages: MessagesLike, *, model: str,
                       temperature: float | None = None, max_tokens: int | None = None,
                       json_mode: bool = False,
                       on_retry: RetryCallback | None = None,
                       response_schema: dict | None = None,
                       seed: int | None = None) -> LLMResponse:
        """The whole reply at once (default: gather the stream, so both agree on the text)."""
        parts: list[str] = []
        final = StreamChunk()
        async for chunk in self.stream(messages, model=model, temperature=temperature,
                                       max_tokens=max_tokens, json_mode=json_mode,
                                       on_retry=on_retry, response_schema=response_schema,
                                       seed=seed):
            if chunk.text:
                parts.append(chunk.text)
            if chunk.done:
                final = chunk
        usage = final.usage or Usage(estimated=True, source="estimate")
        return LLMResponse("".join(parts), self.name, model, usage.input_tokens,
                           usage.output_tokens, final.finish_reason, final.latency_s or 0.0,
                           final.ttft_s, usage.estimated, final.output_mode, usage.source)

    @abc.abstractmethod
    async def list_models(self) -> list[ModelInfo]:
        """The models this vendor serves to this key."""

    async def aclose(self) -> None:
        """Release connections."""

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
