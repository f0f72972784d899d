"""Word documents, read with the standard library (a .docx is a zip of XML parts).

Only the body text is read: each paragraph (including those in tables) becomes one line and a
span with its paragraph number; speaker turns inside are recognised as in plain text.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from io import BytesIO
from xml.etree import ElementTree

from persona_tui.core.data.document import SpanLocator
from persona_tui.core.data.readers import ReadResult
from persona_tui.core.data.readers.turns import find_turns
from persona_tui.core.errors import DataError

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


#: what the zip layer raises for damaged, encrypted or oddly compressed members: corrupt
#: deflate data (zlib.error), the encryption flag (RuntimeError), an unknown compression
#: method (NotImplementedError), bad offsets and sizes (ValueError, OSError, EOFError)
_DAMAGED = (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, ValueError,
            OSError, EOFError, struct.error)
_RESAVE = "Open it in Word or LibreOffice and save it again (without a password)."


def read_docx(data: bytes, name: str, *, max_bytes: int) -> ReadResult:
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except _DAMAGED:
        raise DataError(f"{name} is not a valid .docx file (not a zip archive)", path=name,
                        code="E2006", hint="Open it in Word or LibreOffice and save it again.") \
            from None
    with archive:
        try:
            info = archive.getinfo("word/document.xml")
        except KeyError:
            raise DataError(f"{name} has no document body (word/document.xml)", path=name,
                            code="E2006",
                            hint="Open it in Word or LibreOffice and save it again.") from None
        if info.file_size > max_bytes:  # guards against zip bombs too
            raise DataError(f"{name} expands to {info.file_size / 1e6:.1f} MB of XML, over the "
                            f"limit", path=name, code="E2003")
        if info.flag_bits & 0x1:
            raise DataError(f"{name} is encrypted (password-protected)", path=name,
                            code="E2006", hint=_RESAVE)
        try:
            xml = archive.read(info)
        except _DAMAGED as exc:
            raise DataError(f"{name} is damaged ({type(exc).__name__}: {exc})", path=name,
                            code="E2006", hint=_RESAVE) from None
    paragraphs: list[str] = []
    try:
        for _, element in ElementTree.iterparse(BytesIO(xml), events=("end",)):
            if element.tag == f"{_W}p":
                pieces = []
                for node in element.iter():
                    if node.tag == f"{_W}t" and node.text:
                        pieces.append(node.text)
                    elif node.tag == f"{_W}tab":
                        pieces.append("\t")
                    elif node.tag in (f"{_W}br", f"{_W}cr"):
                        pieces.append(" ")
                paragraphs.append("".join(pieces).strip())
                element.clear()
    except ElementTree.ParseError as exc:
        raise DataError(f"{name} has malformed XML: {exc}", path=name, code="E2006") from None
    spans = SpanLocator()
    parts: list[str] = []
    offset = 0
    for number, paragraph in enumerate(paragraphs, start=1):
        if not paragraph:
            continue
        spans.add(offset, offset + len(paragraph), paragraph=number)
        parts.append(paragraph)
        offset += len(paragraph) + 1
    text = "\n".join(parts)
    turns = find_turns(text)
    if turns is not None:
        spans = _merge(spans, turns)
    return ReadResult(text, spans, derived=True)


def _merge(paragraphs: SpanLocator, turns: SpanLocator) -> SpanLocator:
    """Paragraph spans that also carry the speaker of the turn they fall in."""
    merged = SpanLocator()
    for start, (end, _, _, _, number) in zip(paragraphs.starts, paragraphs.info):
        merged.add(start, end, paragraph=number, speaker=turns.speaker_at(start))
    return merged
