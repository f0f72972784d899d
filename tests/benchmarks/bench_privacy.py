"""Privacy audit at scale: 100 cards against a generated 50 MB source corpus.

    uv run python tests/benchmarks/bench_privacy.py [--mb 50] [--cards 100] [--rounds 3]
    uv run python tests/benchmarks/bench_privacy.py --recall

Prints the index build rate (MB/s), per-card audit time and peak traced memory, next to two
baselines measured in the same run, so a figure from a loaded machine can still be read: for
the index, a bare word split of the corpus (``text.casefold().split()``, what any index must at
least do); for the audit, for every card sentence a plain substring search of the (lower-cased)
corpus. The baseline only finds exact sentence copies; the auditor finds
maximal verbatim runs, near-verbatim edits, personal data, names, rare shared words and
quasi-identifiers. Targets: index >= 10 MB/s, <= 50 ms per card once indexed, memory < 10x
the corpus. Rounds alternate auditor and baselines; each figure is the median over rounds.
The load average is printed before and after (the figures mean little above ~1 per core).

``--recall`` prints the recall per kind on the planted-leak corpus (tests/cards/planted.py).
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from persona_tui.core.data import DataLoader  # noqa: E402
from persona_tui.core.privacy.text import sentence_spans  # noqa: E402
from persona_tui.core.scripts.models import CharacterCard, iter_text_fields  # noqa: E402
from persona_tui.core.scripts.privacy import PrivacyAuditor  # noqa: E402

NAMES = ["Interviewer", "Amara", "Bastian", "Chiara", "Dmitri", "Eilidh", "Farid"]
FUNCTION = ("the a and to of i it that in we you is was for on but so they just have with "
            "like not my be at this do what if or all about there one can when would").split()


def _vocabulary(size: int = 20000) -> tuple[list[str], list[float]]:
    """Function words plus the most frequent English words (wordfreq's shipped list) with a
    Zipf (1/rank) frequency, as in real speech: common three-word phrases recur, most content
    phrases are rare, and word rarity means what it means in real text."""
    import wordfreq
    common = [w for w in wordfreq.top_n_list("en", size + 500, wordlist="small")
              if w.isalpha()]
    words = list(FUNCTION) + [w for w in common if w not in FUNCTION][:size]
    weights = [1.0 / (rank + 1) for rank in range(len(words))]
    return words, weights


VOCABULARY, WEIGHTS = _vocabulary()
CUMULATIVE = list(itertools.accumulate(WEIGHTS))  # once, not per sentence


def sentence(rng: random.Random) -> str:
    words = rng.choices(VOCABULARY, cum_weights=CUMULATIVE, k=rng.randint(8, 22))
    return " ".join(words).capitalize() + "."


def make_corpus(target_mb: float, seed: int = 3) -> list:
    rng = random.Random(seed)
    loader = DataLoader()
    documents = []
    total = 0
    number = 0
    while total < target_mb * 1_000_000:
        lines = []
        size = 0
        while size < 500_000:
            line = f"**{rng.choice(NAMES)}:** {sentence(rng)} {sentence(rng)}\n\n"
            lines.append(line)
            size += len(line)
        documents.append(loader.load_text("".join(lines), doc_id=f"interview-{number}.md"))
        total += size
        number += 1
    return documents


def make_cards(documents: list, count: int, seed: int = 5) -> list[CharacterCard]:
    rng = random.Random(seed)
    cards = []
    for number in range(count):
        goals = [sentence(rng) for _ in range(4)]
        if number % 4 == 0:  # every fourth card carries a copied source sentence
            doc = rng.choice(documents)
            spans = sentence_spans(doc.text[:20000])
            a, b = rng.choice(spans[5:])
            goals[1] = doc.text[a:b].strip().strip("*")
        cards.append(CharacterCard.model_validate({
            "id": f"card-{number}", "identity": {"name": f"Synth {number}", "title": "Tester",
                                                 "demographics_summary": sentence(rng)},
            "psychological_profile": {"goals": goals, "motivations": [sentence(rng)],
                                      "pain_points": [sentence(rng) for _ in range(3)],
                                      "personality_traits": ["calm", "curious"]},
            "communication_style": {"tone": "warm", "speech_patterns": [sentence(rng)]},
            "knowledge_boundaries": {"knows": [sentence(rng)], "doesnt_know": [sentence(rng)]},
            "guidelines": {"response_style": sentence(rng)}}))
    return cards


def naive(cards: list[CharacterCard], documents: list) -> tuple[float, int]:
    corpus = [doc.text.casefold() for doc in documents]
    start = time.perf_counter()
    hits = 0
    for card in cards:
        for _, text in iter_text_fields(card):
            for a, b in sentence_spans(text):
                needle = text[a:b].strip().casefold()
                if len(needle.split()) >= 7 and any(needle in doc for doc in corpus):
                    hits += 1
    return time.perf_counter() - start, hits


def bare_split(documents: list) -> float:
    """The index baseline: split every document into casefolded words, nothing else."""
    start = time.perf_counter()
    for doc in documents:
        doc.text.casefold().split()
    return time.perf_counter() - start


def recall() -> None:
    from persona_tui.resources import sample_project
    from tests.cards.planted import CORPUS, format_table, recall_table
    documents = DataLoader().load([CORPUS, sample_project() / "data"])
    table = recall_table(PrivacyAuditor(), documents)
    print(format_table(table))
    for kind, (_, _, missed) in table.items():
        for case in missed:
            print(f"missed {kind}: {case.text!r}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=50.0)
    parser.add_argument("--cards", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--recall", action="store_true",
                        help="print the recall per kind on the planted corpus and exit")
    args = parser.parse_args()
    if args.recall:
        recall()
        return
    load_before = os.getloadavg()
    documents = make_corpus(args.mb)
    corpus_mb = sum(len(d.text) for d in documents) / 1_000_000
    cards = make_cards(documents, args.cards)

    def run() -> tuple[float, list[float], int, object]:
        auditor = PrivacyAuditor()
        start = time.perf_counter()
        index = auditor.index(documents)
        build = time.perf_counter() - start
        times, blocked = [], 0
        for card in cards:
            t0 = time.perf_counter()
            blocked += auditor.audit(card, index).blocked
            times.append(time.perf_counter() - t0)
        return build, times, blocked, index

    builds, medians, p95s, maxima, naive_times, splits = [], [], [], [], [], []
    for _ in range(args.rounds):  # alternating rounds: auditor, then baselines
        build, times, blocked, index = run()  # timed without tracing, which slows Python
        del index
        builds.append(build)
        medians.append(statistics.median(times))
        p95s.append(sorted(times)[int(len(times) * .95) - 1])
        maxima.append(max(times))
        naive_time, naive_hits = naive(cards, documents)
        naive_times.append(naive_time)
        splits.append(bare_split(documents))
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    build = statistics.median(builds)
    naive_time = statistics.median(naive_times)
    split = statistics.median(splits)
    print(f"corpus: {len(documents)} documents, {corpus_mb:.1f} MB; {len(cards)} cards "
          f"({len(cards[::4])} carry a copied source sentence); {args.rounds} rounds")
    print(f"index build      : {build:6.2f} s  {corpus_mb / build:6.1f} MB/s (target >= 10)"
          " incl. name extraction; rounds " + ", ".join(f"{b:.2f}" for b in builds))
    print(f"  bare word split: {split:6.2f} s  {corpus_mb / split:6.1f} MB/s; index build = "
          f"{build / split:.2f}x the bare split (rounds "
          + ", ".join(f"{b / s:.2f}" for b, s in zip(builds, splits)) + ")")
    print(f"audit per card   : median {statistics.median(medians) * 1000:6.1f} ms, "
          f"p95 {statistics.median(p95s) * 1000:6.1f} ms, "
          f"max {max(maxima) * 1000:6.1f} ms (target <= 50); {blocked} cards blocked; "
          "round medians " + ", ".join(f"{m * 1000:.1f}" for m in medians))
    print(f"peak traced memory: {peak / 1e6:6.0f} MB = {peak / 1e6 / corpus_mb:.1f}x corpus "
          f"(target < 10x), one traced pass")
    print(f"naive baseline   : {naive_time:6.2f} s for all cards = "
          f"{naive_time / len(cards) * 1000:6.1f} ms per card, {naive_hits} exact sentence hits; "
          f"audit median = {statistics.median(medians) / (naive_time / len(cards)):.2f}x naive")
    print("load average (1, 5, 15 min): before " + " ".join(f"{x:.2f}" for x in load_before)
          + ", after " + " ".join(f"{x:.2f}" for x in os.getloadavg())
          + f" on {os.cpu_count()} CPUs")

if __name__ == "__main__":
    main()
