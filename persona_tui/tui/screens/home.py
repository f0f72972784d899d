"""Home: what the app is for, the state of the providers and of Ollama at a glance, and the
sample study's tour one key away. The app opens here on a first run (nothing configured).

Opening it makes no request: the providers' state is what this machine holds (read in a
worker thread), and Ollama is asked only when the user presses ``o``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Button, Static

from persona_tui.services.app_support import PersonaError, strip_control
from persona_tui.services.errors import report as error_report
from persona_tui.tui.navigation import destination
from persona_tui.tui.screens.base import PersonaScreen
from persona_tui.tui.widgets.chrome import KeyFooter, ScreenTop, live_key

ABOUT = ("Evidence-backed user personas from your research data, with the LLM you choose. "
         "Personas become character cards an LLM can role-play; every card is audited so "
         "nothing a participant said, or who they are, leaks out.")
TOUR = ("The sample study (interviews, a survey and field notes about money in shared "
        "households) is bundled; only generating and the trial need a model:")
#: the tour's steps: (screen, what the user does there)
STEPS = (("providers", "a key or Ollama; only generating needs a model"),
         ("generate", "data 'sample': personas stream in with their evidence"),
         ("cards", "a card from a persona: every field, a live privacy badge"),
         ("audit", "the card against the interviews, the overlap side by side"),
         ("trial", "talk to the card; every reply is checked for leaks"))


class HomeScreen(PersonaScreen):
    CSS_PATH = "home.tcss"
    BINDINGS = [
        Binding("t", "tour", "Tour the sample", id="home.tour",
                tooltip="Open the sample study's card in the editor, its sources set"),
        Binding("o", "check_ollama", "Ask Ollama", id="home.ollama",
                tooltip="Ask the Ollama server which models it has (a local request)"),
    ]

    @dataclass
    class Loaded(Message):
        overview: Any

    @dataclass
    class OllamaChecked(Message):
        result: Any = None
        error: Exception | None = None

    def __init__(self) -> None:
        super().__init__(name="home")
        self.overview: Any = None

    def compose(self) -> ComposeResult:
        yield ScreenTop()
        with VerticalScroll(id="home"):
            yield Static(ABOUT, id="about", markup=False)
            yield Static("Reading this machine's settings…", id="providers-state",
                         markup=False)
            yield Static("", id="ollama-line", markup=False)
            yield Static(TOUR, id="tour-intro", markup=False)
            yield Static("", id="tour-steps")
            yield Button("Start the tour (t)", id="tour", compact=True)
        yield KeyFooter()

    def _steps(self) -> Text:
        """The tour's steps with each screen's key as bound now (a remap shows)."""
        text = Text()
        for number, (mode, what) in enumerate(STEPS, 1):
            place = destination(mode)
            found = live_key(self, place.binding_id)
            text.append(f" {number}  ")
            text.append(f"{found[0] if found else place.key.upper():<4}", style="bold")
            text.append(f"{place.label:<11}{what}\n")
        text.rstrip()
        return text

    def on_mount(self) -> None:
        self.query_one("#tour", Button).focus()
        self.query_one("#tour-steps", Static).update(self._steps())
        # after the first paint: the worker's imports (Ollama's records) would hold the GIL
        # while the screen is drawn
        self.app.after_first_paint(self.load)

    def on_screen_resume(self) -> None:
        if self.overview is not None:
            self.load()  # back from Providers: show what changed there

    @work(thread=True, exclusive=True, group="home-load", exit_on_error=False)
    def load(self) -> None:
        self.post_message(self.Loaded(self.app.services.home.overview()))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.overview = overview = message.overview
        text = Text()
        text.append("Providers  ", style="bold")
        width = max((len(s.label) for s in overview.providers), default=0) + 2
        for index, state in enumerate(overview.providers):
            if index:
                text.append("\n           ")
            text.append(f"{strip_control(state.label):<{width}}")
            if not state.needs_key:
                what = "no key needed"
            elif state.configured:
                what = f"key set ({state.key_hint})"
            else:
                what = f"no key ({state.key_env} or F2)" if state.key_env else "no key (F2)"
            text.append(strip_control(what), style="" if state.configured else "dim")
        for problem in overview.problems:
            text.append("\n           " + strip_control(problem))
        self.query_one("#providers-state", Static).update(text)
        if not self.query_one("#ollama-line", Static).has_class("-asked"):
            tested = len(overview.tested_models)
            self._ollama(f"{overview.ollama_url}: not asked yet, o asks it; "
                         f"{tested} qualified")

    def _ollama(self, line: str) -> None:
        text = Text("Ollama     ", style="bold")
        text.append(strip_control(line))
        self.query_one("#ollama-line", Static).update(text)

    # --- actions -----------------------------------------------------------------------------

    def action_check_ollama(self) -> None:
        url = self.overview.ollama_url if self.overview else "the Ollama server"
        self.query_one("#ollama-line", Static).add_class("-asked")
        self._ollama(f"asking {url}…")
        self.check_ollama()

    @work(exclusive=True, group="home-ollama", exit_on_error=False)
    async def check_ollama(self) -> None:
        try:
            result = await self.app.services.home.check_ollama()
        except Exception as exc:  # shown on the line and as a toast, never a crash
            self.post_message(self.OllamaChecked(error=exc))
        else:
            self.post_message(self.OllamaChecked(result))

    @on(OllamaChecked)
    def _ollama_checked(self, message: OllamaChecked) -> None:
        result = message.result
        if message.error is not None:
            said = error_report(message.error, self.app.context)  # cleaned of secrets
            self._ollama(f"could not ask it: {said.message} [{said.code}]; o asks again")
            self.app.show_error(message.error)
        elif not result.reachable:
            # one line, the advice once: the URL is on this line and the key for another
            # URL is on the Providers lines above (the Ollama screen has the whole hint)
            url = self.overview.ollama_url if self.overview else "its URL"
            self._ollama(f"not reachable at {url}; `ollama serve` starts it"
                         if result.code == "E3003" else
                         f"no answer: {result.error}. {result.hint or ''}".rstrip())
        else:
            installed = len(result.available_models)
            untested = len(result.untested_models)
            self._ollama(f"running: {installed} model{'s' if installed != 1 else ''} "
                         f"installed, {untested} untested — F3 qualifies them")

    def action_tour(self) -> None:
        self.app.ask_unsaved(self._open_tour)

    def _open_tour(self) -> None:
        home = self.app.services.home
        try:
            session = self.app.services.cards.open_current(home.tour_card())
        except PersonaError as exc:
            self.app.show_error(exc)
            return
        session.sources = home.tour_sources()
        self.app.switch_mode("cards")
        self.app.notify("The sample study's card is open. Edit any field; the badge at the "
                        "top right audits it live. F6 shows the audit against the "
                        "interviews.", title="Tour", markup=False, timeout=8)

    @on(Button.Pressed, "#tour")
    def _tour_pressed(self) -> None:
        self.action_tour()
