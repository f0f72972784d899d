"""A loaded source document and the locations inside it.

Evidence links and audit findings point at character offsets in ``SourceDocument.text``;
``locate`` turns an offset back into what a person can look up: a line, a spreadsheet row and
column, a speaker and timestamp. Table locations are worked out lazily, because a 100 MB
survey export has millions of cells and most loads never ask where one of them is.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from dataclasses import dataclass, field
from operator import itemgetter
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
    """Labelled spans — transcript turns, subtitle cues, paragraphs — sorted by start.

    Documents have at most a few thousand of these, so plain tuples are compact enough.
    """

    def __init__(self) -> None:
        self.starts: list[int] = []
        #: (end, speaker, timestamp, source line or -1, paragraph or -1)
        self.info: list[tuple[int, str | None, str | None, int, int]] = []

    def __len__(self) -> int:
        return len(self.starts)

    def add(self, start: int, end: int, *, speaker: str | None = None,
            timestamp: str | None = None, source_line: int = -1, paragraph: int = -1) -> None:
        self.starts.append(start)
        self.info.append((end, speaker, timestamp, source_line, paragraph))

    def extend(self, starts: list[int],
               info: list[tuple[int, str | None, str | None, int, int]]) -> None:
        """Many spans at once (starts sorted, after the ones already here)."""
        self.starts.extend(starts)
        self.info.extend(info)

    def find(self, offset: int) -> int | None:
        i = bisect_right(self.starts, offset) - 1
        if i >= 0 and offset < self.info[i][0]:
            return i
        return None

    def speaker_at(self, offset: int) -> str | None:
        i = self.find(offset)
        return None if i is None else self.info[i][1]

    @property
    def speakers(self) -> list[str]:
        speakers = dict.fromkeys(map(itemgetter(1), self.info))  # in order, once each
        speakers.pop(None, None)
        speakers.pop("", None)
        return list(speakers)

    def location(self, offset: int, line: int) -> Location:
        i = self.find(offset)
        if i is None:
            return Location(line=line)
        _, speaker, stamp, source_line, paragraph = self.info[i]
        return Location(line=source_line if source_line >= 0 else line, speaker=speaker,
                        timestamp=stamp, paragraph=paragraph if paragraph >= 0 else None)


class LazyLocator:
    """A locator worked out from the document text on first use.

    Tables and JSON record only what decoding learns for free (where records start); cells
    and keys are found only when evidence or an audit asks for one.
    """

    def __init__(self, build) -> None:
        self._build = build
        self._locator = None
        self._text = ""

    def bind(self, text: str) -> None:
        self._text = text

    def get(self):
        """The locator itself (built now if it was not yet)."""
        if self._locator is None:
            self._locator = self._build(self._text)
        return self._locator

    _get = get

    @property
    def speakers(self) -> list[str]:
        return []

    def location(self, offset: int, line: int) -> Location:
        return self._get().location(offset, line)


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
    spans: SpanLocator | LazyLocator | None = None
    #: for formats whose text is derived (tables, subtitles): line in the file = row/cue based
    derived_text: bool = False

    def __post_init__(self) -> None:
        self._lines = LineIndex(self.text)
        if isinstance(self.spans, LazyLocator):
            self.spans.bind(self.text)

    @property
    def speakers(self) -> list[str]:
        """Speaker labels found in the document (transcript turns, voice tags)."""
        return self.spans.speakers if self.spans is not None else []

    @property
    def size(self) -> int:
        return len(self.text)

    def line_of(self, offset: int) -> int:
        return self._lines.line_of(offset)

    @property
    def table(self):
        """The rows and cells of a CSV/TSV document
        (:class:`~persona_tui.core.data.readers.tables.TableLocator`), else None."""
        if self.format not in ("csv", "tsv") or not isinstance(self.spans, LazyLocator):
            return None
        locator = self.spans.get()
        return locator if hasattr(locator, "cell_at") else None

    @property
    def fields(self):
        """The values of a JSON/JSON Lines document
        (:class:`~persona_tui.core.data.readers.structured.ValueLocator`), else None."""
        if self.format not in ("json", "jsonl") or self.spans is None:
            return None
        locator = self.spans.get() if isinstance(self.spans, LazyLocator) else self.spans
        return locator if hasattr(locator, "value_at") else None

    def locate(self, offset: int) -> Location:
        """The location of character ``offset`` of :attr:`text`."""
        offset = max(0, min(offset, max(len(self.text) - 1, 0)))
        line = self._lines.line_of(offset)
        if self.spans is None:
            return Location(line=line)
        return self.spans.location(offset, line)

    def __repr__(self) -> str:
        return (f"SourceDocument(id={self.id!r}, format={self.format!r}, "
                f"chars={len(self.text)}, tokens≈{self.token_estimate})")
