"""Small modal questions: keep or drop unsaved changes, pick one of a list, type a line; and
the error dialog every failure ends in.

Each returns its answer through ``dismiss`` so callers can ``push_screen_wait`` or pass a
callback; Esc always backs out without changing anything.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option


class _Dialog(ModalScreen):
    CSS_PATH = "dialogs.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]
    #: a question: the app's screen keys (F2…F8) wait until it is answered (see the app)
    HOLDS_NAVIGATION = True

    def action_cancel(self) -> None:
        self.dismiss(None)


class UnsavedChanges(_Dialog):
    """Asked before leaving, switching card or quitting: returns save, discard or None."""

    BINDINGS = [Binding("s", "answer('save')", "Save", id="dialog.save"),
                Binding("d", "answer('discard')", "Discard", id="dialog.discard")]

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Unsaved changes", classes="dialog-title")
            yield Static(f"{self.what} has changes that are not saved.", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (s)", id="save", variant="primary", compact=True)
                yield Button("Discard (d)", id="discard", variant="error", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None if event.button.id == "cancel" else event.button.id)


def shorten_left(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells, cut at the left with "…": the end of a path
    (the file's name) is the part that tells files apart."""
    if cell_len(text) <= width:
        return text
    while text and cell_len(text) > width - 1:
        text = text[1:]
    return "…" + text


class Pick(_Dialog):
    """Choose one line of a list; returns its index. Lines never wrap (too long, they end
    in "…"); ``details`` holds the whole text of each, shown under the list for the one
    highlighted. ``verb`` says what Enter does, next to the keys."""

    HOLDS_NAVIGATION = False  # browsing, not a question: F2 from the card picker goes on

    def __init__(self, title: str, choices: list[str], hint: str = "", *,
                 details: list[str] | None = None, verb: str = "chooses") -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices
        self.hint = hint
        self.details = details
        self.verb = verb

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            if self.hint:
                yield Static(self.hint, classes="hint", markup=False)
            yield OptionList(*(Option(c, id=str(i)) for i, c in enumerate(self.choices)),
                             id="choices", markup=False)
            if self.details is not None:
                yield Static("", id="pick-detail", markup=False)
            yield Static("", id="pick-keys", classes="hint", markup=False)

    def on_mount(self) -> None:
        # the keys as bound now (a keymap may move Esc)
        cancel = next((self.app.get_key_display(a.binding) for a in
                       self.active_bindings.values() if a.binding.id == "dialog.cancel"),
                      "esc")
        self.query_one("#pick-keys", Static).update(
            f"↑/↓ move · Enter {self.verb} · {cancel[:1].upper()}{cancel[1:]} cancels")

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if self.details is not None:
            self.query_one("#pick-detail", Static).update(self.details[int(event.option.id)])

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id))


class AskText(_Dialog):
    """One line of text that must not be empty (a reason, a path); returns it."""

    def __init__(self, title: str, prompt: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.prompt = prompt
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            yield Static(self.prompt, markup=False)
            yield Input(self.value, placeholder=self.placeholder, id="answer")
            yield Static("Enter to confirm · Esc to cancel", id="dialog-error",
                         classes="hint", markup=False)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.query_one("#dialog-error", Static).update("This cannot be empty.")
            return
        self.dismiss(event.value.strip())


class ErrorDialog(_Dialog):
    """What went wrong, with the error's code and what to do (text already cleaned by the
    error report: no control sequences, no secrets). Scrolls when long; c copies it; for a
    missing key, p goes to Providers. Returns "providers" when the user chose that."""

    BINDINGS = [Binding("enter,escape", "cancel", "Close", id="error.close"),
                Binding("c", "copy", "Copy", id="error.copy",
                        tooltip="Copy the error's text to the clipboard"),
                Binding("p", "providers", "Providers", id="error.providers",
                        tooltip="Go to Providers to set the missing key")]

    def __init__(self, report) -> None:
        super().__init__()
        self.report = report

    @property
    def text(self) -> str:
        report = self.report
        return f"{report.title} ({report.code})\n{report.message}\n{report.hint}".strip()

    def compose(self) -> ComposeResult:
        report = self.report
        with Vertical(classes="dialog"):
            yield Label(f"{report.title} · {report.code}", classes="dialog-title",
                        markup=False)
            with VerticalScroll(id="error-body"):
                yield Static(report.message, id="error-message", markup=False)
                if report.hint:
                    yield Static(report.hint, id="error-hint", classes="hint", markup=False)
            keys = "Enter closes · c copies" + (" · p opens Providers"
                                               if report.missing_key_for else "")
            yield Static(keys, classes="hint", markup=False)

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "providers":
            return self.report.missing_key_for is not None
        return True

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.text)
        self.notify("Copied the error.", markup=False, timeout=2)

    def action_providers(self) -> None:
        self.dismiss("providers")
