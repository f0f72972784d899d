"""Privacy audit: the verdict for the open card, its findings, and for the selected finding
the card text and the source text side by side with the overlap highlighted.

It audits the card open in the editor (the shared session), so "jump to field" lands on the
text to change and "apply redaction" is an edit the editor can undo. Nothing is saved behind
the user's back: a redaction leaves the card unsaved until they save it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Static

from persona_tui.services.app_support import PersonaError, strip_control
from persona_tui.services.cards import EditSession
from persona_tui.services.errors import report as error_report
from persona_tui.tui.screens.base import PersonaScreen
from persona_tui.tui.screens.dialogs import AskText, Pick
from persona_tui.tui.widgets.chrome import KeyFooter, ScreenTop
from persona_tui.tui.widgets.compare import FittedTitle, SpanView, highlighted
from persona_tui.tui.widgets.table import Table

COLUMNS = ("Severity", "Kind", "Field", "Excerpt")
#: the orders ``s`` cycles through: (label, key)
SORTS = (("severity, highest first", lambda f: (-_rank(f), f.field or "", f.start)),
         ("severity, lowest first", lambda f: (_rank(f), f.field or "", f.start)),
         ("field", lambda f: (f.field or "", f.start)),
         ("kind", lambda f: (str(f.kind), -_rank(f))))


def _rank(finding: Any) -> int:
    return -1 if finding.accepted else finding.severity.rank


def _one_line(text: str, limit: int = 60) -> str:
    text = " ".join(strip_control(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _highlighted(before: str, match: str, after: str) -> Text:
    return highlighted(strip_control(before), strip_control(match), strip_control(after))


def _without_folders(document: str) -> str:
    return document.replace("\\", "/").rsplit("/", 1)[-1]


def _fitting_records(finding: Any) -> str:
    """The rows or documents a quasi-identifier's combination of attributes fits."""
    count = len(finding.matches)
    who = "1 participant" if count == 1 else f"{count} participants"
    return (f"These attributes fit {who} (k = {count}): {finding.source_text}\n\n"
            "Matching rows or documents:\n" + "\n".join(f"• {where}"
                                                      for where in finding.matches))


class AuditScreen(PersonaScreen):
    CSS_PATH = "audit.tcss"
    BINDINGS = [
        Binding("ctrl+r", "rerun", "Re-run", id="audit.rerun",
                tooltip="Audit the card again against the sources"),
        Binding("s", "sort", "Sort", id="audit.sort",
                tooltip="Sort findings: severity high→low, low→high, field, kind"),
        Binding("j", "jump", "Jump to field", id="audit.jump",
                tooltip="Open the editor on the field of the selected finding"),
        Binding("x", "redact", "Redact", id="audit.redact",
                tooltip="Replace the flagged text with the suggested placeholder"),
        Binding("a", "accept", "Accept", id="audit.accept",
                tooltip="Accept the selected finding with a reason (kept in the audit log)"),
        Binding("e", "export", "Export", id="audit.export",
                tooltip="Export the report as JSON or Markdown"),
    ]

    @dataclass
    class Done(Message):
        session: EditSession
        version: int
        result: Any

    @dataclass
    class Failed(Message):
        error: Exception

    def __init__(self) -> None:
        super().__init__(name="audit")
        self.session: EditSession | None = None
        self._attempted: tuple[EditSession, int] | None = None
        self.result: Any = None
        self.audited_version = -1
        self.sort_index = 0
        self.rows: list[Any] = []

    def compose(self) -> ComposeResult:
        yield ScreenTop()
        with Horizontal(id="audit-bar"):
            yield Static("Privacy audit", id="audit-title", markup=False)
            yield Static("", id="verdict", markup=False)
        with Horizontal(id="sources-row"):
            yield Label("Sources", classes="field-label")
            sources = Input(id="sources", compact=True,
                            placeholder="data files or folders the card came from, ; between")
            sources.HELP = ("The research data this card is checked against. Type paths "
                            "separated by ';' and press Enter to re-run.")
            yield sources
        table = Table(id="findings", cursor_type="row", zebra_stripes=True)
        table.HELP = ("Findings of the audit. ↑/↓ selects one; j jumps to its field, x applies "
                      "the redaction, a accepts it with a reason, s changes the order.")
        yield table
        with Horizontal(id="compare"):
            with Vertical(classes="side"):
                yield FittedTitle("Card", id="card-side-title", classes="side-title")
                yield SpanView(text_id="card-side", id="card-view")
            with Vertical(classes="side"):
                yield FittedTitle("Source", id="source-side-title", classes="side-title")
                yield SpanView(text_id="source-side", id="source-view")
        yield Static("", id="suggestion", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for column in COLUMNS:
            table.add_column(column, key=column)
        table.focus()

    def on_screen_resume(self) -> None:
        session = self.app.services.cards.current
        if session is not self.session:
            self.session = session
            self.result = None
            self.query_one("#sources", Input).value = "; ".join(session.sources) \
                if session else ""
        if session is None:
            self._say("No card is open. Press F5 and open or make one (ctrl+o / ctrl+n).")
            return
        # automatically only for a card (or version) not tried yet: coming back from the
        # error dialog of a failed run must not run it, and fail, again
        if (session, session.version) != self._attempted:
            self.action_rerun()

    # --- running ---------------------------------------------------------------------------

    def _clear_findings(self) -> None:
        """No findings shown rather than stale ones: those of a run whose sources or card
        no longer hold could be redacted or accepted by mistake."""
        self.result = None
        self.audited_version = -1
        self._fill_table()

    def _say(self, text: str, verdict: str = "") -> None:
        self.query_one("#audit-title", Static).update(text)
        verdict_widget = self.query_one("#verdict", Static)
        verdict_widget.update(verdict.upper() if verdict else "")
        verdict_widget.set_classes(f"-{verdict}" if verdict else "")

    def action_rerun(self) -> None:
        session = self.session
        if session is None:
            return
        typed = [p.strip() for p in self.query_one("#sources", Input).value.split(";")
                 if p.strip()]
        if typed != session.sources:
            session.sources = typed
        if not session.sources:
            self._clear_findings()
            self._say("Type the data files or folder this card was made from in Sources, "
                      "then Enter.")
            self.query_one("#sources", Input).focus()
            return
        errors = session.errors()
        if errors:
            first = next(iter(errors))
            self._clear_findings()
            self._say(strip_control(f"The card is not valid ({first}: {errors[first]}); "
                                    "fix it in the editor (F5) first."))
            return
        self.query_one("#audit-title", Static).update("Auditing…")
        self._attempted = (session, session.version)
        # the worker gets a snapshot, never the session the editor may be changing
        self._run(session, session.card(), list(session.sources), session.version)

    @work(thread=True, exclusive=True, group="audit-run", exit_on_error=False)
    def _run(self, session: EditSession, card: Any, sources: list[str], version: int) -> None:
        try:
            result = self.app.services.audit.audit(card, sources, card_path=session.path)
        except Exception as exc:  # a missing source, an unreadable file: a toast with a hint
            self.post_message(self.Failed(exc))
        else:
            self.post_message(self.Done(session, version, result))

    @on(Input.Submitted, "#sources")
    def _sources_entered(self) -> None:
        self.action_rerun()
        self.query_one(DataTable).focus()

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        """The screen itself says what failed, for as long as it stays so: the findings of
        an earlier run are cleared (they were for other sources, or another state of the
        card), and the verdict reads FAILED rather than an old one. The error dialog comes
        too, as for every error, but closing it changes none of this."""
        report = error_report(message.error, self.app.context)
        self._clear_findings()
        self._say(f"Audit failed: {report.message} [{report.code}]", "failed")
        self.query_one("#suggestion", Static).update(
            f"{report.hint} Then Enter in Sources, or ctrl+r." if report.hint
            else "Fix the sources, then Enter in Sources, or ctrl+r.")
        self.app.show_error(message.error)

    @on(Done)
    def _done(self, message: Done) -> None:
        if message.session is not self.session:
            return
        self.result = message.result
        self.audited_version = message.version
        # the editor's badge follows (an accepted finding changes the verdict, not the card)
        self.app.services.cards.audited(message.session, message.version, message.result)
        for warning in self.app.services.audit.new_source_warnings():
            self.notify(strip_control(warning), title="Sources", severity="warning",
                        markup=False)
        name = message.session.data.get("identity", {}).get("name", "")
        counts = self.result.counts()
        summary = (f"{counts['high']} high, {counts['medium']} medium, {counts['low']} low"
                   + (f"; {len(self.result.accepted)} accepted" if self.result.accepted else "")
                   + (f"; groundedness {message.session.groundedness:.2f}"
                      if message.session.groundedness is not None else ""))
        self._say(strip_control(f"{name} ({message.session.data.get('id', '')}) — {summary}"),
                  self.result.verdict)
        self._fill_table()

    # --- table and detail ------------------------------------------------------------------

    def _fill_table(self) -> None:
        table = self.query_one(DataTable)
        label, key = SORTS[self.sort_index]
        self.rows = sorted(self.result.findings + self.result.accepted, key=key) \
            if self.result else []
        table.clear()
        styles = {"high": "bold red", "medium": "yellow", "low": "dim"}
        for index, finding in enumerate(self.rows):
            severity = "accepted" if finding.accepted else str(finding.severity)
            table.add_row(Text(severity, style=styles.get(severity, "dim italic")),
                          Text(str(finding.kind)), Text(strip_control(finding.field or "")),
                          Text(_one_line(finding.text, 40)), key=str(index))
        table.border_subtitle = f"sorted by {label}"
        if not self.rows:
            self.query_one("#card-side-title", FittedTitle).show("Card")
            self.query_one("#source-side-title", FittedTitle).show("Source")
            self.query_one("#card-view", SpanView).show(
                "No findings: nothing in this card repeats its sources." if self.result
                else "")
            self.query_one("#source-view", SpanView).show("")
            self.query_one("#suggestion", Static).update("")
        else:
            self._show_detail(self.rows[min(table.cursor_row, len(self.rows) - 1)])

    @property
    def selected(self) -> Any:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row < 0:
            return None
        return self.rows[min(table.cursor_row, len(self.rows) - 1)]

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None and self.rows:
            self._show_detail(self.rows[int(event.row_key.value)])

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_jump()

    def _show_detail(self, finding: Any) -> None:
        value = self.session.get(finding.field) if self.session and finding.field else None
        text = value if isinstance(value, str) else finding.text
        start, end = finding.start, finding.end
        if text[start:end] != finding.text:  # edited since the audit: show the flagged text
            text, start, end = finding.text, 0, len(finding.text)
        field = strip_control(finding.field or "")
        # narrower panes drop the section ("goals[3]"), then everything but the word "Card"
        self.query_one("#card-side-title", FittedTitle).show(
            f"Card · {field}", f"Card · {field.split('.', 1)[-1]}", "Card")
        self.query_one("#card-view", SpanView).show(
            _highlighted(text[:start], text[start:end], text[end:]))
        context = self.app.services.audit.source_context(finding)
        self.query_one("#source-side-title", FittedTitle).show(*self._source_titles(finding))
        if finding.matches:  # a quasi-identifier: the records its attributes fit
            source = Text(strip_control(_fitting_records(finding)))
        elif context is not None:
            source = _highlighted(("…" if context.clipped_before else "") + context.before,
                                  context.match,
                                  context.after + ("…" if context.clipped_after else ""))
        else:
            source = Text(strip_control(finding.source_text or
                                        "This is not in the sources; it is flagged because of "
                                        "what it is (personal data)."))
        self.query_one("#source-view", SpanView).show(source)
        note = f"Fix: {finding.suggestion}"
        if finding.accepted:
            note = f"Accepted: {finding.accepted_reason}"
        self.query_one("#suggestion", Static).update(strip_control(note))

    @staticmethod
    def _source_titles(finding: Any) -> list[str]:
        """Where the source text is, most telling first: the file with its folders and the
        full location; the file's name; its name and the last part of the location (the
        line); its name alone."""
        document = strip_control(finding.source_id or "")
        location = strip_control(finding.source_location or "")
        if not document:
            return ["Source · not in the sources", "Source · none"]
        name = _without_folders(document)
        line = location.rsplit(", ", 1)[-1]
        wordings = [f"Source · {', '.join(p for p in (d, loc) if p)}"
                    for d, loc in ((document, location), (name, location), (name, line))]
        return [*dict.fromkeys(wordings), f"Source · {name}", name]

    # --- actions -----------------------------------------------------------------------------

    def action_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(SORTS)
        self._fill_table()
        self.notify(f"Sorted by {SORTS[self.sort_index][0]}.", markup=False, timeout=2)

    def action_jump(self) -> None:
        finding = self.selected
        if finding is None or not finding.field:
            return
        self.app.services.cards.request_focus(finding.field, finding.start)
        self.app.switch_mode("cards")

    def action_redact(self) -> None:
        finding = self.selected
        if finding is None or self.session is None or finding.accepted:
            return
        if self.session.version != self.audited_version:
            self.notify("The card changed since this audit; re-run first (ctrl+r).",
                        severity="warning", markup=False)
            return
        try:
            redacted = self.app.services.audit.redact(self.session.card(), [finding])
        except (PersonaError, ValueError, KeyError) as exc:
            self.app.show_error(exc)
            return
        self.session.replace(self.app.services.cards.data_of(redacted))
        self.app.services.cards.changed()
        self.notify(strip_control(f"Replaced “{_one_line(finding.text, 40)}” with "
                                  f"{finding.replacement} in {finding.field}. The card is "
                                  "unsaved: ctrl+s in the editor (F5) saves it; ctrl+z there "
                                  "undoes it."), markup=False)
        self.action_rerun()

    def action_accept(self) -> None:
        finding = self.selected
        if finding is None or self.session is None or finding.accepted:
            return
        if self.session.path is None:
            self.notify("Save the card first: accepted findings live beside it.",
                        severity="warning", markup=False)
            return

        def answered(reason: str | None) -> None:
            if reason is None:
                return
            try:
                self.app.services.audit.accept(self.session.path, finding, reason)
            except (OSError, ValueError) as exc:
                self.app.show_error(exc)
                return
            self.notify("Accepted; the reason is kept in the card's audit log.", markup=False)
            self.action_rerun()

        self.app.push_screen(AskText(
            "Accept this finding", strip_control(
                f"{finding.kind} in {finding.field}: “{_one_line(finding.text, 50)}”. "
                "Why is it acceptable? (kept in the audit log)"),
            placeholder="e.g. the name is invented; any match is a coincidence"), answered)

    def action_export(self) -> None:
        if self.result is None or self.session is None:
            return
        choices = ["json", "md"]

        def picked(index: int | None) -> None:
            if index is None:
                return
            audit = self.app.services.audit
            try:
                card = self.session.card()
                path = audit.export_report(card, self.result,
                                           audit.report_path(card.id, choices[index]))
            except (PersonaError, OSError, ValueError) as exc:
                self.app.show_error(exc)
                return
            self.notify(strip_control(f"Exported {path}"), markup=False)

        self.app.push_screen(Pick("Export the report as", ["JSON", "Markdown"]), picked)
