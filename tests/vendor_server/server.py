"""The HTTP side: routing, authentication, scripted replies and faults."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.vendor_server import batches, wire


@dataclass
class Status:
    """Answer with this HTTP status (and the vendor's error body) instead of a reply."""

    code: int
    message: str = ""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class CutStream:
    """Stream ``after`` text chunks, then stop without the vendor's final event.

    ``abrupt`` closes the socket mid-body (a dropped connection); otherwise the HTTP body ends
    cleanly but the protocol's end marker never comes.
    """

    after: int = 2
    abrupt: bool = False


@dataclass
class ErrorEvent:
    """Stream ``after`` chunks, then the vendor's mid-stream error event (``message`` replaces
    the vendor's usual words: the hostile suite puts escape sequences there)."""

    after: int = 2
    message: str | None = None


@dataclass
class RawBody:
    """Answer with this status and a raw body (an HTML error page from a proxy, say)."""

    code: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"


@dataclass
class Inject:
    """Stream ``after`` chunks, then send ``data`` raw (odd wire shapes); ``stop`` ends the
    body there, otherwise the stream carries on as usual."""

    after: int
    data: bytes
    stop: bool = True


@dataclass
class Stall:
    """Wait this long before sending anything."""

    seconds: float


Fault = Status | CutStream | ErrorEvent | Stall | RawBody | Inject


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


def tokens_of(text: str) -> list[str]:
    """Split a reply into token-sized pieces the way a model emits them (word + space)."""
    return re.findall(r"\S+\s*|\s+", text) or [""]


class VendorServer:
    """State shared by the handler threads. Tests set ``reply``/``delay`` and queue faults."""

    def __init__(self) -> None:
        self.reply = "Hello from the test server. It speaks every vendor's protocol."
        self.delay = 0.0  # seconds between chunks
        #: chunks per second, kept to a schedule (sleeps catch up after a late wake-up, so a
        #: loaded machine still gets the rate on average); overrides ``delay``
        self.rate: float | None = None
        self.tokens: list[str] | None = None  # explicit chunking, overrides reply splitting
        #: a reply per request: called with the request body, overrides ``reply``/``tokens``
        self.responder: Callable[[Any], str] | None = None
        self.prompt_tokens = 21
        self.faults: deque[Fault] = deque()
        self.requests: list[Recorded] = []
        self.lock = threading.Lock()
        self.httpd: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None
        self.ollama_models = list(wire.OLLAMA_MODELS)
        self.ollama_running = True
        self.batches = batches.BatchBook(lambda: self.reply)
        self._structured_defaults()

    def _structured_defaults(self) -> None:
        #: the ``response_format`` kinds the OpenAI-compatible endpoint takes ("json_schema",
        #: "json_object_schema" = json_object with a "schema", "json_object", "text"), and
        #: the status it answers others with (llama-cpp-python's pydantic says 422)
        self.openai_formats = {"json_schema", "json_object_schema", "json_object", "text"}
        self.openai_format_status = 400
        #: False plays a server that sends no usage in its stream (llama.cpp)
        self.openai_usage = True
        #: a tokenizer route, as servers without usage offer: None, "llama-cpp-python"
        #: (/extras/tokenize/count), "llama.cpp" (/tokenize) or "vllm" (/tokenize)
        self.tokenizer: str | None = None
        #: False plays an Ollama older than 0.5, which takes only ``format: "json"``
        self.ollama_schema_format = True

    @property
    def url(self) -> str:
        assert self.httpd is not None
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def fail_next(self, *faults: Fault) -> None:
        with self.lock:
            self.faults.extend(faults)

    def take_fault(self) -> Fault | None:
        with self.lock:
            return self.faults.popleft() if self.faults else None

    def record(self, item: Recorded) -> None:
        with self.lock:
            self.requests.append(item)

    def chunks(self, body: Any = None) -> list[str]:
        if self.responder is not None:
            return tokens_of(self.responder(body))
        return list(self.tokens) if self.tokens is not None else tokens_of(self.reply)

    def reset(self) -> None:
        with self.lock:
            self.faults.clear()
            self.requests.clear()
        self.reply = "Hello from the test server. It speaks every vendor's protocol."
        self.delay = 0.0
        self.rate = None
        self.tokens = None
        self.responder = None
        self.ollama_models = list(wire.OLLAMA_MODELS)
        self.batches.reset()
        self._structured_defaults()

    def close(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True

    def handle_error(self, request, client_address) -> None:
        import sys

        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return  # a client that cancels its stream hangs up on us: expected
        super().handle_error(request, client_address)


def start_server() -> VendorServer:
    state = VendorServer()
    handler = type("BoundHandler", (Handler,), {"state": state})
    state.httpd = _Server(("127.0.0.1", 0), handler)
    state.thread = threading.Thread(target=state.httpd.serve_forever, daemon=True,
                                    name="vendor-server")
    state.thread.start()
    return state


_GEMINI_PATH = re.compile(r"^/v1(?:beta)?/models/([^:/]+):(streamGenerateContent|generateContent)$")
_GEMINI_BATCH = re.compile(r"^/v1(?:beta)?/models/([^:/]+):batchGenerateContent$")
_GEMINI_BATCH_ID = re.compile(r"^/v1(?:beta)?/(batches/[^:/]+)(:cancel)?$")
_OPENAI_BATCH = re.compile(r"^/v1/batches/([^/]+)(/cancel)?$")
_OPENAI_FILE = re.compile(r"^/v1/files/([^/]+)/content$")
_ANTHROPIC_BATCH = re.compile(r"^/v1/messages/batches/([^/]+)(/cancel|/results)?$")
BATCH_PATHS = re.compile(r"^/v1/(files|batches|messages/batches)|^/v1(beta)?/batches/|"
                         r":batchGenerateContent$")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: VendorServer

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    # --- plumbing ----------------------------------------------------------------------------

    def _read_body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        self.raw_body = raw
        if not raw:
            return None
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw.decode("utf-8", "replace")

    def _json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)

    def _start_stream(self, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self._paced = (time.monotonic(), 0)

    def _send(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _end_stream(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _drop(self) -> None:
        self.wfile.flush()
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _pace(self) -> None:
        if self.state.rate:
            start, sent = getattr(self, "_paced", (time.monotonic(), 0))
            self._paced = (start, sent + 1)
            wait = start + (sent + 1) / self.state.rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        elif self.state.delay:
            time.sleep(self.state.delay)

    # --- dispatch ----------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        parsed = urlparse(self.path)
        body = self._read_body() if method == "POST" else None
        if parsed.path == "/_control" and method == "POST":
            self._control(body or {})
            return
        self.state.record(Recorded(method, parsed.path, parse_qs(parsed.query),
                                   {k.lower(): v for k, v in self.headers.items()}, body))
        vendor, route = self._route(method, parsed.path)
        if vendor is None:
            self._json(404, {"error": f"no route for {method} {parsed.path}"})
            return
        if not self._authorised(vendor):
            return
        generating = parsed.path in ("/api/chat", "/v1/chat/completions", "/v1/messages") or \
            bool(_GEMINI_PATH.match(parsed.path)) or bool(BATCH_PATHS.search(parsed.path))
        fault = self.state.take_fault() if generating else None  # faults hit replies only
        if isinstance(fault, Stall):
            time.sleep(fault.seconds)
            fault = None
        if isinstance(fault, Status):
            message = fault.message or f"simulated HTTP {fault.code}"
            self._json(fault.code, wire.error_body(vendor, fault.code, message), fault.headers)
            return
        if isinstance(fault, RawBody):
            self.send_response(fault.code)
            self.send_header("Content-Type", fault.content_type)
            self.send_header("Content-Length", str(len(fault.body)))
            self.end_headers()
            self.wfile.write(fault.body)
            return
        route(body or {}, parsed, fault)

    def _route(self, method: str, path: str):
        table = {
            ("GET", "/api/tags"): ("ollama", self._ollama_tags),
            ("GET", "/api/version"): ("ollama", self._ollama_version),
            ("POST", "/api/show"): ("ollama", self._ollama_show),
            ("POST", "/api/chat"): ("ollama", self._ollama_chat),
            ("POST", "/v1/chat/completions"): ("openai", self._openai_chat),
            ("GET", "/v1/models"): (None, None),  # shared by OpenAI and Anthropic: see below
            ("POST", "/v1/messages"): ("anthropic", self._anthropic_messages),
            ("GET", "/v1beta/models"): ("gemini", self._gemini_models),
            ("POST", "/extras/tokenize/count"): ("tokenizer", self._tokenize),
            ("POST", "/tokenize"): ("tokenizer", self._tokenize),
        }
        if (method, path) == ("GET", "/v1/models"):  # three vendors share this path
            sent = {k.lower() for k in self.headers}
            if "x-goog-api-key" in sent:
                return "gemini", self._gemini_models
            if "x-api-key" in sent or "anthropic-version" in sent:
                return "anthropic", self._anthropic_models
            return "openai", self._openai_models
        if method == "POST" and _GEMINI_PATH.match(path):
            return "gemini", self._gemini_generate
        batch_route = self._batch_route(method, path)
        if batch_route[0] is not None:
            return batch_route
        return table.get((method, path), (None, None))

    def _batch_route(self, method: str, path: str):
        match = _GEMINI_BATCH_ID.match(path)
        if match and "x-goog-api-key" in {k.lower() for k in self.headers} and \
                (method == "POST") == bool(match[2]):
            return "gemini", self._gemini_batch_get  # Gemini's v1 shares OpenAI's path
        if (method, path) == ("POST", "/v1/files"):
            return "openai", self._openai_upload
        if (method, path) == ("POST", "/v1/batches"):
            return "openai", self._openai_batch_create
        if method == "GET" and _OPENAI_FILE.match(path):
            return "openai", self._openai_file_content
        match = _OPENAI_BATCH.match(path)
        if match and (method == "GET") == (match[2] is None):
            return "openai", self._openai_batch_get
        if (method, path) == ("POST", "/v1/messages/batches"):
            return "anthropic", self._anthropic_batch_create
        match = _ANTHROPIC_BATCH.match(path)
        if match and (method == "POST") == (match[2] == "/cancel"):
            return "anthropic", self._anthropic_batch_get
        if method == "POST" and _GEMINI_BATCH.match(path):
            return "gemini", self._gemini_batch_create
        match = _GEMINI_BATCH_ID.match(path)
        if match and (method == "POST") == bool(match[2]):
            return "gemini", self._gemini_batch_get
        return None, None

    def _authorised(self, vendor: str) -> bool:
        headers = {k.lower(): v for k, v in self.headers.items()}
        if vendor == "openai":
            ok = headers.get("authorization") == f"Bearer {wire.OPENAI_KEY}"
            status, message = 401, "Incorrect API key provided: sk-***. You can find your " \
                                   "API key at https://platform.openai.com/account/api-keys."
        elif vendor == "anthropic":
            # the API takes the key as x-api-key or, as current SDKs send it, a Bearer token
            ok = wire.ANTHROPIC_KEY in (headers.get("x-api-key"),
                                        headers.get("authorization", "").removeprefix("Bearer "))
            if ok and not headers.get("anthropic-version"):
                self._json(400, wire.error_body(vendor, 400,
                                                "anthropic-version: header is required"))
                return False
            status, message = 401, "invalid x-api-key"
        elif vendor == "gemini":
            ok = headers.get("x-goog-api-key") == wire.GEMINI_KEY
            status, message = 400, "API key not valid. Please pass a valid API key."
        elif vendor == "tokenizer":
            return True
        else:
            if not self.state.ollama_running:
                self._drop()
                return False
            return True
        if not ok:
            self._json(status, wire.error_body(vendor, status, message))
        return ok

    # --- Ollama ------------------------------------------------------------------------------

    def _ollama_tags(self, body, parsed, fault) -> None:
        self._json(200, {"models": self.state.ollama_models})

    def _ollama_version(self, body, parsed, fault) -> None:
        self._json(200, {"version": "0.12.6"})

    def _ollama_show(self, body, parsed, fault) -> None:
        name = body.get("model") or body.get("name") or ""
        known = {m["name"]: m for m in self.state.ollama_models}
        model = known.get(name) or known.get(f"{name}:latest")
        if model is None:
            self._json(404, {"error": f"model '{name}' not found"})
            return
        family = model["details"]["family"]
        self._json(200, {
            "license": "test", "modelfile": "# test", "parameters": "stop \"<|eot_id|>\"",
            "template": "{{ .Prompt }}", "details": model["details"],
            "model_info": {"general.architecture": family, "general.parameter_count": 3212749888,
                           f"{family}.context_length": 131072,
                           f"{family}.embedding_length": 3072},
            "capabilities": ["completion"], "modified_at": model["modified_at"]})

    def _ollama_chat(self, body, parsed, fault) -> None:
        model = body.get("model", "")
        if not any(m["name"] in (model, f"{model}:latest") for m in self.state.ollama_models):
            self._json(404, {"error": f"model \"{model}\" not found, try pulling it first"})
            return
        fmt = body.get("format")
        if fmt is not None and fmt != "json" and not (
                isinstance(fmt, dict) and self.state.ollama_schema_format):
            self._json(400, {"error": "invalid format: expected \"json\" or a JSON schema"})
            return
        chunks = self.state.chunks(body)
        if body.get("stream") is False:
            self._json(200, wire.ollama_final(model, self.state.prompt_tokens, len(chunks),
                                              "".join(chunks)))
            return
        self._start_stream("application/x-ndjson")
        for index, text in enumerate(chunks):
            if self._fault_now(fault, index, "ollama"):
                return
            self._send(wire.ollama_chunk(model, text))
            self._pace()
        final = wire.ollama_final(model, self.state.prompt_tokens, len(chunks))
        self._send((wire.dumps(final) + "\n").encode())
        self._end_stream()

    # --- OpenAI ------------------------------------------------------------------------------

    def _openai_models(self, body, parsed, fault) -> None:
        self._json(200, {"object": "list", "data": [
            {"id": m, "object": "model", "created": 1715367049, "owned_by": "system"}
            for m in wire.OPENAI_MODELS]})

    def _openai_chat(self, body, parsed, fault) -> None:
        model = body.get("model", "gpt-4o-mini")
        problem = wire.openai_format_problem(body.get("response_format"),
                                             self.state.openai_formats)
        if problem:
            status = self.state.openai_format_status
            if status in (422, 500):  # a pydantic validator's words (llama-cpp-python)
                problem = f"1 validation error:\n  {problem}"
            self._json(status, wire.error_body("openai", status, problem))
            return
        chunks = self.state.chunks(body)
        prompt = self.state.prompt_tokens
        if not body.get("stream"):
            reply = wire.openai_completion(model, "".join(chunks), prompt, len(chunks))
            if not self.state.openai_usage:
                reply.pop("usage")
            self._json(200, reply)
            return
        include_usage = bool((body.get("stream_options") or {}).get("include_usage")) \
            and self.state.openai_usage
        self._start_stream("text/event-stream; charset=utf-8")
        self._send(wire.openai_chunk(model, {"role": "assistant", "content": "",
                                             "refusal": None}, usage=include_usage))
        for index, text in enumerate(chunks):
            if self._fault_now(fault, index, "openai"):
                return
            self._send(wire.openai_chunk(model, {"content": text}, usage=include_usage))
            self._pace()
        self._send(wire.openai_chunk(model, {}, "stop", usage=include_usage))
        if include_usage:
            self._send(wire.openai_usage_chunk(model, prompt, len(chunks)))
        self._send(b"data: [DONE]\n\n")
        self._end_stream()

    # --- Anthropic ---------------------------------------------------------------------------

    def _anthropic_models(self, body, parsed, fault) -> None:
        data = [{"type": "model", "id": m, "display_name": m.replace("-", " ").title(),
                 "created_at": "2025-09-29T00:00:00Z"} for m in wire.ANTHROPIC_MODELS]
        self._json(200, {"data": data, "has_more": False, "first_id": data[0]["id"],
                         "last_id": data[-1]["id"]})

    def _anthropic_messages(self, body, parsed, fault) -> None:
        model = body.get("model", "claude-sonnet-4-6")
        if "max_tokens" not in body:
            self._json(400, wire.error_body("anthropic", 400, "max_tokens: Field required"))
            return
        tool, problem = wire.anthropic_forced_tool(body)
        if problem:
            self._json(400, wire.error_body("anthropic", 400, problem))
            return
        chunks = self.state.chunks(body)
        prompt = self.state.prompt_tokens
        if not body.get("stream"):
            self._json(200, wire.anthropic_message(model, "".join(chunks), prompt, len(chunks),
                                                   tool=tool))
            return
        self._start_stream("text/event-stream; charset=utf-8")
        self._send(wire.anthropic_start(model, prompt))
        block = ({"type": "tool_use", "id": "toolu_01TestToolUse", "name": tool, "input": {}}
                 if tool else {"type": "text", "text": ""})
        self._send(wire.sse("content_block_start", {"type": "content_block_start", "index": 0,
                                                    "content_block": block}))
        self._send(b'event: ping\ndata: {"type": "ping"}\n\n')
        for index, text in enumerate(chunks):
            if self._fault_now(fault, index, "anthropic"):
                return
            delta = ({"type": "input_json_delta", "partial_json": text} if tool else
                     {"type": "text_delta", "text": text})
            self._send(wire.sse("content_block_delta", {
                "type": "content_block_delta", "index": 0, "delta": delta}))
            self._pace()
        self._send(wire.sse("content_block_stop", {"type": "content_block_stop", "index": 0}))
        self._send(wire.sse("message_delta", {
            "type": "message_delta",
            "delta": {"stop_reason": "tool_use" if tool else "end_turn", "stop_sequence": None},
            "usage": {"output_tokens": len(chunks)}}))
        self._send(wire.sse("message_stop", {"type": "message_stop"}))
        self._end_stream()

    # --- Gemini ------------------------------------------------------------------------------

    def _gemini_models(self, body, parsed, fault) -> None:
        self._json(200, {"models": [
            {"name": f"models/{m}", "version": "001", "displayName": m.replace("-", " ").title(),
             "description": "test model", "inputTokenLimit": 1048576, "outputTokenLimit": 65536,
             "supportedGenerationMethods": ["generateContent", "countTokens"],
             "temperature": 1.0, "topP": 0.95, "topK": 64, "maxTemperature": 2.0}
            for m in wire.GEMINI_MODELS]})

    def _gemini_generate(self, body, parsed, fault) -> None:
        model, method = _GEMINI_PATH.match(parsed.path).groups()
        problem = wire.gemini_schema_problem(body.get("generationConfig") or {})
        if problem:
            self._json(400, wire.error_body("gemini", 400, problem))
            return
        chunks = self.state.chunks(body)
        prompt = self.state.prompt_tokens
        if method == "generateContent":
            self._json(200, wire.gemini_body(model, "".join(chunks), prompt, len(chunks), "STOP"))
            return
        if parse_qs(parsed.query).get("alt") != ["sse"]:
            # without alt=sse Gemini streams a JSON array; we only serve what we speak
            self._json(400, wire.error_body("gemini", 400, "this test server needs alt=sse"))
            return
        self._start_stream("text/event-stream")
        for index, text in enumerate(chunks):
            if self._fault_now(fault, index, "gemini"):
                return
            last = index == len(chunks) - 1
            self._send(wire.gemini_event(wire.gemini_body(model, text, prompt, index + 1,
                                                          "STOP" if last else None)))
            self._pace()
        self._end_stream()

    # --- batch engines (see batches.py) ------------------------------------------------------

    def _batch(self, vendor: str, batch_id: str):
        book = self.state.batches
        batch = book.batches.get(batch_id)
        if batch is None or batch.vendor != vendor:
            self._json(404, wire.error_body(vendor, 404, f"No batch found with id '{batch_id}'"))
            return None
        return book.settle(batch)

    def _openai_upload(self, body, parsed, fault) -> None:
        fields, files = batches.parse_multipart(self.headers.get("Content-Type", ""),
                                                self.raw_body)
        if "file" not in files or fields.get("purpose") != "batch":
            self._json(400, wire.error_body("openai", 400, "a file and purpose=batch are "
                                                           "required"))
            return
        name, data = files["file"]
        file_id = f"file-{__import__('secrets').token_hex(12)}"
        self.state.batches.files[file_id] = data
        self._json(200, batches.file_object(file_id, len(data), name, "batch"))

    def _openai_batch_create(self, body, parsed, fault) -> None:
        book = self.state.batches
        data = book.files.get(body.get("input_file_id", ""))
        if data is None or body.get("endpoint") != "/v1/chat/completions" or \
                body.get("completion_window") != "24h":
            self._json(400, wire.error_body("openai", 400, "invalid input_file_id, endpoint "
                                                           "or completion_window"))
            return
        lines = [json.loads(line) for line in data.decode().splitlines() if line.strip()]
        requests = [(line["custom_id"], line["body"]) for line in lines]
        model = lines[0]["body"].get("model", "") if lines else ""
        batch = book.create("openai", model, requests, input_file_id=body["input_file_id"],
                            metadata=body.get("metadata") or {})
        self._json(200, {**batches.openai_batch(batch, book), "status": "validating"})

    def _openai_batch_get(self, body, parsed, fault) -> None:
        match = _OPENAI_BATCH.match(parsed.path)
        batch = self._batch("openai", match[1])
        if batch is None:
            return
        book = self.state.batches
        if match[2]:
            book.cancel(batch)
        batches.openai_files(batch, book, self.state.prompt_tokens)
        self._json(200, batches.openai_batch(batch, book))

    def _openai_file_content(self, body, parsed, fault) -> None:
        data = self.state.batches.files.get(_OPENAI_FILE.match(parsed.path)[1])
        if data is None:
            self._json(404, wire.error_body("openai", 404, "No such File object"))
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _anthropic_batch_create(self, body, parsed, fault) -> None:
        items = body.get("requests")
        if not isinstance(items, list) or not items or any(
                "custom_id" not in i or "max_tokens" not in (i.get("params") or {})
                for i in items):
            self._json(400, wire.error_body("anthropic", 400,
                                            "requests: each needs custom_id and params with "
                                            "max_tokens"))
            return
        book = self.state.batches
        batch = book.create("anthropic", items[0]["params"].get("model", ""),
                            [(i["custom_id"], i["params"]) for i in items])
        self._json(200, batches.anthropic_batch(batch, book, self.state.url))

    def _anthropic_batch_get(self, body, parsed, fault) -> None:
        match = _ANTHROPIC_BATCH.match(parsed.path)
        batch = self._batch("anthropic", match[1])
        if batch is None:
            return
        book = self.state.batches
        if match[2] == "/cancel":
            book.cancel(batch)
        if match[2] == "/results":
            if batch.ended is None:
                self._json(400, wire.error_body("anthropic", 400, "batch is still processing"))
                return
            data = batches.anthropic_results(batch, book, self.state.prompt_tokens)
            self.send_response(200)
            self.send_header("Content-Type", "application/binary")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self._json(200, batches.anthropic_batch(batch, book, self.state.url))

    def _gemini_batch_create(self, body, parsed, fault) -> None:
        model = _GEMINI_BATCH.match(parsed.path)[1]
        batch_body = body.get("batch") or {}
        items = ((batch_body.get("inputConfig") or {}).get("requests") or {}).get("requests")
        if not isinstance(items, list) or not items:
            self._json(400, wire.error_body("gemini", 400, "batch.inputConfig is required"))
            return
        book = self.state.batches
        requests = [((i.get("metadata") or {}).get("key") or str(n), i.get("request") or {})
                    for n, i in enumerate(items)]
        batch = book.create("gemini", model, requests,
                            display_name=batch_body.get("displayName", ""))
        operation = batches.gemini_operation(batch, book, self.state.prompt_tokens)
        operation["metadata"]["state"] = "BATCH_STATE_PENDING"
        self._json(200, operation)

    def _gemini_batch_get(self, body, parsed, fault) -> None:
        match = _GEMINI_BATCH_ID.match(parsed.path)
        batch = self._batch("gemini", match[1])
        if batch is None:
            return
        book = self.state.batches
        if match[2]:
            book.cancel(batch)
            self._json(200, {})
            return
        data = batches.gemini_bytes(batches.gemini_operation(batch, book,
                                                             self.state.prompt_tokens), book)
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    # --- tokenizers of servers that send no usage -------------------------------------------

    def _tokenize(self, body, parsed, fault) -> None:
        kind = self.state.tokenizer
        path = parsed.path
        text = body.get("input") if path.startswith("/extras") else \
            body.get("content", body.get("prompt"))
        if kind is None or not isinstance(text, str) or (
                path.startswith("/extras") != (kind == "llama-cpp-python")):
            self._json(404, {"detail": "Not Found"})
            return
        count = len(tokens_of(text)) if text else 0
        if kind == "llama-cpp-python":
            self._json(200, {"count": count})
        elif kind == "vllm":
            self._json(200, {"count": count, "max_model_len": 8192,
                             "tokens": list(range(count))})
        else:
            self._json(200, {"tokens": list(range(count))})

    # --- remote control (benchmarks run the server in its own process) -----------------------

    def _control(self, body: dict[str, Any]) -> None:
        state = self.state
        if "reply" in body:
            state.reply = body["reply"]
        if "token_count" in body:
            count = body["token_count"]
            state.tokens = None if count is None else [f"tok{i} " for i in range(count)]
        if "delay" in body:
            state.delay = float(body["delay"])
        if "rate" in body:
            state.rate = None if body["rate"] is None else float(body["rate"])
        if "chunk_chars" in body:
            size = body["chunk_chars"]
            text = state.reply
            state.tokens = None if not size else [text[i:i + size]
                                                  for i in range(0, len(text), size)]
        if "batch_processing_s" in body:
            state.batches.processing_s = float(body["batch_processing_s"])
        for seconds in body.get("stalls", []):
            state.fail_next(Stall(float(seconds)))
        self._json(200, {"ok": True})

    # --- faults ------------------------------------------------------------------------------

    def _fault_now(self, fault: Fault | None, index: int, vendor: str) -> bool:
        if isinstance(fault, CutStream) and index == fault.after:
            if fault.abrupt:
                self._drop()
            else:
                self._end_stream()
            return True
        if isinstance(fault, ErrorEvent) and index == fault.after:
            self._send(wire.stream_error_event(vendor, fault.message))
            self._end_stream()
            return True
        if isinstance(fault, Inject) and index == fault.after:
            self._send(fault.data)
            if fault.stop:
                self._end_stream()
            return fault.stop
        return False
