"""``persona-tui chat``: streamed replies audited against the sources, leaks withheld by
default, the trial saved beside the card with no secrets, exit codes."""

from __future__ import annotations

import io
import json
import shutil

import pytest

from persona_tui.cli import main
from persona_tui.core.scripts.trial import WITHHELD
from persona_tui.resources import sample_project
from tests.vendor_server.wire import OPENAI_KEY

SAMPLE = sample_project() / "cards" / "ledger-keeper.json"
LEAK = ("We have a spreadsheet that Claire set up. In theory everyone adds what they paid "
        "for.")
CLEAN = "I keep one shared record and settle up every Sunday. It saves arguments."


@pytest.fixture
def server(vendor_server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    vendor_server.reset()
    yield vendor_server
    vendor_server.reset()


def chat(monkeypatch, server, card, lines: list[str], *extra: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(f"{line}\n" for line in lines)))
    return main(["chat", str(card), "--provider", "openai", "--base-url",
                 f"{server.url}/v1", "--model", "gpt-4o-mini", *extra])


def test_a_clean_and_a_leaking_reply(server, monkeypatch, capsys, tmp_path):
    card = tmp_path / "ledger-keeper.json"
    shutil.copy(SAMPLE, card)
    server.responder = lambda body: LEAK if "share costs" in body["messages"][-1]["content"] \
        else CLEAN
    code = chat(monkeypatch, server, card, ["How do you budget?", "How do you share costs?"],
                "--source", "sample")
    out, err = capsys.readouterr()
    assert code == 0
    assert CLEAN in out
    assert "Claire set up" not in out and WITHHELD in out
    assert "! verbatim (high) matches" in out or "! near_verbatim" in out
    assert "checked against" in err
    trials = list(tmp_path.glob("ledger-keeper.trial-*.json"))
    assert len(trials) == 1
    saved = json.loads(trials[0].read_text())
    assert saved["replies"] == 2 and saved["flagged_replies"] == 1
    assert saved["provider"] == "openai" and saved["model"] == "gpt-4o-mini"
    text = trials[0].read_text()
    assert "Claire set up" not in text  # withheld on screen, withheld on disk
    assert OPENAI_KEY not in text and server.url not in text  # no key, no URL
    second = saved["turns"][3]
    assert second["withheld"] and second["findings"][0]["source_id"]
    # the model hears back what it said: the second request carries the first reply
    assert server.requests[-1].body["messages"][2] == {"role": "assistant", "content": CLEAN}


def test_without_withholding_the_leak_shows_but_is_flagged(server, monkeypatch, capsys,
                                                           tmp_path):
    card = tmp_path / "c.json"
    shutil.copy(SAMPLE, card)
    server.responder = lambda body: LEAK
    assert chat(monkeypatch, server, card, ["How do you share costs?"], "--source", "sample",
                "--no-withhold") == 0
    out = capsys.readouterr().out
    assert "Claire set up" in out and "! " in out


def test_a_sample_card_trial_goes_to_the_users_cards_folder(server, monkeypatch, capsys,
                                                            paths):
    server.responder = lambda body: CLEAN
    before = sorted(p.name for p in SAMPLE.parent.iterdir())
    assert chat(monkeypatch, server, SAMPLE, ["Hello?", "/quit", "never asked"]) == 0
    assert sorted(p.name for p in SAMPLE.parent.iterdir()) == before
    (trial,) = paths.cards_dir.glob("ledger-keeper.trial-*.json")
    assert json.loads(trial.read_text())["replies"] == 1
    assert len(server.requests) == 1
    from persona_tui.services.cards import CardService

    listed = [e.path for e in CardService(paths).list(include_samples=False)]
    assert trial not in listed  # a saved trial is not offered as a card


def test_errors(server, monkeypatch, capsys, tmp_path):
    assert chat(monkeypatch, server, tmp_path / "missing.json", ["hi"]) == 2
    assert "E2001" in capsys.readouterr().err
    server.responder = lambda body: CLEAN
    from tests.vendor_server.server import Status

    server.fail_next(Status(500, "boom"), Status(500), Status(500), Status(500), Status(500))
    card = tmp_path / "c.json"
    shutil.copy(SAMPLE, card)
    assert chat(monkeypatch, server, card, ["hi"]) == 1
    assert "E3" in capsys.readouterr().err
