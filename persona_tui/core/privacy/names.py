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

_RELATION = re.compile(
    r"\b(?:my|our|her|his|their)\s+(?:(?:older|younger|little|big|best|ex-?)\s+)?"
    r"(?:son|daughter|partner|wife|husband|flatmate|flat-mate|roommate|housemate|friend|"
    r"colleague|boss|manager|mum|mom|mother|dad|father|brother|sister|granddaughter|"
    r"grandson|grandmother|grandfather|neighbour|neighbor|landlord|landlady|girlfriend|"
    r"boyfriend|fianc[eé]e?|aunt|uncle|cousin|niece|nephew|child|kid|tenant|lodger)"
    rf",?\s+({_CAP})")
_SELF = re.compile(rf"\b(?:[Mm]y name is|[Mm]y name's|I'm called|[Cc]all me|[Tt]his is)\s+({_FULL})")
_SIGNOFF = re.compile(rf"^\s*(?:Thanks|Thank you|Best|Cheers|Regards|Best regards|Kind regards|"
                      rf"Sincerely|Love|Warmly)[,!]?\s*\n?\s*[-—–]?\s*({_FULL})\s*$", re.M)
_DASH_SIGN = re.compile(rf"^\s*[—–-]{{1,2}}\s*({_FULL})\s*$", re.M)
_PAIR = re.compile(rf"\b({_CAP})\s+(?:and|&)\s+({_CAP})\b")
_TITLE = re.compile(rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s+({_FULL})")
_HEADING = re.compile(rf"^#*\s*[^\n—–]{{0,60}}[—–:]\s*({_CAP}\s+{_CAP})\s*$", re.M)
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


def names_in(doc: SourceDocument) -> list[SourceName]:
    found: list[SourceName] = []

    def add(name: str, how: str) -> None:
        name = " ".join(name.split()).strip("'’-")
        if is_name_like(name):
            found.append(SourceName(name, doc.id, how))

    for speaker in doc.speakers:
        add(re.sub(r"\s*\(.*\)$", "", speaker), "speaker")
    text = doc.text
    if doc.format in ("csv", "tsv"):
        for name in _column_names(text, "\t" if doc.format == "tsv" else None):
            add(name, "column")
    for pattern, how in ((_SELF, "self-introduction"), (_SIGNOFF, "sign-off"),
                         (_DASH_SIGN, "sign-off"), (_RELATION, "relation"),
                         (_TITLE, "title"), (_HEADING, "heading")):
        for match in pattern.finditer(text):
            add(match.group(1), how)
    for match in _PAIR.finditer(text):
        first, second = match.group(1), match.group(2)
        if first.casefold() not in COMMON_CAPITALISED and \
                second.casefold() not in COMMON_CAPITALISED:
            add(first, "pair")
            add(second, "pair")
    return found


def _column_names(text: str, delimiter: str | None) -> list[str]:
    head = text[:4096].split("\n", 1)[0]
    delimiter = delimiter or (";" if head.count(";") > head.count(",") else ",")
    header = next(csv.reader([head], delimiter=delimiter), [])
    wanted = [i for i, column in enumerate(header) if NAME_COLUMNS.match(column.strip())]
    if not wanted:
        return []
    names = []
    for row in csv.reader(io.StringIO(text), delimiter=delimiter):
        for index in wanted:
            if index < len(row) and row[index].strip() and row is not None:
                names.append(row[index].strip())
    return names[1:] if names and names[0].strip() == header[wanted[0]].strip() else names


def expand(names: list[SourceName]) -> dict[str, SourceName]:
    """Full names and each part of them ("Maya Okafor" -> also "Maya", "Okafor")."""
    table: dict[str, SourceName] = {}
    for entry in names:
        table.setdefault(entry.name, entry)
        parts = entry.name.split()
        if len(parts) > 1:
            for part in parts:
                if len(part) >= 3 and part.casefold() not in COMMON_CAPITALISED:
                    table.setdefault(part, entry)
    return table
