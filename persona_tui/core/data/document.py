"""A loaded source document and the locations inside it.

Evidence links and audit findings point at character offsets in ``SourceDocument.text``;
``locate`` turns an offset back into what a person can look up: a line, a spreadsheet row and
column, a speaker and timestamp. Locators are compact (arrays of offsets, not an object per
cell) because a 100 MB survey export has millions of cells.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Location:
    """Where an offset falls, in the terms of the original file."""

    line: int
    row: int | None = None
    column: str | None = None
    speaker: str | None = None
    timestamp: str | None = None
    paragraph: int | None = None

    def __str__(self) -> str:
        parts = []
        if self.timestamp:
            parts.append(self.timestamp)
        if self.speaker:
            parts.append(f"speaker {self.speaker}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        if self.paragraph is not None:
            parts.append(f"paragraph {self.paragraph}")
        if self.row is None:  # a table row already says where it is
            parts.append(f"line {self.line}")
        return ", ".join(parts)


class LineIndex:
    """Offset -> 1-based line number, built on first use."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._starts: array | None = None

    def line_of(self, offset: int) -> int:
        if self._starts is None:
            starts = array("q", [0])
            text = self._text
            find = text.find
            pos = find("\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
            self._starts = starts
        return bisect_right(self._starts, offset)


class SpanLocator:
    """Labelled spans (transcript turns, cues, paragraphs, table cells), sorted by start.

    Each span carries indices into small label tables; -1 means "not given".
    """

    def __init__(self) -> None:
        self.starts = array("q")
        self.ends = array("q")
        self.rows = array("q")
        self.columns = array("l")
        self.speakers = array("l")
        self.stamps = array("l")
        self.lines = array("q")
        self.paragraphs = array("q")
        self.column_names: list[str] = []
        self.speaker_names: list[str] = []
        self.timestamps: list[str] = []
        self._column_ids: dict[str, int] = {}
        self._speaker_ids: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.starts)

    def _intern(self, value: str | None, table: list[str], ids: dict[str, int]) -> int:
        if value is None:
            return -1
        index = ids.get(value)
        if index is None:
            index = ids[value] = len(table)
            table.append(value)
        return index

    def add(self, start: int, end: int, *, row: int | None = None, column: str | None = None,
            speaker: str | None = None, timestamp: str | None = None,
            source_line: int | None = None, paragraph: int | None = None) -> None:
        self.starts.append(start)
        self.ends.append(end)
        self.rows.append(-1 if row is None else row)
        self.columns.append(self._intern(column, self.column_names, self._column_ids))
        self.speakers.append(self._intern(speaker, self.speaker_names, self._speaker_ids))
        if timestamp is None:
            self.stamps.append(-1)
        else:
            self.stamps.append(len(self.timestamps))
            self.timestamps.append(timestamp)
        self.lines.append(-1 if source_line is None else source_line)
        self.paragraphs.append(-1 if paragraph is None else paragraph)

    def find(self, offset: int) -> int | None:
        i = bisect_right(self.starts, offset) - 1
        if i >= 0 and offset < self.ends[i]:
            return i
        return None

    def speaker_set(self) -> list[str]:
        return list(self.speaker_names)


@dataclass(eq=False)
class SourceDocument:
    """One loaded file: its text plus how to point back into it.

    ``id`` is what prompts, evidence and audit findings use to name the document: the path
    relative to the folder that was loaded (or the file name for a single file).
    """

    id: str
    path: Path | None
    format: str
    text: str
    encoding: str = "utf-8"
    token_estimate: int = 0
    warnings: list[str] = field(default_factory=list)
    spans: SpanLocator | None = None
    #: for formats whose text is derived (tables, subtitles): line in the file = row/cue based
    derived_text: bool = False

    def __post_init__(self) -> None:
        self._lines = LineIndex(self.text)

    @property
    def speakers(self) -> list[str]:
        """Speaker labels found in the document (transcript turns, voice tags)."""
        return self.spans.speaker_set() if self.spans is not None else []

    @property
    def size(self) -> int:
        return len(self.text)

    def line_of(self, offset: int) -> int:
        return self._lines.line_of(offset)

    def locate(self, offset: int) -> Location:
        """The location of character ``offset`` of :attr:`text`."""
        offset = max(0, min(offset, max(len(self.text) - 1, 0)))
        line = self._lines.line_of(offset)
        spans = self.spans
        if spans is None:
            return Location(line=line)
        i = spans.find(offset)
        if i is None:
            return Location(line=line)
        source_line = spans.lines[i]
        column = spans.columns[i]
        speaker = spans.speakers[i]
        stamp = spans.stamps[i]
        row = spans.rows[i]
        paragraph = spans.paragraphs[i]
        return Location(
            line=source_line if source_line >= 0 else line,
            row=row if row >= 0 else None,
            column=spans.column_names[column] if column >= 0 else None,
            speaker=spans.speaker_names[speaker] if speaker >= 0 else None,
            timestamp=spans.timestamps[stamp] if stamp >= 0 else None,
            paragraph=paragraph if paragraph >= 0 else None,
        )

    def __repr__(self) -> str:
        return (f"SourceDocument(id={self.id!r}, format={self.format!r}, "
                f"chars={len(self.text)}, tokens≈{self.token_estimate})")
