"""Hostile files as fixtures: special files, sparse giants, damaged Word documents, empty and
undecodable files, malformed cards of every kind. Each builder writes into a folder and
returns the path; names carry escape sequences where a file name can hold them."""

from __future__ import annotations

import base64
import io
import json
import os
import socket
import struct
import zipfile
import zlib
from pathlib import Path

from tests.vendor_server.hostile import CLEAR, TITLE

_PNG = b"\x89PNG\r\n\x1a\n"


def _docx_bytes(text: str = "Interviewer: hello\nMaya: I log expenses at night.") -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in text.splitlines())
    xml = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
           'openxmlformats.org/wordprocessingml/2006/main"><w:body>' + body +
           "</w:body></w:document>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", xml)
    return out.getvalue()


def _patch_member(data: bytes, member: str, *, flag: int | None = None,
                  method: int | None = None, corrupt: bool = False) -> bytes:
    """Change one member's local and central headers (flag bits, compression method) or
    scramble its compressed bytes."""
    raw = bytearray(data)
    name = member.encode()
    local = raw.find(b"PK\x03\x04" + b"")
    while local != -1:
        name_len, extra_len = struct.unpack("<HH", raw[local + 26:local + 30])
        if raw[local + 30:local + 30 + name_len] == name:
            if flag is not None:
                struct.pack_into("<H", raw, local + 6, flag)
            if method is not None:
                struct.pack_into("<H", raw, local + 8, method)
            if corrupt:
                start = local + 30 + name_len + extra_len
                for i in range(start, start + 40):
                    raw[i] ^= 0x5A
            break
        local = raw.find(b"PK\x03\x04", local + 4)
    central = raw.find(b"PK\x01\x02")
    while central != -1:
        name_len = struct.unpack("<H", raw[central + 28:central + 30])[0]
        if raw[central + 46:central + 46 + name_len] == name:
            if flag is not None:
                struct.pack_into("<H", raw, central + 8, flag)
            if method is not None:
                struct.pack_into("<H", raw, central + 10, method)
            break
        central = raw.find(b"PK\x01\x02", central + 4)
    return bytes(raw)


def damaged_docx(folder: Path) -> dict[str, Path]:
    """Three ways a .docx is damaged: corrupt deflate data, the encryption flag, an unknown
    compression method."""
    good = _docx_bytes()
    cases = {
        "corrupt-deflate": _patch_member(good, "word/document.xml", corrupt=True),
        "encrypted": _patch_member(good, "word/document.xml", flag=0x1),
        "unknown-compression": _patch_member(good, "word/document.xml", method=99),
        "truncated": good[: len(good) // 2],
    }
    paths = {}
    for name, data in cases.items():
        path = folder / f"{name}.docx"
        path.write_bytes(data)
        paths[name] = path
    return paths


def fifo(folder: Path, name: str = "pipe.txt") -> Path:
    path = folder / name
    os.mkfifo(path)
    return path


def unix_socket(folder: Path, name: str = "sock.md") -> tuple[Path, socket.socket]:
    path = folder / name
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    return path, sock


def sparse(folder: Path, name: str = "huge.txt", size: int = 2 * 1024**3) -> Path:
    path = folder / name
    with open(path, "wb") as handle:
        handle.truncate(size)  # 2 GB that take no disk space
    return path


def zero_byte(folder: Path, name: str = "empty.txt") -> Path:
    path = folder / name
    path.write_bytes(b"")
    return path


def undecodable(folder: Path, name: str = "binary.txt") -> Path:
    path = folder / name
    path.write_bytes(bytes(range(256)) * 64)
    return path


def hostile_name(folder: Path) -> Path:
    """A file whose name carries escape sequences (they reach E2001/E2002 messages)."""
    path = folder / f"evil{TITLE}{CLEAR}.pdf"
    path.write_bytes(b"%PDF-1.4")
    return path


def _png_with(text_chunk: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    return (_PNG + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"tEXt", text_chunk) + chunk(b"IEND", b""))


def malformed_cards(folder: Path) -> dict[str, Path]:
    """Card files that are not cards, each a different way."""
    v2 = {"spec": "chara_card_v2", "spec_version": "2.0"}
    cases: dict[str, bytes] = {
        "png-bad-base64": _png_with(b"chara\x00!!!not base64!!!"),
        "png-not-json": _png_with(b"chara\x00" + base64.b64encode(b"not json {")),
        "png-json-list": _png_with(b"chara\x00" + base64.b64encode(b"[1, 2]")),
        "png-truncated-chunk": _PNG + struct.pack(">I", 2**31) + b"tEXt" + b"chara\x00",
        "v2-data-list": json.dumps({**v2, "data": [1]}).encode(),
        "v2-extensions-list": json.dumps({**v2, "data": {"name": "X", "extensions": [1]}}
                                         ).encode(),
        "v2-data-string": json.dumps({**v2, "data": "x"}).encode(),
        "v3-data-list": json.dumps({"spec": "chara_card_v3", "spec_version": "3.0",
                                    "data": [1]}).encode(),
        "top-level-list": b"[1, 2, 3]",
        "top-level-string": b'"a card"',
        "deep-nesting": b"[" * 200_000 + b"]" * 200_000,
        "deep-object": b'{"identity": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_001,
        "not-utf8": b"\xff\xfe\x00garbage",
        "empty": b"",
        "charx-not-zip": b"PK\x03\x04garbage",
    }
    paths = {}
    for name, data in cases.items():
        suffix = ".png" if name.startswith("png") else ".charx" if name.startswith("charx") \
            else ".json"
        path = folder / f"{name}{suffix}"
        path.write_bytes(data)
        paths[name] = path
    return paths
