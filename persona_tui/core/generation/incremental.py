"""Persona objects found as they complete in a reply that is still streaming.

Announcing personas early used to mean parsing the whole reply so far every quarter second:
each parse costs time proportional to the reply, so a long reply was parsed many times over
while it streamed. This scanner reads each character once, across calls, and hands back the
text of every object that closes directly inside the first array of the reply
(``{"personas": [{…}, {…}]}`` or ``[{…}, {…}]``). It only proposes candidates: the caller
parses each with the normal parser, and the final parse of the whole reply stays the
authority on what the run produced.
"""

from __future__ import annotations

import re

#: the only characters that change the scanner's state; everything between is skipped in C
_SPECIAL = re.compile(r'[\[\]{}"\\]')


class ObjectScanner:
    def __init__(self) -> None:
        self._pos = 0
        self._depth = 0
        self._array_depth: int | None = None
        self._in_string = False
        self._escaped = False
        self._start: int | None = None

    def feed(self, text: str) -> list[str]:
        """``text`` is the whole reply so far (it only ever grows); returns the objects
        completed since the last call."""
        found = []
        depth, array_depth, start = self._depth, self._array_depth, self._start
        in_string, escaped = self._in_string, self._escaped
        for match in _SPECIAL.finditer(text, self._pos):
            char, index = match.group(), match.start()
            if escaped:
                escaped = False  # the character after a backslash, whatever it is
                continue
            if in_string:
                if char == "\\":
                    escaped = True
                elif char == '"':
                    in_string = False
            elif char == '"':
                in_string = True
            elif char in "[{":
                if char == "{" and depth == array_depth:
                    start = index
                depth += 1
                if char == "[" and array_depth is None:
                    array_depth = depth
            elif char in "]}":
                depth -= 1
                if char == "}" and depth == array_depth and start is not None:
                    found.append(text[start:index + 1])
                    start = None
                if array_depth is not None and depth < array_depth:
                    array_depth, start = None, None  # that array closed: look for the next
                if depth < 0:  # prose with a stray bracket: start over after it
                    depth = 0
        self._pos = len(text)
        self._depth, self._array_depth, self._start = depth, array_depth, start
        self._in_string, self._escaped = in_string, escaped
        return found
