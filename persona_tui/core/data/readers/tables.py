"""CSV and TSV survey exports, as decoded cells.

The text is the table with each cell's quoting undone (a cell written with doubled quotes,
``I said ""book it now""`` inside its quotes, reads ``I said "book it now"``), cells joined by the file's delimiter, one record per
line. A quoted cell that spans lines stays one cell (its line breaks are kept, so line numbers
still match the file). Excerpts, evidence checks and the privacy audit then compare with what
the participant wrote, not with its CSV escaping.

Where each cell starts is recorded while decoding, so a row and column are exact even when a
cell holds the delimiter or a line break. A file without any quote is already its own decoded
text: it is not parsed at load time at all, and its cells are found on first use. Rows are
numbered as a spreadsheet shows them (the header is row 1, a blank line is a row).
"""

from __future__ import annotations

import csv
import io
import sys
from array import array
from bisect import bisect_right
from itertools import accumulate

from persona_tui.core.data.document import LazyLocator, Location
from persona_tui.core.data.readers import ReadResult
from persona_tui.core.errors import DataError

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def sniff_delimiter(text: str, default: str) -> str:
    first = text[:4096].split("\n", 1)[0]
    if default == "," and first.count(";") > first.count(","):
        return ";"  # European spreadsheet exports
    if default == "," and first.count("\t") > first.count(","):
        return "\t"
    return default


class TableLocator:
    """Rows and cells of a decoded table.

    ``row_starts`` holds where each record starts in the text. Cells are found by splitting a
    record at the delimiter, except in records where that would be wrong (a cell holding the
    delimiter or a line break): those keep their cell starts in ``exact``.
    """

    def __init__(self, text: str, delimiter: str, row_starts: array | None = None,
                 exact: dict[int, array] | None = None) -> None:
        self.text = text
        self.delimiter = delimiter
        if row_starts is None:  # no quotes in the file: one record per line
            row_starts = array("q", [0])
            find, pos = text.find, text.find("\n")
            while pos != -1 and pos + 1 < len(text):
                row_starts.append(pos + 1)
                pos = find("\n", pos + 1)
        self.row_starts = row_starts
        self.exact = exact or {}
        self.header = [self.text[a:b].strip() for a, b in self.cells(0)]
        #: survey-platform exports put question texts in row 2 and import ids in row 3
        self.questions: list[str] = []
        self.first_data_row = 1
        if len(self.row_starts) > 3:
            third = self.text[self.row_starts[2]:self.row_starts[2] + 12]
            if third.startswith('{"ImportId"'):
                self.questions = [self.text[a:b].strip() for a, b in self.cells(1)]
                self.first_data_row = 3

    def __len__(self) -> int:
        return len(self.row_starts)

    def row_span(self, row: int) -> tuple[int, int]:
        start = self.row_starts[row]
        end = self.row_starts[row + 1] - 1 if row + 1 < len(self.row_starts) else len(self.text)
        if end > start and self.text[end - 1:end] == "\n":
            end -= 1
        return start, max(start, end)

    def cells(self, row: int) -> list[tuple[int, int]]:
        """(start, end) of each cell of ``row`` (0 = the header)."""
        if row < 0 or row >= len(self.row_starts):
            return []
        start, end = self.row_span(row)
        starts = self.exact.get(row)
        if starts is not None:
            bounds = list(starts)
            return [(a, (bounds[i + 1] - 1) if i + 1 < len(bounds) else end)
                    for i, a in enumerate(bounds)]
        spans, position, delimiter = [], start, self.delimiter
        while True:
            cut = self.text.find(delimiter, position, end)
            if cut < 0:
                spans.append((position, end))
                return spans
            spans.append((position, cut))
            position = cut + 1

    def row_of(self, offset: int) -> int:
        return max(0, bisect_right(self.row_starts, offset) - 1)

    def cell_at(self, offset: int) -> tuple[int, int, int, int] | None:
        """(start, end, row, column index) of the cell holding ``offset``."""
        row = self.row_of(offset)
        for index, (a, b) in enumerate(self.cells(row)):
            if a <= offset <= b:
                return a, b, row, index
        return None

    def column_name(self, index: int) -> str:
        name = self.header[index] if index < len(self.header) else ""
        return name or f"column {index + 1}"

    def column_text(self, index: int) -> str:
        """The header and, for survey-platform exports, the question of a column: what a
        reader goes by to know what the column holds."""
        parts = [self.header[index] if index < len(self.header) else ""]
        if index < len(self.questions):
            parts.append(self.questions[index])
        return " / ".join(p for p in parts if p)

    def column_values(self, index: int):
        """(row, start, end) of each non-empty data cell in column ``index``."""
        for row in range(self.first_data_row, len(self.row_starts)):
            cells = self.cells(row)
            if index < len(cells):
                a, b = cells[index]
                if b > a and not self.text[a:b].isspace():
                    yield row, a, b

    def location(self, offset: int, line: int) -> Location:
        found = self.cell_at(offset)
        row = self.row_of(offset)
        column = self.column_name(found[3]) if found else None
        return Location(line=line, row=row + 1, column=column)


def _decode(text: str, delimiter: str) -> tuple[str, array, dict[int, array]]:
    """The decoded text of a quoted table, where each record starts, and exact cell starts
    for the records whose cells cannot be found by splitting at the delimiter."""
    parts: list[str] = []
    row_starts = array("q")
    exact: dict[int, array] = {}
    offset = 0
    join = delimiter.join
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter)):
        line = join(row)
        row_starts.append(offset)
        if "\n" in line or line.count(delimiter) != max(0, len(row) - 1):
            starts = array("q", accumulate(map(len, row[:-1]), lambda a, b: a + b + 1,
                                           initial=offset))
            exact[number] = starts
        parts.append(line)
        offset += len(line) + 1
    decoded = "\n".join(parts)
    if text.endswith("\n") and parts:
        decoded += "\n"
    return decoded, row_starts, exact


def read_table(text: str, name: str, *, delimiter: str = ",") -> ReadResult:
    delimiter = sniff_delimiter(text, delimiter)
    if '"' not in text:  # nothing is quoted: the text is already decoded
        return ReadResult(text, LazyLocator(lambda t: TableLocator(t, delimiter)))
    try:
        decoded, row_starts, exact = _decode(text, delimiter)
    except csv.Error as exc:
        raise DataError(f"{name} is not a readable table: {exc}", path=name,
                        code="E2006", hint="Open it in a spreadsheet and export it as CSV "
                                           "again.") from None
    return ReadResult(decoded, LazyLocator(
        lambda t: TableLocator(t, delimiter, row_starts, exact)), derived=True)


def read_tsv(text: str, name: str) -> ReadResult:
    return read_table(text, name, delimiter="\t")
