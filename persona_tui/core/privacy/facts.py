"""Where a card's personal data occurs in the sources, whatever the formatting on either side.

Nothing is scanned up front: cards rarely hold a phone or a reference, and the corpus may be
tens of megabytes. Each value is searched for when a card holds it (one compiled pattern over
each document, which the regex engine runs at hundreds of MB/s for a literal start) and the
answer is remembered for the next card.

* phones: the national significant number with any separators, then parsed back with
  phonenumbers together with what stands before it (+44, 0044, 0, (0)) and compared as E.164;
* references and postcodes: the same letters and digits with or without - _ / and spaces;
* links: the same host and path, or the same host for a participant's own domain (not for
  e-mail providers and big platforms, where only the full path identifies anyone);
* handles: the same @name, or the name as a profile path ("instagram.com/name").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from persona_tui.core.data.document import SourceDocument
from persona_tui.core.privacy.findings import FindingKind
from persona_tui.core.privacy.pii import (
    CONTEXT_WORDS,
    PIIMatch,
    context_words,
    has_context,
    occurs_in,
    phone_keys,
    url_host,
)

#: hosts that many people share: a link there identifies someone only with its path
SHARED_HOSTS = frozenset("""gmail.com googlemail.com outlook.com hotmail.com live.com yahoo.com
icloud.com me.com aol.com proton.me protonmail.com fastmail.com gmx.de gmx.net web.de mail.com
example.com example.org example.net google.com facebook.com instagram.com twitter.com x.com
youtube.com linkedin.com tiktok.com amazon.com amazon.co.uk wikipedia.org github.com apple.com
microsoft.com bbc.co.uk reddit.com etsy.com ebay.com paypal.com whatsapp.com""".split())
_SEPARATORS = r"[\s_/.-]?"


@dataclass(frozen=True)
class SourceHit:
    document: SourceDocument
    start: int
    end: int
    #: a word such as "booking" or "patient" (or a column header saying so) stands with it
    context: bool = False


class SourceFacts:
    def __init__(self, documents: list[SourceDocument], regions: tuple[str, ...]) -> None:
        self.documents = documents
        self.regions = regions
        self._memo: dict[tuple[str, str], SourceHit | None] = {}

    def find(self, match: PIIMatch) -> SourceHit | None:
        key = (str(match.kind), match.key)
        if key not in self._memo:
            self._memo[key] = self._find(match)
        return self._memo[key]

    def _find(self, match: PIIMatch) -> SourceHit | None:
        kind = match.kind
        if kind == FindingKind.PHONE:
            return self._phone(match)
        if kind == FindingKind.IDENTIFIER:
            return self._reference(match.key)
        if kind == FindingKind.URL:
            return self._link(match.key)
        for document in self.documents:
            if occurs_in(match, document.text):
                at = _first(document.text, match.text)
                return SourceHit(document, at, at + len(match.text))
        return None

    def _search(self, pattern: re.Pattern[str]):
        for document in self.documents:
            for found in pattern.finditer(document.text):
                yield document, found

    def _phone(self, match: PIIMatch) -> SourceHit | None:
        keys = match.keys or {match.key}
        nationals = {k[-9:] for k in keys if len(k) > 9}  # the last nine digits always differ
        for national in nationals:
            pattern = re.compile(r"[\s().-]{0,3}".join(national) + r"(?!\d)")
            for document, found in self._search(pattern):
                text = document.text
                # the number as written: walk back over prefixes (+44, 0044, 0, (0), 1-)
                left = max(0, found.start() - 12)
                for start in range(left, found.start() + 1):
                    if start > 0 and (text[start - 1].isdigit() or text[start - 1] == "+"):
                        continue
                    raw = text[start:found.end()]
                    if not raw[:1] or not (raw[0].isdigit() or raw[0] in "+("):
                        continue
                    if keys & phone_keys(raw, self.regions):
                        return SourceHit(document, start, found.end())
        return None

    def _reference(self, key: str) -> SourceHit | None:
        body = _SEPARATORS.join(re.escape(c) for c in key)
        pattern = re.compile(rf"(?<![A-Za-z0-9]){body}(?![A-Za-z0-9])", re.I)
        for document, found in self._search(pattern):
            start = found.start()
            context = has_context(document.text, start)
            if not context:
                column = document.locate(start).column or ""
                context = bool(CONTEXT_WORDS & context_words(column))
            return SourceHit(document, start, found.end(), context)
        return None

    def _link(self, key: str) -> SourceHit | None:
        if key.startswith("@"):
            name = re.escape(key[1:])
            pattern = re.compile(rf"(?<![\w@.])@{name}(?![\w])|\.[a-z]{{2,}}/@?{name}(?![\w])",
                                 re.I)
        else:
            host = url_host(key)
            path = key[len(host):]
            if host in SHARED_HOSTS:
                if not path.strip("/"):
                    return None
                target = re.escape(key)
            else:
                target = re.escape(host)
            pattern = re.compile(rf"(?<![\w-]){target}(?![\w-])", re.I)
        for document, found in self._search(pattern):
            return SourceHit(document, found.start(), found.end())
        return None


def _first(text: str, needle: str) -> int:
    at = text.find(needle)
    if at < 0:
        at = text.casefold().find(needle.casefold())
    return max(at, 0)
