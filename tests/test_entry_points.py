"""One settings file, three entry points: the app, the command line and the SDK all send the
configured provider, model, base URL and key — checked in what the local vendor server
received, not in what the code says it would send."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from persona_tui.core.context import AppContext
from persona_tui.resources import sample_project
from persona_tui import PersonaGenerator
from persona_tui.tui.app import PersonaApp
from tests.config_files import write_config
from tests.vendor_server.wire import OPENAI_KEY

MODEL = "gpt-4.1-mini"  # not any vendor default: only the settings file names it


@pytest.fixture
def configured(vendor_server, paths):
    vendor_server.reset()
    vendor_server.reply = (sample_project() / "personas.json").read_text("utf-8")
    write_config({"generation": {"default_provider": "openai"},
                  "providers": {"openai": {"base_url": f"{vendor_server.url}/v1",
                                           "default_model": MODEL}}}, paths)
    paths.config_dir.chmod(0o700)
    AppContext.load(paths).set_api_key("openai", OPENAI_KEY)  # as Providers saves it
    yield vendor_server
    vendor_server.reset()


def _generations(server) -> list:
    return [r for r in server.requests if r.method == "POST"
            and r.path == "/v1/chat/completions"]


def _assert_configured(request) -> None:
    assert request.body["model"] == MODEL
    assert request.headers["authorization"] == f"Bearer {OPENAI_KEY}"


async def test_app_cli_and_sdk_send_what_the_settings_file_says(configured, isolated_home):
    async with PersonaApp(start="generate").run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.6)
        await pilot.app.workers.wait_for_complete()
        await pilot.press("ctrl+g")
        await pilot.pause(0.3)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    from_app = _generations(configured)
    assert len(from_app) == 1
    _assert_configured(from_app[0])

    done = subprocess.run([sys.executable, "-m", "persona_tui", "generate", "--from", "sample",
                           "--count", "3"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PERSONA_TUI_HOME": str(isolated_home)})
    assert done.returncode == 0, done.stderr
    assert f"from openai/{MODEL}" in done.stdout
    from_cli = _generations(configured)[1:]
    assert len(from_cli) == 1
    _assert_configured(from_cli[0])

    result = PersonaGenerator("openai").generate(sample_project() / "data")
    assert (result.provider, result.model) == ("openai", MODEL)
    from_sdk = _generations(configured)[2:]
    assert len(from_sdk) == 1
    _assert_configured(from_sdk[0])
    # the same request each time: the same prompt built from the same data and options
    assert from_app[0].body["messages"] == from_cli[0].body["messages"] \
        == from_sdk[0].body["messages"]


def test_sample_names_the_bundled_study_on_the_command_line(isolated_home):
    """Bug on main: `audit … --source sample` was E2001 (no such file)."""
    card = sample_project() / "cards" / "ledger-keeper.json"
    done = subprocess.run([sys.executable, "-m", "persona_tui", "audit", str(card),
                           "--source", "sample", "--json"], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PERSONA_TUI_HOME": str(isolated_home)})
    assert done.returncode in (0, 1), done.stderr  # a verdict, not a usage/data error (2)
    assert '"verdict"' in done.stdout


def test_every_way_into_the_app_goes_through_run_app(monkeypatch, paths):
    """``persona-tui`` on its own, ``persona-tui edit CARD`` and the audit viewer start the
    app through ``persona_tui.tui.app.run_app`` and nothing else (the layer test allows
    commands no other import from ``tui``); the card is checked before the app starts."""
    import persona_tui.tui.app as app_module
    from persona_tui.cli import main
    from persona_tui.commands.audit import run_audit

    started = []

    def recorder(start=None, **options):
        started.append((start, options.get("card"), options.get("sources")))
        return 0

    monkeypatch.setattr(app_module, "run_app", recorder)
    card = str(sample_project() / "cards" / "ledger-keeper.json")
    assert main([]) == 0
    assert main(["edit", card]) == 0
    assert run_audit(card, ["sample"], viewer=True) == 0
    assert started == [(None, None, None), ("cards", card, None),
                       ("audit", card, ["sample"])]
    assert main(["edit", str(paths.data_dir / "missing.json")]) == 2  # no app for no card
    assert len(started) == 3


def test_the_bare_command_opens_the_app_without_building_the_parser(monkeypatch):
    """``persona-tui`` alone: the app, and no argparse tree of every command (with their
    modules' imports) built before its first paint."""
    import persona_tui.cli as cli
    import persona_tui.tui.app as app_module

    started = []
    monkeypatch.setattr(app_module, "run_app", lambda **options: started.append(options) or 0)
    monkeypatch.setattr(cli, "build_parser", lambda: pytest.fail("the parser was built"))
    assert cli.main([]) == 0
    assert started == [{"debug": False}]
