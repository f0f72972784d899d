"""Load research data — files, folders, lists of both — into :class:`SourceDocument` objects.

A file the user names explicitly and cannot be read is an error (:class:`DataError` naming the
file and what to do). Inside a folder the same problem only skips that file, with a warning
that says the same, because one stray binary must not stop a study of fifty transcripts.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from persona_tui.core.data.decoding import decode_bytes
from persona_tui.core.data.document import SourceDocument
from persona_tui.core.data.readers import ReadResult
from persona_tui.core.data.readers.docx import read_docx
from persona_tui.core.data.readers.html import read_html
from persona_tui.core.data.readers.structured import read_json, read_jsonl
from persona_tui.core.data.readers.subtitles import read_srt, read_vtt
from persona_tui.core.data.readers.tables import read_table, read_tsv
from persona_tui.core.data.readers.turns import read_text
from persona_tui.core.data.tokens import estimate_tokens
from persona_tui.core.errors import DataError
from persona_tui.core.fileio import read_regular, special_kind

DEFAULT_MAX_FILE_MB = 25.0

TEXT_READERS = {
    ".txt": ("text", read_text),
    ".text": ("text", read_text),
    ".md": ("markdown", read_text),
    ".markdown": ("markdown", read_text),
    ".csv": ("csv", read_table),
    ".tsv": ("tsv", read_tsv),
    ".json": ("json", read_json),
    ".jsonl": ("jsonl", read_jsonl),
    ".ndjson": ("jsonl", read_jsonl),
    ".html": ("html", read_html),
    ".htm": ("html", read_html),
    ".vtt": ("vtt", read_vtt),
    ".srt": ("srt", read_srt),
}
SUPPORTED_SUFFIXES = frozenset(TEXT_READERS) | {".docx"}
_UNSUPPORTED_HINTS = {
    ".pdf": "Export it as text (.txt) or Word (.docx) first.",
    ".doc": "Save it as .docx first.",
    ".xlsx": "Save the sheet as .csv first.",
    ".xls": "Save the sheet as .csv first.",
    ".pages": "Export it as .docx or text first.",
    ".rtf": "Save it as .docx or plain text first.",
}


@dataclass
class LoadReport:
    documents: list[SourceDocument] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def total_chars(self) -> int:
        return sum(doc.size for doc in self.documents)

    @property
    def total_tokens(self) -> int:
        return sum(doc.token_estimate for doc in self.documents)


class DataLoader:
    """Reads research data. ``warnings`` holds what the last :meth:`load` skipped or guessed."""

    def __init__(self, *, max_file_mb: float = DEFAULT_MAX_FILE_MB,
                 fallback_encoding: str = "cp1252") -> None:
        self.max_file_bytes = int(max_file_mb * 1024 * 1024)
        self.fallback_encoding = fallback_encoding
        self.warnings: list[str] = []

    def load(self, paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]
             ) -> list[SourceDocument]:
        report = self.load_report(paths)
        return report.documents

    def load_report(self, paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]
                    ) -> LoadReport:
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        report = LoadReport()
        seen_ids: set[str] = set()
        items = [Path(p).expanduser() for p in paths]
        if not items:
            raise DataError("no data paths were given", code="E2005")
        for item in items:
            if item.is_dir():
                self._load_folder(item, report, seen_ids)
            elif item.exists():
                document = self._load_file(item, item.name)
                self._add(document, report, seen_ids)
            else:
                raise DataError(f"{item} does not exist", path=str(item),
                                hint="Check the path; quote it if it contains spaces.")
        if not report.documents:
            where = ", ".join(str(p) for p in items)
            raise DataError(f"no readable documents in {where}", code="E2005",
                            hint="Supported: " + ", ".join(sorted(SUPPORTED_SUFFIXES)) + ".")
        if not any(doc.text.strip() for doc in report.documents):
            where = ", ".join(str(p) for p in items)
            raise DataError(f"no text in {where}: every document is empty", code="E2005",
                            hint="Point at files that hold the research data (an empty file "
                                 "gives the model nothing to work from).")
        self.warnings = report.warnings
        return report

    def load_one(self, path: str | os.PathLike[str], *, doc_id: str | None = None
                 ) -> SourceDocument:
        path = Path(path)
        return self._load_file(path, doc_id or path.name)

    def load_text(self, text: str, *, doc_id: str = "text", fmt: str = "text") -> SourceDocument:
        """A document from a string (tests, pasted text, the privacy auditor's plain sources)."""
        result = read_text(text, doc_id)
        return SourceDocument(doc_id, None, fmt, result.text, "utf-8",
                              estimate_tokens(result.text), [], result.spans)

    # --- internals ---------------------------------------------------------------------------

    def _add(self, document: SourceDocument, report: LoadReport, seen: set[str]) -> None:
        base, n = document.id, 2
        while document.id in seen:
            document.id = f"{base}#{n}"
            n += 1
        seen.add(document.id)
        report.documents.append(document)
        report.warnings.extend(document.warnings)

    def _load_folder(self, folder: Path, report: LoadReport, seen: set[str]) -> None:
        unsupported = 0
        for root, dirs, files in os.walk(folder, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.startswith("."):
                    continue
                path = Path(root) / name
                rel = path.relative_to(folder).as_posix()
                kind = _special(path)
                if kind:  # a pipe would hang the read; never opened, only reported
                    report.skipped.append(rel)
                    report.warnings.append(f"skipped {rel}: {kind}, not a file")
                    continue
                if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                    unsupported += 1
                    report.skipped.append(rel)
                    continue
                try:
                    document = self._load_file(path, rel)
                except DataError as exc:
                    report.skipped.append(rel)
                    report.warnings.append(f"skipped {rel}: {exc.message} — {exc.hint}")
                    continue
                self._add(document, report, seen)
        if unsupported:
            report.warnings.append(f"skipped {unsupported} file(s) in {folder} of unsupported "
                                   f"types (supported: {', '.join(sorted(SUPPORTED_SUFFIXES))})")

    def _load_file(self, path: Path, doc_id: str) -> SourceDocument:
        name = str(path)
        suffix = path.suffix.lower()
        if suffix in _UNSUPPORTED_HINTS:
            raise DataError(f"{name}: {suffix} files are not supported", path=name,
                            code="E2004", hint=_UNSUPPORTED_HINTS[suffix])
        # never opens a pipe, socket or device; refuses a file over the limit by its size
        data = read_regular(path, max_bytes=self.max_file_bytes)
        if suffix == ".docx":
            result = read_docx(data, name, max_bytes=self.max_file_bytes * 4)
            fmt, encoding, warnings = "docx", "utf-8", []
        else:
            decoded = decode_bytes(data, name=name, fallback=self.fallback_encoding)
            fmt, reader = TEXT_READERS.get(suffix, ("text", read_text))
            result: ReadResult = reader(decoded.text, name)
            encoding = decoded.encoding
            warnings = [decoded.warning] if decoded.warning else []
        warnings += result.warnings
        if not result.text.strip():
            warnings.append(f"{name} holds no text")
        return SourceDocument(doc_id, path, fmt, result.text, encoding,
                              estimate_tokens(result.text), warnings, result.spans,
                              result.derived)


def _special(path: Path) -> str | None:
    """What ``path`` is when it is not a regular file or a link to one (``None`` otherwise)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None  # unreadable: the read reports it
    return None if stat.S_ISREG(mode) or stat.S_ISDIR(mode) else special_kind(mode)


__all__ = ["DEFAULT_MAX_FILE_MB", "SUPPORTED_SUFFIXES", "DataLoader", "LoadReport"]
