"""The one error boundary: every failure ends in one dialog (title, message, hint, code;
cleaned of control sequences and secrets) and the app goes on; an exception that does end
the app gives a non-zero exit status and one line on stderr."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from textual.widgets import Select, Static

from persona_tui.services.context import AppContext
from persona_tui.tui.app import PersonaApp
from persona_tui.tui.screens.dialogs import ErrorDialog
from persona_tui.tui.screens.generate import GenerateScreen
from persona_tui.tui.screens.providers import ProvidersScreen

TUI = Path(__file__).resolve().parents[2] / "persona_tui" / "tui"


async def settle(pilot, seconds: float = 0.3) -> None:
    await pilot.pause(seconds)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def dialog_text(app) -> str:
    dialog = app.screen
    assert isinstance(dialog, ErrorDialog), f"no error dialog; the screen is {dialog!r}"
    return " ".join(str(w.render()) for w in dialog.query(Static))


async def test_a_hosted_provider_without_a_key_says_what_to_set_and_offers_providers():
    """Bug on main: a ConfigurationError traceback filled the screen, exit status 0."""
    async with PersonaApp(start="generate").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(pilot.app.screen, GenerateScreen)
        pilot.app.screen.query_one("#provider", Select).focus()
        await pilot.press("enter", "down", "enter")  # ollama -> openai
        await settle(pilot)
        assert pilot.app.screen.query_one("#provider", Select).value == "openai"
        await pilot.press("ctrl+g")
        await settle(pilot, 0.6)
        assert pilot.app.is_running and pilot.app.return_code is None
        text = dialog_text(pilot.app)
        assert "E1003" in text and "OPENAI_API_KEY" in text and "p opens Providers" in text
        hint = str(pilot.app.screen.query_one("#error-hint", Static).render())
        assert hint.count("Providers") == 1  # where to add the key, said once (the p key aside)
        # nothing reached a model: no experiment folder holding only the failure, and the
        # screen says so (issue 16, point 11)
        screen = next(s for s in pilot.app.screen_stack if isinstance(s, GenerateScreen))
        assert "not saved: nothing was produced" in str(screen.query_one("#stats").render())
        experiments = pilot.app.context.paths.experiments_dir
        assert not experiments.exists() or not any(experiments.iterdir())
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ProvidersScreen)


async def test_an_unexpected_worker_failure_is_a_dialog_and_the_app_goes_on(monkeypatch):
    async def broken(self, provider):
        raise RuntimeError("connection pool exploded\x1b[31m")

    monkeypatch.setattr("persona_tui.services.providers.ProviderService.test", broken)
    async with PersonaApp(start="providers").run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        text = dialog_text(pilot.app)
        assert "Unexpected error" in text and "E0001" in text
        assert "RuntimeError: connection pool exploded" in text and "\x1b" not in text
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ProvidersScreen)  # and it still works
        await pilot.press("down")
        assert pilot.app.screen.selected == "openai"


async def test_the_dialog_never_shows_a_key(monkeypatch, paths):
    secret = "sk-test-secret-key-778899"
    monkeypatch.setenv("OPENAI_API_KEY", secret)

    async def leaky(self, provider):
        raise ValueError(f"upstream said: bad request for key {secret} (Bearer {secret})")

    monkeypatch.setattr("persona_tui.services.providers.ProviderService.test", leaky)
    async with PersonaApp(context=AppContext.load(paths)).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        text = dialog_text(pilot.app)
        assert "upstream said" in text
        assert secret not in text and "778899" not in text
        assert secret not in pilot.app.screen.text  # nor in what "c" copies


def test_every_worker_reports_to_the_error_boundary():
    """A worker started without exit_on_error=False would end the app on a failure."""
    missing = []
    for path in TUI.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name not in ("work", "run_worker"):
                continue
            flags = {k.arg: k.value for k in node.keywords}
            value = flags.get("exit_on_error")
            if not (isinstance(value, ast.Constant) and value.value is False):
                missing.append(f"{path.name}:{node.lineno}")
    assert missing == []


CRASH = """
import persona_tui.tui.app as app_module
from pathlib import Path

class Crashing(app_module.PersonaApp):
    CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))

    def on_mount(self):
        super().on_mount()
        self.call_after_refresh(self.boom)

    def boom(self):
        raise RuntimeError("kaboom with sk-live-secret-1234567890 inside")

real_run = Crashing.run
Crashing.run = lambda self, **kw: real_run(self, headless=True)
app_module.PersonaApp = Crashing
raise SystemExit(app_module.run_app())
"""


def test_an_exception_that_ends_the_app_exits_non_zero_with_one_line(isolated_home):
    done = subprocess.run([sys.executable, "-c", CRASH], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "RuntimeError: kaboom" in lines[0] and "E0001" in lines[0]
    assert "sk-live-secret" not in done.stderr and "Traceback" not in done.stderr
