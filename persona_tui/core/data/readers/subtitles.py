"""Meeting-tool transcripts: WebVTT and SubRip.

Each cue becomes one line ``Speaker: text`` (or just the text when no speaker is known), a span
carrying the cue's start time, its speaker and the line of the cue text in the file. Speakers
come from VTT voice tags (``<v Ana>``) or a ``Name:`` prefix in the cue text.
"""

from __future__ import annotations

import html
import re

from persona_tui.core.data.document import SpanLocator
from persona_tui.core.data.readers import ReadResult
from persona_tui.core.data.readers.turns import is_speaker_label

_TIMING = re.compile(r"^\s*(?P<start>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*"
                     r"(?P<end>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_TAG = re.compile(r"</?[^>\n]*>")
_PREFIX = re.compile(r"^(?:-\s*)?(?:\[(?P<b>[^\]\n]{1,40})\]|(?P<n>[A-Z][\w'.\-]*"
                     r"(?:\s[A-Z0-9][\w'.\-]*){0,3})\s*:)\s*")


class _Cues:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offset = 0
        self.spans = SpanLocator()
        self.last_speaker: str | None = None

    def add(self, payload: list[tuple[int, str]], stamp: str) -> None:
        if not payload:
            return
        first_line = payload[0][0]
        raw = " ".join(text for _, text in payload)
        speaker = None
        voice = _VOICE.search(raw)
        if voice:
            speaker = voice.group(1).strip()
        text = html.unescape(_TAG.sub("", raw)).strip()
        prefix = _PREFIX.match(text)
        if prefix:
            label = (prefix.group("b") or prefix.group("n") or "").strip()
            if label and is_speaker_label(label):
                speaker = speaker or label
                text = text[prefix.end():].strip()
        if not text:
            return
        label = f"{speaker}: " if speaker else ""
        start = self.offset
        line = f"{label}{text}\n"
        self.parts.append(line)
        self.offset += len(line)
        self.spans.add(start, self.offset - 1, speaker=speaker, timestamp=stamp.split(".")[0]
                       .split(",")[0], source_line=first_line)

    def result(self, warnings: list[str]) -> ReadResult:
        return ReadResult("".join(self.parts), self.spans, warnings, derived=True)


def _blocks(text: str):
    """Yield each blank-line separated block as a list of (line number, line)."""
    block: list[tuple[int, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            block.append((number, line))
        elif block:
            yield block
            block = []
    if block:
        yield block


def _read_cues(text: str, name: str, *, vtt: bool) -> ReadResult:
    cues = _Cues()
    skipped = 0
    for index, block in enumerate(_blocks(text)):
        first = block[0][1].strip()
        if vtt and index == 0 and first.startswith("WEBVTT"):
            continue
        if vtt and first.split(" ", 1)[0] in ("NOTE", "STYLE", "REGION"):
            continue
        timing_at = next((i for i, (_, line) in enumerate(block) if _TIMING.match(line)), None)
        if timing_at is None or timing_at > 1:
            skipped += 1
            continue
        stamp = _TIMING.match(block[timing_at][1]).group("start")
        cues.add(block[timing_at + 1:], stamp)
    warnings = [f"{name}: skipped {skipped} block(s) without a cue timing"] if skipped else []
    return cues.result(warnings)


def read_vtt(text: str, name: str) -> ReadResult:
    return _read_cues(text, name, vtt=True)


def read_srt(text: str, name: str) -> ReadResult:
    return _read_cues(text, name, vtt=False)
