"""Quasi-identifiers: a combination of attributes that fits only a few participants.

No single word of "a 41-year-old dental nurse in Hebden Bridge raising two kids" is a name,
yet in a study of forty people it points at one of them. The sources hold attributes per
participant in a few shapes, all read here:

* a survey row, in columns whose header (or survey-platform question) means age, occupation,
  town, household or gender, in the languages studies come in;
* a JSON record with keys that mean the same;
* a transcript or interview note: its header lines ("Age: 44", "Occupation: …") and the
  participant's self-description ("I'm 58, I'm a retired ferry engineer and I live on my
  own in Stromness", "I work nights as a hospital porter in Limerick").

Each table (or JSON file) is one population, and all transcripts together are another. A card
text that mentions two or more attributes a population records is compared with each record:
a record fits when each mentioned attribute matches its value (or it has none: unknown is
treated as a possible fit, which errs towards a larger k). k = how many fit. k = 1 is a high
finding, k < 5 medium, each naming the attributes and the rows or documents that fit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from persona_tui.core.data.document import SourceDocument
from persona_tui.core.utils.fold import fold

ATTRIBUTES = ("age", "occupation", "household", "place", "gender")
_HEADER = (  # order matters: "who do you live with" is household, "where do you live" place
    ("age", re.compile(r"\bage\b|age[_ ]?band|how old|\balter\b|\bedad\b|\bâge\b|\betà\b|"
                       r"leeftijd|ålder|\bwiek\b|year of birth", re.I)),
    ("household", re.compile(r"household|live with|lives with|living situation|living with|"
                             r"who (?:else )?(?:is in|lives)|haushalt|hogar|foyer|famille",
                             re.I)),
    ("occupation", re.compile(r"occupation|\bjob\b|profession|\bwork\b|what do you do|"
                              r"employment|\bberuf|profesi|métier|lavoro|beroep|yrke|zawód|"
                              r"\brole\b", re.I)),
    ("place", re.compile(r"\btown\b|\bcity\b|location|where do you live|where .* live|"
                         r"\bregion\b|\barea\b|wohnort|\bort\b|ciudad|ville|città|\bstad\b|"
                         r"\bcountry\b|based in", re.I)),
    ("gender", re.compile(r"gender|\bsex\b|geschlecht|género|sexe", re.I)),
)
_HEADER_LINE = re.compile(r"^[ \t]*(?:[-*][ \t]+)?(?:\*\*)?([A-Za-z][A-Za-z ]{1,24}?)(?:\*\*)?"
                          r"[ \t]*:[ \t]*(?:\*\*)?[ \t]*(\S[^\n]{0,80})$", re.M)
_SELF_AGE = re.compile(r"\b(?:I'm|I am|I’m|aged)\s+(\d{2})\b(?![ \t]*(?:%|pounds|quid|"
                       r"minutes|hours|years? ago|times|of))")
_YEAR_OLD = re.compile(r"\b(\d{2})[- ]?(?:year|yr)s?[- ]old\b", re.I)
_SELF_JOB = re.compile(r"\bI(?:'m| am|’m) an? ((?:[a-z]+[ -]){0,2}[a-z]+?)(?=,| and | in | at "
                       r"| for |\.|$)|\bI work (?:nights |days |shifts |part[- ]time |full[- ]"
                       r"time )?as an? ((?:[a-z]+[ -]){0,2}[a-z]+?)(?=,| and | in | at | for "
                       r"|\.|$)")
_SELF_PLACE = re.compile(r"\b(?:I|we) (?:live|work|am based|'m based|grew up)[^.\n]{0,60}? in "
                         r"([A-Z][\w'-]+(?: [A-Z][\w'-]+)?)|\bin ([A-Z][\w'-]+(?: [A-Z][\w'-]+)?)"
                         r"(?=[^.\n]{0,40}\bI (?:live|share))")
_SELF_ALONE = re.compile(r"\bI live (?:on my own|alone|by myself)\b")
_SELF_HOUSE = re.compile(r"\bI (?:share|live in) an? ((?:house|flat|home)(?: with [a-z ]{2,30}?)?)"
                         r"(?=[.,]|$)")
_CARD_DECADE = re.compile(r"\b(?:(early|mid|late)[- ])?(twenties|thirties|forties|fifties|"
                          r"sixties|seventies|eighties)\b", re.I)
_CARD_BAND = re.compile(r"\b(\d{2})\s*[-–]\s*(\d{2})\b|\b(\d{2})\+")
_CARD_AGE = re.compile(r"\b(\d{2})[- ]?(?:year|yr)s?[- ]old\b|\baged (\d{2})\b|"
                       r"(?:^|,\s*)(\d{2})(?=\s*(?:,|$|\.|;|\s+(?:and|living|years)))", re.I)
_DECADES = {"twenties": 20, "thirties": 30, "forties": 40, "fifties": 50, "sixties": 60,
            "seventies": 70, "eighties": 80}
_FILLER = frozenset("a an the my our her his their and of in with for to at on is are".split())
_WORD = re.compile(r"[^\W_]+")


def attribute_of(header: str) -> str | None:
    for name, pattern in _HEADER:
        if pattern.search(header):
            return name
    return None


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def _content(text: str) -> frozenset[str]:
    return frozenset(w for w in _words(text) if w not in _FILLER)


def age_range(value: str) -> tuple[int, int] | None:
    """"34" -> (34, 34), "25-34" -> (25, 34), "65+" -> (65, 120), "late twenties" -> (27, 29)."""
    band = _CARD_BAND.search(value)
    if band:
        if band.group(3):
            return int(band.group(3)), 120
        low, high = int(band.group(1)), int(band.group(2))
        return (low, high) if low <= high else None
    decade = _CARD_DECADE.search(value)
    if decade:
        base = _DECADES[decade.group(2).lower()]
        part = (decade.group(1) or "").lower()
        return {"early": (base, base + 3), "mid": (base + 3, base + 6),
                "late": (base + 6, base + 9)}.get(part, (base, base + 9))
    number = re.search(r"\b(\d{2})\b", value)
    if number and 14 <= int(number.group(1)) <= 110:
        age = int(number.group(1))
        return age, age
    return None


@dataclass
class Record:
    where: str  # "form.csv row 3" or a document id
    source_id: str
    offset: int
    values: dict[str, str] = field(default_factory=dict)


@dataclass
class Population:
    name: str
    records: list[Record] = field(default_factory=list)

    @property
    def attributes(self) -> set[str]:
        return {a for r in self.records for a in r.values}


def populations(documents: list[SourceDocument]) -> list[Population]:
    found: list[Population] = []
    interviews = Population("interviews and transcripts")
    for doc in documents:
        table, fields = doc.table, doc.fields
        if table is not None:
            population = Population(doc.id)
            columns = {i: attribute_of(table.column_text(i)) for i in range(len(table.header))}
            columns = {i: a for i, a in columns.items() if a}
            if len(set(columns.values())) >= 2:
                rows: dict[int, Record] = {}
                for index, attribute in columns.items():
                    for row, a, b in table.column_values(index):
                        record = rows.setdefault(row, Record(f"{doc.id} row {row + 1}", doc.id,
                                                             table.row_starts[row]))
                        record.values.setdefault(attribute, doc.text[a:b].strip())
                population.records = [rows[r] for r in sorted(rows)]
                found.append(population)
        elif fields is not None:
            keys = {key: attribute_of(key) for _, key in fields.labels}
            if len({a for a in keys.values() if a}) >= 2:
                population = Population(doc.id)
                records: dict[int, Record] = {}
                for record_no, key, a, b in fields.values():
                    attribute = keys.get(key)
                    if attribute:
                        record = records.setdefault(record_no, Record(
                            f"{doc.id} record {record_no + 1}", doc.id, a))
                        record.values.setdefault(attribute, doc.text[a:b])
                population.records = list(records.values())
                found.append(population)
        else:
            record = _described(doc)
            if record is not None:
                interviews.records.append(record)
    if interviews.records:
        found.append(interviews)
    return found


def _described(doc: SourceDocument) -> Record | None:
    """One participant per transcript: header lines, then the self-description."""
    text = doc.text
    record = Record(doc.id, doc.id, 0)
    for match in _HEADER_LINE.finditer(text[:3000]):
        attribute = attribute_of(match.group(1))
        if attribute and len(match.group(1).split()) <= 3:
            record.values.setdefault(attribute, match.group(2).strip("* "))
    head = text[:20000]
    for pattern, attribute in ((_SELF_AGE, "age"), (_YEAR_OLD, "age"),
                               (_SELF_JOB, "occupation"), (_SELF_PLACE, "place"),
                               (_SELF_HOUSE, "household")):
        match = pattern.search(head)
        if match and attribute not in record.values:
            record.values[attribute] = next(g for g in match.groups() if g)
    if "household" not in record.values and _SELF_ALONE.search(head):
        record.values["household"] = "alone on my own"
    return record if len(record.values) >= 2 else None


@dataclass
class QuasiMatch:
    start: int
    end: int
    attributes: list[str]  # "age 41", "occupation 'Dental nurse'", …
    fits: list[Record]
    population: str


class QuasiIdentifiers:
    """The populations of a set of sources, built on first use, and the check of a text."""

    def __init__(self, documents: list[SourceDocument]) -> None:
        self.documents = documents
        self._populations: list[Population] | None = None

    @property
    def populations(self) -> list[Population]:
        if self._populations is None:
            self._populations = populations(self.documents)
        return self._populations

    def check(self, text: str, *, below: int = 5) -> list[QuasiMatch]:
        if not self.populations:
            return []
        spans = [(m.start(), m.end(), fold(m.group()))
                 for m in _WORD.finditer(text)]
        card_words = {w for _, _, w in spans}
        card_age = _card_age(text)
        out: list[QuasiMatch] = []
        for population in self.populations:
            mentioned: dict[str, tuple[set[str], list[tuple[int, int]]]] = {}
            for attribute in population.attributes - {"age"}:
                values, where = set(), []
                for record in population.records:
                    value = record.values.get(attribute)
                    if not value or value in values:
                        continue
                    content = _content(value)
                    if content and content <= card_words:
                        values.add(value)
                        where += [(a, b) for a, b, w in spans if w in content]
                if values:
                    mentioned[attribute] = (values, where)
            if card_age and "age" in population.attributes:
                mentioned["age"] = (set(), [card_age[2:]])
            if len(mentioned) < 2:
                continue
            fits, exact = [], []
            for record in population.records:
                ok, known = True, 0
                for attribute, (values, _) in mentioned.items():
                    value = record.values.get(attribute)
                    if not value:
                        continue
                    known += 1
                    if attribute == "age":
                        theirs = age_range(value)
                        if theirs is None or theirs[1] < card_age[0] or card_age[1] < theirs[0]:
                            ok = False
                            break
                    elif value not in values:
                        ok = False
                        break
                if ok:
                    fits.append(record)
                    if known == len(mentioned):
                        exact.append(record)
            if exact and len(fits) < below:
                bounds = [span for _, where in mentioned.values() for span in where]
                names = []
                for attribute, (values, _) in sorted(mentioned.items()):
                    names.append(f"{attribute} {card_age[0]}-{card_age[1]}"
                                 if attribute == "age" and card_age[0] != card_age[1] else
                                 f"age {card_age[0]}" if attribute == "age" else
                                 f"{attribute} '{sorted(values)[0]}'")
                out.append(QuasiMatch(min(a for a, _ in bounds), max(b for _, b in bounds),
                                      names, fits, population.name))
        return out


def _card_age(text: str) -> tuple[int, int, int, int] | None:
    """(low, high, start, end) of the age a card text states, if any."""
    for pattern in (_CARD_BAND, _CARD_AGE, _CARD_DECADE):
        match = pattern.search(text)
        if match:
            found = age_range(match.group()) if pattern is not _CARD_AGE else \
                age_range(next(g for g in match.groups() if g))
            if found:
                start = match.start() + (len(match.group()) - len(match.group().lstrip(", ")))
                return found[0], found[1], start, match.end()
    return None
