"""The one job format: OpenAI batch JSONL, with ``custom_id`` naming study, chunk and step.

``s0003-c012-generate`` is study 3, chunk 12, the persona-generation step. The id fits every
engine's rules (Anthropic allows ``[A-Za-z0-9_-]{1,64}``) and sorts in study/chunk order.
A line's ``body`` is the Chat Completions request the interactive path would send (built by
the OpenAI provider), so vLLM's ``run_batch`` reads the file as it is and the other engines'
adapters translate its messages into their own request bodies.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from persona_tui.core.errors import ValidationError
from persona_tui.core.providers.base import Message

ENDPOINT = "/v1/chat/completions"
STEP_GENERATE = "generate"
_ID = re.compile(r"^s(\d{4,})-c(\d{3,})-([a-z][a-z0-9_]{0,30})$")


@dataclass(frozen=True, slots=True)
class RequestKey:
    study: int
    chunk: int
    step: str = STEP_GENERATE

    @property
    def custom_id(self) -> str:
        return f"s{self.study:04d}-c{self.chunk:03d}-{self.step}"

    @classmethod
    def parse(cls, custom_id: str) -> RequestKey:
        match = _ID.match(custom_id or "")
        if match is None:
            raise ValidationError(f"not one of our batch request ids: {custom_id[:80]!r}",
                                  field="custom_id",
                                  hint="Collect the results of a job this app submitted.")
        return cls(int(match[1]), int(match[2]), match[3])


def messages_digest(messages: list[Message]) -> str:
    """Identifies a prompt: collecting checks that the data still builds the same prompt."""
    payload = json.dumps([[m.role, m.content] for m in messages], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def request_line(custom_id: str, body: dict[str, Any]) -> str:
    return json.dumps({"custom_id": custom_id, "method": "POST", "url": ENDPOINT,
                       "body": body}, ensure_ascii=False, separators=(",", ":"))


def read_request_lines(text: str) -> list[dict[str, Any]]:
    """Lines of a request file we wrote; a damaged file is reported, not half-read."""
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except json.JSONDecodeError:
            raise ValidationError(f"line {number} of the batch request file is not JSON",
                                  hint="The job folder is damaged; submit the study again.",
                                  code="E2006") from None
        if not isinstance(line, dict) or not isinstance(line.get("body"), dict):
            raise ValidationError(f"line {number} of the batch request file has no body",
                                  code="E2006", hint="Submit the study again.")
        lines.append(line)
    return lines


def body_messages(body: dict[str, Any]) -> list[Message]:
    return [Message(m["role"], m["content"]) for m in body.get("messages", [])]


__all__ = ["ENDPOINT", "STEP_GENERATE", "RequestKey", "body_messages", "messages_digest",
           "read_request_lines", "request_line"]
