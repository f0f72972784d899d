"""Providers: each vendor's state, its key (masked), base URL and default model, and a real
connection test.

The table shows what is known locally; nothing touches the network until the user presses
``t``. A typed key is never shown again: after saving, the field clears and only its last
four characters appear in the table.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Static

from persona_tui.services.app_support import PersonaError, VendorStatus, strip_control
from persona_tui.services.providers import ProviderState
from persona_tui.tui.screens.base import PersonaScreen
from persona_tui.tui.widgets.chrome import KeyFooter, ScreenTop
from persona_tui.tui.widgets.table import Table

COLUMNS = ("Provider", "State", "Key", "Models", "Latency", "Base URL", "Default model")


def _key_cell(state: ProviderState) -> str:
    if state.key_optional and state.key_source != "none":
        pass  # a key the user gave a local server: shown as any other
    elif not state.needs_key:
        return "not needed"
    if state.key_source == "none":
        return "—"
    where = state.key_source.removeprefix("env:") if state.key_source.startswith("env:") \
        else "credentials.toml"
    return f"{state.key_hint} ({where})"


def _fit(text: str, width: int | None) -> str:
    if width is None or len(text) <= width:
        return text
    return text[:max(width - 1, 1)] + "…"


def _row(state: ProviderState, url_width: int | None = None) -> list[Text]:
    status = state.status
    models = str(status.model_count) if status and status.model_count is not None else ""
    latency = f"{status.latency_s * 1000:.0f} ms" if status and status.latency_s else ""
    style = {"available": "green", "key invalid": "red", "unreachable": "yellow",
             "error": "red", "not configured": "dim"}.get(state.state, "")
    url = strip_control(state.base_url)
    cells = [state.label, state.state, _key_cell(state), models, latency]
    if url_width is None:
        cells += [url, state.default_model]
    else:
        cells.append(_fit(url.removeprefix("https://").removeprefix("http://"), url_width))
    return [Text(strip_control(c), style=style if i == 1 else "") for i, c in enumerate(cells)]


def _local_advice(state: ProviderState, text: str) -> str:
    """Advice as said on this screen: "add the key on the Providers screen" is where the
    user already is, so it becomes what to do here."""
    here = "paste it in API key below and press ctrl+s"
    return (text.replace("add the key on the Providers screen", here)
                .replace("the key on the Providers screen", "the key in API key below")
                .replace("Check the key on the Providers screen", "Check the key below")
                .replace(", then test the connection on Providers", ", then press t")
                .replace(" on the Providers screen", "").replace(" on Providers", ""))


class ProvidersScreen(PersonaScreen):
    CSS_PATH = "providers.tcss"
    BINDINGS = [
        Binding("t", "test", "Test connection", id="providers.test",
                tooltip="Make a real request to the selected provider"),
        Binding("ctrl+s", "save", "Save", id="providers.save",
                tooltip="Save the key, base URL and default model of the selected provider"),
        # not ctrl+d: a focused Input owns it (delete to the right)
        Binding("ctrl+f", "forget_key", "Forget key", id="providers.forget",
                tooltip="Remove the selected provider's key from credentials.toml"),
    ]

    @dataclass
    class Tested(Message):
        provider: str
        status: VendorStatus

    @dataclass
    class TestFailed(Message):
        provider: str
        error: Exception

    @dataclass
    class StatesRead(Message):
        states: list[ProviderState]

    def __init__(self) -> None:
        super().__init__(name="providers")
        self.states: dict[str, ProviderState] = {}
        self.selected = "ollama"
        self._shown_url_width: int | None = -1  # -1: no columns yet

    def compose(self) -> ComposeResult:
        yield ScreenTop()
        table = Table(id="providers-table", cursor_type="row", zebra_stripes=True)
        table.HELP = ("The vendors Persona TUI can use. ↑/↓ selects one; t tests it with a real "
                      "request; the form below edits it.")
        yield table
        with Vertical(id="provider-form"):
            yield Label("", id="form-title", markup=False)
            with Horizontal(classes="field"):
                yield Label("API key", classes="field-label")
                yield Input(password=True, id="api-key", compact=True,
                            placeholder="paste a new key (it is never shown again)")
            with Horizontal(classes="field"):
                yield Label("Base URL", classes="field-label")
                yield Input(id="base-url", compact=True)
            with Horizontal(classes="field"):
                yield Label("Default model", classes="field-label")
                yield Input(id="default-model", compact=True)
            yield Static("", id="provider-note", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.focus()
        if self.app.context.settings_pending:
            # config.toml is not validated yet (the app validates it after its first paint):
            # reading the states would validate it here, on the loop, before the first
            # frame. The table says it is loading, and a worker reads them after the paint.
            table.loading = True
            self.query_one("#provider-note", Static).update("Reading the settings…")
            self.app.after_first_paint(self._read_states)
        else:
            self.reload()

    @work(thread=True, exclusive=True, group="provider-states", exit_on_error=False)
    def _read_states(self) -> None:
        """Every vendor's local state, off the loop (validates a pending config.toml)."""
        try:
            states = self.app.services.providers.states()
        except PersonaError as exc:
            self.app.call_from_thread(self._states_failed, exc)
        else:
            self.post_message(self.StatesRead(states))

    def _states_failed(self, error: PersonaError) -> None:
        self.query_one(DataTable).loading = False
        self.query_one("#provider-note", Static).update("")
        self.app.show_error(error)

    @on(StatesRead)
    def _states_read(self, message: StatesRead) -> None:
        self.query_one(DataTable).loading = False
        self._show_states(message.states)
        self.refresh_bindings()  # t, ctrl+s and ctrl+f have a provider to act on now

    def _url_width(self) -> int | None:
        """Room for the Base URL column at this width, or None when every column fits."""
        rows = [_row(state) for state in self.states.values()]
        widths = [max([len(name)] + [r[i].cell_len for r in rows])
                  for i, name in enumerate(COLUMNS)]
        # each cell has one space of padding on either side; the focus bar takes a column
        room = self.app.size.width - 2 - 1
        if sum(widths) + 2 * len(widths) <= room:
            return None
        fixed = widths[:5]
        return max(12, room - sum(fixed) - 2 * (len(fixed) + 1))

    def _columns(self) -> None:
        """(Re)build the columns for this width; rows come back with the cursor where it
        was, without re-filling the form (that would undo what the user typed)."""
        table = self.query_one(DataTable)
        row = table.cursor_row
        with self.prevent(DataTable.RowHighlighted):
            table.clear(columns=True)
            self._shown_url_width = self._url_width()
            for column in COLUMNS[:6] if self._shown_url_width is not None else COLUMNS:
                table.add_column(column, key=column)
            for state in self.states.values():
                table.add_row(*_row(state, self._shown_url_width), key=state.provider)
            if table.row_count:
                table.move_cursor(row=max(0, min(row, table.row_count - 1)))

    def on_resize(self) -> None:
        if self.states and self._url_width() != self._shown_url_width:
            self._columns()

    def reload(self) -> None:
        try:
            states = self.app.services.providers.states()
        except PersonaError as exc:
            self.app.show_error(exc)
            return
        self._show_states(states)

    def _show_states(self, states: list[ProviderState]) -> None:
        for state in states:
            previous = self.states.get(state.provider)
            if previous is not None and previous.status is not None:
                state.status = previous.status
            self.states[state.provider] = state
        self._update_table()
        self._fill_form()

    def _update_table(self) -> None:
        table = self.query_one(DataTable)
        if not table.columns or self._url_width() != self._shown_url_width:
            self._columns()
            return
        for state in self.states.values():
            for column, cell in zip(COLUMNS, _row(state, self._shown_url_width)):
                table.update_cell(state.provider, column, cell)

    def _fill_form(self) -> None:
        state = self.states.get(self.selected)
        if state is None:
            return
        self.query_one("#form-title", Label).update(f"{state.label} settings")
        key_input = self.query_one("#api-key", Input)
        key_input.disabled = not (state.needs_key or state.key_optional)
        key_input.placeholder = (
            "optional: a local server needs no key unless it was started with one"
            if state.key_optional and state.key_source == "none" else
            f"{state.label} needs no key" if not state.needs_key and not state.key_optional else
            f"set {_key_cell(state)} — paste a new key to replace it"
            if state.key_source != "none" else "paste a key (it is never shown again)")
        self.query_one("#base-url", Input).value = state.base_url
        self.query_one("#default-model", Input).value = state.default_model
        self._note(state)

    def _note(self, state: ProviderState) -> None:
        status = state.status
        if state.error:
            text = state.error
        elif status is None:
            text = ("Press t to test the connection." if state.configured else
                    f"Not configured: paste a key above, or set {state.key_env} in the "
                    "environment.")
        elif status.state == "available":
            text = f"Connected: {status.model_count} models, {status.latency_s * 1000:.0f} ms."
            if status.message:  # connected, with advice (a base URL that lacks /v1)
                text += f"\n{status.message}. {status.hint}"
        else:
            text = f"{status.message}\n{status.hint}".strip()
        self.query_one("#provider-note", Static).update(
            strip_control(_local_advice(state, text)))

    @on(DataTable.RowHighlighted)
    def _selected(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value:
            self.selected = event.row_key.value
            self._fill_form()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Until the states are read there is no selected provider to test, save or forget."""
        if action in ("test", "save", "forget_key") and self.selected not in self.states:
            return None  # shown, disabled
        return True

    def action_test(self) -> None:
        state = self.states[self.selected]
        self.query_one("#provider-note", Static).update(f"Testing {state.label}…")
        self.test_provider(self.selected)

    @work(exclusive=True, group="provider-test", exit_on_error=False)
    async def test_provider(self, provider: str) -> None:
        try:
            status = await self.app.services.providers.test(provider)
        except Exception as exc:  # reported by the handler, never a crash
            self.post_message(self.TestFailed(provider, exc))
        else:
            self.post_message(self.Tested(provider, status))

    @on(Tested)
    def _tested(self, message: Tested) -> None:
        state = self.states[message.provider]
        state.status = message.status
        self._update_table()
        if message.provider == self.selected:
            self._note(state)  # the note below says it once; no toast repeating it
        elif message.status.state in ("key invalid", "error", "unreachable"):
            self.notify(strip_control(f"{state.label}: {message.status.message}"),
                        severity="warning", markup=False)

    @on(TestFailed)
    def _test_failed(self, message: TestFailed) -> None:
        self.app.show_error(message.error)

    def action_save(self) -> None:
        state = self.states[self.selected]
        key_input = self.query_one("#api-key", Input)
        try:
            self.app.services.providers.save(
                self.selected, api_key=key_input.value or None,
                base_url=self.query_one("#base-url", Input).value,
                default_model=self.query_one("#default-model", Input).value)
        except (PersonaError, OSError) as exc:
            self.app.show_error(exc)
            return
        key_input.value = ""  # the full key is never shown again
        self.states[self.selected].status = None
        self.reload()
        self.notify(f"Saved {state.label} settings.", markup=False)

    def action_forget_key(self) -> None:
        state = self.states[self.selected]
        try:
            self.app.services.providers.forget_key(self.selected)
        except (PersonaError, OSError) as exc:
            self.app.show_error(exc)
            return
        self.reload()
        self.notify(f"Removed the stored {state.label} key.", markup=False)
