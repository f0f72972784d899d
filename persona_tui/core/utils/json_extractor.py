"""Find the JSON a language model meant to write, in whatever it actually wrote.

Model output arrives wrapped in prose and Markdown fences, and carries the slips models make:
trailing commas, ``//`` and ``#`` comments, smart quotes, Python literals (``True``/``None``),
single-quoted strings, unquoted keys. Those are repaired because each has one reading only.
Anything ambiguous (an apostrophe inside a single-quoted string, a missing comma) is not
guessed at: the candidate is rejected and the search moves on.

A value cut off before its end (the model hit its token limit) is never returned by
:meth:`JSONExtractor.extract`; :meth:`JSONExtractor.salvage` returns its complete members
instead and says which containers were cut, so the persona parser can keep finished personas
and warn about the rest.

Cost is linear in the input: every container start is parsed at most once (results are
memoised), valid stretches go through the C decoder, and the scan stops at the first value
that runs into the end of the text, since nothing after it can be complete.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

MAX_DEPTH = 200

_OPENERS = re.compile(r"[\[{]")
_FENCE_INFO = re.compile(r"[ \t]*[\w+.-]*[ \t]*\r?")
_SKIP = re.compile(r"(?:\s+|//[^\n]*|#[^\n]*|/\*.*?\*/)*", re.S)
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_NUMBER_PREFIX = re.compile(r"-?\d*(?:\.\d*)?(?:[eE][+-]?\d*)?\Z")  # a number cut by the end
_IDENT = re.compile(r"[A-Za-z_$][\w$-]*")
_DQ_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"', re.S)
_SQ_STRING = re.compile(r"'((?:[^'\\]|\\.)*)'", re.S)
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.S)
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "/": "/",
                   "\\": "\\", '"': '"', "'": "'"}
# Opening smart quote -> characters that may close it.
_SMART_QUOTES = {"\u201c": "\u201d\u201c", "\u201d": "\u201d\u201c", "\u201e": "\u201d\u201c",
                 "\u2018": "\u2019\u2018"}
_LITERALS = {"true": True, "false": False, "null": None, "True": True, "False": False,
             "None": None}
_DECODER = json.JSONDecoder(strict=False)


class _FastErrorText(str):
    """The text as handed to the C decoder.

    Each failed ``raw_decode`` builds a ``JSONDecodeError``, whose constructor counts the
    newlines from the start of the document to compute a line number. On a 10 MB reply with
    thousands of small slips that made extraction quadratic. We never read those line numbers,
    so this view answers the two look-ups in constant time.
    """

    def count(self, *args: object) -> int:  # type: ignore[override]
        return 0

    def rfind(self, *args: object) -> int:  # type: ignore[override]
        return -1


class _Invalid(Exception):
    """The text at this point cannot be read as JSON, even leniently."""


class _Truncated(Exception):
    """The text ended inside a value. ``partial`` holds its complete members, if a container."""

    def __init__(self, partial: Any = None, cuts: tuple[tuple[Any, ...], ...] = ()) -> None:
        self.partial = partial
        self.cuts = cuts


@dataclass(frozen=True)
class SalvagedJSON:
    """What :meth:`JSONExtractor.salvage` found.

    ``truncated`` is true when the value ran into the end of the text; ``cut_paths`` then names
    every container that lost members (``()`` is the value itself, ``("personas", 2)`` the
    third item of its ``personas`` list). Containers not named there are complete.
    """

    value: Any
    truncated: bool = False
    cut_paths: tuple[tuple[Any, ...], ...] = field(default=())

    def is_cut(self, path: tuple[Any, ...]) -> bool:
        return path in self.cut_paths


def _unescape(body: str) -> str:
    def repl(match: re.Match[str]) -> str:
        token = match.group(1)
        if token[0] == "u":
            return chr(int(token[1:], 16))
        return _SIMPLE_ESCAPES.get(token, token)

    return _ESCAPE.sub(repl, body) if "\\" in body else body


def _decode_dq(body: str) -> str:
    if "\\" not in body:
        return body
    try:
        return _DECODER.decode(f'"{body}"')
    except ValueError:
        return _unescape(body)  # e.g. \' which JSON does not allow but means one thing


class _Reader:
    """One pass over one text, with every container start's outcome memoised."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self._fast_text = _FastErrorText(text)
        self.memo: dict[int, tuple[str, Any, Any]] = {}

    # --- top level ---------------------------------------------------------------------------

    def scan(self, start: int = 0, stop: int | None = None):
        """Yield ``(value, start, end)`` for each complete top-level value in ``[start, stop)``.

        Raises :class:`_Truncated` (holding its complete members) when a candidate runs into
        the end of the text.
        """
        stop = self.n if stop is None else stop
        i = start
        while True:
            match = _OPENERS.search(self.text, i, stop)
            if match is None:
                return
            s = match.start()
            try:
                value, end = self.container(s, 0)
            except _Invalid:
                i = s + 1
                continue
            if end > stop:
                i = s + 1
                continue
            yield value, s, end
            i = end

    def container(self, i: int, depth: int) -> tuple[Any, int]:
        cached = self.memo.get(i)
        if cached is not None:
            kind, a, b = cached
            if kind == "ok":
                return a, b
            if kind == "invalid":
                raise _Invalid
            raise _Truncated(a, b)
        try:
            value, end = self._container_uncached(i, depth)
        except _Invalid:
            self.memo[i] = ("invalid", None, None)
            raise
        except _Truncated as cut:
            self.memo[i] = ("truncated", cut.partial, cut.cuts)
            raise
        self.memo[i] = ("ok", value, end)
        return value, end

    def _container_uncached(self, i: int, depth: int) -> tuple[Any, int]:
        if depth > MAX_DEPTH:
            raise _Invalid
        try:
            return _DECODER.raw_decode(self._fast_text, i)
        except (ValueError, RecursionError):
            pass
        if self.text[i] == "{":
            return self._object(i + 1, depth)
        return self._array(i + 1, depth)

    # --- lenient grammar ---------------------------------------------------------------------

    def _skip(self, i: int) -> int:
        i = _SKIP.match(self.text, i).end()
        if i < self.n and self.text.startswith("/*", i):
            raise _Truncated  # an unterminated block comment runs to the end
        return i

    def _object(self, i: int, depth: int) -> tuple[dict[str, Any], int]:
        result: dict[str, Any] = {}
        text = self.text
        while True:
            i = self._skip(i)
            if i >= self.n:
                raise _Truncated(result, ((),))
            if text[i] == "}":
                return result, i + 1
            key, i = self._key(i, result)
            i = self._skip(i)
            if i >= self.n:
                raise _Truncated(result, ((),))
            if text[i] != ":":
                raise _Invalid
            try:
                value, i = self._value(self._skip(i + 1), depth)
            except _Truncated as cut:
                if cut.partial is not None:
                    result[key] = cut.partial
                raise _Truncated(result, ((),) + tuple((key, *p) for p in cut.cuts)) from None
            result[key] = value
            i = self._skip(i)
            if i >= self.n:
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    del result[key]  # "age": 3 at the very end may have been 34
                raise _Truncated(result, ((),))
            if text[i] == ",":
                i += 1
                continue
            if text[i] == "}":
                return result, i + 1
            raise _Invalid

    def _key(self, i: int, partial: dict[str, Any]) -> tuple[str, int]:
        ch = self.text[i]
        if ch in "\"'" or ch in _SMART_QUOTES:
            try:
                return self._string(i)
            except _Truncated:
                raise _Truncated(partial, ((),)) from None
        match = _IDENT.match(self.text, i)
        if match is None or match.group() in _LITERALS:
            raise _Invalid
        return match.group(), match.end()

    def _array(self, i: int, depth: int) -> tuple[list[Any], int]:
        result: list[Any] = []
        text = self.text
        while True:
            i = self._skip(i)
            if i >= self.n:
                raise _Truncated(result, ((),))
            if text[i] == "]":
                return result, i + 1
            index = len(result)
            try:
                value, i = self._value(i, depth)
            except _Truncated as cut:
                if cut.partial is not None:
                    result.append(cut.partial)
                raise _Truncated(result, ((),) + tuple((index, *p) for p in cut.cuts)) from None
            result.append(value)
            i = self._skip(i)
            if i >= self.n:
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    result.pop()
                raise _Truncated(result, ((),))
            if text[i] == ",":
                i += 1
                continue
            if text[i] == "]":
                return result, i + 1
            raise _Invalid

    def _value(self, i: int, depth: int) -> tuple[Any, int]:
        if i >= self.n:
            raise _Truncated
        ch = self.text[i]
        if ch in "{[":
            return self.container(i, depth + 1)
        if ch in "\"'" or ch in _SMART_QUOTES:
            return self._string(i)
        if (ch == "-" or ch.isdigit()) and _NUMBER_PREFIX.match(self.text, i):
            raise _Truncated
        match = _NUMBER.match(self.text, i)
        if match is not None:
            end = match.end()
            if end < self.n and (self.text[end].isalnum() or self.text[end] in "._"):
                raise _Invalid
            token = match.group()
            number = float(token) if any(c in token for c in ".eE") else int(token)
            return number, end
        match = _IDENT.match(self.text, i)
        if match is not None:
            word = match.group()
            if word in _LITERALS:
                return _LITERALS[word], match.end()
            if match.end() >= self.n and any(lit.startswith(word) for lit in _LITERALS):
                raise _Truncated  # "tru" at the very end
        raise _Invalid

    def _string(self, i: int) -> tuple[str, int]:
        text = self.text
        quote = text[i]
        if quote == '"':
            match = _DQ_STRING.match(text, i)
            if match is None:
                raise _Truncated  # a double quote always closes, so none means the text ended
            return _decode_dq(match.group(1)), match.end()
        if quote == "'":
            match = _SQ_STRING.match(text, i)
            if match is None:
                raise _Truncated
            return _unescape(match.group(1)), match.end()
        closers = _SMART_QUOTES[quote]
        j = i + 1
        while j < self.n and text[j] not in closers:
            j += 1
        if j >= self.n:
            raise _Truncated
        return text[i + 1:j], j + 1


def _fences(text: str):
    """Yield ``(start, end)`` of each fenced code block's body; an unclosed one runs to the end.

    Plain ``str.find`` rather than a lazy regex: on multi-megabyte replies it is ten times faster.
    """
    pos = 0
    while True:
        start = text.find("```", pos)
        if start < 0:
            return
        newline = text.find("\n", start + 3)
        if newline < 0:
            return
        if not _FENCE_INFO.fullmatch(text, start + 3, newline):
            pos = start + 3
            continue
        end = text.find("```", newline + 1)
        if end < 0:
            yield newline + 1, len(text)
            return
        yield newline + 1, end
        pos = end + 3


class JSONExtractor:
    """Extracts JSON values from free text. Stateless; one instance may be shared."""

    def extract(self, text: str) -> Any | None:
        """The first complete JSON object or array, preferring one inside a fenced code block.

        Returns ``None`` when there is none (a cut-off value does not count).
        """
        if not isinstance(text, str) or not text:
            return None
        reader = _Reader(text)
        for start, end in _fences(text):
            try:
                for value, _, _ in reader.scan(start, end):
                    return value
            except _Truncated:
                pass
        try:
            for value, _, _ in reader.scan():
                return value
        except _Truncated:
            return None
        return None

    def extract_all(self, text: str) -> list[Any]:
        """Every complete top-level JSON object or array, in the order they appear."""
        if not isinstance(text, str) or not text:
            return []
        found: list[Any] = []
        try:
            for value, _, _ in _Reader(text).scan():
                found.append(value)
        except _Truncated:
            pass
        return found

    def salvage(self, text: str) -> SalvagedJSON | None:
        """The value cut off at the end of the text, keeping its complete members.

        Returns ``None`` when no value runs into the end of the text. For the persona parser,
        which keeps finished personas from an output that hit the token limit; callers must
        treat the result as partial (``truncated`` is always true) and say so.
        """
        if not isinstance(text, str) or not text:
            return None
        reader = _Reader(text)
        try:
            for _ in reader.scan():
                pass
        except _Truncated as cut:
            if cut.partial is None:
                return None
            return SalvagedJSON(cut.partial, True, tuple(cut.cuts))
        return None


_default = JSONExtractor()


def extract_json(text: str) -> Any | None:
    """Module-level shortcut for :meth:`JSONExtractor.extract`."""
    return _default.extract(text)


def extract_json_objects(text: str) -> list[Any]:
    """Module-level shortcut for :meth:`JSONExtractor.extract_all`."""
    return _default.extract_all(text)


__all__ = ["JSONExtractor", "SalvagedJSON", "extract_json", "extract_json_objects"]
