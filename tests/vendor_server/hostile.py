"""The vendor server's hostile mode: what an attacker (or a broken proxy) can send back.

Escape sequences that would write the clipboard (OSC 52), retitle the terminal (OSC 0), clear
it (CSI 2J) or act through 8-bit C1 controls; Rich markup that would restyle or link text;
lone surrogates; bodies of the wrong wire types; HTML error pages; numbers too big to be true.
Tests put these in error bodies, mid-stream error events, streamed text and Ollama's model
metadata, and check that nothing of them reaches a terminal and nothing crashes.
"""

from __future__ import annotations

import copy
import json

from tests.vendor_server import wire
from tests.vendor_server.server import ErrorEvent, Inject, RawBody, Status, VendorServer

CLIPBOARD = "\x1b]52;c;cm0gLXJmIH4=\x07"       # OSC 52: write "rm -rf ~" to the clipboard
TITLE = "\x1b]0;pwned\x07"                      # OSC 0: retitle the terminal
CLEAR = "\x1b[2J\x1b[H"                         # CSI: clear the screen, cursor home
C1 = "\x9b31m\x9d0;c1-title\x9c"                # 8-bit CSI and OSC
MARKUP = "[bold red]styled[/] [link=http://evil.example]click[/link]"
SURROGATE = "\ud800"

#: one string carrying every kind at once
ESCAPES = f"boom {CLIPBOARD}{TITLE}{CLEAR}{C1} {MARKUP}"
HTML_ERROR = (f"<html><head><title>500 Internal Server Error</title></head><body><h1>"
              f"{ESCAPES}</h1><p>nginx</p></body></html>").encode()

VENDORS = ("openai", "anthropic", "gemini", "ollama")


def error_faults() -> dict[str, object]:
    """Vendor error text carrying escape sequences: HTTP error body, HTML page, stream event."""
    return {
        "status-500": Status(500, ESCAPES),
        "status-400": Status(400, ESCAPES),
        "html-500": RawBody(500, HTML_ERROR),
        "html-502-plain": RawBody(502, HTML_ERROR, "text/plain"),
        "error-event": ErrorEvent(1, ESCAPES),
    }


def persona_reply(name: str = f"Ada{SURROGATE} {TITLE}Lovelace{C1}") -> str:
    """A persona reply whose every text field carries hostile text (and a lone surrogate,
    written as the JSON escape a model would send)."""
    persona = {
        "id": "ada", "name": name, "title": f"{CLIPBOARD}Engineer {MARKUP}",
        "demographics": {"age": f"{CLEAR}40", f"key{TITLE}": "v"},
        "goals": [f"goal {ESCAPES}", "plain goal"], "pain_points": [f"pain {SURROGATE}"],
        "behaviours": [f"{C1}"], "motivations": ["m"], "quotes": [f"\"{CLEAR}quote\""],
        "evidence": [{"attribute": "goals[0]", "source_id": f"p01{TITLE}",
                      "excerpt": f"excerpt {ESCAPES}"}],
    }
    return json.dumps({"personas": [persona]})  # ensure_ascii: "\ud800" travels as an escape


def openai_shapes(model: str = "gpt-4o-mini") -> dict[str, bytes]:
    """Odd wire shapes from an OpenAI-compatible server, each one SSE event."""
    def event(body: object) -> bytes:
        return f"data: {json.dumps(body)}\n\n".encode()

    base = {"id": "x", "object": "chat.completion.chunk", "model": model}
    return {
        "event-is-list": event([1, 2, 3]),
        "event-is-string": event("hello"),
        "numeric-content": event({**base, "choices": [{"index": 0, "delta": {"content": 5}}]}),
        "dict-content": event({**base, "choices": [{"delta": {"content": {"a": 1}}}]}),
        "choices-is-dict": event({**base, "choices": {"0": {"delta": {}}}}),
        "delta-is-list": event({**base, "choices": [{"delta": ["x"]}]}),
        "huge-integer": b"data: {\"usage\": {\"prompt_tokens\": " + b"9" * 5000 + b"}}\n\n",
        "deep-nesting": b"data: " + b"[" * 100_000 + b"]" * 100_000 + b"\n\n",
        "error-is-list": event({"error": [ESCAPES]}),
    }


def openai_usage_shapes(model: str = "gpt-4o-mini") -> dict[str, bytes]:
    """Usage of the wrong type or size; the reply itself is fine and completes."""
    def usage(value: object) -> bytes:
        body = {"id": "x", "object": "chat.completion.chunk", "model": model, "choices": [],
                "usage": {"prompt_tokens": value, "completion_tokens": value}}
        return f"data: {json.dumps(body)}\n\n".encode()

    return {"usage-string": usage("lots"), "usage-negative": usage(-5),
            "usage-enormous": usage(10**30), "usage-float-inf": usage(1e308 * 10),
            "usage-list": usage([1])}


def other_vendor_shapes() -> dict[tuple[str, str], bytes]:
    """A few odd shapes in the other vendors' framings."""
    return {
        ("anthropic", "event-is-list"): b"event: content_block_delta\ndata: [1]\n\n",
        ("anthropic", "delta-text-number"): wire.sse("content_block_delta", {
            "type": "content_block_delta", "index": 0, "delta": {"type": "text_delta",
                                                                 "text": 12}}),
        ("anthropic", "usage-string"): wire.sse("message_start", {
            "type": "message_start", "message": {"usage": {"input_tokens": "many"}}}),
        ("gemini", "parts-is-string"): wire.gemini_event({"candidates": [{"content": {
            "parts": "text"}}]}),
        ("gemini", "event-is-list"): b"data: [1, 2]\r\n\r\n",
        ("ollama", "line-is-list"): b"[1, 2]\n",
        ("ollama", "message-is-string"): b'{"message": "hi", "done": false}\n',
        ("ollama", "content-number"): b'{"message": {"content": 7}, "done": false}\n',
    }


def hostile_ollama_models() -> list[dict]:
    """Ollama's model list with escape sequences and markup in every shown field, and a size
    far beyond any disk."""
    models = copy.deepcopy(wire.OLLAMA_MODELS)
    first = models[0]
    first["name"] = f"evil{TITLE}:latest"
    first["model"] = first["name"]
    first["size"] = 10**40
    first["modified_at"] = f"2026{CLEAR}"
    first["details"].update(family=f"llama{CLIPBOARD}", parameter_size=f"3B{C1}",
                            quantization_level=f"Q4{MARKUP}")
    models[1]["details"] = {"family": {"nested": ESCAPES}, "parameter_size": [1],
                            "quantization_level": 5}
    return models


def inject(server: VendorServer, data: bytes, *, after: int = 1, stop: bool = True) -> None:
    server.fail_next(Inject(after, data, stop))


__all__ = ["C1", "CLEAR", "CLIPBOARD", "ESCAPES", "HTML_ERROR", "MARKUP", "SURROGATE", "TITLE",
           "VENDORS", "error_faults", "hostile_ollama_models", "inject", "openai_shapes",
           "openai_usage_shapes", "other_vendor_shapes", "persona_reply"]
