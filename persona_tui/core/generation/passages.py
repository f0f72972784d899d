"""Numbered source passages: evidence a model cites by number, verified by construction.

Asking a model to copy an excerpt word for word fails in two ways: small models paraphrase
(the excerpt is then unverifiable) and every model pays output tokens for text it only
repeats. Instead the prompt numbers the passages of the sources — a participant's turn, a
paragraph, a table row — and the persona schema asks for passage numbers. The excerpt stored
with the evidence is then the passage itself, cut from the source text, so it is always
quoted exactly and always verifiable; a number that names no passage is dropped.

Interviewer turns, headings and very short lines are not offered: they are not evidence of
what participants do or need, and headings tend to carry participants' full names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from persona_tui.core.data.document import SourceDocument
from persona_tui.core.models.persona import LIST_FIELDS
from persona_tui.core.privacy.names import ROLE_LABELS

MAX_PASSAGE_CHARS = 420
MIN_PASSAGE_CHARS = 20
QUOTE_CHARS = 200
#: a turn label at the start of a line: "Maya:", "**Maya:**", "- Ruth:", "<v Dev Anand>"
_LABEL = re.compile(r"^[ \t]*(?:[-*•][ \t]+)?(?:\*\*)?([^\W\d_][\w .'’-]{0,40}?)(?:\*\*)?"
                    r"[ \t]*:(?:\*\*)?[ \t]+")
_SENTENCE = re.compile(r"(?<=[.!?])[\"'”’)]*\s+")
_NUMBER = re.compile(r"\d+")
_SKIP_LINE = re.compile(r"^[ \t]*(?:#|WEBVTT|NOTE\b|Kind:|Language:|\d+[ \t]*$|"
                        r"\d\d:\d\d[:.,\d]*[ \t]*-->)")


@dataclass(frozen=True)
class Passage:
    number: int
    document: SourceDocument
    start: int
    end: int
    speaker: str | None = None

    @property
    def text(self) -> str:
        return self.document.text[self.start:self.end]

    def one_line(self) -> str:
        return " ".join(self.text.split())

    def quote(self) -> str:
        """A short quote from the passage: its first sentence of six words or more (a
        fragment such as "The energy bill." says little), cut to a whole word if long."""
        sentences = _SENTENCE.split(self.one_line())
        chosen = next((s for s in sentences if len(s.split()) >= 6), sentences[0])
        return chosen if len(chosen) <= QUOTE_CHARS else \
            chosen[:QUOTE_CHARS].rsplit(" ", 1)[0]


def _units(document: SourceDocument) -> list[tuple[int, int, str | None]]:
    """(start, end, speaker) of each turn, row or paragraph of ``document``.

    A unit starts at a turn label ("Maya:") or a paragraph's first line and runs over the
    lines that continue it (wrapped text); a blank line ends it. Each table row is a unit.
    """
    text = document.text
    table = document.format in ("csv", "tsv")
    units: list[tuple[int, int, str | None]] = []
    current: list = []  # [start, end, speaker] of the unit being read

    def close() -> None:
        if current:
            units.append((current[0], current[1], current[2]))
            current.clear()

    position = 0
    for line in text.splitlines(keepends=True):
        start, position = position, position + len(line)
        end = start + len(line.rstrip("\r\n"))
        if not line.strip() or _SKIP_LINE.match(line):
            close()
            continue
        if table:
            if start > 0:
                units.append((start, end, None))
            continue
        label = _LABEL.match(line)
        if label is not None:
            close()
            current.extend([start + label.end(), end, label.group(1).strip()])
        elif current:
            current[1] = end
        else:
            current.extend([start + len(line) - len(line.lstrip()), end, None])
    close()
    return units


def _pieces(start: int, end: int, text: str) -> list[tuple[int, int]]:
    """A long unit cut at sentence ends into pieces of at most MAX_PASSAGE_CHARS."""
    if end - start <= MAX_PASSAGE_CHARS:
        return [(start, end)]
    pieces, piece_start = [], start
    for match in _SENTENCE.finditer(text, start, end):
        if match.start() - piece_start > MAX_PASSAGE_CHARS * 0.6:
            pieces.append((piece_start, match.start()))
            piece_start = match.end()
    pieces.append((piece_start, end))
    return [(a, b) for a, b in pieces if b > a]


class PassageIndex:
    """The passages of one prompt, numbered from 1, and how to turn cited numbers back into
    evidence."""

    def __init__(self, documents: list[SourceDocument]) -> None:
        self.documents = documents
        self.passages: list[Passage] = []
        for doc in documents:
            for start, end, speaker in _units(doc):
                if speaker is not None and speaker.casefold() in ROLE_LABELS:
                    continue
                for a, b in _pieces(start, end, doc.text):
                    if b - a >= MIN_PASSAGE_CHARS:
                        self.passages.append(Passage(len(self.passages) + 1, doc, a, b, speaker))

    def __len__(self) -> int:
        return len(self.passages)

    def get(self, number: Any) -> Passage | None:
        """The passage a model meant by ``number`` (3, "3", "P3", "[3]"), or None."""
        if isinstance(number, bool):
            return None
        if isinstance(number, float) and number.is_integer():
            number = int(number)
        if isinstance(number, str):
            found = _NUMBER.search(number)
            number = int(found.group()) if found else None
        if isinstance(number, int) and 1 <= number <= len(self.passages):
            return self.passages[number - 1]
        return None

    def render(self) -> str:
        """The documents as the prompt shows them: each passage on one numbered line."""
        blocks = []
        for doc in self.documents:
            lines = [f"[{p.number}] {p.one_line()}" for p in self.passages if p.document is doc]
            if lines:
                body = "\n".join(lines)
                blocks.append(f'<document id="{doc.id}">\n{body}\n</document>')
        return "\n\n".join(blocks)

    # --- from a model's persona object to our fields ---------------------------------------

    def attach(self, item: dict[str, Any]) -> dict[str, Any]:
        """``item`` with claims of the form ``{"text": …, "passages": [3]}`` turned into plain
        text plus evidence links, and quotes given as passage numbers turned into the
        passages' words. Anything else is left for the persona model to read as before."""
        item = dict(item)
        links: list[dict[str, Any]] = []
        for key in list(item):
            field = _field_of(key)
            if field is None or not isinstance(item[key], list):
                continue
            values = []
            for value in item[key]:
                if field == "quotes":
                    passage = self.get(value) if isinstance(value, (int, float)) or (
                        isinstance(value, str) and re.fullmatch(r"\[?[Pp]?\d+\]?", value.strip())
                    ) else None
                    if passage is not None:
                        links.append(self._link(f"quotes[{len(values)}]", passage))
                        values.append(passage.quote())
                    elif value is not None and not isinstance(value, (int, float)):
                        values.append(value)
                    continue
                if isinstance(value, dict) and _cited(value) is not None:
                    text = value.get("text") or value.get("claim") or value.get("description")
                    if not isinstance(text, str) or not text.strip():
                        continue
                    for number in _cited(value) or []:
                        passage = self.get(number)
                        if passage is not None:
                            links.append(self._link(f"{field}[{len(values)}]", passage))
                    values.append(text)
                else:
                    values.append(value)
            item[key] = values
        evidence = item.get("evidence")
        if isinstance(evidence, list):
            for entry in evidence:
                if isinstance(entry, dict) and not entry.get("excerpt"):
                    number = entry.get("passage", entry.get("passage_id"))
                    passage = self.get(number) if number is not None else None
                    if passage is not None:
                        entry = {**entry, **self._link(str(entry.get("attribute", "")),
                                                       passage)}
                links.append(entry)
            item["evidence"] = links
        elif links:
            item["evidence"] = links
        return item

    @staticmethod
    def _link(attribute: str, passage: Passage) -> dict[str, Any]:
        return {"attribute": attribute, "source_id": passage.document.id,
                "excerpt": passage.text.strip(), "passage": passage.number}


def _field_of(key: str) -> str | None:
    from persona_tui.core.models.persona import canonical_key

    canonical = canonical_key(key) if isinstance(key, str) else None
    return canonical if canonical in LIST_FIELDS else None


def _cited(value: dict[str, Any]) -> list[Any] | None:
    for key in ("passages", "passage", "evidence", "sources", "source", "ids", "refs"):
        if key in value:
            cited = value[key]
            return cited if isinstance(cited, list) else [cited]
    return None


__all__ = ["MAX_PASSAGE_CHARS", "Passage", "PassageIndex"]
