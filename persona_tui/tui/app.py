"""The Textual app: five screens reachable by one key each, a command palette that lists
them, a footer with the keys that work now, F1 help, and error toasts with the error's hint.

Screens talk to services only (``app.services``); the app owns settings and navigation.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from persona_tui.services.app_support import (
    PathManager,
    PersonaError,
    Settings,
    load_settings,
    save_settings,
    strip_control,
)
from persona_tui.services.hub import Services
from persona_tui.tui.navigation import DESTINATIONS


def _screen(mode: str) -> Screen:
    if mode == "providers":
        from persona_tui.tui.screens.providers import ProvidersScreen

        return ProvidersScreen()
    if mode == "ollama":
        from persona_tui.tui.screens.ollama import OllamaScreen

        return OllamaScreen()
    if mode == "generate":
        from persona_tui.tui.screens.generate import GenerateScreen

        return GenerateScreen()
    from persona_tui.tui.screens.coming import ComingScreen

    return ComingScreen(mode)


class PersonaApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "Persona TUI"
    MODES = {d.mode: partial(_screen, d.mode) for d in DESTINATIONS}
    BINDINGS = [
        *(Binding(d.key, f"go('{d.mode}')", d.title, id=d.binding_id, tooltip=d.help)
          for d in DESTINATIONS),
        Binding("f1", "help", "Help", id="app.help",
                tooltip="Keys of this screen and of the focused widget"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", tooltip="Leave Persona TUI"),
    ]

    def __init__(self, *, paths: PathManager | None = None, start: str = "providers") -> None:
        super().__init__()
        self.services = Services.create(paths)
        self.start = start
        self.settings = Settings()
        self._loading = True

    def on_mount(self) -> None:
        try:
            loaded = load_settings(self.services.paths)
            self.settings = loaded.settings
            for warning in loaded.warnings:
                self.notify(strip_control(warning), title="config.toml", severity="warning",
                            markup=False)
        except PersonaError as exc:
            self.show_error(exc)
        if self.settings.ui.theme in self.available_themes:
            self.theme = self.settings.ui.theme
        if self.settings.ui.keymap:
            self.set_keymap(self.settings.ui.keymap)
        self._loading = False
        self.switch_mode(self.start)

    def watch_theme(self, theme: str) -> None:
        """The chosen theme persists in config.toml."""
        if self._loading or theme == self.settings.ui.theme:
            return
        self.settings.ui.theme = theme
        try:
            save_settings(self.settings, self.services.paths)
        except (OSError, PersonaError) as exc:
            self.show_error(exc)

    def action_go(self, mode: str) -> None:
        self.switch_mode(mode)

    def action_help(self) -> None:
        from persona_tui.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.screen, self.focused))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for destination in DESTINATIONS:
            yield SystemCommand(f"Go to {destination.title}", destination.help,
                                partial(self.switch_mode, destination.mode))
        yield from super().get_system_commands(screen)

    def show_error(self, error: BaseException) -> None:
        """Every failure reaches the user as a toast with what to do, never a traceback."""
        if isinstance(error, PersonaError):
            title, body = f"Error {error.code}", error.message
            if error.hint:
                body += f"\n{error.hint}"
        else:
            title, body = "Unexpected error", f"{type(error).__name__}: {error}"
        self.notify(strip_control(body), title=title, severity="error", markup=False,
                    timeout=10)


def run_app(start: str = "providers") -> int:
    PersonaApp(start=start).run()
    return 0
