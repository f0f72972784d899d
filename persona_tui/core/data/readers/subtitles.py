"""Meeting-tool transcripts: WebVTT and SubRip.

Each cue becomes one line ``Speaker: text`` (or just the text when no speaker is known) whose
location is the cue's start time, its speaker and the line of the cue text in the file.
Speakers come from VTT voice tags (``<v Ana>``) or a ``Name:`` / ``[Name]`` prefix.
"""

from __future__ import annotations

import html
import re

from persona_tui.core.data.document import SpanLocator
from persona_tui.core.data.readers import ReadResult
from persona_tui.core.data.readers.turns import is_speaker_label

_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_TAG = re.compile(r"</?[^>\n]*>")
_PREFIX = re.compile(r"^(?:-\s*)?(?:\[(?P<b>[^\]\n]{1,40})\]|(?P<n>[A-Z][\w'.\-]*"
                     r"(?:\s[A-Z0-9][\w'.\-]*){0,3})\s*:)\s*")


# A cue: its timing line (start time captured) and the payload lines up to a blank line.
_CUE = re.compile(r"^[ \t]*((?:\d+:)?\d{1,2}:\d{2})[.,]\d{1,3}[ \t]*-->[^\n]*\n((?:[^\n]*\S[^\n]*\n?)*)",
                  re.M)


def _read_cues(text: str, name: str) -> ReadResult:
    spans = SpanLocator()
    parts: list[str] = []
    offset = 0
    line_number = 1
    counted_to = 0
    count = text.count
    for cue in _CUE.finditer(text):
        stamp, payload = cue.groups()
        at = cue.start(2)
        line_number += count("\n", counted_to, at)
        counted_to = at
        if "\n" in payload.rstrip("\n"):
            payload = " ".join(line.strip() for line in payload.split("\n") if line.strip())
        speaker = None
        if "<" in payload:
            voice = _VOICE.search(payload)
            if voice:
                speaker = voice.group(1).strip()
            payload = _TAG.sub("", payload)
        if "&" in payload:
            payload = html.unescape(payload)
        if ":" in payload or "[" in payload:
            prefix = _PREFIX.match(payload)
            if prefix:
                label = (prefix.group("b") or prefix.group("n") or "").strip()
                if label and is_speaker_label(label):
                    speaker = speaker or label
                    payload = payload[prefix.end():]
        payload = payload.strip()
        if not payload:
            continue
        line = f"{speaker}: {payload}\n" if speaker else f"{payload}\n"
        parts.append(line)
        end = offset + len(line)
        spans.add(offset, end - 1, speaker=speaker, timestamp=stamp, source_line=line_number)
        offset = end
    return ReadResult("".join(parts), spans, derived=True)


def read_vtt(text: str, name: str) -> ReadResult:
    return _read_cues(text, name)


def read_srt(text: str, name: str) -> ReadResult:
    return _read_cues(text, name)
