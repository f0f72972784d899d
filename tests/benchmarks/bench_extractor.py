"""JSON extraction cost on model-like output: linear in input size?

    uv run python tests/benchmarks/bench_extractor.py

Builds model-like replies (prose, a fenced JSON persona list, the usual slips) of about 1 MB
and 10 MB, times JSONExtractor.extract / extract_all / salvage on each, and prints json.loads
on the same JSON without prose or slips as the baseline. Linear means the 10 MB time is about ten
times the 1 MB time.
"""

from __future__ import annotations

import json
import random
import time

from persona_tui.core.utils.json_extractor import JSONExtractor


def persona(rng: random.Random, i: int) -> dict:
    words = "fair bill share receipt late chase export trust spreadsheet app".split()
    return {"name": f"Persona {i}", "title": "The " + rng.choice(words),
            "goals": [" ".join(rng.choices(words, k=12)) for _ in range(4)],
            "pain_points": [" ".join(rng.choices(words, k=12)) for _ in range(4)],
            "evidence": [{"attribute": f"goals[{k}]", "source_id": "p01.md",
                          "excerpt": " ".join(rng.choices(words, k=10))} for k in range(4)]}


def reply(size: int, *, sloppy: bool) -> tuple[str, str]:
    rng = random.Random(size)
    personas = []
    body = ""
    while len(body) < size:
        personas.extend(persona(rng, len(personas) + j) for j in range(50))
        body = json.dumps({"personas": personas}, indent=2)
    if sloppy:  # trailing commas and a Python literal: the lenient path must run
        body = body.replace('"\n      ]', '",\n      ]').replace('"title"', "'title'")
    text = f"Sure! Here are the personas you asked for.\n```json\n{body}\n```\nLet me know."
    clean = json.dumps({"personas": personas}, indent=2)  # the same JSON, without the slips
    return text, clean


def timed(func, *args) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        func(*args)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    extractor = JSONExtractor()
    rows = []
    for mb in (1, 10):
        for sloppy in (False, True):
            text, clean = reply(mb * 1_000_000, sloppy=sloppy)
            assert extractor.extract(text) is not None
            base = timed(json.loads, clean)
            ext = timed(extractor.extract, text)
            cut = text[: len(text) * 2 // 3]
            salv = timed(extractor.salvage, cut)
            rows.append((mb, sloppy, len(text) / 1e6, base, ext, salv))
    print(f"{'size':>6} {'input':>8} {'json.loads':>11} {'extract':>9} {'ratio':>6} "
          f"{'salvage(cut)':>13}")
    for mb, sloppy, real, base, ext, salv in rows:
        print(f"{real:5.1f}MB {'sloppy' if sloppy else 'clean':>8} {base * 1000:9.1f}ms "
              f"{ext * 1000:7.1f}ms {ext / base:5.1f}x {salv * 1000:11.1f}ms")
    for sloppy in (False, True):
        small = next(r for r in rows if r[0] == 1 and r[1] == sloppy)
        large = next(r for r in rows if r[0] == 10 and r[1] == sloppy)
        print(f"{'sloppy' if sloppy else 'clean'}: 10 MB / 1 MB time = "
              f"{large[4] / small[4]:.1f} (size ratio {large[2] / small[2]:.1f}); "
              f"salvage {large[5] / small[5]:.1f}")


if __name__ == "__main__":
    main()
