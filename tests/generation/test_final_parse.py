"""The final parse of a streamed reply reuses the personas parsed while it streamed, and its
result is the one a parse of the whole reply from scratch gives: same personas (ids, evidence,
renames), same errors and warnings, in the same order — for real-shaped and hostile replies.

Each case streams a reply into two runs: one as the pipeline does it (candidates parsed while
streaming are kept and reused), one the way it was done before reuse existed (``_RunBefore``:
every parse from scratch, the name guard over every persona again). Everything the run ends
with is compared.
"""

from __future__ import annotations

import json
import random
from types import SimpleNamespace

import pytest

from persona_tui.core.data import DataLoader
from persona_tui.core.data.tokens import estimate_tokens
from persona_tui.core.generation.events import Failed, Finished
from persona_tui.core.generation.incremental import ObjectScanner
from persona_tui.core.generation.parser import KnownItems, PersonaParser
from persona_tui.core.generation.events import PersonaParsed
from persona_tui.core.generation.pipeline import (
    GenerationConfig,
    GenerationPipeline,
    _merge,
    _Run,
    chunk_prompt,
)
from persona_tui.core.models.options import PersonaConfig
from tests.generation.conftest import DATA, SAMPLE_REPLY

DOCUMENTS = DataLoader().load(DATA)
SAMPLE = json.loads(SAMPLE_REPLY)["personas"]


def _nest(depth: int) -> object:
    value: object = "deep"
    for _ in range(depth):
        value = [value]
    return value


def _cited(count: int, participant: str = "Maya") -> str:
    """A reply in the shape the schema asks for: claims citing passage numbers, quotes as
    passage numbers, one persona named after a participant, one title naming another."""
    personas = []
    for i in range(count):
        personas.append({
            "name": f"{participant} Okafor" if i == 1 else f"Robin Hollis {i}",
            "title": "Lives with Tomás" if i == 2 else f"The planner {i}",
            "demographics": {"age_band": "25-34", "occupation": "nurse", "household": "flat"},
            "goals": [{"text": f"Split bills fairly {i}", "passages": [1 + i % 5]}],
            "pain_points": [{"text": "Chasing people for money", "passages": [2, 3]}],
            "behaviours": [{"text": "Uses a spreadsheet", "passages": [4]}],
            "motivations": [{"text": "Keeping the peace", "passages": [999]}],
            "quotes": [1 + i % 3, 9999],
        })
    return json.dumps({"personas": personas}, ensure_ascii=False, indent=1)


def _many(count: int) -> str:
    """The benchmark's shape: the sample personas over and over, renamed (ids repeat)."""
    items = [dict(SAMPLE[i % 3], name=f"{SAMPLE[i % 3]['name']} {i}") for i in range(count)]
    return json.dumps({"personas": items}, indent=1)


def _without_ids(personas: list[dict]) -> list[dict]:
    return [{k: v for k, v in p.items() if k != "id"} for p in personas]


HOSTILE = {
    "sample": SAMPLE_REPLY,
    "cited": _cited(5),
    "many": _many(8),
    "bare list": json.dumps(SAMPLE),
    "prose around": "Sure! Here are the personas [as asked]:\n\n" + SAMPLE_REPLY
                    + "\n\nLet me know {if} you need more.",
    "fenced": "Some thoughts first.\n```json\n" + SAMPLE_REPLY + "\n```\nDone.",
    "fenced after an example": '```json\n{"example": [{"name": "Not a persona"}]}\n```\n'
                               "```json\n" + _cited(3) + "\n```",
    "a list before": "Steps: [1, 2, 3]\n" + SAMPLE_REPLY,
    "another array first": json.dumps({"sources": [{"id": "a"}, {"name": "Source B"}],
                                       "personas": SAMPLE}),
    "two replies": SAMPLE_REPLY + "\nAnd again:\n" + _cited(2),
    "duplicate personas": json.dumps({"personas": [SAMPLE[0], SAMPLE[1], SAMPLE[0]]}),
    "duplicate names": json.dumps({"personas": _without_ids(
        [SAMPLE[0], dict(SAMPLE[1], name="Jess Morgan"), dict(SAMPLE[2], name="jess  MORGAN"),
         dict(SAMPLE[2], name="Jéss Morgan")])}),
    "duplicate names, deep values": json.dumps({"personas": _without_ids([
        dict(SAMPLE[0], age=_nest(63)), dict(SAMPLE[1], name=SAMPLE[0]["name"], zzz=_nest(64)),
        dict(SAMPLE[2], name=SAMPLE[0]["name"], profile={"k": _nest(62)}),
        dict(SAMPLE[2], name=SAMPLE[0]["name"])])}),
    "duplicate ids, deep values": json.dumps({"personas": [
        dict(SAMPLE[0], age=_nest(63)), dict(SAMPLE[1], id=SAMPLE[0]["id"], zzz=_nest(64)),
        dict(SAMPLE[2], id=SAMPLE[0]["id"], profile={"k": _nest(62)})]}),
    "duplicate renamed participants": _cited(3).replace("Robin Hollis 0", "Maya Okafor"),
    "lenient slips": SAMPLE_REPLY.replace('",\n', '", // note\n', 3)
                     .replace("]\n  }", "],\n  }", 2).replace('"name"', "name", 2),
    "single quotes and literals": "{'personas': [{'name': 'Sam Rivers', 'goals': ['Save'],"
                                  " 'active': True, 'extra': None}, {'name': 'Ana', "
                                  "'goals': []},]}",
    "invalid items": json.dumps({"personas": [
        {"title": "no name"}, "just text", 42, {"name": ""}, SAMPLE[0], {"name": 7},
        {"name": "Quinn Marsh", "goals": {"nested": True}}, [SAMPLE[1]], SAMPLE[2]]}),
    "escapes and surrogates": json.dumps({"personas": [
        dict(SAMPLE[0], name="Jess \x1b]0;pwned\x07Morgan", title="\ud800 broken \x9b31m"),
        dict(SAMPLE[1], goals=["\x1b[31mred\x1b[0m", "  padded  ", ""])]}),
    "unverified evidence": json.dumps({"personas": [SAMPLE[0], dict(SAMPLE[1], evidence=[
        {"attribute": "goals[0]", "source_id": "survey.csv", "excerpt": "never said"},
        {"attribute": "goals[1]", "source_id": "nowhere.md", "excerpt": "nor this"},
        {"attribute": "goals[1]", "excerpt": SAMPLE[0]["evidence"][0]["excerpt"]}]),
        SAMPLE[2]]}),
    "escapes, duplicate names, no ids": json.dumps({"personas": _without_ids([
        dict(SAMPLE[0], name="Jess \x1b[1mMorgan", demographics={"age": "\x9b2J 30"}),
        dict(SAMPLE[1], name="Jess Morgan", goals=["\x1b[31mred", "  padded  ", 7]),
        dict(SAMPLE[2], name=" jess morgan ", title="\ud800", notes={"k": ["\x07"]})])}),
    "single persona object": json.dumps(SAMPLE[0]),
    "nested deeper": json.dumps({"result": {"data": {"personas": SAMPLE}}}),
    "wrapped list": json.dumps({"response": SAMPLE}),
    "empty list": '{"personas": []}',
    "nothing": "",
    "prose only": "I cannot help with that.",
    "unclosed fence": "```json\n" + SAMPLE_REPLY[:-40],
}
#: where a cut-off reply ends: mid-persona, mid-string, mid-number, at a comma
CUTS = (0.35, 0.5, 0.77, 0.999)


def _replies() -> list[tuple[str, str]]:
    cases = list(HOSTILE.items())
    for name in ("sample", "cited", "many", "prose around", "unverified evidence",
                 "duplicate ids, deep values", "invalid items"):
        text = HOSTILE[name]
        cases += [(f"{name} cut at {cut}", text[:int(len(text) * cut)]) for cut in CUTS]
    return cases


class _RunBefore(_Run):
    """How a run parsed before the final parse reused anything (the reference)."""

    def _parse_live(self, raw: str) -> list:
        found = self.p.parser.parse(raw, sources=self.documents, passages=self.passages)
        return [self.guard.check(p) for p in found.personas]

    def _absorb(self, text: str, final, chunk_input: int) -> None:
        assert final is None
        # every candidate parsed again (nothing reused), up to what the run keeps
        fresh = KnownItems(self.guard.check, enough=self._enough)
        result = self.p.parser.parse(text, sources=self.documents, passages=self.passages,
                                     known=fresh)
        self.warnings += [w for w in result.warnings if w not in self.warnings]
        self.errors += result.errors
        checked = result.personas
        self.personas = _merge(self.personas, checked,
                               self.p.config.persona.count * len(self.plan.chunks))
        self.input_tokens += chunk_input  # stopped early: our own estimate
        self.output_tokens += estimate_tokens(text)
        self.estimated = True
        self.token_source = "estimate"


def _run(*, reuse: bool, count: int = 3) -> _Run:
    persona = PersonaConfig(count=count)
    pipeline = GenerationPipeline(SimpleNamespace(name="ollama"),
                                  GenerationConfig(model="llama3.2", persona=persona))
    plan = SimpleNamespace(chunks=[DOCUMENTS], mode="whole")
    run = (_Run if reuse else _RunBefore)(pipeline, DOCUMENTS, plan, 0.0, [])
    run.passages = PASSAGES
    return run


_, _, PASSAGES = chunk_prompt(DOCUMENTS, PersonaConfig(count=3))


def _persona(p) -> tuple:
    return (p.model_dump_json(), sorted(p.model_fields_set))


def _ending(run: _Run, text: str, steps: list[int]) -> dict:
    """Streams ``text`` into ``run`` (a look at each prefix in ``steps``), then ends it."""
    announced = []
    for end in steps:
        announced += [(e.index, _persona(e.persona)) for e in run._announce(text[:end])]
    run.raw.append(text)
    run._absorb(text, None, 100)
    announced += [(e.index, _persona(e.persona)) for e in run._announce_all()]
    state = {
        "announced": announced,
        "personas": [_persona(p) for p in run.personas],
        "warnings": list(run.warnings), "errors": list(run.errors),
        "clashes": [c.to_dict() for c in run.guard.clashes],
    }
    state["tokens"] = (run.input_tokens, run.output_tokens, run.estimated, run.token_source)
    outcome = run._finish()
    if isinstance(outcome, Finished):
        result = outcome.result
        state["result"] = ([_persona(p) for p in result.personas], result.warnings,
                           result.errors, result.status, result.reasons, result.renamed,
                           result.unsupported_claims, result.metrics)
    else:
        assert isinstance(outcome, Failed)
        state["result"] = outcome.error.message
    return state


def _steps(text: str, every: int | None) -> list[int]:
    if every is None:
        return []  # a reply that ended before any look
    return list(range(every, len(text), every))


@pytest.mark.parametrize(("name", "text"), _replies(), ids=[n for n, _ in _replies()])
def test_final_parse_reuses_the_streamed_personas_with_the_same_result(name, text):
    for every in (None, 97):
        steps = _steps(text, every)
        expected = _ending(_run(reuse=False), text, steps)
        assert _ending(_run(reuse=True), text, steps) == expected, (name, every)


def test_the_final_parse_only_parses_what_streaming_had_not():
    text = _cited(6)
    run = _run(reuse=True, count=6)
    run._announce(text[:int(len(text) * 0.7)])  # four personas closed by then
    streamed = len(run._found)
    assert 3 <= streamed < 6
    calls = []
    validate = PersonaParser._validate

    def counting(item, passages):
        calls.append(item.get("name"))
        return validate(item, passages)

    PersonaParser._validate = staticmethod(counting)
    try:
        run._absorb(text, None, 100)
    finally:
        PersonaParser._validate = staticmethod(validate)
    assert len(calls) == 6 - streamed  # the tail only
    assert len(run.personas) == 6
    assert [p.name for p in run.personas[:streamed]] == [p.name for p in run._found]
    # the result holds copies: what was announced is not what the run returns
    assert all(a is not b for a, b in zip(run.personas, run._found))


def test_known_items_forget_other_passages_and_sources():
    parser, known = PersonaParser(), KnownItems()
    text = _cited(2)
    with_passages = parser.parse(text, sources=DOCUMENTS, passages=PASSAGES, known=known)
    assert len(known) == 2
    plain = parser.parse(text, known=known)  # no passages, no sources: nothing reusable
    assert [p.model_dump() for p in plain.personas] == \
        [p.model_dump() for p in PersonaParser().parse(text).personas]
    assert [p.evidence for p in plain.personas] != [p.evidence for p in with_passages.personas]


def test_hostile_edits_of_a_reply_parse_the_same_reusing_or_not():
    """Random damage to a real-shaped reply (characters dropped, brackets and quotes
    inserted, cut anywhere), each streamed in at random steps."""
    rng = random.Random(17)
    base = _cited(4)
    for _ in range(40):
        text = list(base)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(text))
            if rng.random() < 0.5:
                del text[at]
            else:
                text.insert(at, rng.choice('[]{}",\\:'))
        reply = "".join(text)[:rng.randint(len(base) // 3, len(base))]
        parser, known = PersonaParser(), KnownItems()
        step = rng.randint(40, 900)
        scanner = ObjectScanner()
        for end in range(step, len(reply), step):
            for raw in scanner.feed(reply[:end]):
                parser.parse(raw, sources=DOCUMENTS, passages=PASSAGES, known=known)
        reused = parser.parse(reply, sources=DOCUMENTS, passages=PASSAGES, known=known)
        assert parser.parse(reply, known=KnownItems()).personas == \
            PersonaParser().parse(reply).personas
        fresh = PersonaParser().parse(reply, sources=DOCUMENTS, passages=PASSAGES)
        assert [_persona(p) for p in reused.personas] == [_persona(p) for p in fresh.personas]
        assert (reused.errors, reused.warnings, reused.truncated) == \
            (fresh.errors, fresh.warnings, fresh.truncated)


@pytest.mark.parametrize(("name", "text"), _replies(), ids=[n for n, _ in _replies()])
@pytest.mark.parametrize("count", [1, 3])
def test_only_what_the_run_keeps_is_announced(name, text, count):
    """While a reply streams, the list shows the personas the run will keep, each once: a
    model asked for ``count`` that writes more (the benchmark's reply holds 74) listed them
    all and kept ``count``. What each announcement showed at an index is what the run holds
    there at the end, whenever the live parse saw the objects the final one reads (not so
    for a reply whose first array holds other objects, or personas nested where the final
    parse does not look: the screen then lists the result at the end)."""
    for every in (None, 97, 1000):
        run = _run(reuse=True, count=count)
        state = _ending(run, text, _steps(text, every))
        indices = [index for index, _ in state["announced"]]
        assert indices == list(range(len(indices))), (name, every)
        assert len(indices) <= count, (name, every)
        names = [" ".join(p.name.casefold().split()) for p in run.personas]
        assert len(set(names)) == len(names)
        if name in ("sample", "cited", "many", "bare list", "prose around", "fenced",
                    "duplicate names", "invalid items", "escapes and surrogates"):
            assert [persona for _, persona in state["announced"]] == state["personas"], \
                (name, every)


@pytest.mark.parametrize(("name", "text"), _replies(), ids=[n for n, _ in _replies()])
def test_a_run_that_stops_reading_at_what_it_keeps_keeps_the_same(name, text):
    """A run reads a reply only until it has the personas it keeps; one that reads it all
    (as runs did before) ends with the same personas, the same announcements and the same
    result; its errors are those of the candidates both read, then more."""
    for every in (None, 97):
        steps = _steps(text, every)
        stopping = _ending(_run(reuse=True), text, steps)
        run = _run(reuse=True)
        run._enough = lambda personas: False
        run._known.enough = None
        reading_all = _ending(run, text, steps)
        for key in ("announced", "personas", "clashes", "tokens"):
            assert stopping[key] == reading_all[key], (name, every, key)
        assert stopping["errors"] == reading_all["errors"][:len(stopping["errors"])]
        if isinstance(stopping["result"], str):
            assert stopping["result"] == reading_all["result"]
        else:
            assert stopping["result"][0] == reading_all["result"][0], (name, every)


@pytest.mark.parametrize(("name", "text"), _replies(), ids=[n for n, _ in _replies()])
def test_what_was_not_read_is_counted_in_a_warning(name, text):
    parser = PersonaParser()
    whole = parser.parse(text, sources=DOCUMENTS, passages=PASSAGES, known=KnownItems())
    part = parser.parse(text, sources=DOCUMENTS, passages=PASSAGES,
                        known=KnownItems(enough=lambda personas: len(personas) >= 2))
    assert part.personas == whole.personas[:len(part.personas)]
    unread = (len(whole.personas) + len(whole.errors)) - (len(part.personas) + len(part.errors))
    said = [w for w in part.warnings if w.endswith("not read")]
    noun = "persona" if unread == 1 else "personas"
    assert said == ([f"the reply holds {unread} more {noun} than were asked for; not read"]
                    if unread else []), name
