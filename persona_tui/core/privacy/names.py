"""Names of real people that the sources reveal.

Without a named-entity model (which would mean a download), names are taken from where
research data states them: speaker labels and voice tags, name columns in tables, "my name
is …", sign-offs ("Thanks, Maya"), relations ("my son, Erik", "my flatmate Jonah"), pairs
("Jonah and Claire"), titles ("Dr Okafor") and document headings ("Interview — Maya Okafor").
Role labels such as "Interviewer" or "P3" are not names.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from persona_tui.core.data.document import SourceDocument

_CAP = r"[A-Z][a-zà-ÿ'’-]+(?:-[A-Z][a-zà-ÿ]+)?"
_FULL = rf"{_CAP}(?:\s+{_CAP}){{0,2}}"
ROLE_LABELS = frozenset({
    "interviewer", "moderator", "facilitator", "researcher", "participant", "respondent",
    "speaker", "host", "guest", "user", "customer", "q", "a", "unknown", "narrator", "note",
    "observer", "notetaker", "note-taker", "assistant", "system", "me", "you", "client",
})
COMMON_CAPITALISED = frozenset({
    "i", "the", "a", "an", "and", "but", "or", "so", "then", "yes", "no", "ok", "okay", "well",
    "thanks", "thank", "hi", "hello", "dear", "best", "regards", "cheers", "monday", "tuesday",
    "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march",
    "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "english", "british", "american", "christmas", "easter", "internet", "app",
    "google", "apple", "microsoft", "excel", "whatsapp", "facebook", "instagram", "iphone",
    "android", "uk", "us", "usa", "eu", "phd", "ceo", "it", "we", "they", "he", "she",
    "this", "that", "there", "here", "what", "when", "where", "who", "why", "how", "my",
    "our", "your", "their", "his", "her", "honestly", "sure", "right", "just", "also",
})
#: given names that are also ordinary words: matched in cards only when not sentence-initial
AMBIGUOUS = frozenset({"will", "may", "mark", "bill", "rose", "grace", "hope", "joy", "faith",
                       "june", "april", "august", "summer", "dawn", "frank", "jack", "pat",
                       "ray", "rob", "sue", "guy", "art", "sky", "miles", "chase", "penny",
                       "ruby", "amber", "jade", "ivy", "holly", "rich", "bob", "kay"})

# Each pattern starts with characters rare in running text (a capital letter, or a short set
# of first letters) so the regex engine can skip ahead instead of trying every position: name
# extraction has to keep up with indexing tens of megabytes.
_RELATION = re.compile(
    r"(?:[Mm]y|[Oo]ur|[Hh]er|[Hh]is|[Tt]heir)\s+(?:(?:older|younger|little|big|best|ex-?)\s+)?"
    r"(?:son|daughter|partner|wife|husband|flatmate|flat-mate|roommate|housemate|friend|"
    r"colleague|boss|manager|mum|mom|mother|dad|father|brother|sister|granddaughter|"
    r"grandson|grandmother|grandfather|neighbour|neighbor|landlord|landlady|girlfriend|"
    r"boyfriend|fianc[eé]e?|aunt|uncle|cousin|niece|nephew|child|kid|tenant|lodger)"
    rf",?\s+({_CAP})")
_SELF = re.compile(rf"(?:name is|name's|called|[Cc]all me|[Tt]his is)\s+({_FULL})")
_SIGNOFF = re.compile(rf"(?:Thanks|Thank you|Best|Cheers|Regards|Best regards|Kind regards|"
                      rf"Sincerely|Love|Warmly)[,!]?[ \t]*\n?[ \t]*[-—–]?[ \t]*({_FULL})[ \t]*$",
                      re.M)
_DASH_SIGN = re.compile(rf"\n[ \t]*[—–-]{{1,2}}[ \t]*({_FULL})[ \t]*$", re.M)
_PAIR = re.compile(rf"({_CAP})[ \t]+(?:and|&)[ \t]+({_CAP})\b")
_TITLE = re.compile(rf"(?:M[rsx]s?|Miss|Dr|Prof)\.?[ \t]+({_FULL})")
_HEADING = re.compile(rf"#[^\n—–:]{{0,80}}[—–:][ \t]*({_CAP}[ \t]+{_CAP})[ \t]*$", re.M)
NAME_COLUMNS = re.compile(r"^(?:full[ _-]?name|first[ _-]?name|last[ _-]?name|surname|"
                          r"given[ _-]?name|name|participant[ _-]?name|respondent[ _-]?name|"
                          r"contact[ _-]?name|author|interviewee)$", re.I)


@dataclass(frozen=True)
class SourceName:
    name: str
    source_id: str
    how: str  # speaker, column, self-introduction, sign-off, relation, pair, title, heading


def is_name_like(token: str) -> bool:
    parts = token.split()
    if not parts or any(len(p) < 2 for p in parts):
        return False
    if all(p.casefold() in COMMON_CAPITALISED for p in parts):
        return False
    if token.casefold() in ROLE_LABELS or re.fullmatch(r"[A-Z]?\d+|[PR]\d+|Speaker \d+", token):
        return False
    return bool(re.fullmatch(_FULL, token))


_CAPS = re.compile(r"[A-Z][a-zà-ÿ]+(?:-[A-Z][a-zà-ÿ]+)?")
# Where a name can be: a capital mid-sentence (after a lower-case letter or comma), a line that
# is only a name (sign-offs), or a Markdown heading. Sentence-initial capitals are ordinary words
# far more often than names, and checking each of them would cost more than the rest together.
_MID_SENTENCE = re.compile(r"[a-z,;:] ([A-Z][a-zà-ÿ]+(?:-[A-Z][a-zà-ÿ]+)?)")
_NAME_LINE = re.compile(r"\n[ \t]*[-—–]{0,2}[ \t]*([A-Z][a-zà-ÿ]+)(?:[ \t]+([A-Z][a-zà-ÿ]+))?"
                        r"[ \t]*(?=\n|$)")
_HEADING_NAMES = re.compile(r"#[^\n]*?[—–:][ \t]*([A-Z][a-zà-ÿ]+)[ \t]+([A-Z][a-zà-ÿ]+)")
#: name-revealing contexts, each with words that must be near for it to be worth running
_CONTEXTS = (
    (_SELF, "self-introduction", ("name", "alled", "all me", "his is")),
    (_SIGNOFF, "sign-off", ("Thank", "Best", "Cheers", "egards", "Sincerely", "Love",
                            "Warmly")),
    (_DASH_SIGN, "sign-off", ("-", "—", "–")),
    (_RELATION, "relation", ("y ", "ur ", "er ", "is ", "eir ")),
    (_TITLE, "title", ("Mr", "Ms", "Mx", "Miss", "Dr", "Prof")),
    (_HEADING, "heading", ("#",)),
    (_PAIR, "pair", (" and ", "&")),
)
_MAX_OCCURRENCES = 100
_CONTEXT_CHARS = 90


class SourceNames:
    """Which capitalised words of a card name real people in the sources.

    Speaker labels and name columns are collected up front. Every other context is checked
    lazily: indexing only records each document's capitalised words (one fast scan), and a
    card's candidate word is looked at in context only where it occurs. That keeps preparing
    a 50 MB corpus to a fraction of a second.
    """

    def __init__(self, documents: list[SourceDocument], ignore: tuple[str, ...] = ()) -> None:
        self.documents = documents
        self.ignore = {n.casefold() for n in ignore}
        self.direct: dict[str, SourceName] = {}
        self.capitalised: list[set[str]] = []
        for doc in documents:
            for speaker in doc.speakers:
                self._add_direct(re.sub(r"\s*\(.*\)$", "", speaker), doc.id, "speaker")
            if doc.format in ("csv", "tsv"):
                for name in _column_names(doc.text, "\t" if doc.format == "tsv" else None):
                    self._add_direct(name, doc.id, "name column")
            text = doc.text
            candidates = set(_MID_SENTENCE.findall(text))
            for pattern in (_NAME_LINE, _HEADING_NAMES):
                for groups in pattern.findall(text):
                    candidates.update(g for g in groups if g)
            self.capitalised.append(candidates)
        self._cache: dict[str, SourceName | None] = {}

    def _add_direct(self, name: str, source_id: str, how: str) -> None:
        name = " ".join(name.split()).strip("'’-")
        if not is_name_like(name):
            return
        entry = SourceName(name, source_id, how)
        self.direct.setdefault(name, entry)
        for part in name.split():
            if len(part) >= 3 and part.casefold() not in COMMON_CAPITALISED:
                self.direct.setdefault(part, entry)

    def lookup(self, word: str) -> SourceName | None:
        """The source that reveals ``word`` as a person's name, or None."""
        if word.casefold() in self.ignore or not is_name_like(word):
            return None
        if word in self.direct:
            return self.direct[word]
        if word not in self._cache:
            self._cache[word] = self._in_context(word)
        return self._cache[word]

    def _in_context(self, word: str) -> SourceName | None:
        pattern = re.compile(rf"(?<![\w'’]){re.escape(word)}(?![\w’])")
        for doc, capitalised in zip(self.documents, self.capitalised):
            if word not in capitalised:
                continue
            text = doc.text
            for count, occurrence in enumerate(pattern.finditer(text)):
                if count >= _MAX_OCCURRENCES:
                    break
                lo = max(0, occurrence.start() - _CONTEXT_CHARS)
                window = text[lo:occurrence.end() + _CONTEXT_CHARS]
                for context, how, triggers in _CONTEXTS:
                    if not any(trigger in window for trigger in triggers):
                        continue
                    for match in context.finditer(window):
                        names = [g for g in match.groups() if g]
                        for name in names:
                            if word in name.split() and is_name_like(name):
                                if how == "pair" and any(
                                        n.casefold() in COMMON_CAPITALISED for n in names):
                                    continue
                                return SourceName(name, doc.id, how)
        return None

    def occurrence(self, entry: SourceName, word: str) -> tuple[SourceDocument, int] | None:
        document = next((d for d in self.documents if d.id == entry.source_id), None)
        if document is None:
            return None
        at = document.text.find(word)
        return (document, at) if at >= 0 else None


def candidate_words(text: str):
    """Capitalised words of ``text`` that could be names, with their spans."""
    for match in _CAPS.finditer(text):
        yield match.group(), match.start(), match.end()


def _column_names(text: str, delimiter: str | None) -> list[str]:
    head = text[:4096].split("\n", 1)[0]
    delimiter = delimiter or (";" if head.count(";") > head.count(",") else ",")
    header = next(csv.reader([head], delimiter=delimiter), [])
    wanted = [i for i, column in enumerate(header) if NAME_COLUMNS.match(column.strip())]
    if not wanted:
        return []
    names = []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    next(reader, None)
    for row in reader:
        for index in wanted:
            if index < len(row) and row[index].strip():
                names.append(row[index].strip())
    return names
