"""Speaker turns in transcripts: ``Name: …``, ``**Name:** …``, ``[00:01:02] Name: …``.

Meeting tools and note-takers write turns these ways; the speaker label is kept as the turn's
location (and the privacy audit treats labels as names a card must not reveal). A turn runs
from its label to the next label, so multi-paragraph answers stay with their speaker.
"""

from __future__ import annotations

import re
from itertools import accumulate, chain
from operator import add

from persona_tui.core.data.document import SpanLocator
from persona_tui.core.data.readers import ReadResult

# Matched after a line break (the text is searched with one put in front): a literal first
# character lets the search skip to line starts instead of trying every position.
_TURN = re.compile(
    r"\n[ \t]*(?:[-*>][ \t]+)?"
    r"(?:\[?(?P<ts>\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)\]?[ \t]+(?:-[ \t]+)?)?"
    r"(?:\*\*|__)?(?P<name>[A-Z][\w'.\-]*(?:[ \t][A-Z0-9][\w'.\-]*){0,3})"
    r"(?:[ \t]*\((?P<note>[^)\n]{1,40})\))?"
    r"(?:\*\*|__)?[ \t]*:(?:\*\*|__)?[ \t]+(?=\S)",
)
_SPLIT = re.compile(f"({_TURN.pattern})")  # the whole label, then the groups of _TURN
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
    """Add one span per speaker turn to ``spans`` (new if None); None when there are no turns.

    One ``re.split`` pass (no match object per turn): each turn's offset is summed from the
    lengths of the pieces before it; in "\n" + text a turn starts at its line break, i.e. at
    its line's offset in text."""
    # [text before the first turn, label, stamp, name, note, text between, label, …]
    pieces = _SPLIT.split("\n" + text)
    if len(pieces) == 1:
        return spans
    gaps, labels, stamps, names = pieces[0::5], pieces[1::5], pieces[2::5], pieces[3::5]
    starts = accumulate(chain([len(gaps[0])], map(add, map(len, labels), map(len, gaps[1:]))))
    speaker_of = {name: name.strip() if is_speaker_label(name) else None for name in set(names)}
    turns = [(start, speaker, stamp) for start, speaker, stamp in
             zip(starts, map(speaker_of.__getitem__, names), stamps) if speaker is not None]
    if not turns:
        return spans
    spans = spans if spans is not None else SpanLocator()
    ends = [start for start, _, _ in turns[1:]] + [len(text)]
    spans.extend([start for start, _, _ in turns],
                 [(end, speaker, stamp, -1, -1) for end, (_, speaker, stamp) in zip(ends, turns)])
    return spans


def read_text(text: str, name: str) -> ReadResult:
    """Plain text and Markdown: the text as is, with speaker turns when there are any."""
    return ReadResult(text, find_turns(text))
