"""CSV and TSV survey exports.

Each row becomes one line, ``[row N] column: value | column: value``, with empty cells left
out; N is the row number a spreadsheet shows (the header is row 1). Every cell is a span
carrying its row and column, so evidence and findings point at the exact answer.
"""

from __future__ import annotations

import csv
import io
import sys

from persona_tui.core.data.document import SpanLocator
from persona_tui.core.data.readers import ReadResult
from persona_tui.core.errors import DataError

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def _delimiter(text: str, default: str) -> str:
    first = text.split("\n", 1)[0]
    if default == "," and first.count(";") > first.count(",") and first.count(";") >= 1:
        return ";"  # European spreadsheet exports
    if default == "," and first.count("\t") > first.count(",") and first.count("\t") >= 1:
        return "\t"
    return default


def read_table(text: str, name: str, *, delimiter: str = ",") -> ReadResult:
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text, delimiter))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise DataError(f"{name} is not a readable table: {exc}", path=name,
                        code="E2006") from None
    if header is None:
        return ReadResult("", None, [f"{name} is empty"], derived=True)
    columns = [h.strip() or f"column {i + 1}" for i, h in enumerate(header)]
    spans = SpanLocator()
    parts: list[str] = []
    offset = 0
    warnings: list[str] = []
    add = spans.add
    try:
        for row_number, row in enumerate(reader, start=2):
            if not row or not any(cell.strip() for cell in row):
                continue
            while len(columns) < len(row):
                columns.append(f"column {len(columns) + 1}")
            prefix = f"[row {row_number}] "
            offset += len(prefix)
            parts.append(prefix)
            first = True
            for column, cell in zip(columns, row):
                cell = cell.strip()
                if not cell:
                    continue
                if "\n" in cell:
                    cell = cell.replace("\n", " ")
                label = f"{column}: " if first else f" | {column}: "
                first = False
                start = offset + len(label)
                parts.append(label)
                parts.append(cell)
                offset = start + len(cell)
                add(start, offset, row=row_number, column=column, source_line=row_number)
            parts.append("\n")
            offset += 1
    except csv.Error as exc:
        warnings.append(f"{name}: stopped reading at a malformed row ({exc}); "
                        "earlier rows were kept")
    return ReadResult("".join(parts), spans, warnings, derived=True)


def read_tsv(text: str, name: str) -> ReadResult:
    return read_table(text, name, delimiter="\t")
