"""The Generate screen driven by keys against the local vendor server."""

from __future__ import annotations

import json
import re

import pytest
from textual.widgets import Input, OptionList, Static

from persona_tui.resources import sample_project
from persona_tui.tui.app import PersonaApp
from persona_tui.tui.screens.dialogs import ErrorDialog
from persona_tui.tui.screens.generate import GenerateScreen
from persona_tui.tui.widgets.stream_view import StreamView
from tests.config_files import write_config
from tests.generation.test_final_parse import HOSTILE
from tests.vendor_server import CutStream

SAMPLE_REPLY = (sample_project() / "personas.json").read_text("utf-8")


@pytest.fixture
def server(sample_ollama):
    return sample_ollama


async def settle(pilot, seconds: float = 0.6) -> None:
    await pilot.pause(seconds)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def generate_screen(app) -> GenerateScreen:
    """The Generate screen, also under an error dialog a failed run leaves on top."""
    return next(s for s in reversed(app.screen_stack) if isinstance(s, GenerateScreen))


def text_of(app, selector: str) -> str:
    return str(generate_screen(app).query_one(selector, Static).render())


def log_text(app) -> str:
    return generate_screen(app).query_one("#output", StreamView).text


def lines_needed(app, status: Static) -> int:
    return status.get_content_height(status.size, app.size, status.content_region.width)


async def test_a_run_streams_every_token_and_shows_personas(server, paths):
    server.delay = 0.0005
    async with PersonaApp(start="generate").run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(pilot.app.screen, GenerateScreen)
        assert "free (local model)" in text_of(pilot.app, "#estimate")
        status = pilot.app.screen.query_one("#stats", Static)
        layouts, refresh = [], status.refresh

        def recording(*args, layout=False, **kwargs):
            layouts.append(layout)
            return refresh(*args, layout=layout, **kwargs)

        status.refresh = recording
        await pilot.press("ctrl+g")
        await settle(pilot)
        # the whole summary shows: the test's long folder takes a third line here, and
        # only that re-arranged the screen (the status lines before took the place of one)
        assert max(lines_needed(pilot.app, status), 2) == status.size.height
        assert (True in layouts) == (status.size.height > 2)
        assert log_text(pilot.app) == SAMPLE_REPLY  # nothing lost by coalescing
        listed = pilot.app.screen.query_one("#personas", OptionList)
        personas = [str(listed.get_option_at_index(i).prompt)
                    for i in range(listed.option_count)]
        assert len(personas) == 3
        assert personas[0].startswith("1. Jess Morgan — The reluctant collector")
        assert "evidence: 8/8 verified" in personas[0]
        stats = text_of(pilot.app, "#stats")
        assert stats.startswith("Done: 3 personas") and "saved to" in stats
        # more lines than the area has grow it, and fewer shrink it back (both a layout)
        layouts.clear()
        pilot.app.screen._show_status("Partial (3 problems): …\n  ! one\n  ! two\n  ! three")
        await pilot.pause()
        assert True in layouts and status.size.height == 4
        layouts.clear()
        pilot.app.screen._show_status("Starting…")
        await pilot.pause()
        assert True in layouts and status.size.height == 2
        # a summary that fits in the two lines takes their place: no layout
        layouts.clear()
        pilot.app.screen._show_result(pilot.app.screen.last_result, "saved to RUN")
        await pilot.pause()
        assert text_of(pilot.app, "#stats").startswith("Done: 3 personas")
        assert status.size.height == 2 and layouts and not any(layouts)
    runs = list((paths.experiments_dir).glob("app-*/runs/*/run.json"))
    assert len(runs) == 1 and json.loads(runs[0].read_text())["status"] == "ok"


def _listed(app) -> list[str]:
    listed = generate_screen(app).query_one("#personas", OptionList)
    return [str(listed.get_option_at_index(i).prompt).rstrip("\n")
            for i in range(listed.option_count)]


@pytest.mark.parametrize("reply", ["more than asked", "an example first"])
async def test_the_list_shows_the_personas_the_run_keeps(server, reply):
    """A model asked for 3 that writes 8 listed all 8 while the reply streamed and kept 3;
    a reply with an example object before the personas listed the example. The list only
    ever holds what the run can keep, and ends with exactly the result's personas."""
    sample = json.loads(SAMPLE_REPLY)["personas"]
    if reply == "more than asked":
        server.reply = json.dumps({"personas": [
            dict(sample[i % 3], name=f"{sample[i % 3]['name']} {i}") for i in range(8)]},
            indent=1)
    else:
        server.reply = HOSTILE["fenced after an example"]
    server.delay = 0.002
    async with PersonaApp(start="generate").run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        listed = generate_screen(pilot.app).query_one("#personas", OptionList)
        counts, add = [], listed.add_options

        def recording(options):
            result = add(options)
            counts.append(listed.option_count)
            return result

        listed.add_options = recording
        await pilot.press("ctrl+g")
        await settle(pilot, 1.0)
        result = generate_screen(pilot.app).last_result
        assert result is not None
        assert len(result.personas) == (3 if reply == "more than asked" else 1)
        assert counts and max(counts) <= 3
        shown = _listed(pilot.app)
        assert [line.split("\n")[0] for line in shown] == \
            [f"{i + 1}. {p.name} — {p.title}".rstrip(" —")
             for i, p in enumerate(result.personas)]


async def test_escape_cancels_and_keeps_the_partial_output(server, paths):
    server.tokens = ["tok "] * 4000
    server.delay = 0.002
    async with PersonaApp(start="generate").run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+g")
        await pilot.pause(0.5)
        # while it streams: the running count on the output's border, the keys below
        live = str(pilot.app.screen.query_one("#output", StreamView).border_subtitle)
        assert re.fullmatch(r"≈[\d,]+ tokens · [\d,…]+ tok/s · \d+\.\d s · free \(local\)", live)
        assert text_of(pilot.app, "#stats").startswith("Streaming · esc stops the run")
        await pilot.press("escape")
        await settle(pilot, 0.2)
        assert pilot.app.screen.query_one("#output", StreamView).border_subtitle is None
        stats = text_of(pilot.app, "#stats")
        assert stats.startswith("Cancelled — the output so far is kept")
        shown = log_text(pilot.app)
        assert shown.startswith("tok tok") and len(shown) < 4000 * 4
    (run,) = list(paths.experiments_dir.glob("app-*/runs/*"))
    assert (run / "raw_output.txt").read_text() == shown  # screen and saved output agree
    # recorded as the SDK and the CLI record a cancelled run (it used to say "failed")
    assert json.loads((run / "run.json").read_text())["status"] == "cancelled"


async def test_a_failed_run_says_why_and_retry_works(server):
    server.fail_next(CutStream(after=5, abrupt=True))
    async with PersonaApp(start="generate").run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ErrorDialog)  # the reason, with its code
        assert "E3004" in pilot.app.screen.text
        await pilot.press("escape")
        await pilot.pause()
        assert text_of(pilot.app, "#stats").startswith("Failed:")
        assert "ctrl+r retries" in text_of(pilot.app, "#stats")
        assert log_text(pilot.app) == "".join(server.chunks()[:5])
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert text_of(pilot.app, "#stats").startswith("Done: 3 personas")


async def test_model_output_is_shown_literally(server):
    server.reply = 'Not JSON: [bold]x[/] \x1b]0;title\x07 [link=http://e]y[/link]'
    async with PersonaApp(start="generate").run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert log_text(pilot.app) == "Not JSON: [bold]x[/]  [link=http://e]y[/link]"


async def test_bad_options_are_reported_not_crashed(server):
    async with PersonaApp(start="generate").run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pilot.app.screen.query_one("#count", Input).value = "99"
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert not pilot.app.screen.running
        # the field, the rule in plain words and the code (no library's message)
        assert any(str(n.message) == "Personas: must be at most 50 (got 99) [E1101]"
                   for n in pilot.app._notifications)


async def test_budget_over_the_estimate_is_refused_before_spending(server):
    async with PersonaApp(start="generate").run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = pilot.app.screen
        screen.query_one("#provider").value = "gemini"  # priced, unlike local servers
        await pilot.pause()
        screen.query_one("#budget", Input).value = "0.0001"
        await settle(pilot)
        estimate = text_of(pilot.app, "#estimate")
        assert estimate.startswith("estimate: $") and "over the $0.0001 budget" in estimate
        requests_before = len(server.requests)
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert text_of(pilot.app, "#stats").startswith("Failed: estimated cost $")
        assert len(server.requests) == requests_before  # nothing was spent


def _wait_for_estimate():
    async def run_before(pilot) -> None:
        await pilot.pause(0.6)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_snapshot_generate_before_a_run(snap_compare, size):
    assert snap_compare(PersonaApp(start="generate"), terminal_size=size,
                        run_before=_wait_for_estimate())


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_snapshot_generate_after_a_run(snap_compare, server, size):
    """A finished run: output, personas with evidence, the summary line. The run's duration
    and its folder differ every time, so they are masked on screen before the snapshot."""
    server.delay = 0.0005

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
        stats = pilot.app.screen.query_one("#stats", Static)
        text = re.sub(r"\d+\.\d s", "N.N s", str(stats.render()))
        stats.update(re.sub(r"saved to .*", "saved to EXPERIMENT/runs/RUN", text, flags=re.S))
        if hasattr(pilot.app.focused, "cursor_blink"):
            pilot.app.focused.cursor_blink = False  # the blink phase would make it flaky
        await pilot.pause()

    assert snap_compare(PersonaApp(start="generate"), terminal_size=size,
                        run_before=run_before)


async def test_copy_output_and_personas_to_the_clipboard(server):
    async with PersonaApp(start="generate").run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        assert pilot.app.clipboard == ""
        await pilot.press("ctrl+g")
        await settle(pilot)
        await pilot.press("ctrl+y")
        assert pilot.app.clipboard == SAMPLE_REPLY
        await pilot.press("ctrl+o")
        assert pilot.app.clipboard.startswith("# Jess Morgan")
        assert "# Margaret Hale" in pilot.app.clipboard


async def test_no_color_is_honoured(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = PersonaApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.no_color


async def test_controls_are_sent_and_a_partial_run_says_why(server, paths):
    persona = json.loads(SAMPLE_REPLY)["personas"][0]
    server.reply = json.dumps({"personas": [persona]})
    async with PersonaApp(start="generate").run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for field, keys in (("#max-tokens", "900"), ("#temperature", "0.3"), ("#seed", "7")):
            pilot.app.screen.query_one(field, Input).focus()
            await pilot.press(*keys)
        await pilot.press("ctrl+g")
        await settle(pilot)
        stats = text_of(pilot.app, "#stats")
    chat = [r.body for r in server.requests if r.path == "/api/chat"][-1]
    assert (chat["options"]["num_predict"], chat["options"]["temperature"],
            chat["options"]["seed"]) == (900, 0.3, 7)
    assert isinstance(chat["format"], dict)  # the persona schema, through Ollama's format
    assert stats.startswith("Partial (1 problem): 1 personas")
    assert "  ! 1 of 3 personas asked for" in stats
    (run,) = list(paths.experiments_dir.glob("app-*/runs/*/run.json"))
    record = json.loads(run.read_text())
    assert record["status"] == "partial" and record["reasons"] == ["1 of 3 personas asked for"]
    assert (record["config"]["persona"]["max_tokens"], record["config"]["persona"]["seed"]) \
        == (900, 7)


async def test_blank_controls_take_config_toml_defaults_and_the_run_records_them(server, paths):
    write_config({"providers": {"ollama": {"base_url": server.url}},
                  "generation": {"max_tokens": 777, "temperature": 0.1, "seed": 3}}, paths)
    async with PersonaApp(start="generate").run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
    chat = [r.body for r in server.requests if r.path == "/api/chat"][-1]
    assert (chat["options"]["num_predict"], chat["options"]["temperature"],
            chat["options"]["seed"]) == (777, 0.1, 3)
    (run,) = list(paths.experiments_dir.glob("app-*/runs/*/run.json"))
    persona = json.loads(run.read_text())["config"]["persona"]
    assert (persona["max_tokens"], persona["temperature"], persona["seed"]) == (777, 0.1, 3)


async def test_estimated_token_counts_are_marked(server, monkeypatch, paths):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-openai-0123456789")
    write_config({"providers": {"ollama": {"base_url": server.url},
                                "openai": {"base_url": f"{server.url}/v1"}}}, paths)
    server.openai_usage = False  # a server that reports no usage and has no tokenizer
    async with PersonaApp(start="generate").run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pilot.app.screen.query_one("#provider").value = "openai"
        await settle(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
        stats = text_of(pilot.app, "#stats")
    assert stats.startswith("Done: 3 personas · ≈") and " in / ≈" in stats
