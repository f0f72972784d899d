"""Make text from files, models and vendors safe to print on a terminal or write to a file.

Text from research data, model replies and vendor error bodies is shown literally. Escape
sequences (CSI, OSC such as ``ESC ] 0;title BEL`` or ``ESC ] 52`` clipboard writes, DCS…) and
other C0/C1 control characters would otherwise reach the terminal and could retitle it, clear
it, write the user's clipboard or worse. Newlines and tabs are kept.

This module is the one sanitiser. It is applied where text crosses a boundary, not per
message: :class:`~persona_tui.core.errors.PersonaError` cleans every message and hint it is
given, the persona and card models clean every string they hold, the command line wraps its
output streams in :class:`SafeStream`, and JSON written for people or other programs goes
through :func:`json_safe`. Lone surrogates (``"\\ud800"`` from a model's JSON) cannot be
encoded as UTF-8 and would crash a save, so the same functions replace them with U+FFFD.
"""

from __future__ import annotations

import json
import re
from typing import Any, TextIO

_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"          # CSI ... final byte
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL or ST
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"     # DCS, SOS, PM, APC ... ST
    r"|\x1b[@-Z\\-_]"                    # other two-byte escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"             # 8-bit CSI
    r"|\x9d[^\x07\x9c]*[\x07\x9c]?"       # 8-bit OSC
    r"|[\x90\x98\x9e\x9f][^\x9c\x1b]*(?:\x9c|\x1b\\)?"  # 8-bit DCS, SOS, PM, APC ... ST
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
#: every character any of the three patterns above starts with (ESC, C1, CR and the other C0
#: controls, DEL, surrogates): text with none of them is returned as it is, after one search
_ANY_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
#: characters JSON encoders leave raw but a terminal acts on (DEL, C1) or UTF-8 cannot hold
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\ud800-\udfff\u2028\u2029]")
#: how deep :func:`clean_tree` follows nested containers (model output can nest absurdly)
MAX_DEPTH = 64


def strip_control(text: str) -> str:
    """``text`` without terminal escape sequences or control characters (``\\n``, ``\\t`` kept).

    Lone surrogates become U+FFFD, so the result can always be encoded as UTF-8.
    """
    if not text or _ANY_UNSAFE.search(text) is None:  # nearly all text: one pass, no copy
        return text
    text = _ESCAPES.sub("", text)
    text = _CONTROLS.sub("", text.replace("\r\n", "\n"))
    return _SURROGATES.sub("\ufffd", text)


def fix_surrogates(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD (nothing else changed)."""
    return _SURROGATES.sub("\ufffd", text)


def clean_tree(value: Any, *, depth: int = 0) -> Any:
    """Every string in a JSON-like value (keys too) through :func:`strip_control`.

    Containers nested deeper than :data:`MAX_DEPTH` are dropped (``None``): no persona or card
    field is that deep, and following them would exhaust the stack.
    """
    if isinstance(value, str):
        return strip_control(value)
    if not isinstance(value, (dict, list, tuple)):
        return value
    if depth >= MAX_DEPTH:
        return None
    # a string inside is cleaned here rather than in a call of its own: a persona holds
    # dozens of them, and the live parse cleans every persona of a streaming reply
    depth += 1
    if isinstance(value, dict):
        return {strip_control(k) if isinstance(k, str) else k:
                strip_control(v) if isinstance(v, str) else clean_tree(v, depth=depth)
                for k, v in value.items()}
    return [strip_control(item) if isinstance(item, str) else clean_tree(item, depth=depth)
            for item in value]


def json_safe(text: str) -> str:
    """JSON text with DEL, C1 controls, U+2028/9 and lone surrogates written as ``\\uXXXX``.

    ``json.dumps(..., ensure_ascii=False)`` and pydantic leave these raw; escaped, the JSON
    means the same and no byte of it can act on a terminal. (C0 controls are always escaped
    by JSON encoders inside strings.)
    """
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def dumps(value: Any, **kwargs: Any) -> str:
    """``json.dumps`` (non-ASCII kept readable) whose output is :func:`json_safe`."""
    kwargs.setdefault("ensure_ascii", False)
    return json_safe(json.dumps(value, **kwargs))


class SafeStream:
    """A text stream that strips control sequences from everything written to it.

    The command line wraps ``sys.stdout`` and ``sys.stderr`` in one, so no text from a file,
    a model or a vendor can reach the terminal raw, whichever command printed it.
    :meth:`write_control` is for the program's own sequences (the live progress line).
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(strip_control(text))
        return len(text)

    def write_control(self, sequence: str) -> None:
        self._stream.write(sequence)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def write_control(stream: Any, sequence: str) -> None:
    """Write one of the program's own control sequences, past a :class:`SafeStream`."""
    getattr(stream, "write_control", stream.write)(sequence)


__all__ = ["MAX_DEPTH", "SafeStream", "clean_tree", "dumps", "fix_surrogates", "json_safe",
           "strip_control", "write_control"]
