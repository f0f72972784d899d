"""JSON Schema dialects: the same schema as each vendor's structured-output mechanism takes it.

OpenAI's strict mode, Gemini's ``responseSchema`` (an OpenAPI subset) and the grammars of local
servers (llama.cpp, vLLM, LM Studio, Ollama) accept different keywords; a keyword a vendor
does not know is an HTTP 400, so each gets only what it accepts.
"""

from __future__ import annotations

import copy
from typing import Any

#: keywords OpenAI's strict mode rejects (it enforces the rest by constrained decoding)
_OPENAI_STRICT_UNSUPPORTED = ("minLength", "maxLength", "minItems", "maxItems", "minimum",
                              "maximum")
#: the OpenAPI subset Gemini's ``responseSchema`` accepts
GEMINI_KEYS = frozenset({"type", "format", "description", "nullable", "enum", "properties",
                         "required", "items", "minItems", "maxItems", "minimum", "maximum",
                         "propertyOrdering", "anyOf", "title"})


def for_vendor(schema: dict[str, Any], dialect: str) -> dict[str, Any]:
    """``schema`` as a vendor takes it.

    ``openai-strict`` (api.openai.com): no length or range keywords. ``gemini``: only the
    OpenAPI subset, string enums only, properties in order. ``full`` (llama.cpp, vLLM, LM Studio,
    Ollama, Anthropic tools): as is — local grammars use the bounds.
    """
    schema = copy.deepcopy(schema)
    if dialect == "openai-strict":
        _walk(schema, lambda node: [node.pop(k, None) for k in _OPENAI_STRICT_UNSUPPORTED])
    elif dialect == "gemini":
        _walk(schema, _gemini_node)
    return schema


def _gemini_node(node: dict[str, Any]) -> None:
    if node.get("type") == "integer" and "enum" in node:
        values = node.pop("enum")
        node["minimum"], node["maximum"] = min(values), max(values)
    elif node.get("type") == "string" and "enum" in node:
        node["format"] = "enum"
    if node.get("type") == "object" and "properties" in node:
        node["propertyOrdering"] = list(node["properties"])
    for key in [k for k in node if k not in GEMINI_KEYS]:
        node.pop(key)


def _walk(node: Any, visit) -> None:
    if isinstance(node, dict):
        visit(node)
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                for child in value.values():
                    _walk(child, visit)
            elif key in ("items", "anyOf"):
                for child in value if isinstance(value, list) else [value]:
                    _walk(child, visit)


__all__ = ["GEMINI_KEYS", "for_vendor"]
