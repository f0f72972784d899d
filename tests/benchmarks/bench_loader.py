"""Loader throughput on a generated corpus of mixed research files.

    uv run python tests/benchmarks/bench_loader.py [--mb 100] [--rounds 3]

Prints MB/s for DataLoader.load(folder) next to the floor of reading and decoding the same
bytes (no parsing), measured in the same run: rounds alternate floor and loader, each figure
is the median over rounds (the best round is shown too: on a shared machine it is the one
least disturbed). Target: at least 50 MB/s. The load average is printed before and after.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from persona_tui.core.data import DataLoader

WORDS = ("the app bill flat share receipt month money pay owe split group chat spreadsheet "
         "rent energy phone card bank notebook reminder fair partner income late invoice "
         "always never honestly really think would could maybe week evening").split()
NAMES = ["Interviewer", "Ana", "Bo", "Chen", "Dara", "Eli"]


def sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 24))).capitalize() + "."


def make_corpus(root: Path, target_mb: float, seed: int = 7) -> int:
    rng = random.Random(seed)
    total = 0
    index = 0
    target = int(target_mb * 1_000_000)
    while total < target:
        kind = index % 4
        if kind == 0:  # markdown transcript with speaker turns, ~1 MB
            lines = []
            size = 0
            while size < 1_000_000:
                line = f"**{rng.choice(NAMES)}:** {sentence(rng)} {sentence(rng)}\n\n"
                lines.append(line)
                size += len(line)
            path = root / f"interview-{index}.md"
            path.write_text("".join(lines), "utf-8")
        elif kind == 1:  # survey CSV, ~1 MB
            path = root / f"survey-{index}.csv"
            with path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(["id", "age_band", "tool", "frustration", "wish"])
                size = 0
                row = 0
                while size < 1_000_000:
                    cells = [f"R{row}", rng.choice(["18-24", "25-34", "65+"]),
                             rng.choice(WORDS), sentence(rng), sentence(rng)]
                    writer.writerow(cells)
                    size += sum(map(len, cells)) + 6
                    row += 1
        elif kind == 2:  # VTT transcript, ~1 MB
            parts = ["WEBVTT\n\n"]
            size = 0
            second = 0
            while size < 1_000_000:
                cue = (f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}.000 --> "
                       f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}.900\n"
                       f"<v {rng.choice(NAMES)}>{sentence(rng)}</v>\n\n")
                parts.append(cue)
                size += len(cue)
                second += 1
            path = root / f"call-{index}.vtt"
            path.write_text("".join(parts), "utf-8")
        else:  # JSONL export, ~1 MB
            path = root / f"notes-{index}.jsonl"
            with path.open("w", encoding="utf-8") as handle:
                size = 0
                while size < 1_000_000:
                    line = json.dumps({"who": rng.choice(NAMES), "note": sentence(rng)}) + "\n"
                    handle.write(line)
                    size += len(line)
        total += path.stat().st_size
        index += 1
    return total


def _timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=100.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        size = make_corpus(root, args.mb)
        files = sorted(root.iterdir())
        mb = size / 1_000_000
        suffixes = {"markdown": ".md", "csv": ".csv", "vtt": ".vtt", "jsonl": ".jsonl"}
        subsets = {fmt: [p for p in files if p.suffix == suffix]
                   for fmt, suffix in suffixes.items()}

        def floor_pass() -> None:
            for path in files:
                path.read_bytes().decode("utf-8")

        floors, loads, by_format = [], [], {fmt: [] for fmt in subsets}
        docs: list = []
        for _ in range(args.rounds):  # alternating: floor, whole loader, each format
            floors.append(_timed(floor_pass))
            loads.append(_timed(lambda: docs.__setitem__(slice(None), DataLoader().load(root))))
            for fmt, subset in subsets.items():
                loader = DataLoader()
                by_format[fmt].append(_timed(lambda: [loader.load_one(p) for p in subset]))
        floor, elapsed = statistics.median(floors), statistics.median(loads)

        print(f"corpus: {len(files)} files, {mb:.1f} MB, {len(docs)} documents loaded; "
              f"{args.rounds} rounds")
        print(f"bare read+decode : {floor:6.2f} s  {mb / floor:8.1f} MB/s (baseline)")
        print(f"DataLoader.load  : {elapsed:6.2f} s  {mb / elapsed:8.1f} MB/s median, "
              f"{mb / min(loads):.1f} MB/s best round (ratio to baseline "
              f"{elapsed / floor:.1f}x; target >= 50 MB/s); rounds "
              + ", ".join(f"{mb / t:.1f}" for t in loads))
        parts = []
        for fmt, subset in subsets.items():
            sub_mb = sum(p.stat().st_size for p in subset) / 1_000_000
            parts.append(f"{fmt} {sub_mb / statistics.median(by_format[fmt]):.0f}")
        print("per format MB/s  : " + ", ".join(parts) + " (medians)")
    print("load average (1, 5, 15 min): before " + " ".join(f"{x:.2f}" for x in load_before)
          + ", after " + " ".join(f"{x:.2f}" for x in os.getloadavg())
          + f" on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
