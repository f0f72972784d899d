"""The Textual app: a home screen and six screens reachable by one key each, named in a
navigation bar and in the command palette; a footer with the keys that work now, F1 help,
and one error dialog for every failure.

Screens talk to services only (``app.services``); the app owns navigation. Settings live in
the one application context (``app.context``), loaded once before the app starts.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path, PurePath

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from persona_tui.services.app_support import PathManager, PersonaError, strip_control
from persona_tui.services.context import AppContext
from persona_tui.services.errors import report as error_report
from persona_tui.services.hub import Services
from persona_tui.tui.navigation import DESTINATIONS, HELP_BINDING_ID, HELP_KEY


def _screen_class(mode: str) -> type[Screen]:
    """The screen of ``mode``; its module is imported on first use."""
    if mode == "home":
        from persona_tui.tui.screens.home import HomeScreen

        return HomeScreen
    if mode == "providers":
        from persona_tui.tui.screens.providers import ProvidersScreen

        return ProvidersScreen
    if mode == "ollama":
        from persona_tui.tui.screens.ollama import OllamaScreen

        return OllamaScreen
    if mode == "generate":
        from persona_tui.tui.screens.generate import GenerateScreen

        return GenerateScreen
    if mode == "cards":
        from persona_tui.tui.screens.cards import CardsScreen

        return CardsScreen
    if mode == "trial":
        from persona_tui.tui.screens.trial import TrialScreen

        return TrialScreen
    from persona_tui.tui.screens.audit import AuditScreen

    return AuditScreen


def _screen(mode: str) -> Screen:
    return _screen_class(mode)()


def _css_files(cls: type) -> list[Path]:
    """``cls.CSS_PATH`` as Textual resolves it: a relative path is next to the module that
    defines ``cls``."""
    css = cls.CSS_PATH or []
    paths = [Path(path) for path in ([css] if isinstance(css, (str, PurePath)) else css)]
    return [path if path.is_absolute() else (Path(inspect.getfile(cls)).parent / path).resolve()
            for path in paths]


class PersonaApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "Persona TUI"
    MODES = {d.mode: partial(_screen, d.mode) for d in DESTINATIONS}
    BINDINGS = [
        # priority: a focused widget's own F-keys (TextArea binds F6) must not hide a screen
        # the navigation bar shows these, so the footer keeps its room for the screen's keys
        *(Binding(d.key, f"go('{d.mode}')", d.title, id=d.binding_id, tooltip=d.help,
                  priority=True, show=False) for d in DESTINATIONS),
        Binding(HELP_KEY, "help", "keys", id=HELP_BINDING_ID,
                tooltip="Keys of this screen and of the focused widget"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", tooltip="Leave Persona TUI"),
    ]

    def __init__(self, *, paths: PathManager | None = None, context: AppContext | None = None,
                 start: str | None = None, card: str | None = None,
                 sources: list[str] | None = None, debug: bool = False) -> None:
        load_error: PersonaError | None = None
        if context is None:
            context, load_error = load_context(paths)
        services = Services(context)
        # a first run (nothing configured) opens on the home screen, which says what the
        # app is for; otherwise on Providers. Decided from local state only, before the loop.
        if start is None:
            start = "home" if load_error is None and services.home.nothing_configured() \
                else "providers"
        # the app opens in the start screen's mode, not in Textual's default mode with a
        # switch right after: a blank default screen composed, resumed and suspended, and
        # the stylesheet parsed twice more for the switch, before the first paint
        self.DEFAULT_MODE = start
        # the start screen's stylesheet is read with the app's: added when the screen
        # mounts, Textual parses every source again from scratch
        super().__init__(css_path=[*_css_files(type(self)), *_css_files(_screen_class(start))])
        self.show_tracebacks = debug
        #: the exception that ended the app, if one did
        self.fatal_error: BaseException | None = None
        self._load_error = load_error
        self.context = context
        self.services = services
        self.start = start
        self.card = card
        self.sources = sources
        self._loading = True
        # the first frame's theme and keymap: for a config.toml not validated yet, its raw
        # [ui] values (no settings model, so no pydantic, before the first paint); none
        # without a config.toml. Validation follows in a thread after the first paint.
        # The theme is set before the first screen is composed (at the app's Compose), so
        # that screen is styled in it from the start: set later, the first frame would be
        # drawn in Textual's default theme and then restyled.
        self._default_theme = self.theme
        self._first_frame_ui = context.first_frame_ui()
        self._apply_ui(self._first_frame_ui[0], {})
        # the card to edit is open before its screen is composed (at the app's Compose)
        self._problems: list[BaseException] = [load_error] if load_error else []
        if card is not None:
            try:
                session = services.cards.open_current(card)
            except PersonaError as exc:
                self._problems.append(exc)
            else:
                if sources:
                    session.sources = list(sources)

    def on_load(self) -> None:
        # The start screen is composed in the app's Compose, before Textual styles the app
        # itself: style it now, with the theme set in __init__, so that screen's widgets
        # inherit the app's styles (see PersonaScreen, which skips the refresh that would
        # otherwise restyle everything once more before the first paint).
        self.stylesheet.set_variables(self.get_css_variables())
        self.stylesheet.apply(self)

    def on_mount(self) -> None:
        self._apply_ui(*self._first_frame_ui)  # the keymap; the theme is set already
        if self.context.settings_pending:
            self.after_first_paint(self._validate_settings)
        else:
            self._warn(self.context.warnings)
        for problem in self._problems:  # over the first screen, not under it
            self.show_error(problem)

    def after_first_paint(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` once the first frame is on the terminal (later on: after the
        next refresh). ``call_after_refresh`` alone does not wait for it at start-up: the
        first screen mounts while Textual holds the display back, and its callbacks run as
        soon as the screen is idle, before anything is drawn. The app's own queue is read
        only once that start-up is over, so the callback is scheduled from there."""
        self.call_later(self.call_after_refresh, callback)

    def _apply_ui(self, theme: str | None, keymap: dict[str, str]) -> None:
        """Theme and keymap from config.toml (``None``/empty: Textual's defaults); applying
        them is not a change to save."""
        self._loading = True
        try:
            theme = theme if theme in self.available_themes else self._default_theme
            if theme != self.theme:
                self.theme = theme
            if keymap != getattr(self, "_applied_keymap", {}):
                self.set_keymap(keymap)
                self._applied_keymap = keymap
        finally:
            self._loading = False

    def _warn(self, warnings: Iterable[str]) -> None:
        for warning in warnings:
            self.notify(strip_control(warning), title="config.toml", severity="warning",
                        markup=False)

    @work(thread=True, exclusive=True, group="settings", exit_on_error=False)
    def _validate_settings(self) -> None:
        """Validate config.toml off the loop (the settings model imports pydantic), then
        settle theme, keymap, warnings and a refusal on the loop."""
        error = self.context.validate()
        self.call_from_thread(self._settings_validated, error)

    def _settings_validated(self, error: PersonaError | None) -> None:
        # what the app shows once config.toml is validated is what it showed when it was
        # validated before the first frame: the file's theme and keymap, or on a refusal
        # the defaults and the one error dialog (over Providers, where the app opened)
        self._apply_ui(*self.context.first_frame_ui())
        if error is not None:
            self._load_error = error
            self.show_error(error)
        else:
            self._warn(self.context.warnings)

    def watch_theme(self, theme: str) -> None:
        """The chosen theme persists in config.toml (only ``ui.theme`` is written)."""
        if self._loading:
            return
        try:
            self.context.set_theme(theme)
        except (OSError, PersonaError) as exc:
            self.show_error(exc)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While a dialog waits for its answer, the screen keys do nothing: F3 over "Unsaved
        changes" stacked a second copy of the question, and F6 over an error left the dialog
        behind on the screen the user came back to. The dialog's own keys answer it."""
        if action == "go" and getattr(self.screen, "HOLDS_NAVIGATION", False):
            return False
        return True

    def action_go(self, mode: str) -> None:
        """Leaving the editor for anything but its audit or its trial (both work on the card
        as edited) asks about unsaved changes."""
        if self.current_mode == "cards" and mode not in ("cards", "audit", "trial"):
            self.ask_unsaved(partial(self.switch_mode, mode))  # whatever is on top (a picker)
        else:
            self.switch_mode(mode)

    async def action_quit(self) -> None:
        self.ask_unsaved(self.exit)

    def ask_unsaved(self, then: Callable[[], object]) -> None:
        """Run ``then()`` now if the open card has no unsaved changes; else ask, and run it
        after the user saves or discards (the card service announces either, so the editor
        shows the result); Cancel stays."""
        cards = self.services.__dict__.get("cards")  # never built: nothing to lose
        session = cards.current if cards is not None else None
        if session is None or not session.dirty:
            then()
            return
        from persona_tui.tui.screens.dialogs import UnsavedChanges

        def answered(answer: str | None) -> None:
            if answer == "save" and self.save_open_card() is None:
                return
            if answer == "discard":
                cards.discard()
            if answer in ("save", "discard"):
                then()

        name = session.data.get("identity", {}).get("name") or "The open card"
        self.push_screen(UnsavedChanges(strip_control(str(name))), answered)

    def save_open_card(self) -> Path | None:
        """Save the open card; when it is invalid, say why and ask the editor to show the
        first bad field. Returns where it was saved, or None."""
        cards = self.services.cards
        session = cards.current
        if session is None:
            return None
        try:
            return cards.save(session)
        except (PersonaError, OSError, ValueError) as exc:
            errors = session.errors()
            if errors:
                first = next(iter(errors))
                self.notify(strip_control(f"Not saved: {first}: {errors[first]}"),
                            severity="error", markup=False)
                cards.request_focus(first)
            else:
                self.show_error(exc)
            return None

    def get_key_display(self, binding: Binding) -> str:
        """Function keys as keyboards print them (F2, not f2)."""
        shown = super().get_key_display(binding)
        return shown.upper() if shown[:1] == "f" and shown[1:].isdigit() else shown

    def action_help(self) -> None:
        from persona_tui.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.screen, self.focused))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for destination in DESTINATIONS:
            yield SystemCommand(f"Go to {destination.title}", destination.help,
                                partial(self.action_go, destination.mode))
        # the main actions of the current screen and of the focused widget, for keys a
        # terminal may swallow (alt+↑ over some SSH clients) and for discovery. Read from
        # each node's own bindings, not the active ones: a letter key that a focused field
        # types instead must still be one palette entry away.
        seen = set()
        focused = screen.focused
        for node in (focused.ancestors_with_self if focused is not None else [screen]):
            if node is self:
                break
            for _key, binding in node._bindings:
                if not binding.id or binding.id.startswith("app.") or binding.id in seen \
                        or self._check_action_state(binding.action, node) is False:
                    continue
                seen.add(binding.id)
                yield SystemCommand(binding.description,
                                    binding.tooltip or binding.description,
                                    partial(self.run_action, binding.action, node))
        yield from super().get_system_commands(screen)

    # --- the one error boundary -------------------------------------------------------------

    def show_error(self, error: BaseException) -> None:
        """Every failure reaches the user as one dialog: title, message, hint and code,
        cleaned of control sequences and secrets; never a traceback. The app goes on."""
        from persona_tui.tui.screens.dialogs import ErrorDialog

        report = error_report(error, self.context)
        top = self.screen
        if isinstance(top, ErrorDialog) and top.report == report:
            return  # the same failure again (a retry loop): one dialog is enough

        def closed(answer: str | None) -> None:
            if answer == "providers":
                self.action_go("providers")

        self.push_screen(ErrorDialog(report), closed)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Workers run with ``exit_on_error=False``; a failed one ends up here."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.show_error(event.worker.error)

    def _handle_exception(self, error: Exception) -> None:
        # Textual's hook for an exception nothing handled: the app must end. Keep the error
        # for run_app's one-line report; the traceback stays out of the user's terminal
        # unless they asked for it (--debug, or textual's devtools).
        self.fatal_error = getattr(error, "error", None) or error
        super()._handle_exception(error)
        if not self.show_tracebacks and "debug" not in self.features:
            self._exit_renderables.clear()


def load_context(paths: PathManager | None = None
                 ) -> tuple[AppContext, PersonaError | None]:
    """The process's context; a broken config.toml gives the defaults and the error, which
    the app shows (the app must open, so the user can see what to fix)."""
    try:
        # config.toml read now, validated after the first paint (see AppContext.deferred)
        return AppContext.default(paths, deferred=True), None
    except PersonaError as exc:
        return AppContext.adopt(AppContext(paths or PathManager.default())), exc


def run_app(start: str | None = None, *, card: str | None = None,
            sources: list[str] | None = None, context: AppContext | None = None,
            debug: bool = False) -> int:
    """Run the app: the one entry of the command line's app, ``edit`` and the audit viewer;
    with no ``start``, a first run opens on the home screen.

    Opened on an audit, the exit status is the verdict of the card as it is on disk when the
    app closes (see :func:`audit_exit_status`). If an unexpected exception ends the app, the
    status is 1 and stderr gets the error in one line."""
    app = PersonaApp(start=start, card=card, sources=sources, context=context, debug=debug)
    app.run()
    if app.fatal_error is not None:
        print(f"persona-tui: {error_report(app.fatal_error, app.context).one_line()}",
              file=sys.stderr)
        return 1
    return audit_exit_status(app) if start == "audit" else 0


def audit_exit_status(app: PersonaApp) -> int:
    """``persona-tui audit``'s status once its viewer has closed: 1 when the card as it is on
    disk is blocked, 0 when it passes or warns, 2 when it cannot be audited (stderr says
    why). A redaction the user discarded, or never saved, does not count: the file a script
    goes on to use is what the status describes."""
    cards = app.services.__dict__.get("cards")
    session = cards.current if cards is not None else None
    try:
        result = app.services.audit.saved_verdict(session)
    except PersonaError as exc:
        print(f"persona-tui: {error_report(exc, app.context).one_line()}", file=sys.stderr)
        return 2
    if result is None:  # no card, or one never saved: the viewer's last verdict
        result = app.services.__dict__.get("audit") and app.services.audit.last_result
    return 1 if result is not None and result.blocked else 0
