"""Names of real people that the sources reveal, and where a text mentions them.

Without a named-entity model (which would mean a download), names are taken from where
research data states them:

* up front: speaker labels and voice tags; table columns whose header means a name (in the
  languages studies come in: "Your name (optional)", "RecipientFirstName", "Vorname",
  "Nombre completo", "Prénom"…) or whose cells are mostly full names; JSON keys that mean a
  name; the parts of e-mail addresses ("h.whitcombe1987@…" names Whitcombe) and of own
  domains ("…@whitcombe-design.co.uk");
* on demand, around a word a card uses: self-introductions and nicknames ("my name is …, but
  everyone calls me …"), sign-offs and greetings, also inside survey cells ("… fix the app!
  Thanks, Marisol"), relations ("my landlady, Mrs …"), titles ("Dr Achterberg"), pairs and
  document headings.

Names keep their shape: hyphenated ("Adeyemi-Clarke"), apostrophe ("O'Sullivan") and particle
("van der Berg", "de la Cruz", "Ó Briain") surnames. Matching ignores case and accents
("Tomas" is "Tomás"); a lower-case word counts only when it is rare in general language, so
"kit" the word is not "Kit" the participant. Role labels ("Interviewer", "P3", "Speaker 2")
are not names.

:func:`participant_names` lists the names a set of sources reveals (the generator checks
persona names against it); :meth:`SourceNames.find_in` finds them in any text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from persona_tui.core.data.document import SourceDocument
from persona_tui.core.privacy.rarity import zipf
from persona_tui.core.utils.fold import fold, strip_accents

_UP = "A-Z" + "".join(c for c in map(chr, range(0xC0, 0x250)) if c.isupper())
_LO = "a-z" + "".join(c for c in map(chr, range(0xDF, 0x250)) if c.islower())
_APOS = "'’"
#: one capitalised name word: O'Sullivan, McDonald, D'Arcy, Adeyemi-Clarke, Zoë, Ruairí
_CAP = (rf"(?:[OD][{_APOS}](?=[{_UP}])|Ma?c(?=[{_UP}]))?[{_UP}][{_LO}]+"
        rf"(?:[{_APOS}][{_LO}]+)?(?:-[{_UP}][{_LO}]+)*")
PARTICLES = frozenset({"van", "von", "der", "den", "de", "del", "della", "di", "da", "dos",
                       "das", "du", "la", "le", "bin", "ibn", "al", "el", "ter", "ten", "zu",
                       "af", "ó", "ní", "nic", "ua", "mac", "y"})
_PARTICLE = r"(?:[Vv]an|[Vv]on|[Dd]er|[Dd]en|[Dd]e|[Dd]el|[Dd]ella|[Dd]i|[Dd]a|[Dd]os|[Dd]as|" \
            r"[Dd]u|[Ll]a|[Ll]e|bin|ibn|al|el|ter|ten|zu|af|Ó|Ní|Nic|Ua|y)"
_FULL = rf"{_CAP}(?:[ \t]+(?:{_PARTICLE}[ \t]+){{0,3}}{_CAP}){{0,3}}"
_TITLES = r"(?:Mrs|Mr|Ms|Mx|Miss|Dr|Prof|Sir|Dame|Herr|Frau|Sra|Sr|Mme|Mlle)"
ROLE_LABELS = frozenset({
    "interviewer", "moderator", "facilitator", "researcher", "participant", "respondent",
    "speaker", "host", "guest", "user", "customer", "q", "a", "unknown", "narrator", "note",
    "observer", "notetaker", "note-taker", "assistant", "system", "me", "you", "client",
    "anonymous", "anon", "n/a", "none", "prefer not to say", "redacted",
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
    "mr", "mrs", "ms", "mx", "miss", "dr", "prof", "sir", "dame", "lady", "lord", "herr",
    "frau", "sr", "sra", "mme", "mlle", "madam", "team", "all", "everyone", "folks",
})
#: given names that are also ordinary words: matched in cards only when not sentence-initial
AMBIGUOUS = frozenset({"will", "may", "mark", "bill", "rose", "grace", "hope", "joy", "faith",
                       "june", "april", "august", "summer", "dawn", "frank", "jack", "pat",
                       "ray", "rob", "sue", "guy", "art", "sky", "miles", "chase", "penny",
                       "ruby", "amber", "jade", "ivy", "holly", "rich", "bob", "kay", "kit"})

_NAME_WORDS = frozenset("""name names fullname surname surnames forename forenames firstname
lastname givenname familyname respondent participant interviewee author contact recipient
vorname nachname familienname rufname nom prenom nombre apellido apellidos nome cognome
sobrenome apelido naam voornaam achternaam namn fornamn efternamn navn fornavn etternavn
efternavn imie nazwisko nimi etunimi sukunimi""".split())
_NOT_NAME_WORDS = frozenset("""company business organisation organization product app tool
file user username brand shop store street pet team project school employer event place
town city country domain host server device model browser plan account bank
unternehmen firma entreprise empresa""".split())
_COMPOUND = re.compile(r"(first|last|given|family|full|sur|fore|nick|display|vor|nach)"
                       r"(name)", re.I)
_SPLIT = re.compile(r"(?<=[a-z])(?=[A-Z])|[^0-9A-Za-z]+")

# Each pattern starts with characters rare in running text (a capital letter, or a short set
# of first letters) so the regex engine can skip ahead instead of trying every position.
_RELATION = re.compile(
    r"(?:[Mm]y|[Oo]ur|[Hh]er|[Hh]is|[Tt]heir)\s+(?:(?:older|younger|little|big|best|ex-?)\s+)?"
    r"(?:son|daughter|partner|wife|husband|flatmate|flat-mate|roommate|housemate|friend|"
    r"colleague|boss|manager|mum|mom|mother|dad|father|brother|sister|granddaughter|"
    r"grandson|grandmother|grandfather|neighbour|neighbor|landlord|landlady|girlfriend|"
    r"boyfriend|fianc[eé]e?|aunt|uncle|cousin|niece|nephew|child|kid|tenant|lodger|"
    r"carer|nan|gran|grandma|grandad|stepdad|stepmum|ex)"
    rf",?\s+(?:{_TITLES}\.?\s+)?((?:{_PARTICLE}[ \t]+){{0,3}}{_FULL})")
_SELF = re.compile(rf"(?:[Nn]ame is|[Nn]ame's|[Cc]alled|[Cc]alls? me|[Kk]nown as|[Gg]o(?:es)? by|"
                   rf"[Nn]ickname is|[Tt]his is|[Ii]t's|[Ii]'m|I am|[Ii]ch heiße|[Mm]ein Name "
                   rf"ist|[Mm]e llamo|[Jj]e m'appelle|[Mm]i chiamo)\s+({_FULL})")
_SIGNOFF = re.compile(rf"(?:Thanks|Thank you|Many thanks|Best|Cheers|Regards|Best regards|"
                      rf"Kind regards|Warm regards|Sincerely|Love|Warmly|Ta|Danke|Gracias|"
                      rf"Merci|Saludos|Grüße|Gruß|Bises)[,!.]?[ \t]*\n?[ \t]*[-—–]?[ \t]*"
                      rf"({_FULL})[ \t]*(?=$|[,;\t\"!.)]|\n)", re.M)
_GREETING = re.compile(rf"(?:Hi|Hello|Hey|Hiya|Dear|Morning|Hallo|Hola|Bonjour|Ciao)[ \t,]+"
                       rf"({_FULL})(?=[ \t]*[,!.:\n]|$)", re.M)
_DASH_SIGN = re.compile(rf"\n[ \t]*[—–-]{{1,2}}[ \t]*({_FULL})[ \t]*$", re.M)
_PAIR = re.compile(rf"({_CAP})[ \t]+(?:and|&)[ \t]+({_CAP})\b")
_TITLE = re.compile(rf"{_TITLES}\.?[ \t]+((?:{_PARTICLE}[ \t]+){{0,3}}{_FULL})")
_HEADING = re.compile(rf"#[^\n—–:]{{0,80}}[—–:][ \t]*({_CAP}[ \t]+(?:{_PARTICLE}[ \t]+)"
                      rf"{{0,3}}{_CAP}(?:[ \t]+{_CAP})?)[ \t]*$", re.M)

# Where a name can be: a capital mid-sentence (after a lower-case letter or comma), a line that
# is only a name (sign-offs), or a Markdown heading. Sentence-initial capitals are ordinary words
# far more often than names, and checking each of them would cost more than the rest together.
_MID_SENTENCE = re.compile(rf"[a-z,;:] ([{_UP}][^\s.,;:!?\"()]*(?:[ \t]+[{_UP}][^\s.,;:!?\"()]*)*)")
_RUN = re.compile(rf"[{_UP}][^\s.,;:!?\"()]*(?:[ \t]+[{_UP}][^\s.,;:!?\"()]*)*")
#: byte classes for finding where _MID_SENTENCE can match without trying every position
_LEAD = bytes(97 <= c <= 122 or c in b",;:" for c in range(256))
_CAPITAL_OR_OTHER = bytes(65 <= c <= 90 or c == 63 for c in range(256))  # 63: "?"
_CAP_WORD = re.compile(_CAP)
_NAME_LINE = re.compile(rf"\n[ \t]*[-—–]{{0,2}}[ \t]*({_CAP})(?:[ \t]+({_CAP}))?[ \t]*(?=\n|$)")
_HEADING_NAMES = re.compile(rf"#[^\n]*?[—–:][ \t]*({_CAP})[ \t]+(?:{_PARTICLE}[ \t]+){{0,3}}"
                            rf"({_CAP})")
#: name-revealing contexts, each with words that must be near for it to be worth running;
#: "rare" contexts ("I'm …", "called …") count only for words rare in general language
_CONTEXTS = (
    (_SELF, "self-introduction", ("ame", "alled", "all", "nown", "o by", "oes by", "his is",
                                  "'m", "’m", "I am", "t's", "heiße", "ist", "llamo",
                                  "appelle", "chiamo")),
    (_SIGNOFF, "sign-off", ("Thank", "Best", "Cheers", "egards", "Sincerely", "Love",
                            "Warmly", "Ta", "Danke", "Gracias", "Merci", "Saludos", "Gr",
                            "Bises")),
    (_GREETING, "greeting", ("Hi", "Hello", "Hey", "Dear", "Morning", "Hallo", "Hola",
                             "Bonjour", "Ciao")),
    (_DASH_SIGN, "sign-off", ("-", "—", "–")),
    (_RELATION, "relation", ("y ", "ur ", "er ", "is ", "eir ")),
    (_TITLE, "title", ("Mr", "Ms", "Mx", "Miss", "Dr", "Prof", "Sir", "Dame", "Herr", "Frau",
                       "Sr", "Mme", "Mlle")),
    (_HEADING, "heading", ("#",)),
    (_PAIR, "pair", (" and ", "&")),
)
_WEAK_SELF = re.compile(r"(?:[Ii]'m|[Ii]’m|I am|[Tt]his is|[Ii]t's|[Cc]alled)\s+$")
_MAX_OCCURRENCES = 100
_CONTEXT_CHARS = 120
_CARD_WORD = re.compile(rf"(?:[OD][{_APOS}](?=[{_UP}]))?[^\W\d_]+(?:[{_APOS}][^\W\d_]+)*"
                        r"(?:-[^\W\d_]+)*")
_EMAIL = re.compile(r"([\w.+-]{1,64})@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})")
_GENERIC_MAIL = frozenset("""info contact hello admin mail email office team support sales
design designs studio hi me the news enquiries enquiry accounts noreply reply web shop help home
family work hr jobs careers press media service services booking bookings orders billing""".split())
_MAIL_HOSTS = frozenset("""gmail googlemail outlook hotmail live yahoo icloud me aol proton
protonmail fastmail gmx web mail example btinternet sky virginmedia talktalk orange free
comcast verizon msn qq""".split())


def name_key(name: str) -> str:
    """What two spellings of one name share: case, accents, apostrophe style and spacing
    ignored ("Tomás" and "TOMAS", "O’Sullivan" and "o'sullivan")."""
    return " ".join(fold(name).split())


@dataclass(frozen=True)
class SourceName:
    name: str
    source_id: str
    how: str  # speaker, name column, e-mail address, self-introduction, sign-off, …


def _is_particle(token: str) -> bool:
    return token.casefold() in PARTICLES


def is_name_like(token: str) -> bool:
    parts = token.split()
    if not parts:
        return False
    words = [p for p in parts if not _is_particle(p) or p[:1].isupper() and len(parts) == 1]
    if not words or any(len(p) < 2 for p in words):
        return False
    if all(p.casefold() in COMMON_CAPITALISED for p in words):
        return False
    if token.casefold() in ROLE_LABELS or re.fullmatch(r"[A-Z]?\d+|[PR]\d+|Speaker \d+", token):
        return False
    return bool(re.fullmatch(rf"(?:{_PARTICLE}[ \t]+){{0,3}}{_FULL}", token))


def is_name_header(header: str) -> bool:
    """Does a column header (or JSON key) mean a person's name? "Your name (optional)",
    "RecipientLastName", "Nombre completo", "Prénom" do; "Company name", "App" do not."""
    plain = strip_accents(_COMPOUND.sub(r"\1 \2", header))
    words = {w.casefold() for w in _SPLIT.split(plain) if w}
    if not words or words & _NOT_NAME_WORDS:
        return False
    return bool(words & _NAME_WORDS)


_ATTRIBUTE_HEADER = re.compile(r"age|town|city|where|live|locat|region|country|job|work|"
                               r"occupation|profession|role|household|gender|tool|device",
                               re.I)


def _full_names(values: list[str]) -> bool:
    """Are these mostly full names ("Ana Lima", "Tomás Ribeiro")? Column content, not its
    header, says so when the header is unhelpful ("Who", "Q3")."""
    if len(values) < 2:
        return False
    full = sum(1 for v in values if len(v.split()) >= 2 and is_name_like(v))
    return full >= 0.7 * len(values)


def _mid_sentence_runs(text: str) -> set[str]:
    """What ``_MID_SENTENCE.findall(text)`` finds, as a set, much faster: the places where it
    can match (a lower-case letter or comma, a space, a capital) are found with byte tables
    in numpy, and the run of capitalised words is matched only there. Characters outside
    ASCII are "?" in the byte copy, so any of them counts as a possible capital and the match
    decides."""
    raw = text.encode("ascii", "replace")  # one byte per character: offsets hold
    if len(raw) < 3:
        return set()
    lead = np.frombuffer(raw.translate(_LEAD), dtype=np.bool_)
    capital = np.frombuffer(raw.translate(_CAPITAL_OR_OTHER), dtype=np.bool_)
    space = np.frombuffer(raw, dtype=np.uint8) == 32
    runs: set[str] = set()
    reach = 0
    match = _RUN.match
    for at in (np.flatnonzero(lead[:-2] & space[1:-1] & capital[2:]) + 2).tolist():
        if at < reach:  # inside the previous run, as findall would skip it
            continue
        found = match(text, at)
        if found:
            runs.add(found.group())
            reach = found.end()
    return runs


class SourceNames:
    """Which words of a text name real people in the sources.

    Direct names (speakers, name columns and keys, e-mail addresses) are collected up front.
    Every other context is checked lazily: indexing only records each document's capitalised
    words (one fast scan), and a word is looked at in context only where it occurs. That keeps
    preparing a 50 MB corpus to a fraction of a second.
    """

    def __init__(self, documents: list[SourceDocument], ignore: tuple[str, ...] = ()) -> None:
        self.documents = documents
        self.ignore = {name_key(n) for n in ignore}
        self.direct: dict[str, SourceName] = {}
        #: per document: name key -> the forms a capitalised word has there
        self.capitalised: list[dict[str, set[str]]] = []
        for doc in documents:
            for speaker in doc.speakers:
                self._add_direct(re.sub(r"\s*\(.*\)$", "", speaker), doc.id, "speaker")
            self._tables(doc)
            self._fields(doc)
            self._emails(doc)
            text = doc.text
            forms: dict[str, set[str]] = {}
            words = set()
            for run in _mid_sentence_runs(text):  # runs of capitalised words
                for token in run.split():
                    if token[-2:] in ("'s", "’s"):
                        token = token[:-2]
                    if _CAP_WORD.fullmatch(token):
                        words.add(token)
            for pattern in (_NAME_LINE, _HEADING_NAMES):
                for groups in pattern.findall(text):
                    words.update(g for g in groups if g)
            for word in words:
                forms.setdefault(name_key(word), set()).add(word)
            self.capitalised.append(forms)
        self._cache: dict[str, SourceName | None] = {}

    # --- collected up front --------------------------------------------------------------

    def _add_direct(self, name: str, source_id: str, how: str) -> None:
        name = " ".join(name.split()).strip("'’-")
        if not is_name_like(name):
            return
        entry = SourceName(name, source_id, how)
        self.direct.setdefault(name_key(name), entry)
        for part in name.split():
            if len(part) >= 3 and not _is_particle(part) and \
                    part.casefold() not in COMMON_CAPITALISED:
                self.direct.setdefault(name_key(part), entry)

    def _tables(self, doc: SourceDocument) -> None:
        table = doc.table
        if table is None:
            return
        text = doc.text
        for index in range(len(table.header)):
            header = table.column_text(index)
            if is_name_header(header):
                how = "name column"
            elif _ATTRIBUTE_HEADER.search(header):
                continue
            else:
                sample = [text[a:b].strip() for _, a, b in
                          _first(table.column_values(index), 40)]
                if not _full_names(sample):
                    continue
                how = "column of names"
            for _, a, b in table.column_values(index):
                self._add_direct(text[a:b], doc.id, f"{how} '{table.column_name(index)}'")

    def _fields(self, doc: SourceDocument) -> None:
        fields = doc.fields
        if fields is None:
            return
        wanted = {key for _, key in fields.labels if is_name_header(key)}
        if not wanted:
            return
        text = doc.text
        for _, key, a, b in fields.values():
            if key in wanted:
                self._add_direct(text[a:b], doc.id, f"name key '{key}'")

    def _emails(self, doc: SourceDocument) -> None:
        text = doc.text
        at = text.find("@")
        while at >= 0:
            start = at
            while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "._+-"):
                start -= 1
            match = _EMAIL.match(text, start)
            if match:
                local, domain = match.groups()
                labels = domain.lower().split(".")
                parts = re.split(r"[._+\-\d]+", local)
                if labels[0] not in _MAIL_HOSTS and len(labels) >= 2:
                    parts += labels[0].split("-")
                for part in parts:
                    if len(part) >= 3 and part.isalpha() and \
                            part.casefold() not in _GENERIC_MAIL and zipf(part) < 4.0:
                        self._add_direct(part.capitalize(), doc.id, "e-mail address")
            at = text.find("@", at + 1)

    # --- looked up on demand ---------------------------------------------------------------

    def lookup(self, word: str) -> SourceName | None:
        """The source that reveals ``word`` as a person's name, or None."""
        key = name_key(word)
        shaped = word.title() if word.isupper() else word[:1].upper() + word[1:]
        if key in self.ignore or not is_name_like(shaped):
            return None
        if key in self.direct:
            return self.direct[key]
        if key not in self._cache:
            self._cache[key] = self._in_context(key)
        return self._cache[key]

    def _in_context(self, key: str) -> SourceName | None:
        for doc, capitalised in zip(self.documents, self.capitalised):
            for form in capitalised.get(key, ()):
                found = self._form_in_context(doc, form, key)
                if found is not None:
                    return found
        return None

    def _form_in_context(self, doc: SourceDocument, form: str, key: str) -> SourceName | None:
        pattern = re.compile(rf"(?<![\w'’]){re.escape(form)}(?![\w’])")
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
                        if key not in {name_key(p) for p in name.split()} or \
                                not is_name_like(name):
                            continue
                        if how == "pair" and any(
                                n.casefold() in COMMON_CAPITALISED for n in names):
                            continue
                        if how == "self-introduction" and _WEAK_SELF.search(
                                window[match.start():match.start(1)]) and \
                                zipf(name.split()[0]) >= 4.0:
                            continue  # "I'm British", "this is Tuesday"
                        return SourceName(name, doc.id, how)
        return None

    def occurrence(self, entry: SourceName) -> tuple[SourceDocument, int] | None:
        """Where ``entry`` is written in its source (its first word)."""
        document = next((d for d in self.documents if d.id == entry.source_id), None)
        if document is None:
            return None
        first = next((p for p in entry.name.split() if not _is_particle(p)), entry.name)
        at = document.text.find(first)
        if at < 0:
            at = document.text.casefold().find(first.casefold())
        return (document, at) if at >= 0 else (document, 0)

    # --- in a text -------------------------------------------------------------------------

    def find_in(self, text: str) -> list[tuple[int, int, SourceName]]:
        """Spans of ``text`` that name someone in the sources, each a whole name: a first
        name and surname together, particles included ("van der Berg"), a possessive "'s"
        left out."""
        # (start, end, entry, strong): entry None marks a particle, _GAP a word that is no
        # name; a weak name (an ordinary word such as "Kit" opening a sentence) counts only
        # next to a strong one
        items: list[tuple[int, int, SourceName | None, bool]] = []
        for match in _CARD_WORD.finditer(text):
            word, start, end = match.group(), match.start(), match.end()
            if word[-2:] in ("'s", "’s") and len(word) > 3:
                word, end = word[:-2], end - 2
            if _is_particle(word) and not (len(word) > 3 and word[:1].isupper()):
                items.append((start, end, None, False))
                continue
            entry, strong = self._word(text, word, start)
            items.append((start, end, entry if entry is not None else _GAP, strong))
        found: list[tuple[int, int, SourceName]] = []
        run: list[tuple[int, int, SourceName | None, bool]] = []

        def close() -> None:
            if not any(item[3] for item in run):
                run.clear()
                return
            while run and run[-1][2] is None:
                run.pop()  # particles only count before a name word
            while run and run[0][2] is None and not _lower_particle(text, run[0]):
                run.pop(0)
            entry = next(item[2] for item in run if item[3])
            found.append((run[0][0], run[-1][1], entry))
            run.clear()

        for item in items:
            if item[2] is _GAP:
                close()
                continue
            if run and not _adjacent(text, run[-1][1], item[0]):
                close()
            run.append(item)
        close()
        return found

    def _word(self, text: str, word: str, start: int) -> tuple[SourceName | None, bool]:
        """The name ``word`` is, and whether it is one by itself (strong) or only next to
        another name (weak)."""
        if len(word) < 2:
            return None, False
        if word[:1].isupper():
            if word.casefold() in AMBIGUOUS and _sentence_initial(text, start):
                return self.lookup(word), False
            entry = self.lookup(word)
            return entry, entry is not None
        # a lower-case word is a name only when it is not an everyday word
        if len(word) < 4 or zipf(word) >= 3.0:
            return None, False
        entry = self.lookup(word)
        return entry, entry is not None

    def all_names(self) -> list[SourceName]:
        """Every name the sources reveal, one entry per distinct full name (the contexts are
        run over whole documents, so this reads everything once)."""
        seen: dict[str, SourceName] = {}
        for entry in self.direct.values():
            seen.setdefault(name_key(entry.name), entry)
        for doc in self.documents:
            text = doc.text
            for context, how, _ in _CONTEXTS:
                for match in context.finditer(text):
                    names = [g for g in match.groups() if g]
                    if how == "pair" and any(n.casefold() in COMMON_CAPITALISED for n in names):
                        continue
                    for name in names:
                        if not is_name_like(name):
                            continue
                        if how == "self-introduction" and _WEAK_SELF.search(
                                text[match.start():match.start(1)]) and \
                                zipf(name.split()[0]) >= 4.0:
                            continue
                        seen.setdefault(name_key(name), SourceName(name, doc.id, how))
        # a first name alone is covered by the full name that holds it
        keys = list(seen)
        return [seen[k] for k in keys
                if not any(k != other and f" {k} " in f" {other} " for other in keys)]


_GAP = SourceName("", "", "")


def _lower_particle(text: str, item) -> bool:
    return text[item[0]:item[1]][:1].islower()


def _adjacent(text: str, end: int, start: int) -> bool:
    between = text[end:start]
    return len(between) <= 3 and between.strip(" \t") == ""


def _sentence_initial(text: str, offset: int) -> bool:
    before = text[:offset].rstrip()
    return not before or before[-1] in ".!?:\n"


def _first(iterable, count: int) -> list:
    out = []
    for item in iterable:
        out.append(item)
        if len(out) >= count:
            break
    return out


def participant_names(sources: Any, *, ignore: tuple[str, ...] = ()) -> list[SourceName]:
    """The names of real people that ``sources`` (documents, paths or texts) reveal: speakers,
    name columns and keys, e-mail addresses, self-introductions, sign-offs, greetings,
    relations, titles, headings. One entry per distinct name; compare with :func:`name_key`
    or use :func:`names_in` to find them in a text."""
    from persona_tui.core.data.sources import coerce_sources
    return SourceNames(coerce_sources(sources), ignore).all_names()


def names_in(text: str, sources: Any | SourceNames) -> list[tuple[int, int, SourceName]]:
    """Spans of ``text`` that name a participant of ``sources`` (e.g. a persona's name)."""
    from persona_tui.core.data.sources import coerce_sources
    names = sources if isinstance(sources, SourceNames) else SourceNames(coerce_sources(sources))
    return names.find_in(text)


def candidate_words(text: str):
    """Capitalised words of ``text`` that could be names, with their spans."""
    for match in re.finditer(_CAP, text):
        yield match.group(), match.start(), match.end()
