"""Speaker turns in transcripts: ``Name: …``, ``**Name:** …``, ``[00:01:02] Name: …``.

Meeting tools and note-takers write turns these ways; the speaker label is kept as the turn's
location (and the privacy audit treats labels as names a card must not reveal). A turn runs
from its label to the next label, so multi-paragraph answers stay with their speaker.
"""

from __future__ import annotations

import re

from persona_tui.core.data.document import SpanLocator
from persona_tui.core.data.readers import ReadResult

_TURN = re.compile(
    r"^[ \t]*(?:[-*>][ \t]+)?"
    r"(?:\[?(?P<ts>\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)\]?[ \t]+(?:-[ \t]+)?)?"
    r"(?:\*\*|__)?(?P<name>[A-Z][\w'.\-]*(?:[ \t][A-Z0-9][\w'.\-]*){0,3})"
    r"(?:[ \t]*\((?P<note>[^)\n]{1,40})\))?"
    r"(?:\*\*|__)?[ \t]*:(?:\*\*|__)?[ \t]+(?=\S)",
    re.M,
)
#: Labels that look like speakers but are headings in field notes and forms.
NOT_SPEAKERS = frozenset({
    "note", "notes", "date", "time", "location", "summary", "context", "setting",
    "observation", "observations", "duration", "participants", "attendees", "subject",
    "title", "topic", "tags", "source", "age", "role", "goal", "goals", "example", "update",
    "warning", "tip", "re", "fwd", "from", "to", "cc", "status", "session", "study",
    "method", "theme", "themes", "quote", "insight", "insights", "task", "question",
    "answer", "device", "occupation", "gender", "follow-up", "todo", "http", "https",
    "step", "result", "results", "outcome", "recording", "transcript", "interviewer notes",
})


def is_speaker_label(name: str) -> bool:
    return name.strip().lower() not in NOT_SPEAKERS


def find_turns(text: str, spans: SpanLocator | None = None, *,
               paragraph_offsets: list[int] | None = None) -> SpanLocator | None:
    """Add one span per speaker turn to ``spans`` (new if None); None when there are no turns."""
    matches = [m for m in _TURN.finditer(text) if is_speaker_label(m.group("name"))]
    if not matches:
        return spans
    spans = spans if spans is not None else SpanLocator()
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        spans.add(match.start(), end, speaker=match.group("name").strip(),
                  timestamp=match.group("ts"))
    return spans


def read_text(text: str, name: str) -> ReadResult:
    """Plain text and Markdown: the text as is, with speaker turns when there are any."""
    return ReadResult(text, find_turns(text))
