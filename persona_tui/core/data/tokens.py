"""Token estimates without a tokenizer download.

Method (documented in the README): Latin-script text averages about four characters per
token in the BPE tokenizers of the hosted vendors; other scripts (CJK, Cyrillic, Arabic…)
average closer to one token per one to two characters. So an estimate is

    ceil(ascii_chars / 4 + non_ascii_chars * 0.75)

It errs on the high side for accented Latin text, which is the safe side for cost and context
budgets. Vendors' own counts replace the estimate whenever a reply reports usage.
"""

from __future__ import annotations

import math


def estimate_tokens(text: str) -> int:
    if not text:
        return 0
    if text.isascii():
        return math.ceil(len(text) / 4)
    ascii_chars = len(text.encode("ascii", "ignore"))
    other = len(text) - ascii_chars
    return math.ceil(ascii_chars / 4 + other * 0.75)


__all__ = ["estimate_tokens"]
