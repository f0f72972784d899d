"""Check that evidence excerpts really occur in the sources they name.

Matching ignores case, runs of whitespace, Unicode compatibility forms and quote and dash
styles (models "fix" typography), and nothing else: a paraphrase is not evidence.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

from persona_tui.core.data.document import SourceDocument
from persona_tui.core.models.persona import EvidenceLink, Persona

_TYPOGRAPHY = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u2026": "...", "\u00a0": " ",
})
_WS = re.compile(r"\s+")
_WORD = re.compile(r"\w+")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY).casefold()
    return _WS.sub(" ", text).strip()


class EvidenceVerifier:
    """Verifies evidence links against one set of documents (normalised texts are cached)."""

    def __init__(self, documents: list[SourceDocument]) -> None:
        self.documents = documents
        self._by_id = {doc.id: doc for doc in documents}
        self._by_loose: dict[str, SourceDocument] = {}
        for doc in documents:
            for key in self._loose_keys(doc.id):
                self._by_loose.setdefault(key, doc)
        self._normalised: dict[str, str] = {}
        # (source id, excerpt) -> (verified, document id, location): a stream is re-parsed
        # as it grows, and each re-parse checks every persona so far again
        self._checked: dict[tuple[str, str], tuple[bool, str | None, str | None]] = {}

    @staticmethod
    def _loose_keys(doc_id: str) -> list[str]:
        path = PurePosixPath(doc_id.lower())
        return [doc_id.lower(), path.name, path.stem, str(path.with_suffix(""))]

    def resolve(self, source_id: str) -> SourceDocument | None:
        """The document a model meant: exact id, else case-insensitive name or stem."""
        if source_id in self._by_id:
            return self._by_id[source_id]
        cleaned = source_id.strip().strip("[]()").strip()
        for key in self._loose_keys(cleaned):
            if key in self._by_loose:
                return self._by_loose[key]
        return None

    def _text(self, doc: SourceDocument) -> str:
        cached = self._normalised.get(doc.id)
        if cached is None:
            cached = self._normalised[doc.id] = normalise(doc.text)
        return cached

    def check(self, link: EvidenceLink) -> EvidenceLink:
        key = (link.source_id, link.excerpt)
        if key not in self._checked:
            found = self._check(link)
            self._checked[key] = (found.verified, found.source_id, found.location)
        verified, source_id, location = self._checked[key]
        if not verified:
            return link.model_copy(update={"verified": False})
        return link.model_copy(update={"verified": True, "source_id": source_id,
                                       "location": location})

    def _check(self, link: EvidenceLink) -> EvidenceLink:
        excerpt = normalise(link.excerpt)
        if not excerpt:
            return link.model_copy(update={"verified": False})
        if link.source_id.strip():
            doc = self.resolve(link.source_id)
            candidates = [doc] if doc is not None else []
        else:
            candidates = self.documents  # no source named: any source that holds it
        for doc in candidates:
            if excerpt in self._text(doc):
                return link.model_copy(update={"verified": True, "source_id": doc.id,
                                               "location": self._locate(doc, link.excerpt)})
        return link.model_copy(update={"verified": False})

    @staticmethod
    def _locate(doc: SourceDocument, excerpt: str) -> str | None:
        words = _WORD.findall(excerpt)
        if not words:
            return None
        pattern = r"\W+".join(re.escape(w) for w in words[:12])
        match = re.search(pattern, doc.text, re.IGNORECASE)
        return str(doc.locate(match.start())) if match else None

    def verify(self, persona: Persona) -> tuple[Persona, int, int]:
        """The persona with each link checked; also (verified count, total count)."""
        links = [self.check(link) for link in persona.evidence]
        verified = sum(link.verified for link in links)
        return persona.model_copy(update={"evidence": links}), verified, len(links)
