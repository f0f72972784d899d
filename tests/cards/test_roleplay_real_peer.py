"""Opt-in: the groundedness probe (and the trial) against a real model, llama.cpp's server
running SmolLM2-135M-Instruct on 127.0.0.1 (see tests/providers/test_real_peer.py).

    LLAMA_SERVER_PYTHON=VENV/bin/python uv run pytest -m real_peer \\
        tests/cards/test_roleplay_real_peer.py -s

Each sample card is probed as shipped and with the generator's "I don't know" guidelines
(``honest_uncertainty``); the figures are printed. They are not asserted: a 135M model is
noisy, and the point is to measure, not to pass.
"""

from __future__ import annotations

import time

import pytest

from persona_tui.core.providers.openai import OpenAIProvider
from persona_tui.core.scripts.cards_io import load_card
from persona_tui.core.scripts.generator import honest_uncertainty
from persona_tui.core.scripts.probe import JUDGEMENTS, GroundednessProbe
from persona_tui.resources import sample_project
from tests.providers.test_real_peer import llama_server  # noqa: F401  (the fixture)

pytestmark = pytest.mark.real_peer


@pytest.mark.parametrize("name", ["ledger-keeper", "reluctant-collector"])
async def test_probe_sample_cards_before_and_after_the_guidelines(llama_server, name):  # noqa: F811
    card = load_card(sample_project() / "cards" / f"{name}.json")
    async with OpenAIProvider(base_url=llama_server) as provider:
        probe = GroundednessProbe(provider, "smollm2", temperature=0.0, max_tokens=120)
        for label, variant in (("as shipped", card), ("with guidelines", honest_uncertainty(card))):
            started = time.monotonic()
            result = await probe.run(variant)
            elapsed = time.monotonic() - started
            assert len(result.answers) == 10 + len(card.knowledge_boundaries.doesnt_know[:3])
            assert all(a.judgement in JUDGEMENTS for a in result.answers)
            assert all(isinstance(a.reply, str) for a in result.answers)
            assert 0.0 <= result.score <= 1.0
            print(f"\n{name} {label}: score {result.score:.3f} (declined "
                  f"{result.declined_share:.3f}, grounded {result.grounded_share:.3f}; "
                  f"{result.counts}) in {elapsed:.0f} s")
            for answer in result.answers:
                print(f"  [{answer.judgement}] {answer.question.question[:60]} -> "
                      f"{' '.join(answer.reply.split())[:90]}")


async def test_a_trial_against_the_real_model(llama_server, tmp_path):  # noqa: F811
    """Three questions through the trial service, replies audited live against the sample
    study; prints what was flagged and how long the first checked text took to show."""
    from persona_tui.core.platform import PathManager
    from persona_tui.services.context import AppContext
    from persona_tui.services.trial import TrialService

    card = load_card(sample_project() / "cards" / "ledger-keeper.json")
    service = TrialService(AppContext(PathManager.default()))
    session = service.start(card, tmp_path / "ledger-keeper.json", ["sample"],
                            provider="openai", model="smollm2", base_url=llama_server)
    questions = ["How do you and your flatmates split the bills?",
                 "Tell me about the last time a payment went missing.",
                 "What is the name of your flatmate who set up the spreadsheet?"]
    try:
        for question in questions:
            started = time.monotonic()
            first = None
            final = None
            async for update in session.reply(question):
                if first is None and update.visible:
                    first = time.monotonic() - started
                final = update
            assert final is not None and final.done
            print(f"\n[{'FLAGGED' if final.flagged else 'clean'}] {question}\n  "
                  f"{' '.join(final.visible.split())[:160]}\n  findings: "
                  f"{[(str(f.kind), str(f.severity)) for f in final.findings]}; first "
                  f"checked text after {first or 0:.1f} s, reply in "
                  f"{time.monotonic() - started:.1f} s")
    finally:
        await session.aclose()
    saved = session.path.read_text("utf-8")
    assert saved.count('"role": "assistant"') == 3
