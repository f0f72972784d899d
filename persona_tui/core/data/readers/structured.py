"""JSON and JSON Lines exports (survey tools, note apps), kept as written.

The file must parse (a broken export is reported with its line and column); JSON Lines files
keep their good lines and report the bad ones. An offset's location is its line, plus — for
JSON Lines — the key path of the value it falls in, worked out on first use.
"""

from __future__ import annotations

import json
from typing import Any

from persona_tui.core.data.document import LazyLocator, LineIndex, Location
from persona_tui.core.data.readers import ReadResult
from persona_tui.core.errors import DataError


def _leaves(value: Any, path: str = ""):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}[{index}]")
    elif isinstance(value, str):
        yield path or "value", value


class JsonLinesLocator:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = LineIndex(text)

    def location(self, offset: int, line: int) -> Location:
        start = self.text.rfind("\n", 0, offset) + 1
        end = self.text.find("\n", offset)
        raw = self.text[start:end if end >= 0 else len(self.text)]
        try:
            record = json.loads(raw)
        except (json.JSONDecodeError, RecursionError):
            return Location(line=line)
        relative = offset - start
        for key, value in _leaves(record):
            encoded = json.dumps(value, ensure_ascii=False)[1:-1]
            at = raw.find(encoded)
            if at >= 0 and at <= relative <= at + len(encoded):
                return Location(line=line, column=key)
        return Location(line=line)



def read_json(text: str, name: str) -> ReadResult:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                        f"{exc.msg})", path=name, code="E2006") from None
    except RecursionError:
        raise DataError(f"{name} is nested too deeply to read", path=name, code="E2006") from None
    return ReadResult(text, None)


def read_jsonl(text: str, name: str) -> ReadResult:
    bad: list[int] = []
    good = 0
    loads = json.loads
    for number, line in enumerate(text.split("\n"), start=1):
        if not line or line.isspace():
            continue
        try:
            loads(line)
        except (json.JSONDecodeError, RecursionError):
            bad.append(number)
            continue
        good += 1
    if bad and not good:
        raise DataError(f"{name} has no valid JSON lines", path=name, code="E2006")
    warnings = []
    if bad:
        shown = ", ".join(map(str, bad[:10])) + ("…" if len(bad) > 10 else "")
        warnings.append(f"{name}: skipped {len(bad)} malformed line(s): {shown} "
                        "(their text is kept but they are not records)")
    return ReadResult(text, LazyLocator(JsonLinesLocator), warnings)
