"""The role-play trial screen by keys: a streamed reply, cancel, a flagged reply withheld
and shown, a saved trial; snapshots at 80x24 and 160x48. Against the local vendor server
speaking Ollama's protocol."""

from __future__ import annotations

import json

import pytest
from textual.widgets import Static

from persona_tui.resources import sample_project
from persona_tui.tui.app import PersonaApp
from persona_tui.tui.screens.trial import TrialScreen
from tests.config_files import write_config

SAMPLE_CARD = sample_project() / "cards" / "ledger-keeper.json"
LEAK = ("We have a spreadsheet that Claire set up. In theory everyone adds what they paid "
        "for.")
CLEAN = "I keep one shared record and settle up every Sunday. It saves arguments."
LONG = " ".join(f"Point number {i} about budgets is this one." for i in range(60))


@pytest.fixture
def server(vendor_server, paths):
    vendor_server.reset()
    write_config({"providers": {"ollama": {"base_url": vendor_server.url,
                                           "default_model": "llama3.2"}}}, paths)
    yield vendor_server
    vendor_server.reset()


def trial_app() -> PersonaApp:
    return PersonaApp(start="trial", card=str(SAMPLE_CARD))


async def settle(pilot, rounds: int = 3) -> None:
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def ask(pilot, question: str) -> None:
    await pilot.press(*question, "enter")
    await settle(pilot)


def texts(app, selector: str) -> list[str]:
    return [str(w.render()) for w in app.screen.query(selector).results(Static)]


def saved_trials(paths) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(paths.cards_dir.glob("*.trial-*.json"))]


async def test_a_streamed_reply_is_shown_and_the_trial_saved(server, paths):
    server.reply, server.delay = CLEAN, 0.005
    async with trial_app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(pilot.app.screen, TrialScreen)
        assert "Alex Brennan" in texts(pilot.app, "#trial-title")[0]
        await ask(pilot, "How do you budget?")
        assert texts(pilot.app, ".turn") == ["You: How do you budget?", CLEAN]
        assert texts(pilot.app, "#trial-status") == ["Done. Trial saved beside the card."]
        assert not pilot.app.screen.query_one(".flag").display
    (trial,) = saved_trials(paths)
    assert [t["role"] for t in trial["turns"]] == ["user", "assistant"]
    assert trial["turns"][1]["text"] == CLEAN and trial["sources"] == ["sample"]
    assert (trial["provider"], trial["model"]) == ("ollama", "llama3.2")
    request = server.requests[-1].body
    assert request["messages"][0]["role"] == "system"
    assert request["messages"][0]["content"].startswith("You are Alex Brennan")


async def test_escape_cancels_and_keeps_the_partial_reply(server, paths):
    server.reply, server.delay = LONG, 0.02
    async with trial_app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"Tell me everything.", "enter")
        for _ in range(100):  # until some checked text is on screen
            await pilot.pause(0.05)
            if "Point number" in texts(pilot.app, ".turn.-persona")[0]:
                break
        await pilot.press("escape")
        await settle(pilot)
        status = texts(pilot.app, "#trial-status")[0]
        assert status.startswith("Cancelled; the partial reply is kept.")
        shown = texts(pilot.app, ".turn.-persona")[0]
        assert shown.endswith("[cancelled]") and "Point number 59" not in shown
    (trial,) = saved_trials(paths)
    reply = trial["turns"][1]
    assert reply["cancelled"] and reply["text"].startswith("Point number 0")


async def test_a_leaking_reply_is_flagged_and_withheld(server, paths):
    server.reply = LEAK
    async with trial_app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert texts(pilot.app, "#withhold-state") == ["withhold leaks: on"]
        await ask(pilot, "How do you share costs?")
        shown = texts(pilot.app, ".turn.-persona")[0]
        assert "Claire set up" not in shown and "[withheld]" in shown
        flag = pilot.app.screen.query_one(".flag", Static)
        assert flag.display and "leaks source material" in str(flag.render())
        assert "withheld" in str(flag.render())
        assert pilot.app.screen.query_one(".turn.-persona").has_class("-flagged")
    (trial,) = saved_trials(paths)
    assert trial["flagged_replies"] == 1 and trial["turns"][1]["withheld"]
    assert "Claire" not in json.dumps(trial)


async def test_with_withholding_off_a_leak_is_shown_but_flagged(server, paths):
    server.reply = LEAK
    async with trial_app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+t")
        assert texts(pilot.app, "#withhold-state") == ["withhold leaks: OFF"]
        await ask(pilot, "How do you share costs?")
        assert "Claire set up" in texts(pilot.app, ".turn.-persona")[0]
        assert "shown in full" in texts(pilot.app, ".flag")[0]
        await pilot.press("ctrl+n")  # a new trial: the transcript empties, the old one stays
        await settle(pilot)
        assert texts(pilot.app, ".turn") == []
    (trial,) = saved_trials(paths)
    assert trial["withhold"] is False and not trial["turns"][1]["withheld"]


async def test_the_trial_is_one_key_away_and_in_the_palette(server):
    async with PersonaApp(start="cards", card=str(SAMPLE_CARD)).run_test(size=(80, 24)) \
            as pilot:
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        assert isinstance(pilot.app.screen, TrialScreen)
        titles = [c.title for c in pilot.app.get_system_commands(pilot.app.screen)]
        assert "Go to Role-play trial" in titles
        assert {"Cancel", "Withhold", "New trial", "Probe"} <= set(titles)


async def test_without_a_card_it_says_what_to_do(server):
    async with PersonaApp(start="trial").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await ask(pilot, "Hello?")
        assert texts(pilot.app, "#trial-status")[0].startswith("No card is open")
        assert server.requests == []


async def test_a_provider_failure_is_an_error_dialog_not_a_crash(server, paths):
    from tests.vendor_server.server import Status

    server.fail_next(*[Status(500, "boom")] * 6)
    async with trial_app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await ask(pilot, "Hello?")
        await settle(pilot)
        from persona_tui.tui.screens.dialogs import ErrorDialog

        assert isinstance(pilot.app.screen, ErrorDialog) and "E3" in pilot.app.screen.text
        await pilot.press("escape")
        await settle(pilot)
        # the dialog is closed: the screen itself says what failed and what to do
        status = texts(pilot.app, "#trial-status")[0]
        assert status.startswith("The reply failed [E3") and "see the message" not in status
        assert status.endswith("Then ask again.")
        reply = texts(pilot.app, ".turn.-persona")
        assert reply and reply[-1].startswith("(no reply: ") and "see the" not in reply[-1]


async def _flagged(pilot) -> None:
    await settle(pilot)
    await pilot.press(*"How do you share costs?", "enter")
    await settle(pilot)
    pilot.app.focused.cursor_blink = False  # the blink phase would make it flaky
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_snapshot_trial_with_a_withheld_reply(snap_compare, server, size):
    server.reply = LEAK
    assert snap_compare(trial_app(), terminal_size=size, run_before=_flagged)


async def test_ctrl_g_runs_the_groundedness_probe_and_records_its_score(server, paths):
    from persona_tui.core.privacy.audit_log import AuditLog
    from tests.cards.test_probe import DECLINED_REPLY, GROUNDED_ANSWERS

    server.responder = lambda body: GROUNDED_ANSWERS.get(body["messages"][-1]["content"],
                                                         DECLINED_REPLY)
    async with trial_app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot, 5)
        judged = texts(pilot.app, ".probe")
        assert len(judged) == 12
        assert judged[0].startswith("[grounded] (answerable) What are you trying to achieve")
        assert sum(line.startswith("[declined] (unanswerable)") for line in judged) == 7
        assert texts(pilot.app, "#trial-status")[0].startswith("Groundedness 1.00")
        assert pilot.app.services.cards.current.groundedness == 1.0
        await pilot.press("f5")
        await settle(pilot)
        title = str(pilot.app.screen.query_one("#card-title", Static).render())
        assert title.endswith("groundedness 1.00")
    log = AuditLog.for_card(paths.cards_dir / "ledger-keeper.json")
    assert log.last_probe["score"] == 1.0 and log.last_probe["provider"] == "ollama"
