"""The one httpx layer every provider shares: timeouts, pooled connections, retries, errors.

Retry rules: a 429 waits as long as the server asks (``retry-after`` and the vendors' own
headers), a 5xx (and Anthropic's 529 "overloaded") backs off exponentially with jitter, and
nothing is retried once a stream has started: the caller has already shown that text, so a
silent second attempt would duplicate it. Every wait is announced through ``on_retry`` first.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import ssl
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import certifi
import httpx

from persona_tui.core.apikeys import clean_api_key
from persona_tui.core.errors import (
    AuthenticationError,
    MissingKeyError,
    ProviderError,
    RateLimitError,
)
from persona_tui.core.providers.base import (
    LLMProvider,
    LLMResponse,
    RetryCallback,
    RetryNotice,
    StreamChunk,
    Usage,
    count_or_none,
    estimate_usage,
    normalize_messages,
    notify,
)
from persona_tui.core.providers.ratelimit import retry_after_seconds
from persona_tui.core.providers.wire import LineSplitter, SSEDecoder, SSEEvent
from persona_tui.core.utils.sanitize import fix_surrogates

RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504, 529})
#: words a vendor's refusal of a structured-output request contains
_STRUCTURED_WORDS = re.compile(r"format|schema|tool", re.IGNORECASE)


@dataclass(frozen=True)
class HTTPConfig:
    """Timeouts (seconds), retry policy and connection limits for one provider."""

    connect_timeout: float = 10.0
    read_timeout: float = 120.0
    write_timeout: float = 30.0
    pool_timeout: float = 30.0
    #: the most a whole non-streaming request may take, retries and waits included
    total_timeout: float = 600.0
    max_retries: int = 3
    backoff_base: float = 0.5
    backoff_max: float = 20.0
    jitter: float = 0.25
    #: a server asking us to wait longer than this gets a RateLimitError instead
    max_retry_wait: float = 120.0
    max_connections: int = 100
    max_keepalive_connections: int = 20

    def timeout(self) -> httpx.Timeout:
        return httpx.Timeout(connect=self.connect_timeout, read=self.read_timeout,
                             write=self.write_timeout, pool=self.pool_timeout)

    def limits(self) -> httpx.Limits:
        return httpx.Limits(max_connections=self.max_connections,
                            max_keepalive_connections=self.max_keepalive_connections)

    def backoff(self, attempt: int) -> float:
        delay = min(self.backoff_max, self.backoff_base * 2 ** attempt)
        return max(0.0, delay * (1 + random.uniform(-self.jitter, self.jitter)))


class ConnectionPool:
    """One ``httpx.AsyncClient`` per base URL, so concurrent requests reuse connections.

    Clients belong to the event loop that created them; :meth:`aclose` closes them all.
    """

    def __init__(self, config: HTTPConfig | None = None,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.config = config or HTTPConfig()
        self._transport = transport
        self._clients: dict[str, httpx.AsyncClient] = {}

    def client(self, base_url: str) -> httpx.AsyncClient:
        client = self._clients.get(base_url)
        if client is None or client.is_closed:
            client = httpx.AsyncClient(base_url=base_url, timeout=self.config.timeout(),
                                       limits=self.config.limits(), transport=self._transport,
                                       follow_redirects=False, verify=_tls_for(base_url))
            self._clients[base_url] = client
        return client

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()


_TLS_CONTEXT: ssl.SSLContext | None = None


def _tls_for(base_url: str) -> ssl.SSLContext | bool:
    """One shared TLS context for https (building one loads the CA bundle, ~20 ms); none for
    plain-http local servers, where redirects are off and TLS is never used."""
    global _TLS_CONTEXT
    if base_url.startswith("http://"):
        return False
    if _TLS_CONTEXT is None:
        _TLS_CONTEXT = ssl.create_default_context(cafile=certifi.where())
    return _TLS_CONTEXT


def warm_up(base_url: str | None = None) -> None:
    """Import what httpx imports on its first request (httpcore's async backend, anyio, h11:
    half a second on a loaded machine) and build the TLS context for an https ``base_url``.
    Blocks: call it in a thread before the first request, so that request does not hold
    up the caller's event loop (the app's first estimate or run did)."""
    import importlib

    for module in ("h11", "sniffio", "anyio", "anyio._backends._asyncio",
                   "httpcore._backends.anyio", "httpcore._backends.auto"):
        try:
            importlib.import_module(module)
        except ImportError:  # a version without it imports what it needs itself
            pass
    if base_url:
        _tls_for(base_url)


def _json_or_text(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return response.text


class HTTPProvider(LLMProvider):
    """Request and streaming helpers; subclasses add the vendor's paths and payloads."""

    name = "http"
    #: environment variable that holds this vendor's key, named in error hints
    key_env: str | None = None
    #: whether a request without a key can succeed (local servers)
    key_required: bool = False

    def __init__(self, base_url: str, api_key: str | None = None, *,
                 config: HTTPConfig | None = None, pool: ConnectionPool | None = None,
                 on_retry: RetryCallback | None = None,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        # checked here too, so no key that cannot be sent ever reaches httpx's headers
        self._api_key = clean_api_key(api_key, provider=self.name, source="api_key=")
        self.config = config or (pool.config if pool else HTTPConfig())
        self._own_pool = pool is None
        self.pool = pool or ConnectionPool(self.config, transport)
        self.on_retry = on_retry

    def __repr__(self) -> str:  # never the key
        key = "set" if self._api_key else "none"
        return f"{type(self).__name__}(base_url={self.base_url!r}, api_key={key})"

    @property
    def has_key(self) -> bool:
        return self._api_key is not None

    # --- for subclasses ----------------------------------------------------------------------

    def headers(self) -> dict[str, str]:
        return {}

    def error_message(self, body: Any) -> str:
        """The vendor's own words from an error body."""
        if isinstance(body, dict):
            error = body.get("error", body)
            if isinstance(error, dict):
                return str(error.get("message") or error.get("type") or error)
            return str(error)
        return str(body)[:300] if body else ""

    def is_auth_failure(self, status: int, body: Any) -> bool:
        return status in (401, 403)

    def unreachable_message(self) -> str:
        return f"{self.name} is not reachable at {self.base_url}"

    def unreachable_hint(self) -> str:
        return "Check the base URL and your network, then test the connection on Providers."

    # --- errors ------------------------------------------------------------------------------

    def require_key(self) -> None:
        if self.key_required and not self._api_key:
            raise MissingKeyError(
                f"no API key for {self.name}", provider=self.name,
                hint=f"Set {self.key_env} or add the key on the Providers screen.")

    def _status_error(self, response: httpx.Response, body: Any,
                      partial_text: str = "") -> ProviderError:
        status = response.status_code
        message = self.error_message(body)
        if self.is_auth_failure(status, body):
            where = f"{self.key_env} or the key on the Providers screen" if self.key_env else \
                "the key on the Providers screen"
            return AuthenticationError(
                f"{self.name} rejected the API key (HTTP {status}): {message}",
                provider=self.name, status_code=status,
                hint=f"Check {where}; it may be mistyped, revoked or lack access.")
        if status == 429:
            wait = retry_after_seconds(response.headers)
            hint = (f"Wait {wait:.0f} s and retry." if wait is not None else
                    "Wait a moment and retry, or lower the request rate.")
            return RateLimitError(f"{self.name} rate limit reached: {message}",
                                  provider=self.name, status_code=status, retry_after=wait,
                                  hint=hint, partial_text=partial_text)
        if status == 404:
            return ProviderError(f"{self.name}: not found (HTTP 404): {message}",
                                 provider=self.name, status_code=status, code="E3005",
                                 partial_text=partial_text)
        return ProviderError(f"{self.name} returned HTTP {status}: {message}",
                             provider=self.name, status_code=status, partial_text=partial_text)

    def _network_error(self, exc: httpx.HTTPError, partial_text: str = "") -> ProviderError:
        if isinstance(exc, httpx.ConnectError):
            return ProviderError(self.unreachable_message(), provider=self.name, code="E3003",
                                 hint=self.unreachable_hint(), partial_text=partial_text)
        if isinstance(exc, httpx.TimeoutException):
            return ProviderError(f"{self.name} did not answer in time ({type(exc).__name__})",
                                 provider=self.name, code="E3003", partial_text=partial_text,
                                 hint=f"The server may be overloaded; retry, or raise "
                                      f"providers.{self.name}.read_timeout_s in config.toml "
                                      f"(now {self.config.read_timeout:g} s).")
        return ProviderError(f"{self.name}: connection failed ({type(exc).__name__})",
                             provider=self.name, code="E3004", partial_text=partial_text)

    # --- retries -----------------------------------------------------------------------------

    async def _wait_before_retry(self, attempt: int, response: httpx.Response | None,
                                 on_retry: RetryCallback | None, error: ProviderError) -> None:
        """Sleep before the next attempt, or raise ``error`` when it is not worth another.

        Not retried: statuses outside :data:`RETRY_STATUSES`, rejected keys, an exhausted
        attempt budget, and waits longer than ``max_retry_wait``.
        """
        retryable = response is None or (response.status_code in RETRY_STATUSES
                                          and not isinstance(error, AuthenticationError)
                                          and not _refused_request(response.status_code,
                                                                   error))
        if not retryable or attempt >= self.config.max_retries:
            raise error
        status = response.status_code if response is not None else None
        asked = retry_after_seconds(response.headers) if response is not None else None
        if asked is not None and asked > self.config.max_retry_wait:
            raise error
        wait = asked if asked is not None else self.config.backoff(attempt)
        reason = ("rate limited" if status == 429 else "server overloaded" if status == 529
                  else f"server error {status}" if status else "connection dropped")
        await notify(on_retry or self.on_retry,
                     RetryNotice(self.name, attempt + 1, self.config.max_retries + 1, wait,
                                 reason, status))
        await asyncio.sleep(wait)

    async def request(self, method: str, path: str, *, json_body: Any = None,
                      params: Mapping[str, str] | None = None,
                      on_retry: RetryCallback | None = None) -> Any:
        """A JSON request with retries; returns the decoded body."""
        client = self.pool.client(self.base_url)
        deadline = time.monotonic() + self.config.total_timeout
        attempt = 0
        while True:
            try:
                response = await asyncio.wait_for(
                    client.request(method, path, json=json_body, params=params,
                                   headers=self.headers()),
                    timeout=max(0.001, deadline - time.monotonic()))
            except TimeoutError:
                raise ProviderError(f"{self.name} did not answer within "
                                    f"{self.config.total_timeout:.0f} s", provider=self.name,
                                    code="E3003") from None
            except (httpx.ReadError, httpx.RemoteProtocolError) as exc:
                await self._wait_before_retry(attempt, None, on_retry, self._network_error(exc))
                attempt += 1
                continue
            except httpx.HTTPError as exc:
                raise self._network_error(exc) from None
            body = _json_or_text(response)
            if response.is_success:
                return body
            await self._wait_before_retry(attempt, response, on_retry,
                                          self._status_error(response, body))
            attempt += 1

    @asynccontextmanager
    async def open_stream(self, method: str, path: str, *, json_body: Any = None,
                          params: Mapping[str, str] | None = None,
                          on_retry: RetryCallback | None = None
                          ) -> AsyncIterator[AsyncIterator[str]]:
        """Open a streaming response, retrying only until it starts; yields batches of lines.

        Leaving the ``async with`` (finishing, an error, or the consumer being cancelled)
        closes the HTTP stream at once.
        """
        client = self.pool.client(self.base_url)
        attempt = 0
        while True:
            request = client.build_request(method, path, json=json_body, params=params,
                                           headers=self.headers())
            try:
                response = await client.send(request, stream=True)
            except (httpx.ReadError, httpx.RemoteProtocolError) as exc:
                await self._wait_before_retry(attempt, None, on_retry, self._network_error(exc))
                attempt += 1
                continue
            except httpx.HTTPError as exc:
                raise self._network_error(exc) from None
            if response.is_success:
                break
            try:
                await response.aread()
            except httpx.HTTPError:
                pass
            finally:
                await response.aclose()
            await self._wait_before_retry(attempt, response, on_retry,
                                          self._status_error(response, _json_or_text(response)))
            attempt += 1
        try:
            yield self._line_batches(response)
        finally:
            await response.aclose()

    async def _line_batches(self, response: httpx.Response) -> AsyncIterator[list[str]]:
        """One list of complete lines per network read (see ``wire`` for why batches)."""
        splitter = LineSplitter()
        # without content-encoding the raw body is the text: skip httpx's decoder layer
        chunks = response.aiter_bytes() if response.headers.get("content-encoding") \
            else response.aiter_raw()
        try:
            async for data in chunks:
                lines = splitter.feed(data)
                if lines:
                    yield lines
        except httpx.HTTPError as exc:
            raise StreamBroken(exc) from None
        tail = splitter.close()
        if tail:
            yield tail

    async def aclose(self) -> None:
        if self._own_pool:
            await self.pool.aclose()


def shape_checked(method):
    """For a vendor's ``list_models``: a body of an unexpected shape is a ProviderError."""
    import functools

    @functools.wraps(method)
    async def checked(self, *args, **kwargs):
        try:
            return await method(self, *args, **kwargs)
        except _ODD_SHAPES as exc:
            raise ProviderError(f"{self.name} listed its models in an unexpected shape "
                                f"({type(exc).__name__})", provider=self.name,
                                hint="Check the base URL points at the vendor's API.") from None

    return checked


class StreamBroken(Exception):
    """The connection failed mid-stream; providers turn this into a ProviderError with the
    partial text they have collected."""

    def __init__(self, cause: httpx.HTTPError) -> None:
        super().__init__(str(cause))
        self.cause = cause



@dataclass
class RequestSpec:
    path: str
    body: Any
    params: dict[str, str] | None = None


class StreamDecoder:
    """Turns a vendor's stream lines into text deltas, updating the :class:`StreamState`."""

    def feed(self, lines: list[str]) -> list[str]:
        raise NotImplementedError


class EventDecoder(StreamDecoder):
    """Server-sent events, each handed to ``on_event``, which returns its text (or None)."""

    def __init__(self, on_event: Callable[[SSEEvent], str | None]) -> None:
        self._sse = SSEDecoder()
        self._on_event = on_event

    def feed(self, lines: list[str]) -> list[str]:
        on_event = self._on_event
        return [text for event in self._sse.feed(lines) if (text := on_event(event))]


class LineDecoder(StreamDecoder):
    """Newline-delimited records, each non-blank line handed to ``on_line``."""

    def __init__(self, on_line: Callable[[str], str | None]) -> None:
        self._on_line = on_line

    def feed(self, lines: list[str]) -> list[str]:
        on_line = self._on_line
        return [text for line in lines if line.strip() and (text := on_line(line))]


@dataclass
class StreamState:
    """What a vendor's stream decoder learns besides text: usage, finish, completeness."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    finish_reason: str | None = None
    #: set when the vendor's final event arrived; a stream without it was cut off
    finished: bool = False


class ChatProvider(HTTPProvider):
    """A chat vendor: subclasses describe requests and decode replies; this runs them.

    The split keeps every vendor module to its wire format while timing, usage estimates,
    truncation checks, partial-text errors and the structured-output fallback live here once.

    Structured output: with a ``response_schema``, :meth:`structured_modes` lists the ways
    this vendor can hold a reply to it, best first. A mode the server refuses outright (HTTP
    400 or 422, or llama-cpp-python's 500 "validation error", naming the format, schema or
    tool, before any text) falls back to the next, and the mode that worked is kept for the
    model, so only the first request pays for the probe.
    """

    async def stream_request(self, messages: list, *, model: str, temperature: float | None,
                             max_tokens: int | None, json_mode: bool, schema: dict | None = None,
                             mode: str | None = None, seed: int | None = None) -> RequestSpec:
        raise NotImplementedError

    async def complete_request(self, messages: list, *, model: str, temperature: float | None,
                               max_tokens: int | None, json_mode: bool,
                               schema: dict | None = None, mode: str | None = None,
                               seed: int | None = None) -> RequestSpec:
        raise NotImplementedError

    def stream_decoder(self, state: StreamState) -> StreamDecoder:
        """A fresh decoder for one reply: fed batches of lines, returns the text deltas."""
        raise NotImplementedError

    def parse_complete(self, body: Any, state: StreamState) -> str:
        raise NotImplementedError

    # --- structured output -------------------------------------------------------------------

    def structured_modes(self, model: str) -> tuple[str, ...]:
        """The structured-output modes to try for ``model``, best first."""
        return ("prompt",)

    def _modes(self, model: str, schema: dict | None) -> tuple[str | None, ...]:
        if schema is None:
            return (None,)
        known = getattr(self, "_known_modes", {}).get(model)
        return (known,) if known else self.structured_modes(model)

    def _remember_mode(self, model: str, mode: str | None) -> None:
        if mode is not None:
            if not hasattr(self, "_known_modes"):
                self._known_modes: dict[str, str] = {}
            self._known_modes[model] = mode

    @staticmethod
    def _rejected(exc: ProviderError) -> bool:
        """A request refused for its structured-output field (an unknown ``response_format``
        type, a schema keyword, a tool) — not for anything else, which no fallback fixes."""
        return ((exc.status_code in (400, 422) or _refused_request(exc.status_code, exc))
                and not isinstance(exc, AuthenticationError)
                and _STRUCTURED_WORDS.search(exc.message or "") is not None)

    # --- usage -------------------------------------------------------------------------------

    async def count_tokens(self, text: str, model: str) -> int | None:
        """The server's own token count for ``text``, for servers that send no usage."""
        return None

    async def _measured_usage(self, state: StreamState, messages: list, text: str,
                              model: str) -> Usage:
        """Vendor usage; else the server's tokenizer; else an estimate (marked as one)."""
        state.input_tokens = count_or_none(state.input_tokens)
        state.output_tokens = count_or_none(state.output_tokens)
        if state.input_tokens is not None and state.output_tokens is not None:
            return Usage(state.input_tokens, state.output_tokens)
        try:
            output = await self.count_tokens(text, model) if state.output_tokens is None \
                else state.output_tokens
            prompt = await self.count_tokens("\n".join(m.content for m in messages), model) \
                if output is not None and state.input_tokens is None else state.input_tokens
        except ProviderError:
            output = prompt = None
        output, prompt = count_or_none(output), count_or_none(prompt)
        if output is not None and prompt is not None:
            if state.input_tokens is None:
                prompt += 4 * len(messages)  # the chat template's role markers
            return Usage(prompt, output, source="tokenizer")
        return self.final_usage(state, messages, text)

    def final_usage(self, state: StreamState, messages: list, text: str) -> Usage:
        # a string, a negative or an absurd count from the wire is no count at all
        state.input_tokens = count_or_none(state.input_tokens)
        state.output_tokens = count_or_none(state.output_tokens)
        if state.input_tokens is None and state.output_tokens is None:
            return estimate_usage(messages, text)
        estimate = estimate_usage(messages, text)
        estimated = state.input_tokens is None or state.output_tokens is None
        return Usage(state.input_tokens if state.input_tokens is not None
                     else estimate.input_tokens,
                     state.output_tokens if state.output_tokens is not None
                     else estimate.output_tokens,
                     estimated=estimated, source="estimate" if estimated else "vendor")

    # --- running -----------------------------------------------------------------------------

    async def stream(self, messages, *, model: str, temperature: float | None = None,
                     max_tokens: int | None = None, json_mode: bool = False,
                     on_retry: RetryCallback | None = None, response_schema: dict | None = None,
                     seed: int | None = None):
        self.require_key()
        msgs = normalize_messages(messages)
        modes = self._modes(model, response_schema)
        for number, mode in enumerate(modes):
            spec = await self.stream_request(msgs, model=model, temperature=temperature,
                                             max_tokens=max_tokens, json_mode=json_mode,
                                             schema=response_schema, mode=mode, seed=seed)
            state = StreamState()
            parts: list[str] = []
            started = time.monotonic()
            ttft: float | None = None
            opened = False
            try:
                async with self.open_stream("POST", spec.path, json_body=spec.body,
                                            params=spec.params, on_retry=on_retry) as lines:
                    opened = True
                    decoder = self.stream_decoder(state)
                    try:
                        async for batch in lines:
                            try:
                                texts = decoder.feed(batch)
                            except _ODD_SHAPES as exc:
                                raise self._odd_shape(exc, "".join(parts)) from None
                            for text in texts:
                                if not text:
                                    continue
                                if not isinstance(text, str):
                                    raise self._odd_shape(TypeError(type(text).__name__),
                                                          "".join(parts))
                                # a lone surrogate ("\\ud800" in the JSON) has no UTF-8 form
                                # and would crash every save downstream: U+FFFD here, once
                                text = fix_surrogates(text)
                                if ttft is None:
                                    ttft = time.monotonic() - started
                                parts.append(text)
                                yield StreamChunk(text)
                    except StreamBroken as exc:
                        raise ProviderError(
                            f"{self.name}: the connection broke mid-reply "
                            f"({type(exc.cause).__name__}); {len(''.join(parts))} characters "
                            "arrived", provider=self.name, code="E3004",
                            partial_text="".join(parts)) from None
                    except ProviderError as exc:  # an error event inside the stream
                        exc.partial_text = "".join(parts)
                        raise
            except ProviderError as exc:
                if opened or number == len(modes) - 1 or not self._rejected(exc):
                    raise
                continue  # this server does not take that mode: try the next
            self._remember_mode(model, mode)
            text = "".join(parts)
            if not state.finished:
                raise ProviderError(
                    f"{self.name}: the reply stopped before its final event "
                    f"({len(text)} characters arrived)", provider=self.name, code="E3004",
                    partial_text=text)
            yield StreamChunk(done=True, finish_reason=state.finish_reason,
                              usage=await self._measured_usage(state, msgs, text, model),
                              ttft_s=ttft, latency_s=time.monotonic() - started,
                              output_mode=mode)
            return

    def _odd_shape(self, exc: BaseException, partial: str) -> ProviderError:
        """A reply whose JSON is valid but not what the vendor documents (an event that is a
        list, numeric ``content``, a string where a number belongs): the vendor's fault,
        reported as such, with whatever text had arrived kept."""
        return ProviderError(
            f"{self.name} sent a reply of an unexpected shape ({type(exc).__name__}); "
            f"{len(partial)} characters had arrived", provider=self.name, code="E3004",
            partial_text=partial,
            hint="The server does not follow the vendor's API; check the base URL, or update "
                 "the server.")

    async def complete(self, messages, *, model: str, temperature: float | None = None,
                       max_tokens: int | None = None, json_mode: bool = False,
                       on_retry: RetryCallback | None = None,
                       response_schema: dict | None = None, seed: int | None = None):
        self.require_key()
        msgs = normalize_messages(messages)
        modes = self._modes(model, response_schema)
        for number, mode in enumerate(modes):
            spec = await self.complete_request(msgs, model=model, temperature=temperature,
                                               max_tokens=max_tokens, json_mode=json_mode,
                                               schema=response_schema, mode=mode, seed=seed)
            started = time.monotonic()
            try:
                body = await self.request("POST", spec.path, json_body=spec.body,
                                          params=spec.params, on_retry=on_retry)
            except ProviderError as exc:
                if number == len(modes) - 1 or not self._rejected(exc):
                    raise
                continue
            self._remember_mode(model, mode)
            state = StreamState(finished=True)
            try:
                text = self.parse_complete(body, state)
            except _ODD_SHAPES as exc:
                raise self._odd_shape(exc, "") from None
            if not isinstance(text, str):
                raise self._odd_shape(TypeError(type(text).__name__), "")
            text = fix_surrogates(text)
            usage = await self._measured_usage(state, msgs, text, model)
            latency = time.monotonic() - started
            return LLMResponse(text, self.name, model, usage.input_tokens, usage.output_tokens,
                               state.finish_reason, latency, latency, usage.estimated, mode,
                               usage.source)
        raise AssertionError("unreachable: the last mode raises or returns")


def _refused_request(status: int | None, error: ProviderError) -> bool:
    """A 500 that is really a refused request: llama-cpp-python answers a request field it
    does not know with HTTP 500 and its validator's "validation error" (asking again cannot
    help)."""
    return status == 500 and "validation error" in (error.message or "")


#: what decoding a vendor body of an unexpected shape raises in a wire module's code
_ODD_SHAPES = (AttributeError, TypeError, KeyError, IndexError, ValueError, RecursionError)


def loads_event(data: str, provider: str) -> Any:
    """Decode one event's JSON object; garbled or non-object events are the vendor's fault.

    ``ValueError`` covers integers too long to convert; ``RecursionError`` absurd nesting.
    """
    try:
        body = json.loads(data)
    except (ValueError, RecursionError):
        raise ProviderError(f"{provider} sent an event that is not JSON: {data[:80]!r}",
                            provider=provider, code="E3004") from None
    if not isinstance(body, dict):
        raise ProviderError(f"{provider} sent an event that is not a JSON object "
                            f"({type(body).__name__})", provider=provider, code="E3004")
    return body


__all__ = ["RETRY_STATUSES", "ChatProvider", "ConnectionPool", "HTTPConfig", "HTTPProvider",
           "RequestSpec", "StreamBroken", "StreamDecoder", "StreamState", "EventDecoder",
           "LineDecoder", "loads_event", "shape_checked"]
