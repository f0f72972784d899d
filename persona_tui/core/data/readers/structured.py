"""JSON and JSON Lines exports (survey tools, diary apps, note apps), as decoded values.

The file must parse (a broken export is reported with its line and column); JSON Lines files
keep their good lines and report the bad ones (whose text is kept as written). The document
text is one ``key: value`` line per value with every JSON escape undone (``caf\\u00e9`` reads
``café``, ``\\"tab\\"`` reads ``"tab"``, a ``\\n`` is a line break inside the value), and a blank
line between records (the elements of the main list, or the lines of a JSON Lines file), so
evidence, excerpts and the audit compare with what people wrote.

Each value keeps its location: the key path (``entries[0].name``) as the column and the line
of the file it came from.
"""

from __future__ import annotations

import json
import re
from array import array
from itertools import accumulate, chain, cycle
from operator import add
from bisect import bisect_right
from typing import Any

from persona_tui.core.data.document import Location
from persona_tui.core.data.readers import ReadResult
from persona_tui.core.errors import DataError


class ValueLocator:
    """Where each decoded value sits in the text, and where it came from in the file.

    Per value: where its ``key: `` line starts, where the value ends, and which (path, key)
    it has (an index into a shared table, so a million JSON Lines records share a few
    strings); per record: its first value and its line in the file.
    """

    def __init__(self) -> None:
        self.entry_starts = array("q")
        self.value_ends = array("q")
        self.label_ids = array("q")
        self.labels: list[tuple[str, str]] = []  # (full key path, last key)
        self._label_index: dict[tuple[str, str], int] = {}
        self.record_first = array("q")
        self.record_lines = array("q")
        self.value_lines: dict[int, int] = {}  # value -> file line, where not its record's

    def label(self, path: str, key: str) -> int:
        pair = (path, key)
        found = self._label_index.get(pair)
        if found is None:
            found = self._label_index[pair] = len(self.labels)
            self.labels.append(pair)
        return found

    def __len__(self) -> int:
        return len(self.entry_starts)

    def _index(self, offset: int) -> int | None:
        i = bisect_right(self.entry_starts, offset) - 1
        if i >= 0 and offset <= self.value_ends[i]:
            return i
        return None

    def _record(self, i: int) -> int:
        return bisect_right(self.record_first, i) - 1

    def _start(self, i: int) -> int:
        return self.entry_starts[i] + len(self.labels[self.label_ids[i]][1]) + 2

    def value_at(self, offset: int) -> tuple[int, int, str, int] | None:
        """(start, end, key path, record) of the value holding ``offset``."""
        i = self._index(offset)
        if i is None:
            return None
        return (self._start(i), self.value_ends[i], self.labels[self.label_ids[i]][0],
                self._record(i))

    def values(self):
        """(record, key, start, end) of every value, in order."""
        record, firsts = -1, self.record_first
        for i in range(len(self.entry_starts)):
            while record + 1 < len(firsts) and firsts[record + 1] <= i:
                record += 1
            yield record, self.labels[self.label_ids[i]][1], self._start(i), self.value_ends[i]

    @property
    def speakers(self) -> list[str]:
        return []

    def location(self, offset: int, line: int) -> Location:
        i = self._index(offset)
        if i is None:
            return Location(line=line)
        record = self._record(i)
        file_line = self.value_lines.get(i, self.record_lines[record] if record >= 0 else line)
        return Location(line=file_line, column=self.labels[self.label_ids[i]][0])


def _scalar(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def _leaves(value: Any, path: str = "", key: str = ""):
    """(path, key, text) of each scalar, in file order."""
    if isinstance(value, dict):
        for name, item in value.items():
            name = str(name)
            yield from _leaves(item, f"{path}.{name}" if path else name, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}[{index}]", key)
    else:
        text = _scalar(value)
        if text is not None:
            yield path or "value", key or "value", text


class _Writer:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offset = 0
        self.spans = ValueLocator()
        self.records = 0

    def start_record(self, line: int) -> None:
        if self.parts:
            self.parts.append("\n")
            self.offset += 1
        self.spans.record_first.append(len(self.spans.entry_starts))
        self.spans.record_lines.append(line)
        self.records += 1

    def value(self, label: int, key: str, text: str) -> None:
        entry = self.offset
        self.parts.append(f"{key}: {text}\n")
        self.offset = entry + len(key) + 3 + len(text)
        self.spans.entry_starts.append(entry)
        self.spans.value_ends.append(self.offset - 1)
        self.spans.label_ids.append(label)

    def raw(self, text: str) -> None:
        self.parts.append(text)
        self.parts.append("\n")
        self.offset += len(text) + 1


def _record_of(path: str) -> str:
    """The record a value belongs to: its path up to the first list index."""
    cut = path.find("]")
    return path[:cut + 1] if cut >= 0 else ""


def read_json(text: str, name: str) -> ReadResult:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                        f"{exc.msg})", path=name, code="E2006") from None
    except RecursionError:
        raise DataError(f"{name} is nested too deeply to read", path=name, code="E2006") from None
    writer = _Writer()
    spans = writer.spans
    cursor, line, current = 0, 1, None
    find, count = text.find, text.count
    for path, key, value in _leaves(data):
        # the key as written in the file, searched from the previous one: values come in file
        # order, so this finds each value's line in one pass over the text
        if not path.endswith("]"):
            for encoded in (json.dumps(key, ensure_ascii=False), json.dumps(key)):
                at = find(encoded, cursor)
                if at >= 0:
                    line += count("\n", cursor, at)
                    cursor = at + len(encoded)
                    break
        record = _record_of(path)
        if record != current:
            writer.start_record(line)
            current = record
        spans.value_lines[len(spans.entry_starts)] = line
        writer.value(spans.label(path, key), key, value)
    return ReadResult("".join(writer.parts), spans, derived=True)


def _bulk(lines: list[str]) -> list | None:
    """All lines parsed in one call (three times faster than one call per line), or None
    when that cannot be trusted to give one record per line."""
    if not {line[0] + line[-1] for line in lines} <= {"{}", "[]"}:
        return None
    try:
        records = json.loads("[" + ",".join(lines) + "]")
    except (json.JSONDecodeError, RecursionError):
        return None
    return records if len(records) == len(lines) else None


def _uniform(records: list, numbers: list[int]) -> ReadResult | None:
    """The usual export, every record a dict of strings with the same keys in the same
    order, written in a few C-level passes over all values (prefixes and values interleaved
    and joined, offsets summed) rather than value by value; None for anything else."""
    if not records or type(records[0]) is not dict or not records[0]:
        return None
    keys = list(records[0])
    width = len(keys)
    # same keys in the same order: every record as long as the first, and all their keys in
    # a row are the first's repeated (no tuple per record)
    if set(map(type, records)) != {dict} or set(map(len, records)) != {width} or \
            list(chain.from_iterable(records)) != keys * len(records):
        return None
    values = list(chain.from_iterable(map(dict.values, records)))
    if set(map(type, values)) != {str}:
        return None
    # "key: value\n" per value, a blank line between records
    heads = [f"{key}: " for key in keys]
    rest = [f"\n{head}" for head in heads[1:]]
    parts = [f"\n\n{heads[0]}", *rest] * len(records)
    parts[0] = heads[0]
    pieces: list[str] = [""] * (2 * len(values))
    pieces[0::2] = parts
    pieces[1::2] = values
    text = "".join(pieces) + "\n"
    del parts, pieces
    spans = ValueLocator()
    labels = [spans.label(key, key) for key in keys]
    # per value its "key: value" (the line less its break); each line break, and one more
    # after each record's last value, comes before the next value
    bare = list(map(add, map(len, values), cycle([len(key) + 2 for key in keys])))
    steps = cycle([1] * (width - 1) + [2])
    entry_starts = array("q", accumulate(map(add, bare, steps), initial=0))
    entry_starts.pop()
    spans.entry_starts = entry_starts
    spans.value_ends = array("q", map(add, entry_starts, bare))
    spans.label_ids = array("q", labels * len(records))
    spans.record_first = array("q", range(0, len(values), width))
    spans.record_lines = array("q", numbers)
    return ReadResult(text, spans, derived=True)


#: a line break not between "}" or "]" and "{" or "[" (a literal first: a fast scan)
_LOOSE_BREAK = re.compile(r"\n(?:(?<![}\]]\n)|(?![{\[]))")


def _clean(text: str) -> list | None:
    """The records of a JSON Lines text whose every line is one object or array with nothing
    around it (the usual export), parsed in one call with no list of lines; None otherwise.
    What it returns is what :func:`_bulk` returns for the same lines."""
    body = text[:-1] if text.endswith("\n") else text
    if not body or body[0] not in "{[" or body[-1] not in "}]" or \
            _LOOSE_BREAK.search(body):
        return None
    try:
        records = json.loads("[" + body.replace("\n", ",") + "]")
    except (json.JSONDecodeError, RecursionError):
        return None
    return records if len(records) == body.count("\n") + 1 else None


def read_jsonl(text: str, name: str) -> ReadResult:
    bad: list[int] = []
    records = _clean(text)
    if records is not None:
        numbers, lines = list(range(1, len(records) + 1)), []
    else:
        stripped = [line.strip() for line in text.split("\n")]
        numbers = [number for number, line in enumerate(stripped, start=1) if line]
        lines = [line for line in stripped if line]
        records = _bulk(lines)
    if records is not None:
        uniform = _uniform(records, numbers)
        if uniform is not None:
            return uniform
    writer = _Writer()
    label = writer.spans.label
    flat: dict[str, int] = {}  # key -> label, for the usual flat records of strings
    loads = json.loads
    for index, number in enumerate(numbers):
        if records is not None:
            record = records[index]
        else:
            try:
                record = loads(lines[index])
            except (json.JSONDecodeError, RecursionError):
                bad.append(number)
                writer.start_record(number)
                writer.raw(lines[index])
                continue
        writer.start_record(number)
        if type(record) is dict and all(type(v) is str for v in record.values()):
            for key, value in record.items():
                found = flat.get(key)
                if found is None:
                    found = flat[key] = label(key, key)
                writer.value(found, key, value)
            continue
        for path, key, value in _leaves(record):
            writer.value(label(path, key), key, value)
    good = len(numbers) - len(bad)
    if bad and not good:
        raise DataError(f"{name} has no valid JSON lines", path=name, code="E2006")
    warnings = []
    if bad:
        shown = ", ".join(map(str, bad[:10])) + ("…" if len(bad) > 10 else "")
        warnings.append(f"{name}: skipped {len(bad)} malformed line(s): {shown} "
                        "(their text is kept but they are not records)")
    return ReadResult("".join(writer.parts), writer.spans, warnings, derived=True)
