"""Personas are never named after the people in the study.

Models copy what they read: a persona called "Maya Okafor" because Maya Okafor was
interviewed, a title that mentions a participant's son. Every persona's name, title, quotes
and claims are checked against the names the sources reveal (found by
:mod:`persona_tui.core.privacy.names`), compared accent- and case-insensitively ("Tomas" is
"Tomás"), with nicknames ("Tom" for "Tomás") and surnames on their own. A persona whose name
clashes gets a synthetic name that clashes with nothing; a participant's name elsewhere in the
persona is replaced by the persona's new name (when it was the persona's own) or by
``[name]``. Every change is recorded, so the run can say what it did.
"""

from __future__ import annotations

import bisect
import random
import re
import zlib
from dataclasses import asdict, dataclass

from persona_tui.core.data.document import SourceDocument
from persona_tui.core.models.persona import LIST_FIELDS, Persona
from persona_tui.core.privacy.names import SourceName, SourceNames
from persona_tui.core.utils.fold import fold

#: invented names, checked against each study's names before use
SYNTHETIC_FIRST = (
    "Alex", "Robin", "Sam", "Jordan", "Casey", "Morgan", "Riley", "Avery", "Quinn", "Rowan",
    "Harper", "Emery", "Parker", "Sasha", "Noor", "Imani", "Kiran", "Leila", "Mateo", "Aiko",
    "Nadia", "Felix", "Greta", "Hugo", "Iris", "Jonas", "Lena", "Milo", "Nina", "Oscar",
)
SYNTHETIC_LAST = (
    "Rivers", "Hollis", "Marsh", "Calder", "Finch", "Ashdown", "Brook", "Thorne", "Vance",
    "Ellery", "Sorensen", "Okonkwo", "Castell", "Delaney", "Moreau", "Nakamura", "Petrov",
    "Quill", "Renshaw", "Varga",
)
#: nickname -> the formal names it is short for (folded); prefixes ("Tom" for "Tomás") are
#: matched without this table
NICKNAMES: dict[str, tuple[str, ...]] = {
    "bob": ("robert",), "rob": ("robert",), "bobby": ("robert",), "bill": ("william",),
    "will": ("william",), "liam": ("william",), "liz": ("elizabeth",), "beth": ("elizabeth",),
    "betty": ("elizabeth",), "eliza": ("elizabeth",), "jim": ("james",), "jimmy": ("james",),
    "dick": ("richard",), "rick": ("richard",), "peggy": ("margaret",), "meg": ("margaret",),
    "maggie": ("margaret",), "jack": ("john",), "johnny": ("john",), "ted": ("edward",),
    "ned": ("edward",), "kate": ("katherine", "catherine", "kathryn"),
    "katie": ("katherine", "catherine"), "kathy": ("katherine", "kathryn"),
    "sasha": ("alexander", "alexandra"), "chuck": ("charles",), "charlie": ("charles",),
    "tony": ("anthony", "antonio"), "toni": ("antonia",), "sandy": ("alexander", "sandra"),
    "peg": ("margaret",), "polly": ("mary",), "molly": ("mary",), "hank": ("henry",),
    "harry": ("henry", "harold"), "larry": ("lawrence",), "pepe": ("jose",), "paco": ("francisco",),
    "nacho": ("ignacio",), "lupe": ("guadalupe",), "sasa": ("aleksandar",),
}
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_CAPITALISED = re.compile(r"[A-ZÀ-ÖØ-Þ][^\W\d_]+")
_MIN_PREFIX = 3
PLACEHOLDER = "[name]"


@dataclass(frozen=True)
class NameClash:
    """One participant's name found in a persona, and what was done about it."""

    persona: str  # the persona's name as the model wrote it
    field: str  # "name", "title", "quotes[0]", "goals[2]", …
    found: str  # the word in the persona
    participant: str  # the name as the sources state it
    source_id: str
    how: str  # how the sources reveal it (speaker, heading, relation, …)
    replaced_with: str

    def describe(self) -> str:
        if self.field == "name":
            return (f"persona '{self.persona}' was named after a participant "
                    f"({self.participant}, {self.source_id}); renamed to '{self.replaced_with}'")
        return (f"persona '{self.persona}': {self.field} named a participant "
                f"({self.participant}); replaced with '{self.replaced_with}'")

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


class ParticipantNames:
    """The names of real people in a set of sources, matched the way a reader would.

    Every capitalised word of the sources is indexed by its folded form; a word of a persona
    is a participant's name when a source word with the same folded form (or one it is a
    nickname or a prefix of) is confirmed as a name by the sources' own context.
    """

    def __init__(self, documents: list[SourceDocument]) -> None:
        self.names = SourceNames(documents)
        self._by_fold: dict[str, set[str]] = {}
        words: set[str] = set(self.names.direct)
        for doc in documents:
            words.update(_CAPITALISED.findall(doc.text))
        for word in words:
            for part in word.split():
                self._by_fold.setdefault(fold(part), set()).add(part)
        #: the folded forms in order, for the prefix look-ups of :meth:`_candidates`
        self._sorted_folds = sorted(self._by_fold)
        self._memo: dict[str, SourceName | None] = {}
        #: a word of a persona as written -> the participant it (or a part of it) names: a
        #: persona's text repeats its words, and every string of every persona is checked
        self._words: dict[str, SourceName | None] = {}

    def match(self, word: str) -> SourceName | None:
        """The participant ``word`` names (any case, any accents), or None."""
        key = fold(word)
        if key not in self._memo:
            self._memo[key] = self._match(key)
        return self._memo[key]

    def _candidates(self, key: str) -> list[str]:
        originals = list(self._by_fold.get(key, ()))
        for formal in NICKNAMES.get(key, ()):
            originals += self._by_fold.get(formal, ())
        if len(key) >= _MIN_PREFIX:
            # source words that ``key`` is a prefix of (a range of the sorted index) …
            folds = self._sorted_folds
            index = bisect.bisect_right(folds, key)
            while index < len(folds) and folds[index].startswith(key):
                originals += self._by_fold[folds[index]]
                index += 1
            # … and those that are a prefix of ``key``
            for end in range(_MIN_PREFIX, len(key)):
                originals += self._by_fold.get(key[:end], ())
        return originals

    def _match(self, key: str) -> SourceName | None:
        if len(key) < 2:
            return None
        exact = self._by_fold.get(key, set())
        for original in sorted(self._candidates(key), key=lambda w: (w not in exact, w)):
            found = self.names.lookup(original)
            if found is not None:
                return found
        return None

    def in_text(self, text: str, *, any_case: bool = False):
        """``(start, end, word, SourceName)`` for each participant's name in ``text``.

        Only capitalised words count unless ``any_case`` (a persona's name is checked in any
        case; in running text a lower-case "dev" or "will" is an ordinary word).
        """
        words = self._words
        for match in _WORD.finditer(text):
            word = match.group()
            if not any_case and not word[:1].isupper():
                continue
            found = words[word] if word in words else self._word(word)
            if found is not None:
                yield match.start(), match.end(), word, found

    def _word(self, word: str) -> SourceName | None:
        found = None
        for part in re.split(r"['’-]", word) if "-" in word else [word]:
            found = self.match(part)
            if found is not None:
                break
        self._words[word] = found
        return found


def offered_names(documents: list[SourceDocument], count: int, *,
                  seed: int | None = None) -> list[str]:
    """The invented names a prompt over ``documents`` offers: none is a participant's, and the
    same documents always get the same names (batch requests are matched to their replies by
    the prompt), while different chunks of a study get different ones."""
    key = zlib.crc32("\n".join(f"{d.id}:{len(d.text)}" for d in documents).encode())
    guard = NameGuard(documents, seed=(seed or 0) * 1_000_003 + key)
    return guard.suggestions(max(6, 2 * count))


class NameGuard:
    """Renames personas named after participants; one per run, so a persona re-parsed as its
    reply streams in gets the same new name every time."""

    def __init__(self, documents: list[SourceDocument], *, seed: int | None = None) -> None:
        self.participants = ParticipantNames(documents)
        self._renames: dict[str, str] = {}
        self._used: set[str] = set()
        self._random = random.Random(seed if seed is not None else 13)
        self.clashes: list[NameClash] = []
        self._recorded: set[tuple[str, str, str]] = set()

    def suggestions(self, count: int) -> list[str]:
        """Invented names that clash with nobody in the sources (offered to the model); no
        two share a first or a last name, so personas stay easy to tell apart."""
        names: list[str] = []
        while len(names) < count:
            name = self._invent(exclude=set(names))
            if name in names:
                break
            names.append(name)
        return names

    def _invent(self, exclude: set[str]) -> str:
        taken = {part for name in exclude | self._used for part in name.split()}
        firsts = [f for f in SYNTHETIC_FIRST if f not in taken]
        lasts = [n for n in SYNTHETIC_LAST if n not in taken]
        self._random.shuffle(firsts)
        self._random.shuffle(lasts)
        for first in firsts:
            if self.participants.match(first):
                continue
            for last in lasts:
                if not self.participants.match(last):
                    return f"{first} {last}"
        return f"Persona {len(self._used) + len(exclude) + 1}"

    def check(self, persona: Persona) -> Persona:
        """``persona`` with every participant's name replaced; clashes are recorded."""
        original = persona.name
        updates: dict[str, object] = {}
        name_hits = list(self.participants.in_text(original, any_case=True))
        new_name = original
        if name_hits:
            new_name = self._renames.get(original) or self._rename(original)
            updates["name"] = new_name
            for _, _, word, found in name_hits[:1]:
                self._record(NameClash(original, "name", word, found.name, found.source_id,
                                       found.how, new_name))
        else:
            self._used.add(original)
        own_words = {fold(w): part for w, part in zip(original.split(), new_name.split())}
        if persona.title:
            title = self._replace(persona.title, original, "title", own_words)
            if title != persona.title:
                updates["title"] = title
        for field in LIST_FIELDS:
            items = getattr(persona, field)
            replaced = [self._replace(item, original, f"{field}[{i}]", own_words)
                        for i, item in enumerate(items)]
            if replaced != items:
                updates[field] = replaced
        if not updates:
            return persona
        return persona.model_copy(update=updates)

    def _rename(self, original: str) -> str:
        name = self._invent(exclude=set())
        self._renames[original] = name
        self._used.add(name)
        return name

    def _replace(self, text: str, persona: str, field: str, own: dict[str, str]) -> str:
        hits = list(self.participants.in_text(text))
        if not hits:
            return text
        out, last = [], 0
        for start, end, word, found in hits:
            replacement = own.get(fold(word), PLACEHOLDER)
            out += [text[last:start], replacement]
            last = end
            self._record(NameClash(persona, field, word, found.name, found.source_id, found.how,
                                   replacement))
        out.append(text[last:])
        return "".join(out)

    def _record(self, clash: NameClash) -> None:
        key = (clash.persona, clash.field, clash.found)
        if key not in self._recorded:
            self._recorded.add(key)
            self.clashes.append(clash)


__all__ = ["NICKNAMES", "PLACEHOLDER", "NameClash", "NameGuard", "ParticipantNames",
           "offered_names"]
