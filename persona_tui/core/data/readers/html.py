"""HTML pages (exported notes, wiki pages): the visible text only, one block per line."""

from __future__ import annotations

from html.parser import HTMLParser

from persona_tui.core.data.readers import ReadResult
from persona_tui.core.data.readers.turns import find_turns

_SKIP = frozenset({"script", "style", "head", "template", "noscript", "svg"})
_BLOCK = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
                    "section", "article", "blockquote", "pre", "table", "ul", "ol", "dt",
                    "dd", "hr", "header", "footer", "main", "aside", "nav", "figcaption",
                    "title", "td", "th"})


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def read_html(text: str, name: str) -> ReadResult:
    parser = _TextOnly()
    parser.feed(text)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    body = "\n".join(line for line in lines if line)
    return ReadResult(body, find_turns(body), derived=True)
