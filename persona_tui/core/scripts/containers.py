"""The files character cards travel in: PNG text chunks and CHARX zips.

This module knows bytes, not cards. Role-play front ends carry a card inside a PNG as
``tEXt`` chunks whose value is base64 of the UTF-8 JSON (``ccv3`` for Character Card V3,
``chara`` for V2), and inside a CHARX file, a zip with ``card.json`` at its root and assets
under ``assets/{type}/images/``. Only the standard library is used. Every malformed input
is a :class:`~persona_tui.core.errors.DataError` with code E2006 and a hint, never an
exception from ``zlib``, ``zipfile`` or ``base64``.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import struct
import zipfile
import zlib
from typing import Any

from persona_tui.core.errors import DataError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ZIP_SIGNATURE = b"PK\x03\x04"
#: the text chunks we own: writing a card replaces any earlier copy of them
CARD_CHUNK_KEYS = ("ccv3", "chara")
#: ``card.json`` bigger than this is not a card (a zip bomb stops here, not in memory)
MAX_CARD_JSON = 16 * 1024 * 1024
_MALFORMED_HINT = "Re-export the card from the tool that made it, or use its JSON file."


def _malformed(message: str) -> DataError:
    return DataError(message, code="E2006", hint=_MALFORMED_HINT)


# --- PNG --------------------------------------------------------------------------------------

def png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data, CRC-32 of type and data (all big-endian)."""
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def blank_png() -> bytes:
    """A 1x1 grey image, for a card exported without a picture."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (PNG_SIGNATURE + png_chunk(b"IHDR", header)
            + png_chunk(b"IDAT", zlib.compress(b"\x00\xd0\xd0\xd0"))
            + png_chunk(b"IEND", b""))


def png_chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """Every chunk of a PNG as (type, data), checked: a bad length or CRC is an error."""
    if not png.startswith(PNG_SIGNATURE):
        raise _malformed("not a PNG image (the PNG signature is missing)")
    chunks, offset = [], len(PNG_SIGNATURE)
    while offset < len(png):
        if offset + 12 > len(png):
            raise _malformed("the PNG is cut off inside a chunk header")
        length, kind = struct.unpack(">I4s", png[offset:offset + 8])
        end = offset + 8 + length
        if end + 4 > len(png):
            raise _malformed(f"the PNG is cut off inside its {kind!r} chunk")
        data = png[offset + 8:end]
        (crc,) = struct.unpack(">I", png[end:end + 4])
        if crc != zlib.crc32(kind + data) & 0xFFFFFFFF:
            raise _malformed(f"the PNG's {kind!r} chunk is damaged (CRC mismatch)")
        chunks.append((kind, data))
        offset = end + 4
        if kind == b"IEND":
            break
    if not chunks or chunks[0][0] != b"IHDR" or chunks[-1][0] != b"IEND":
        raise _malformed("the PNG has no IHDR or no IEND chunk")
    return chunks


def _text_key(kind: bytes, data: bytes) -> str | None:
    if kind != b"tEXt" or b"\x00" not in data:
        return None
    return data.split(b"\x00", 1)[0].decode("latin-1")


def png_with_text(png: bytes, texts: dict[str, str]) -> bytes:
    """``png`` with a ``tEXt`` chunk per key (values base64 of UTF-8, as card readers want),
    placed just before IEND; earlier card chunks (``ccv3``, ``chara``) are dropped so a
    picture exported twice does not carry two cards."""
    replaced = set(texts) | set(CARD_CHUNK_KEYS)
    kept = [(kind, data) for kind, data in png_chunks(png)
            if _text_key(kind, data) not in replaced]
    new = [(b"tEXt", key.encode("latin-1") + b"\x00"
            + base64.b64encode(value.encode("utf-8"))) for key, value in texts.items()]
    chunks = kept[:-1] + new + kept[-1:]
    return PNG_SIGNATURE + b"".join(png_chunk(kind, data) for kind, data in chunks)


def png_texts(png: bytes) -> dict[str, bytes]:
    """The raw values of every ``tEXt`` chunk, by keyword (the first wins)."""
    found: dict[str, bytes] = {}
    for kind, data in png_chunks(png):
        key = _text_key(kind, data)
        if key is not None:
            found.setdefault(key, data.split(b"\x00", 1)[1])
    return found


def decode_card_text(value: bytes, key: str) -> dict[str, Any]:
    """A card chunk's value: base64 of UTF-8 JSON holding an object."""
    try:
        data = json.loads(base64.b64decode(value, validate=False).decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _malformed(f"the PNG's '{key}' chunk is not base64 JSON") from None
    if not isinstance(data, dict):
        raise _malformed(f"the PNG's '{key}' chunk does not hold a card object")
    return data


# --- CHARX ------------------------------------------------------------------------------------

def charx_bytes(card_json: dict[str, Any], assets: dict[str, bytes] | None = None) -> bytes:
    """A CHARX zip: ``card.json`` at the root, then each asset at its path. Fixed timestamps
    make the same card give the same bytes (and leak no export time)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        items = [("card.json", json.dumps(card_json, indent=2, ensure_ascii=False)
                  .encode("utf-8"))] + sorted((assets or {}).items())
        for name, payload in items:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, payload)
    return buffer.getvalue()


def charx_card(blob: bytes) -> dict[str, Any]:
    """The ``card.json`` object of a CHARX file."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(blob))
    except (zipfile.BadZipFile, ValueError):
        raise _malformed("not a CHARX file (not a readable zip)") from None
    with archive:
        try:
            info = archive.getinfo("card.json")
        except KeyError:
            raise _malformed("the CHARX file has no card.json at its root") from None
        if info.flag_bits & 0x1:
            raise _malformed("the CHARX file is encrypted")
        if info.file_size > MAX_CARD_JSON:
            raise _malformed(f"the CHARX card.json is too large ({info.file_size:,} bytes)")
        try:
            with archive.open(info) as handle:
                raw = handle.read(MAX_CARD_JSON + 1)
        except (zipfile.BadZipFile, zlib.error, OSError, NotImplementedError):
            raise _malformed("the CHARX card.json is damaged") from None
    if len(raw) > MAX_CARD_JSON:
        raise _malformed("the CHARX card.json is too large")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise _malformed("the CHARX card.json is not valid JSON") from None
    if not isinstance(data, dict):
        raise _malformed("the CHARX card.json does not hold a card object")
    return data


__all__ = ["CARD_CHUNK_KEYS", "MAX_CARD_JSON", "PNG_SIGNATURE", "ZIP_SIGNATURE", "blank_png",
           "charx_bytes", "charx_card", "decode_card_text", "png_chunk", "png_chunks",
           "png_texts", "png_with_text"]
