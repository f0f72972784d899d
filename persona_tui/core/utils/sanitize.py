"""Make text from files and models safe to print on a terminal.

Text from research data and model replies is shown literally. Escape sequences (CSI, OSC such
as ``ESC ] 0;title BEL``, DCS…) and other C0/C1 control characters would otherwise reach the
terminal and could retitle it, move the cursor or worse. Newlines and tabs are kept.
"""

from __future__ import annotations

import re

_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"          # CSI ... final byte
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL or ST
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"     # DCS, SOS, PM, APC ... ST
    r"|\x1b[@-Z\\-_]"                    # other two-byte escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"             # 8-bit CSI
    r"|\x9d[^\x07\x9c]*[\x07\x9c]?"       # 8-bit OSC
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_control(text: str) -> str:
    """``text`` without terminal escape sequences or control characters (``\\n``, ``\\t`` kept)."""
    if not text:
        return text
    text = _ESCAPES.sub("", text)
    return _CONTROLS.sub("", text.replace("\r\n", "\n"))


__all__ = ["strip_control"]
