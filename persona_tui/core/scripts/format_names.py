"""The card export formats by name, apart from the code that writes them, so the command
line can list them for ``--help`` without importing pydantic."""

from __future__ import annotations

#: every export, in the order the editor offers them
FORMATS = ("json", "system_prompt", "markdown", "chara_card_v2", "chara_card_v3", "png",
           "charx")
#: the file name ending of each export
EXTENSIONS = {"json": ".json", "system_prompt": ".txt", "markdown": ".md",
              "chara_card_v2": ".v2.json", "chara_card_v3": ".v3.json", "png": ".png",
              "charx": ".charx"}
#: exports that are bytes, not text
BINARY_FORMATS = frozenset({"png", "charx"})

__all__ = ["BINARY_FORMATS", "EXTENSIONS", "FORMATS"]
