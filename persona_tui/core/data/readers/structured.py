"""JSON and JSON Lines exports (survey tools, note apps).

A list of objects (or an object holding one) is read as records, each rendered as one line
``[record N] key: value | nested.key: value``; string, number and boolean leaves are kept,
each a span with its record number and key path.
"""

from __future__ import annotations

import json
from typing import Any

from persona_tui.core.data.document import SpanLocator
from persona_tui.core.data.readers import ReadResult
from persona_tui.core.errors import DataError


def _leaves(value: Any, path: str = ""):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}[{index}]")
    elif value is None:
        return
    else:
        text = value if isinstance(value, str) else json.dumps(value)
        text = " ".join(text.split()) if "\n" in text else text.strip()
        if text:
            yield path or "value", text


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offset = 0
        self.spans = SpanLocator()

    def record(self, label: str, number: int, value: Any, source_line: int | None) -> None:
        prefix = f"[{label} {number}] "
        self.parts.append(prefix)
        self.offset += len(prefix)
        first = True
        for key, text in _leaves(value):
            sep = f"{key}: " if first else f" | {key}: "
            first = False
            start = self.offset + len(sep)
            self.parts += (sep, text)
            self.offset = start + len(text)
            self.spans.add(start, self.offset, row=number, column=key, source_line=source_line)
        self.parts.append("\n")
        self.offset += 1

    def result(self, warnings: list[str]) -> ReadResult:
        return ReadResult("".join(self.parts), self.spans, warnings, derived=True)


def _records(data: Any) -> list[Any]:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list) and v
                 and all(isinstance(i, dict) for i in v)]
        if len(lists) == 1:
            return lists[0]
    return [data]


def read_json(text: str, name: str) -> ReadResult:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                        f"{exc.msg})", path=name, code="E2006") from None
    except RecursionError:
        raise DataError(f"{name} is nested too deeply to read", path=name, code="E2006") from None
    builder = _Builder()
    for number, record in enumerate(_records(data), start=1):
        builder.record("record", number, record, None)
    return builder.result([])


def read_jsonl(text: str, name: str) -> ReadResult:
    builder = _Builder()
    bad: list[int] = []
    for line_number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            bad.append(line_number)
            continue
        builder.record("line", line_number, record, line_number)
    if bad and not builder.parts:
        raise DataError(f"{name} has no valid JSON lines", path=name, code="E2006")
    warnings = []
    if bad:
        shown = ", ".join(map(str, bad[:10])) + ("…" if len(bad) > 10 else "")
        warnings.append(f"{name}: skipped {len(bad)} malformed line(s): {shown}")
    return builder.result(warnings)
