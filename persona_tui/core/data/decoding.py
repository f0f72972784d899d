"""Bytes to text: BOMs, UTF-8, a declared fallback, and refusing binary files."""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from persona_tui.core.errors import DataError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: Leading bytes of formats people often mistake for text data, with what to do instead.
_MAGIC = (
    (b"%PDF", "a PDF", "Export it as text (.txt) or Word (.docx) first."),
    (b"\x89PNG", "an image", "Images hold no text to read; transcribe it first."),
    (b"\xff\xd8\xff", "an image", "Images hold no text to read; transcribe it first."),
    (b"GIF8", "an image", "Images hold no text to read; transcribe it first."),
    (b"\xd0\xcf\x11\xe0", "an old Office file (.doc/.xls)",
     "Save it as .docx, .csv or text first."),
)


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    warning: str | None = None


def decode_bytes(data: bytes, *, name: str, fallback: str = "cp1252") -> Decoded:
    """Decode ``data``; raise :class:`DataError` for binary content.

    Newlines are normalised to ``\\n`` so line numbers match what editors show.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise DataError(f"{name} starts with a {encoding} marker but is not valid "
                                f"{encoding} (byte {exc.start})", path=name, code="E2006",
                                hint="Re-save the file as UTF-8.") from None
            return Decoded(_newlines(text), encoding.replace("-sig", " (BOM)"))
    head = data[:8192]
    for magic, what, hint in _MAGIC:
        if head.startswith(magic):
            raise DataError(f"{name} is {what}, not text", path=name, code="E2002", hint=hint)
    if b"\x00" in head:
        raise DataError(f"{name} looks like a binary file (it contains NUL bytes)", path=name,
                        code="E2002",
                        hint="Export it as text, CSV, JSON or .docx; if it is UTF-16 text, "
                             "re-save it as UTF-8.")
    try:
        return Decoded(_newlines(data.decode("utf-8")), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode(fallback)
        replaced = 0
    except (UnicodeDecodeError, LookupError):
        text = data.decode(fallback if _known(fallback) else "latin-1", errors="replace")
        replaced = text.count("\ufffd")
    warning = (f"{name} is not UTF-8; read it as {fallback}"
               + (f" ({replaced} undecodable bytes replaced)" if replaced else "")
               + " — re-save it as UTF-8 if characters look wrong")
    return Decoded(_newlines(text), fallback, warning)


def _known(encoding: str) -> bool:
    try:
        codecs.lookup(encoding)
    except LookupError:
        return False
    return True


def _newlines(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text
