"""One reader per file format. Each returns the document text and, where the format has them,
labelled spans (turns, cues, rows, cells, paragraphs) so locations survive into findings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from persona_tui.core.data.document import SpanLocator


@dataclass
class ReadResult:
    text: str
    spans: SpanLocator | None = None
    warnings: list[str] = field(default_factory=list)
    derived: bool = False


TextReader = Callable[[str, str], ReadResult]
