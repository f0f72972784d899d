"""Meeting-tool transcripts: WebVTT and SubRip.

Each cue becomes one line ``Speaker: text`` (or just the text when no speaker is known) whose
location is the cue's start time, its speaker and the line of the cue text in the file.
Speakers come from VTT voice tags (``<v Ana>``) or a ``Name:`` / ``[Name]`` prefix.
"""

from __future__ import annotations

import html
import re
from itertools import accumulate, chain, repeat
from operator import add

from persona_tui.core.data.document import SpanLocator
from persona_tui.core.data.readers import ReadResult
from persona_tui.core.data.readers.turns import is_speaker_label

_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_TAG = re.compile(r"</?[^>\n]*>")
_PREFIX = re.compile(r"^(?:-\s*)?(?:\[(?P<b>[^\]\n]{1,40})\]|(?P<n>[A-Z][\w'.\-]*"
                     r"(?:\s[A-Z0-9][\w'.\-]*){0,3})\s*:)\s*")


# A cue: its timing line (start time captured) and the payload lines up to a blank line.
# Matched after a line break (the text is searched with one put in front): a literal first
# character lets the search skip to line starts instead of trying every position. The usual
# payload, one line with a voice tag or none and no other markup, entity or label, followed
# by a blank line, is read by the pattern itself (group 2: the voice, group 3: the text);
# any other payload is taken whole (group 4) and read by _cue_text.
_CUE = re.compile(r"\n[ \t]*((?:\d+:)?\d{1,2}:\d{2})[.,]\d{1,3}[ \t]*-->[^\n]*\n"
                  r"(?:(?=[ \t]*\S)(?:<v(?:\.[\w.-]+)?[ \t]+([^>\n<]+)>)?([^\n<>&:\[]*)"
                  r"(?:</v>)?[ \t]*(?:\n|\Z)(?![^\n]*\S)"
                  r"|((?:[^\n]*\S[^\n]*\n?)*))")


def _cue_text(payload: str) -> tuple[str | None, str]:
    """(speaker, text) of one cue's payload lines, whatever markup they carry."""
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
    return speaker, payload.strip()


def _read_cues(text: str, name: str) -> ReadResult:
    """All cues split out in one pass (``re.split``: no match object per cue) with the usual
    cue text already read by the pattern, their lines in the file summed from the line
    breaks between them; only unusual cues are read one by one."""
    # [text before the first cue, stamp, voice, text, other payload, text between, stamp, …]
    pieces = _CUE.split("\n" + text)
    gaps, stamps, voices, bodies, others = (pieces[i::5] for i in range(5))
    del pieces
    unusual = len(others) - others.count(None)
    if unusual:
        cues = [(voice.strip() if voice else None, body.strip()) if body is not None
                else _cue_text(other) for voice, body, other in zip(voices, bodies, others)]
        speakers = [speaker for speaker, _ in cues]
        bodies = [body for _, body in cues]
        payload_breaks = [1 if other is None else other.count("\n") for other in others]
        steps = map(add, map(str.count, gaps, repeat("\n")),
                    chain([2], map(add, payload_breaks, repeat(2))))
    else:
        # every cue the usual one-line payload (a voice is None or non-empty)
        speakers = [voice and voice.strip() for voice in voices]
        bodies = list(map(str.strip, bodies))
        steps = map(add, map(str.count, gaps, repeat("\n")), chain([2], repeat(3)))
    # a cue's text is on the line after its timing line: 1 + the line breaks before it (the
    # two of each cue's own start, those of the gaps and earlier payloads: one for the usual
    # one-line payload), less the one put in front of the text
    lines = accumulate(steps)
    if "" in bodies:  # cues with no text are left out
        kept = [(stamp, line, speaker, body) for stamp, line, speaker, body
                in zip(stamps, lines, speakers, bodies) if body]
        stamps = [cue[0] for cue in kept]
        lines = [cue[1] for cue in kept]
        speakers = [cue[2] for cue in kept]
        bodies = [cue[3] for cue in kept]
    texts = [f"{speaker}: {body}\n" if speaker else f"{body}\n"
             for speaker, body in zip(speakers, bodies)]
    ends = list(accumulate(map(len, texts)))
    spans = SpanLocator()
    spans.extend(([0] + ends[:-1]) if ends else [],
                 list(zip(map(add, ends, repeat(-1)), speakers, stamps, lines, repeat(-1))))
    return ReadResult("".join(texts), spans, derived=True)


def read_vtt(text: str, name: str) -> ReadResult:
    return _read_cues(text, name)


def read_srt(text: str, name: str) -> ReadResult:
    return _read_cues(text, name)
