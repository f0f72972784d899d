"""The four vendors' reply formats, byte for byte as their API references show them."""

from __future__ import annotations

import json
import time
from typing import Any

OPENAI_KEY = "sk-test-openai-0123456789"
ANTHROPIC_KEY = "sk-ant-test-0123456789"
GEMINI_KEY = "gemini-test-key-0123456789"

OLLAMA_MODELS = [
    {"name": "llama3.2:latest", "model": "llama3.2:latest", "modified_at": "2026-10-01T10:00:00Z",
     "size": 2019393189, "digest": "a80c4f17acd5",
     "details": {"parent_model": "", "format": "gguf", "family": "llama", "families": ["llama"],
                 "parameter_size": "3.2B", "quantization_level": "Q4_K_M"}},
    {"name": "qwen2.5:7b", "model": "qwen2.5:7b", "modified_at": "2026-09-12T08:30:00Z",
     "size": 4683087332, "digest": "845dbda0ea48",
     "details": {"parent_model": "", "format": "gguf", "family": "qwen2", "families": ["qwen2"],
                 "parameter_size": "7.6B", "quantization_level": "Q4_K_M"}},
]
OPENAI_MODELS = ["gpt-4o-mini", "gpt-4o", "gpt-4.1-mini"]
ANTHROPIC_MODELS = ["claude-sonnet-4-6", "claude-haiku-4-5"]
GEMINI_MODELS = ["gemini-2.5-flash", "gemini-2.5-pro"]


def dumps(body: Any) -> str:
    return json.dumps(body, separators=(",", ":"))


# --- errors, in each vendor's own shape ------------------------------------------------------

_OPENAI_TYPES = {400: "invalid_request_error", 401: "invalid_request_error",
                 404: "invalid_request_error", 429: "rate_limit_exceeded", 500: "server_error",
                 503: "server_error"}
_ANTHROPIC_TYPES = {400: "invalid_request_error", 401: "authentication_error",
                    403: "permission_error", 404: "not_found_error", 429: "rate_limit_error",
                    500: "api_error", 529: "overloaded_error"}
_GEMINI_STATUS = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                  429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}


def error_body(vendor: str, status: int, message: str) -> dict[str, Any]:
    if vendor == "openai":
        code = "invalid_api_key" if status == 401 else None
        return {"error": {"message": message, "type": _OPENAI_TYPES.get(status, "api_error"),
                          "param": None, "code": code}}
    if vendor == "anthropic":
        return {"type": "error", "error": {"type": _ANTHROPIC_TYPES.get(status, "api_error"),
                                           "message": message},
                "request_id": "req_011CTestRequest"}
    if vendor == "gemini":
        body: dict[str, Any] = {"error": {"code": status, "message": message,
                                          "status": _GEMINI_STATUS.get(status, "UNKNOWN")}}
        if status == 400 and "API key" in message:
            body["error"]["details"] = [{
                "@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": "generativelanguage.googleapis.com"}}]
        return body
    return {"error": message}


def stream_error_event(vendor: str, message: str | None = None) -> bytes:
    """What each vendor sends when it fails after the stream started."""
    if message is not None:
        if vendor == "anthropic":
            return sse("error", {"type": "error", "error": {"type": "overloaded_error",
                                                           "message": message}})
        if vendor == "ollama":
            return (dumps({"error": message}) + "\n").encode()
        return f"data: {dumps({'error': {'message': message, 'code': 503}})}\n\n".encode()
    if vendor == "anthropic":
        return (b'event: error\ndata: {"type":"error","error":{"type":"overloaded_error",'
                b'"message":"Overloaded"}}\n\n')
    if vendor == "openai":
        return (b'data: {"error":{"message":"The server had an error while processing your '
                b'request.","type":"server_error","param":null,"code":null}}\n\n')
    if vendor == "gemini":
        return (b'data: {"error":{"code":503,"message":"The model is overloaded. Please try '
                b'again later.","status":"UNAVAILABLE"}}\r\n\r\n')
    return b'{"error":"an error was encountered while running the model"}\n'


# --- Ollama ----------------------------------------------------------------------------------

def ollama_chunk(model: str, text: str) -> bytes:
    return (dumps({"model": model, "created_at": "2026-11-25T10:00:00.000000Z",
                   "message": {"role": "assistant", "content": text}, "done": False})
            + "\n").encode()


def ollama_final(model: str, prompt_tokens: int, output_tokens: int, content: str = ""
                 ) -> dict[str, Any]:
    return {"model": model, "created_at": "2026-11-25T10:00:01.000000Z",
            "message": {"role": "assistant", "content": content}, "done_reason": "stop",
            "done": True, "total_duration": 4883583458, "load_duration": 1334875,
            "prompt_eval_count": prompt_tokens, "prompt_eval_duration": 342546000,
            "eval_count": output_tokens, "eval_duration": 4535599000}


# --- OpenAI ----------------------------------------------------------------------------------

def _openai_base(model: str) -> dict[str, Any]:
    return {"id": "chatcmpl-TEST0123456789", "object": "chat.completion.chunk",
            "created": int(time.time()), "model": model, "service_tier": "default",
            "system_fingerprint": "fp_test0001"}


def openai_chunk(model: str, delta: dict[str, Any], finish: str | None = None,
                 usage: bool = True) -> bytes:
    body = {**_openai_base(model), "choices": [{"index": 0, "delta": delta, "logprobs": None,
                                                "finish_reason": finish}]}
    if usage:
        body["usage"] = None
    return f"data: {dumps(body)}\n\n".encode()


def openai_usage_chunk(model: str, prompt: int, completion: int) -> bytes:
    body = {**_openai_base(model), "choices": [],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                      "total_tokens": prompt + completion,
                      "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                      "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                                    "accepted_prediction_tokens": 0,
                                                    "rejected_prediction_tokens": 0}}}
    return f"data: {dumps(body)}\n\n".encode()


def openai_completion(model: str, text: str, prompt: int, completion: int) -> dict[str, Any]:
    return {"id": "chatcmpl-TEST0123456789", "object": "chat.completion",
            "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text,
                                                 "refusal": None, "annotations": []},
                         "logprobs": None, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                      "total_tokens": prompt + completion},
            "service_tier": "default", "system_fingerprint": "fp_test0001"}


# --- Anthropic -------------------------------------------------------------------------------

def sse(event: str, body: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {dumps(body)}\n\n".encode()


def anthropic_start(model: str, prompt: int) -> bytes:
    return sse("message_start", {"type": "message_start", "message": {
        "id": "msg_01TestMessage", "type": "message", "role": "assistant", "content": [],
        "model": model, "stop_reason": None, "stop_sequence": None,
        "usage": {"input_tokens": prompt, "cache_creation_input_tokens": 0,
                  "cache_read_input_tokens": 0, "output_tokens": 1}}})


def anthropic_message(model: str, text: str, prompt: int, completion: int,
                      tool: str | None = None) -> dict[str, Any]:
    content: dict[str, Any] = {"type": "text", "text": text}
    if tool:
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            value = {}
        content = {"type": "tool_use", "id": "toolu_01TestToolUse", "name": tool,
                   "input": value}
    return {"id": "msg_01TestMessage", "type": "message", "role": "assistant", "model": model,
            "content": [content], "stop_reason": "tool_use" if tool else "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": prompt, "cache_creation_input_tokens": 0,
                      "cache_read_input_tokens": 0, "output_tokens": completion}}


# --- Gemini ----------------------------------------------------------------------------------

def gemini_body(model: str, text: str, prompt: int, completion: int,
                finish: str | None) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"parts": [{"text": text}], "role": "model"},
                                 "index": 0}
    if finish:
        candidate["finishReason"] = finish
    return {"candidates": [candidate],
            "usageMetadata": {"promptTokenCount": prompt, "candidatesTokenCount": completion,
                              "totalTokenCount": prompt + completion,
                              "promptTokensDetails": [{"modality": "TEXT",
                                                       "tokenCount": prompt}]},
            "modelVersion": model, "responseId": "test-response-0001"}


def gemini_event(body: dict[str, Any]) -> bytes:
    return f"data: {dumps(body)}\r\n\r\n".encode()


# --- structured output: the request fields each vendor takes ----------------------------------

def openai_format_problem(response_format: Any, accepted: set[str]) -> str | None:
    """Why a server with these ``accepted`` kinds refuses ``response_format`` (None: it takes
    it). Strict json_schema follows OpenAI's rules: every object closed, every key required."""
    if response_format is None:
        return None
    if not isinstance(response_format, dict):
        return "response_format: Input should be an object"
    kind = response_format.get("type")
    if kind == "json_object" and "schema" in response_format:
        kind = "json_object_schema"
    if kind not in accepted:
        return f"response_format.type: Input should be one of {sorted(accepted)} (got {kind!r})"
    if kind == "json_schema":
        spec = response_format.get("json_schema")
        if not isinstance(spec, dict) or not spec.get("name") or \
                not isinstance(spec.get("schema"), dict):
            return "response_format.json_schema: 'name' and 'schema' are required"
        if spec.get("strict"):
            return _strict_problem(spec["schema"], "schema")
    return None


def _strict_problem(node: Any, where: str) -> str | None:
    if not isinstance(node, dict):
        return None
    if node.get("type") == "object":
        properties = node.get("properties") or {}
        if node.get("additionalProperties") is not False:
            return f"Invalid schema: {where}: 'additionalProperties' must be false"
        if sorted(node.get("required") or []) != sorted(properties):
            return f"Invalid schema: {where}: 'required' must list every property"
        for key, child in properties.items():
            problem = _strict_problem(child, f"{where}.{key}")
            if problem:
                return problem
    if "items" in node:
        return _strict_problem(node["items"], f"{where}.items")
    return None


GEMINI_SCHEMA_KEYS = {"type", "format", "description", "nullable", "enum", "properties",
                      "required", "items", "minItems", "maxItems", "minimum", "maximum",
                      "propertyOrdering", "anyOf", "title"}


def gemini_schema_problem(config: dict[str, Any]) -> str | None:
    schema = config.get("responseSchema")
    if schema is None:
        return None
    if config.get("responseMimeType") != "application/json":
        return "responseSchema needs responseMimeType application/json"
    return _gemini_node_problem(schema, "response_schema")


def _gemini_node_problem(node: Any, where: str) -> str | None:
    if not isinstance(node, dict):
        return f"Invalid JSON payload received. {where} must be an object."
    for key in node:
        if key not in GEMINI_SCHEMA_KEYS:
            return f"Invalid JSON payload received. Unknown name \"{key}\" at '{where}'."
    if "enum" in node and node.get("type") != "string":
        return f"Invalid JSON payload received. {where}.enum: only for STRING."
    for key, child in (node.get("properties") or {}).items():
        problem = _gemini_node_problem(child, f"{where}.properties[{key}]")
        if problem:
            return problem
    if "items" in node:
        return _gemini_node_problem(node["items"], f"{where}.items")
    return None


def anthropic_forced_tool(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """(the tool a request forces, why the request is refused)."""
    choice = body.get("tool_choice")
    tools = body.get("tools") or []
    if not choice:
        return None, None
    if choice.get("type") != "tool":
        return None, None
    named = [t for t in tools if isinstance(t, dict) and t.get("name") == choice.get("name")]
    if not named:
        return None, f"tool_choice.name: no tool named {choice.get('name')!r}"
    schema = named[0].get("input_schema")
    if not isinstance(schema, dict) or schema.get("type") != "object":
        return None, "tools.0.input_schema.type: Input should be 'object'"
    return named[0]["name"], None
