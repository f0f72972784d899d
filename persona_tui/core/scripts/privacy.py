"""The privacy auditor: does a character card leak what a participant said, or who they are?

``audit(card, sources)`` checks every text field of a card; ``check_leakage(text, sources)``
checks any text. Sources may be :class:`SourceDocument` objects, paths, plain strings, or a
prebuilt :class:`SourceIndex` (build one with :meth:`PrivacyAuditor.index` to audit many
cards against a large corpus).

What is found, and why it does not cry wolf:

* **verbatim** — a run of at least ``verbatim_min_words`` words (case, punctuation and
  whitespace ignored) that also occurs in a source, reported as the maximal run with both
  spans. Runs made of three-word phrases common across the corpus do not seed a match.
* **near_verbatim** — a card sentence that is a lightly edited source sentence (words
  swapped, dropped or added, contractions expanded, clauses reordered), by fuzzy similarity
  against the source sentences that share phrases with it.
* **personal data** — emails, phones, URLs, IP addresses, Luhn-valid card numbers, dates of
  birth, identifying numbers; high severity when the same value occurs in the sources.
* **names** — people the sources name (see :mod:`persona_tui.core.privacy.names`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import LCSseq

from persona_tui.core.data.document import SourceDocument
from persona_tui.core.data.sources import coerce_sources
from persona_tui.core.privacy.audit_log import AuditLog
from persona_tui.core.privacy.findings import (
    FindingKind,
    LeakageFinding,
    PrivacyAuditResult,
    PrivacyConfig,
    Severity,
)
from persona_tui.core.privacy.facts import SourceFacts
from persona_tui.core.privacy.index import SHINGLE, SourceIndex, Window, shingle_hashes
from persona_tui.core.privacy.names import SourceNames
from persona_tui.core.privacy.pii import find_pii
from persona_tui.core.privacy.quasi import QuasiIdentifiers
from persona_tui.core.privacy.rarity import distinctiveness, is_rare
from persona_tui.core.privacy.text import (
    comparable,
    normalized_words,
    sentence_spans,
    word_spans,
)
from persona_tui.core.scripts.models import (
    CharacterCard,
    get_field,
    iter_text_fields,
    set_field,
)

_STOPWORDS = frozenset("""a an the and or but if so to of in on at by for with from as is are was
were be been being i you he she it we they me him her us them my your his its our their this
that these those do does did dont not no yes have has had just really like very what when how
there here then than too also about all any some more most can could would should will""".split())

_PII_TEXT = {
    FindingKind.EMAIL: ("an email address", "[email]"),
    FindingKind.PHONE: ("a phone number", "[phone]"),
    FindingKind.URL: ("a link", "[link]"),
    FindingKind.IP_ADDRESS: ("an IP address", "[IP address]"),
    FindingKind.CARD_NUMBER: ("a payment card number", "[card number]"),
    FindingKind.DATE_OF_BIRTH: ("a date of birth", "[date]"),
    FindingKind.NUMBER: ("an identifying number", "[number]"),
    FindingKind.IDENTIFIER: ("a reference number or postcode", "[reference]"),
}


_BUCKET = 16  # words: near-verbatim candidates are voted for by neighbourhood


#: remembered field checks per set of sources (a few MB at most)
_MEMO_LIMIT = 20_000


class _Prepared:
    """A source index plus the name finder, built once per set of sources."""

    def __init__(self, index: SourceIndex, config: PrivacyConfig) -> None:
        self.index = index
        self.memo: dict[tuple[str | None, str], list[LeakageFinding]] = {}
        self.names = SourceNames(index.documents, tuple(config.ignore_names))
        self.facts = SourceFacts(index.documents, tuple(config.phone_regions))
        self.quasi = QuasiIdentifiers(index.documents)
        find_pii("warm up +44 20 7946 0000", regions=config.phone_regions)  # loads metadata


class PrivacyAuditor:
    def __init__(self, config: PrivacyConfig | None = None) -> None:
        self.config = config or PrivacyConfig()
        self._cache: tuple[tuple, _Prepared] | None = None

    # --- sources -----------------------------------------------------------------------------

    def index(self, sources: Any) -> SourceIndex:
        """Build (or reuse) the index for ``sources``; pass it back to audit many cards."""
        return self._prepare(sources).index

    def _prepare(self, sources: Any) -> _Prepared:
        if isinstance(sources, _Prepared):
            return sources
        if isinstance(sources, SourceIndex):
            key = ("index", id(sources))
            documents = None
        else:
            documents = coerce_sources(sources)
            key = tuple((id(d), d.id, len(d.text)) for d in documents)
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        index = sources if documents is None else SourceIndex(documents)
        prepared = _Prepared(index, self.config)
        self._cache = (key, prepared)
        return prepared

    # --- entry points ------------------------------------------------------------------------

    def audit(self, card: CharacterCard | dict | str, sources: Any, *,
              accepted: AuditLog | Iterable[str] | None = None) -> PrivacyAuditResult:
        """Every text field of ``card`` checked; findings the user accepted set aside."""
        if isinstance(card, dict):
            card = CharacterCard.model_validate(card)
        elif isinstance(card, str):
            card = CharacterCard.model_validate_json(card)
        prepared = self._prepare(sources)
        findings: list[LeakageFinding] = []
        for path, text in iter_text_fields(card):
            findings += self._check(text, path, prepared)
        result = PrivacyAuditResult(block_severity=Severity(self.config.block_severity))
        reasons = self._accepted_reasons(accepted)
        for finding in findings:
            if finding.fingerprint in reasons:
                finding.accepted = True
                finding.accepted_reason = reasons[finding.fingerprint]
                result.accepted.append(finding)
            else:
                result.findings.append(finding)
        result.findings.sort(key=lambda f: (-f.severity.rank, f.field or "", f.start))
        return result

    def check_leakage(self, text: str, sources: Any) -> list[LeakageFinding]:
        return self._check(text if isinstance(text, str) else str(text), None,
                           self._prepare(sources))

    @staticmethod
    def _accepted_reasons(accepted: AuditLog | Iterable[str] | None) -> dict[str, str]:
        if accepted is None:
            return {}
        if isinstance(accepted, AuditLog):
            return {fp: entry.get("reason", "") for fp, entry in accepted.accepted.items()}
        return {fp: "" for fp in accepted}

    # --- checks ------------------------------------------------------------------------------

    def _check(self, text: str, field: str | None, prepared: _Prepared) -> list[LeakageFinding]:
        """Findings for one text, remembered per (field, text) while the sources stay the
        same: re-auditing a card after an edit re-checks only the fields that changed (the
        editor's live badge re-audits after every pause in typing)."""
        if not text or not text.strip():
            return []
        memo = prepared.memo
        key = (field, text)
        if key not in memo:
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            memo[key] = self._check_text(text, field, prepared)
        return [replace(finding) for finding in memo[key]]

    def _check_text(self, text: str, field: str | None, prepared: _Prepared
                    ) -> list[LeakageFinding]:
        words, starts, ends = word_spans(text)
        hits = prepared.index.lookup(shingle_hashes(words), self.config.max_shingle_hits) \
            if len(words) >= SHINGLE else []
        findings = self._verbatim(text, field, words, starts, ends, hits, prepared.index)
        if self.config.near_verbatim:
            near = self._near_verbatim(text, field, words, starts, hits, prepared.index,
                                       findings)
            # an everyday run inside a sentence that is a light edit of a source sentence:
            # the sentence is the finding
            findings = [f for f in findings if f.severity != Severity.LOW or not any(
                n.start <= f.start and f.end <= n.end for n in near)] + near
        if self.config.check_personal_data:
            findings += self._personal_data(text, field, prepared)
        if self.config.check_names:
            findings += self._names(text, field, prepared)
        if self.config.check_rare_words:
            findings += self._rare_words(text, field, words, starts, ends, prepared.index,
                                         findings)
        if self.config.check_quasi_identifiers:
            findings += self._quasi(text, field, prepared)
        return findings

    def _quasi(self, text, field, prepared: _Prepared) -> list[LeakageFinding]:
        findings = []
        for match in prepared.quasi.check(text, below=self.config.quasi_identifier_k):
            k = len(match.fits)
            first = match.fits[0]
            document = next(d for d in prepared.index.documents if d.id == first.source_id)
            attributes = ", ".join(match.attributes)
            who = "one participant" if k == 1 else f"{k} participants"
            findings.append(LeakageFinding(
                FindingKind.QUASI_IDENTIFIER, Severity.HIGH if k == 1 else Severity.MEDIUM,
                field, match.start, match.end, text[match.start:match.end], document.id,
                first.where if first.where != document.id else str(document.locate(0)),
                "; ".join(f"{a}" for a in match.attributes),
                suggestion=(f"Together, {attributes} fit {who} in {match.population} "
                            f"(k = {k}); blur one of them (an age band, a region, a broader "
                            "job)."),
                replacement="[blurred]", matches=[r.where for r in match.fits]))
        return findings

    def _rare_words(self, text, field, words, starts, ends, index, found
                    ) -> list[LeakageFinding]:
        """What rules miss: a capitalised word the card shares with the sources that is rare
        in general language (a village, a shop, a surname no context revealed) is a possible
        name (medium). Lower-case rare words are left to the phrase checks: they are mostly
        the study's own vocabulary ("flatmates", "payslip"), which cards may use."""
        findings: list[LeakageFinding] = []
        vocabulary = index.vocabulary
        for word, start, end in zip(words, starts, ends):
            if len(word) < 4 or not word.isalpha() or word in _STOPWORDS or \
                    not is_rare(word, self.config.languages) or word not in vocabulary:
                continue
            original = text[start:end]
            if not original[:1].isupper() or original.isupper() or \
                    _sentence_initial(text, start):
                continue
            if any(f.start < end and start < f.end for f in found):
                continue
            document = index.documents[vocabulary[word]]
            hit = re.search(rf"(?<!\w){re.escape(original)}(?!\w)", document.text, re.I)
            at = hit.start() if hit else 0
            findings.append(LeakageFinding(
                FindingKind.NAME, Severity.MEDIUM, field, start, end, original,
                document.id, str(document.locate(at)),
                document.text[at:hit.end()] if hit else None,
                at if hit else None, hit.end() if hit else None,
                suggestion=(f"'{original}' is a rare word that also occurs in {document.id}; "
                            "if it names a person or a place, invent one instead."),
                replacement="[name]"))
            if len(findings) >= 20:
                break
        return findings

    def _verbatim(self, text, field, words, starts, ends, hits, index) -> list[LeakageFinding]:
        minimum = self.config.verbatim_min_words
        # Group shingle hits by alignment (document, source position - card position): a run
        # of N copied words shows as N-2 consecutive hits on one alignment. Only alignments
        # with enough of them are worth loading the document for.
        diagonals: dict[tuple[int, int], list[int]] = {}
        for i, occurrences in enumerate(hits):
            for doc, position in occurrences:
                diagonals.setdefault((doc, position - i), []).append(i)
        needed = max(1, minimum - SHINGLE + 1)
        seeds: list[tuple[int, int, int]] = []
        for (doc, shift), positions in diagonals.items():
            streak, previous = 0, -2
            for i in positions:
                streak = streak + 1 if i == previous + 1 else 1
                previous = i
                if streak == needed:
                    seeds.append((i - needed + 1, doc, shift + i - needed + 1))
        reach: dict[tuple[int, int], int] = {}
        runs: list[tuple[int, int, int, int, int, Window]] = []
        for i, doc, position in sorted(seeds):
            diagonal = (doc, position - i)
            if reach.get(diagonal, -1) > i:
                continue
            # the source words that could align with this card text, and no more
            window = index.window(doc, position - i, position - i + len(words))
            source = window.words
            p = position - window.first
            if source[p:p + SHINGLE] != words[i:i + SHINGLE]:
                continue  # a hash collision
            a, sa = i, p
            while a > 0 and sa > 0 and words[a - 1] == source[sa - 1]:
                a, sa = a - 1, sa - 1
            b, sb = i + SHINGLE, p + SHINGLE
            while b < len(words) and sb < len(source) and words[b] == source[sb]:
                b, sb = b + 1, sb + 1
            reach[diagonal] = b
            if b - a >= minimum:
                runs.append((a, b, doc, sa, sb, window))
        runs.sort(key=lambda r: (-(r[1] - r[0]), r[0]))
        kept: list[tuple[int, int, int, int, int, Window]] = []
        for run in runs:
            if not any(run[0] < k[1] and k[0] < run[1] for k in kept):
                kept.append(run)
        findings = []
        for a, b, doc, sa, sb, window in sorted(kept, key=lambda r: r[0]):
            length = b - a
            content = sum(1 for w in words[a:b] if w not in _STOPWORDS)
            if content == 0:
                continue  # "and I do not know if it is" carries nothing of anyone's
            document = index.documents[doc]
            s_start, s_end = window.starts[sa], window.ends[sb - 1]
            # a whole source sentence copied is a quote, however short
            c_start, c_end = index.sentence_at(doc, s_start)
            whole = len(normalized_words(document.text[c_start:c_end])) == length and \
                c_start <= s_start and s_end <= c_end
            severity = self._verbatim_severity(words[a:b], whole)
            findings.append(LeakageFinding(
                FindingKind.VERBATIM, severity, field, starts[a], ends[b - 1],
                text[starts[a]:ends[b - 1]], document.id, str(document.locate(s_start)),
                document.text[s_start:s_end], s_start, s_end,
                suggestion=(f"These {length} words repeat {document.id} word for word; "
                            "describe the idea in the persona's own, new words."),
                replacement="[rephrase]"))
        return findings

    def _verbatim_severity(self, words: list[str], whole: bool) -> Severity:
        """A long copied run, or a whole copied sentence, is high, as long as it says
        something distinctive: a phrase of everyday words ("I really do not have time for
        that") is low, or medium when it has a little colour."""
        rarity = distinctiveness(words, self.config.languages)
        long = len(words) >= self.config.verbatim_high_words
        if rarity < 0.5:
            return Severity.MEDIUM if long else Severity.LOW
        if long or (whole and rarity >= 2.0):
            return Severity.HIGH
        return Severity.MEDIUM

    def _near_verbatim(self, text, field, words, starts, hits, index, verbatim
                       ) -> list[LeakageFinding]:
        findings = []
        minimum = self.config.near_verbatim_min_words
        threshold = self.config.near_verbatim_threshold
        for s_start, s_end in sentence_spans(text):
            first = next((i for i, st in enumerate(starts) if st >= s_start), len(starts))
            last = next((i for i, st in enumerate(starts) if st >= s_end), len(starts))
            if last - first < minimum:
                continue
            if any(f.start <= starts[first] < f.end or starts[first] <= f.start < s_end
                   for f in verbatim if f.severity != Severity.LOW):
                continue  # already reported word for word
            # vote by neighbourhood (no document is read), then read only around the best
            votes: Counter[tuple[int, int]] = Counter()
            where: dict[tuple[int, int], int] = {}
            for i in range(first, max(first, last - SHINGLE + 1)):
                for doc, position in hits[i] if i < len(hits) else ():
                    key = (doc, position // _BUCKET)
                    votes[key] += 1
                    where.setdefault(key, position)
            wanted_votes = 2 if last - first >= 8 else 1
            sentence = text[s_start:s_end]
            mine = comparable(sentence)
            best: tuple[float, int, int, int] | None = None
            seen: set[tuple[int, int, int]] = set()
            for key, count in votes.most_common(6):
                if count < wanted_votes:
                    break
                doc = key[0]
                hit = index.window(doc, where[key], where[key] + 1)
                if not hit.starts:
                    continue
                c_start, c_end = index.sentence_at(doc, hit.starts[0])
                if (doc, c_start, c_end) in seen or c_end <= c_start:
                    continue
                seen.add((doc, c_start, c_end))
                theirs = comparable(index.documents[doc].text[c_start:c_end])
                if len(theirs.split()) < minimum:
                    continue
                score = _similarity(mine, theirs)
                if score >= threshold and (best is None or score > best[0]):
                    best = (score, doc, c_start, c_end)
            if best is None:
                continue
            score, doc, c_start, c_end = best
            document = index.documents[doc]
            rarity = distinctiveness(theirs.split(), self.config.languages)
            severity = (Severity.LOW if rarity < 0.5 else
                        Severity.HIGH if score >= 92 and last - first >= 10 and rarity >= 1.5
                        else Severity.MEDIUM)
            lead = len(sentence) - len(sentence.lstrip())
            trail = len(sentence.rstrip())
            findings.append(LeakageFinding(
                FindingKind.NEAR_VERBATIM, severity, field, s_start + lead, s_start + trail,
                sentence.strip(), document.id, str(document.locate(c_start)),
                document.text[c_start:c_end], c_start, c_end,
                suggestion=(f"This sentence is a light edit of one in {document.id} "
                            f"({score:.0f}% similar); rewrite it from the persona's point of "
                            "view instead of the participant's words."),
                replacement="[rephrase]", similarity=round(score, 1)))
        return findings

    def _personal_data(self, text, field, prepared: _Prepared) -> list[LeakageFinding]:
        findings = []
        for match in find_pii(text, regions=self.config.phone_regions):
            hit = prepared.facts.find(match)
            what, replacement = _PII_TEXT[match.kind]
            if hit is not None:
                # a reference is certain with a word that says so, on either side
                severity = (Severity.MEDIUM if match.kind == FindingKind.IDENTIFIER
                            and not (match.context or hit.context) else Severity.HIGH)
            elif match.kind == FindingKind.IDENTIFIER and not match.context:
                continue  # a code-like token of the card's own: nothing to say
            else:
                severity = (Severity.LOW if match.kind in (FindingKind.URL, FindingKind.NUMBER)
                            else Severity.MEDIUM)
            document = hit.document if hit else None
            findings.append(LeakageFinding(
                match.kind, severity, field, match.start, match.end, match.text,
                document.id if document else None,
                str(document.locate(hit.start)) if document else None,
                document.text[hit.start:hit.end] if document else None,
                hit.start if hit else None, hit.end if hit else None,
                suggestion=(f"Remove {what}" + (f": it comes from {document.id}." if document
                                                else "; a card should carry no personal data.")),
                replacement=replacement))
        return findings

    def _names(self, text, field, prepared: _Prepared) -> list[LeakageFinding]:
        findings = []
        for start, end, entry in prepared.names.find_in(text):
            name = text[start:end]
            where = prepared.names.occurrence(entry)
            document = where[0] if where else next(
                d for d in prepared.index.documents if d.id == entry.source_id)
            findings.append(LeakageFinding(
                FindingKind.NAME, Severity.HIGH, field, start, end, name, document.id,
                str(document.locate(where[1])) if where else None, entry.name,
                suggestion=(f"'{name}' names a real person in {document.id} ({entry.how}); "
                            "use an invented name instead."),
                replacement="[name]"))
        return findings


def _similarity(mine: str, theirs: str) -> float:
    """How much of a source sentence survives in a card sentence, 0-100.

    The best of: character similarity (small word changes), the same with words sorted
    (reordered clauses), and the share of the source sentence's words that appear in order in
    the card sentence (words dropped, added or swapped) — the last only when the card sentence
    is mostly made of them, so a long paragraph cannot match by scattered words. Sentences with
    fewer than three content words are common phrases, not anyone's words.
    """
    theirs_words = theirs.split()
    if sum(1 for w in theirs_words if w not in _STOPWORDS) < 3:
        return 0.0
    mine_words = mine.split()
    score = max(fuzz.ratio(mine, theirs), fuzz.token_sort_ratio(mine, theirs))
    common = LCSseq.similarity(mine_words, theirs_words)
    if mine_words and common / len(mine_words) >= 0.6:
        score = max(score, 100.0 * common / len(theirs_words))
    return score


def _sentence_initial(text: str, offset: int) -> bool:
    before = text[:offset].rstrip()
    return not before or before[-1] in ".!?:\n"


def redact(card: CharacterCard, findings: Iterable[LeakageFinding]) -> CharacterCard:
    """A copy of ``card`` with each finding's span replaced by its ``replacement``.

    Findings are applied from the end of each field backwards so earlier spans stay valid;
    overlapping findings are merged into one replacement.
    """
    by_field: dict[str, list[LeakageFinding]] = {}
    for finding in findings:
        if finding.field:
            by_field.setdefault(finding.field, []).append(finding)
    for path, items in by_field.items():
        text = get_field(card, path)
        previous_start = len(text) + 1
        for finding in sorted(items, key=lambda f: f.start, reverse=True):
            end = min(finding.end, previous_start)
            if end <= finding.start:
                continue
            text = text[:finding.start] + finding.replacement + text[end:]
            previous_start = finding.start
        card = set_field(card, path, text)
    return card


__all__ = ["AuditLog", "FindingKind", "LeakageFinding", "PrivacyAuditResult", "PrivacyAuditor",
           "PrivacyConfig", "Severity", "SourceIndex", "redact"]
