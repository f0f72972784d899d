"""Ollama models: what the local server has, which models earned "tested", and running the
qualification on one model or on every untested one, with its output streaming below.

Sorting (``s``) and filtering (``/``) work from the keyboard. When Ollama is not running the
screen says how to start it and what OLLAMA_HOST is, instead of an empty table.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Input, Log, Static

from persona_tui.services.app_support import strip_control
from persona_tui.services.errors import report as error_report
from persona_tui.tui.coalesce import Coalescer
from persona_tui.tui.screens.base import PersonaScreen
from persona_tui.tui.widgets.chrome import KeyFooter, ScreenTop
from persona_tui.tui.widgets.table import Table

COLUMNS = ("Model", "Size", "Family", "Params", "Quant", "Modified", "Status", "JSON",
           "Schema", "TTFT", "tok/s")
SORTS = ("Model", "Size", "Status", "tok/s")


@dataclass
class ModelRow:
    name: str
    size: float
    family: str
    params: str
    quant: str
    modified: str
    status: str
    record: Any

    def cells(self) -> list[Text]:
        record = self.record
        status_style = {"tested": "green", "untested": "yellow", "missing": "red"}[self.status]
        values = [self.name, f"{self.size / 1e9:.1f} GB" if self.size else "", self.family,
                  self.params, self.quant, self.modified[:10], self.status,
                  ("yes" if record.json_valid else "no") if record else "",
                  ("yes" if record.schema_valid else "no") if record else "",
                  f"{record.ttft_s:.2f} s" if record and record.ttft_s else "",
                  f"{record.tokens_per_s:.1f}" if record and record.tokens_per_s else ""]
        return [Text(strip_control(v), style=status_style if i == 6 else "")
                for i, v in enumerate(values)]


class OllamaScreen(PersonaScreen):
    CSS_PATH = "ollama.tcss"
    BINDINGS = [
        Binding("r", "refresh", "Refresh", id="ollama.refresh",
                tooltip="Ask Ollama again for its models"),
        Binding("q", "qualify", "Qualify", id="ollama.qualify",
                tooltip="Run the standard persona task on the selected model"),
        Binding("a", "qualify_all", "Qualify untested", id="ollama.qualify_all",
                tooltip="Qualify every untested model, one after another"),
        Binding("space", "mark", "Mark", id="ollama.mark",
                tooltip="Mark the selected model for a side-by-side run (two at most)"),
        Binding("c", "compare", "Side by side", id="ollama.compare",
                tooltip="Run the two marked models on the same task, outputs side by side"),
        Binding("s", "sort", "Sort", id="ollama.sort", tooltip="Cycle the sort column"),
        Binding("slash", "filter", "Filter", id="ollama.filter", key_display="/",
                tooltip="Type to show only matching models"),
        Binding("escape", "leave_filter", "Back to table", show=False, id="ollama.unfilter"),
    ]

    @dataclass
    class Compared(Message):
        result: Any
        asked: bool = False  # by the user (r), not by opening the screen

    @dataclass
    class Output(Message):
        text: str
        pane: str = "qualify-output"

    @dataclass
    class Qualified(Message):
        model: str
        record: Any
        pane: str = "qualify-output"

    @dataclass
    class Failed(Message):
        error: Exception
        listing: bool = False  # asking for the model list failed (not a qualification)

    class QualifyDone(Message):
        """The qualification worker ended, whatever the outcome."""

    def __init__(self) -> None:
        super().__init__(name="ollama")
        self.rows: list[ModelRow] = []
        self.sort_index = 0
        self.busy = False
        self.url = ""
        self.reachable: bool | None = None  # None: not answered yet (or asking again)
        self.marked: list[str] = []

    def compose(self) -> ComposeResult:
        yield ScreenTop()
        yield Static("", id="ollama-state", markup=False)
        yield Input(placeholder="filter models (/ to focus, Esc to leave)", id="filter",
                    compact=True)
        table = Table(id="models", cursor_type="row", zebra_stripes=True)
        table.HELP = ("Models your Ollama serves. Tested = qualified on the standard persona "
                      "task (valid JSON, valid persona, speed). q qualifies the selected "
                      "model, a every untested one; s sorts; / filters.")
        yield table
        with Horizontal(id="outputs"):
            qualify = Log(id="qualify-output", highlight=False)
            qualify.border_title = "Qualification output (q or a starts one)"
            yield qualify
            compare = Log(id="compare-output", highlight=False)
            compare.border_title = "Second model"
            yield compare
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for column in COLUMNS:
            table.add_column(column, key=column)
        table.focus()
        self._ask(asked=False)

    # --- loading -----------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self._ask(asked=True)

    def _ask(self, *, asked: bool) -> None:
        self.url = self.app.services.ollama.base_url()  # read config.toml once per refresh
        self.reachable = None
        self.query_one("#ollama-state", Static).update(
            strip_control(f"Asking Ollama at {self.url}…"))
        self.compare(asked)

    @work(exclusive=True, group="ollama-compare", exit_on_error=False)
    async def compare(self, asked: bool = False) -> None:
        try:
            result = await self.app.services.ollama.compare()
        except Exception as exc:
            self.post_message(self.Failed(exc, listing=True))
        else:
            self.post_message(self.Compared(result, asked))

    @on(Compared)
    def _compared(self, message: Compared) -> None:
        result = message.result
        self.reachable = result.reachable
        state = self.query_one("#ollama-state", Static)
        url = self.url
        if not result.reachable:
            # what happened, then the advice once (the hint says how to start it, and where
            # the URL comes from)
            state.update(strip_control(f"{result.error}.\n{result.hint or ''}".rstrip()))
            state.add_class("problem")
        self.rows = []
        for name in result.available_models + result.missing_models:
            info = result.details.get(name)
            self.rows.append(ModelRow(
                name, float(info.size_bytes or 0) if info else 0.0,
                (info.family or "") if info else "", (info.parameter_size or "") if info else "",
                (info.quantization or "") if info else "", (info.modified_at or "") if info else "",
                "missing" if name in result.missing_models else
                "tested" if name in result.records else "untested", result.records.get(name)))
        if result.reachable:
            state.remove_class("problem")
            self._summarise()
        self._render_rows()
        if message.asked:
            self.notify(strip_control(
                f"Ollama has {len(result.available_models)} models." if result.reachable
                else "Ollama did not answer."), markup=False, timeout=3)

    def _summarise(self) -> None:
        """The counts above the table, from the rows (so they follow qualification runs)."""
        counts = {status: sum(r.status == status for r in self.rows)
                  for status in ("tested", "untested", "missing")}
        self.query_one("#ollama-state", Static).update(strip_control(
            f"{self.url}: {counts['tested'] + counts['untested']} "
            f"installed, {counts['untested']} untested, {counts['missing']} tested earlier but "
            "no longer installed."))

    def _render_rows(self) -> None:
        table = self.query_one(DataTable)
        needle = self.query_one("#filter", Input).value.strip().casefold()
        key = SORTS[self.sort_index]
        rows = [r for r in self.rows if needle in r.name.casefold()]
        order = {"tested": 0, "untested": 1, "missing": 2}
        rows.sort(key={"Model": lambda r: r.name, "Size": lambda r: -r.size,
                       "Status": lambda r: (order[r.status], r.name),
                       "tok/s": lambda r: -(r.record.tokens_per_s or 0) if r.record else 0}[key])
        table.clear()
        for row in rows:
            table.add_row(*row.cells(), key=row.name)

    # --- sorting and filtering ---------------------------------------------------------------

    def action_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(SORTS)
        self._render_rows()
        self.notify(f"Sorted by {SORTS[self.sort_index]}", markup=False, timeout=2)

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_leave_filter(self) -> None:
        self.query_one(DataTable).focus()

    @on(Input.Changed, "#filter")
    def _filtered(self) -> None:
        self._render_rows()

    # --- qualification -----------------------------------------------------------------------

    def _selected(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def _cannot_list(self) -> str | None:
        """Why there is no list to qualify from: still asking, or Ollama did not answer (then
        "no model is installed" would not be true; nobody knows)."""
        if self.reachable is None:
            return f"Still asking Ollama at {self.url} for its models."
        if not self.reachable:
            return (f"Ollama did not answer at {self.url}, so no model can be qualified: "
                    "start it (see above), then r.")
        return None

    def action_qualify(self) -> None:
        if (why := self._cannot_list()) is not None:
            self.notify(strip_control(why), markup=False)
            return
        model = self._selected()
        row = next((r for r in self.rows if r.name == model), None)
        if row is None or row.status == "missing":
            self.notify("Select an installed model first.", markup=False)
            return
        self._start([model])

    def action_qualify_all(self) -> None:
        if (why := self._cannot_list()) is not None:
            self.notify(strip_control(why), markup=False)
            return
        untested = [r.name for r in self.rows if r.status == "untested"]
        if not untested:
            installed = [r for r in self.rows if r.status != "missing"]
            self.notify("Every installed model is tested." if installed else
                        "No model is installed: `ollama pull llama3.2` installs one, then r "
                        "refreshes.", markup=False)
            return
        self._start(untested)

    def action_mark(self) -> None:
        model = self._selected()
        if model is None:
            return
        if model in self.marked:
            self.marked.remove(model)
        else:
            self.marked = (self.marked + [model])[-2:]
        self.notify("Marked: " + (", ".join(self.marked) or "none"), markup=False, timeout=3)

    def action_compare(self) -> None:
        if (why := self._cannot_list()) is not None:
            self.notify(strip_control(why), markup=False)
            return
        installed = {r.name for r in self.rows if r.status != "missing"}
        pair = [m for m in self.marked if m in installed]
        if len(pair) != 2:
            self.notify("Mark two installed models with space first.", markup=False)
            return
        if self.busy:
            self.notify("A qualification is running.", markup=False)
            return
        self.busy = True
        self.add_class("comparing")
        for pane in ("qualify-output", "compare-output"):
            self.query_one(f"#{pane}", Log).clear()
        self.side_by_side(pair[0], pair[1])

    @work(exclusive=True, group="ollama-qualify", exit_on_error=False)
    async def side_by_side(self, first: str, second: str) -> None:
        service = self.app.services.ollama

        async def run(model: str, pane: str) -> None:
            output = Coalescer(lambda text: self.post_message(self.Output(text, pane)))
            self.post_message(self.Output(f"=== {model} ===\n", pane))
            try:
                record = await service.qualify(model, output.add)
            finally:
                output.flush()
            self.post_message(self.Qualified(model, record, pane))

        try:
            await asyncio.gather(run(first, "qualify-output"), run(second, "compare-output"))
        except Exception as exc:
            self.post_message(self.Failed(exc))
        finally:
            self.post_message(self.QualifyDone())

    def _start(self, models: list[str]) -> None:
        if self.busy:
            self.notify("A qualification is running.", markup=False)
            return
        self.busy = True
        self.remove_class("comparing")
        self.query_one("#qualify-output", Log).clear()
        self.qualify(models)

    @work(exclusive=True, group="ollama-qualify", exit_on_error=False)
    async def qualify(self, models: list[str]) -> None:
        service = self.app.services.ollama
        output = Coalescer(lambda text: self.post_message(self.Output(text)))
        try:
            for model in models:
                self.post_message(self.Output(f"\n=== {model} ===\n"))
                record = await service.qualify(model, output.add)
                output.flush()
                self.post_message(self.Qualified(model, record))
        except Exception as exc:
            self.post_message(self.Failed(exc))
        finally:
            output.flush()
            self.post_message(self.QualifyDone())

    @on(Output)
    def _output(self, message: Output) -> None:
        self.query_one(f"#{message.pane}", Log).write(strip_control(message.text))

    @on(Qualified)
    def _qualified(self, message: Qualified) -> None:
        record = message.record
        verdict = "passed" if record.passed else "did not pass"
        self.query_one(f"#{message.pane}", Log).write(strip_control(
            f"\n→ {message.model} {verdict}: JSON {'valid' if record.json_valid else 'invalid'}"
            f", persona {'valid' if record.schema_valid else 'invalid'}"
            + (f", {record.tokens_per_s:.1f} tok/s" if record.tokens_per_s else "") + "\n"))
        for row in self.rows:
            if row.name == message.model:
                row.record, row.status = record, "tested"
        self._summarise()
        self._render_rows()

    @on(QualifyDone)
    def _qualify_done(self) -> None:
        self.busy = False

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        if message.listing:  # not "Asking…" forever: the box says it failed, r asks again
            self.reachable = False
            state = self.query_one("#ollama-state", Static)
            said = error_report(message.error, self.app.context)  # cleaned of secrets
            state.update(strip_control(f"Could not ask Ollama at {self.url}: {said.message} "
                                       f"[{said.code}]. r asks again."))
            state.add_class("problem")
        self.app.show_error(message.error)
