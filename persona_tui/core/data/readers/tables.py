"""CSV and TSV survey exports, kept as written.

The text is the file's own text: models read CSV well, it is the most compact form for a
prompt, and excerpts match it verbatim. Row and column of an offset are worked out on first
use: a CSV pass records where each record ends (a quoted cell may span lines), then only the
record being asked about is split into cells. Rows are numbered as a spreadsheet shows them
(the header is row 1).
"""

from __future__ import annotations

import csv
import io
import sys
from bisect import bisect_left

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


def split_cells(record: str, delimiter: str) -> list[tuple[int, int]]:
    """(start, end) of each cell's content in one raw record, quotes excluded."""
    cells: list[tuple[int, int]] = []
    i, n = 0, len(record)
    while i <= n:
        if i < n and record[i] == '"':
            j = i + 1
            while j < n:
                if record[j] == '"':
                    if j + 1 < n and record[j + 1] == '"':
                        j += 2
                        continue
                    break
                j += 1
            cells.append((i + 1, j))
            k = record.find(delimiter, j)
            i = (k if k >= 0 else n) + 1
        else:
            k = record.find(delimiter, i)
            k = k if k >= 0 else n
            cells.append((i, k))
            i = k + 1
    return cells


class CsvLocator:
    def __init__(self, text: str, delimiter: str) -> None:
        self.text = text
        self.delimiter = delimiter
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        self.record_last_line: list[int] = []  # last physical line of each record
        self.header: list[str] = []
        try:
            for row in reader:
                if not self.header:
                    self.header = [h.strip() for h in row]
                self.record_last_line.append(reader.line_num)
        except csv.Error:
            pass
        self._line_starts: list[int] | None = None

    def _start_of_line(self, line: int) -> int:
        if self._line_starts is None:
            starts, pos = [0], self.text.find("\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = self.text.find("\n", pos + 1)
            self._line_starts = starts
        return self._line_starts[min(line - 1, len(self._line_starts) - 1)]

    def location(self, offset: int, line: int) -> Location:
        index = bisect_left(self.record_last_line, line)
        if index >= len(self.record_last_line):
            return Location(line=line)
        first_line = self.record_last_line[index - 1] + 1 if index else 1
        start = self._start_of_line(first_line)
        end_line = self.record_last_line[index]
        end = self._start_of_line(end_line + 1) if end_line < len(self._line_starts or []) \
            else len(self.text)
        record = self.text[start:end].rstrip("\n")
        column = None
        for number, (a, b) in enumerate(split_cells(record, self.delimiter)):
            if a <= offset - start <= b:
                column = self.header[number] if number < len(self.header) else \
                    f"column {number + 1}"
                break
        return Location(line=line, row=index + 1, column=column)


def read_table(text: str, name: str, *, delimiter: str = ",") -> ReadResult:
    delimiter = sniff_delimiter(text, delimiter)
    try:  # fail now, with the file named, rather than on first locate
        next(csv.reader(io.StringIO(text[:65536]), delimiter=delimiter), None)
    except csv.Error as exc:
        raise DataError(f"{name} is not a readable table: {exc}", path=name,
                        code="E2006") from None
    return ReadResult(text, LazyLocator(lambda t: CsvLocator(t, delimiter)))


def read_tsv(text: str, name: str) -> ReadResult:
    return read_table(text, name, delimiter="\t")
