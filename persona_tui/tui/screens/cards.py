"""Cards: a keyboard editor for character cards.

Every field of the card is on one scrolling page, in the card's own order; ↑/↓ walk it like a
document. Edits go to the shared edit session (``services.cards.current``), which validates
them, keeps the undo history and knows whether leaving needs a question. The rendered system
prompt (ctrl+t) and the audit badge follow the edits a moment after typing stops, so typing
itself only pays for validation.
"""

from __future__ import annotations

import asyncio
import gc
from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.geometry import Size
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Static, TextArea

from persona_tui.services.app_support import PersonaError, strip_control
from persona_tui.services.cards import (
    FORMAT_LABELS,
    CardAudited,
    CardChanged,
    CardEvent,
    CardOpened,
    EditSession,
    FocusRequested,
    field_layout,
)
from persona_tui.services.errors import report as error_report
from persona_tui.tui.screens.base import PersonaScreen
from persona_tui.tui.screens.dialogs import Pick, shorten_left
from persona_tui.tui.widgets.audit_badge import AuditBadge
from persona_tui.tui.widgets.chrome import KeyFooter, ScreenTop
from persona_tui.tui.widgets.fields import (
    FieldArea,
    FieldEdited,
    ItemsArea,
    ListEdit,
    ListField,
    TextField,
)

#: quiet time after the last keystroke before the badge re-audits
AUDIT_DELAY_S = 0.8
PREVIEW_DELAY_S = 0.3


class CardPage(VerticalScroll):
    """The card's fields as one scrolling page. When its width changes (a resized terminal,
    the preview opening beside it) the fields re-wrap and grow, while the page kept its
    offset: the field being edited slid out of view. The page brings it back. The fields
    re-wrap in their own time, over more than one layout, so after a width change the page
    follows the focused field at every layout, until the user scrolls the page with the
    wheel or moves the focus."""

    _following = False
    _laid_out_at: Size | None = None

    def on_mount(self) -> None:
        self.screen.screen_layout_refresh_signal.subscribe(self, self._laid_out)

    def on_unmount(self) -> None:
        self.screen.screen_layout_refresh_signal.unsubscribe(self)

    def _laid_out(self, _screen) -> None:
        """After every layout of the screen. The page compares its size itself: the resize
        event that would say so can be skipped like the fields' (see FieldArea)."""
        for area in self.query(FieldArea):
            area.rewrap_if_stale()
        if self.size != self._laid_out_at:
            self._laid_out_at = self.size
            self._following = True
        if self._following:
            self.call_after_refresh(self.keep_focus_in_view)

    def on_mouse_scroll_up(self) -> None:
        self._following = False

    def on_mouse_scroll_down(self) -> None:
        self._following = False

    def on_descendant_focus(self) -> None:
        self._following = False

    def keep_focus_in_view(self) -> None:
        focused = self.screen.focused
        if focused is None or self not in focused.ancestors:
            return
        field = next((n for n in focused.ancestors_with_self if n.has_class("field")),
                     focused)
        self.scroll_to_widget(field, animate=False)


class CardsScreen(PersonaScreen):
    CSS_PATH = "cards.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="cards.save",
                tooltip="Save the card (atomically: a crash never leaves half a file)"),
        Binding("ctrl+z", "undo", "Undo", id="cards.undo", priority=True,
                tooltip="Undo the last edit (typing in one field is one step)"),
        Binding("ctrl+y", "redo", "Redo", id="cards.redo", priority=True,
                tooltip="Redo the edit undone last"),
        Binding("ctrl+t", "toggle_preview", "Preview", id="cards.preview",
                tooltip="Show or hide the rendered system prompt"),
        Binding("ctrl+o", "open_card", "Open", id="cards.open",
                tooltip="Open another card"),
        Binding("ctrl+n", "new_card", "New from persona", id="cards.new",
                tooltip="Make a card from a persona of an experiment or the sample project"),
        Binding("ctrl+l", "export", "Export", id="cards.export",
                tooltip="Export: JSON, system prompt, Markdown, Card V2/V3, PNG, CHARX"),
    ]

    @dataclass
    class Audited(Message):
        version: int
        result: Any

    @dataclass
    class AuditFailed(Message):
        version: int
        error: Exception

    @dataclass
    class Card(Message):
        """Something the card service announced."""

        event: CardEvent

    def __init__(self) -> None:
        super().__init__(name="cards")
        self.session: EditSession | None = None
        self.shown_version = -1
        self._audit_timer: Timer | None = None
        self._preview_timer: Timer | None = None
        self._fields: dict[str, TextField | ListField] = {}
        self._errors: dict[str, str] = {}
        self._title = ""
        self._building = asyncio.Lock()
        self._built_for: EditSession | None = None
        self._stop_listening = lambda: None

    def compose(self) -> ComposeResult:
        yield ScreenTop()
        with Horizontal(id="card-bar"):
            yield Static("", id="card-title", markup=False)
            yield AuditBadge(id="audit-badge")
        with Horizontal(id="card-body"):
            yield CardPage(id="editor")
            # a read-only TextArea draws only the lines in view: a 50 KB prompt stays cheap
            yield TextArea("", id="preview", read_only=True, soft_wrap=True, compact=True)
        yield KeyFooter()

    async def on_mount(self) -> None:
        self.query_one("#preview").display = False
        cards = self.app.services.cards
        # the card service announces opens, outside changes and focus requests; a message
        # carries each to this screen's handlers (the callback may run on any thread)
        self._stop_listening = cards.listen(lambda event: self.post_message(self.Card(event)))
        if cards.current is None:
            entries = cards.list()
            if entries:
                try:
                    cards.open_current(entries[0].path)
                except PersonaError as exc:
                    self.app.show_error(exc)
        await self.show_session()

    def on_unmount(self) -> None:
        self._stop_listening()

    def on_screen_resume(self) -> None:
        current = self.app.services.cards.current
        if current is not self.session:
            self._show()
        elif current is not None and current.version != self.shown_version:
            self.refresh_fields()
            self._changed()
        self._take_focus_request()

    @on(Card)
    def _card_event(self, message: Card) -> None:
        event = message.event
        if isinstance(event, CardOpened):
            self._show()
        elif isinstance(event, CardChanged) and event.session is self.session:
            self.refresh_fields()
            self._changed()
        elif isinstance(event, FocusRequested) and self.is_current:
            self._take_focus_request()
        elif isinstance(event, CardAudited) and event.session is self.session:
            self.post_message(self.Audited(event.version, event.result))

    def _take_focus_request(self) -> None:
        if self.session is not self.app.services.cards.current:
            return  # the editor is being rebuilt: show_session takes it when done
        request = self.app.services.cards.take_focus_request()
        if request is not None:
            self.call_after_refresh(self.focus_field, request.path, request.start)

    # --- showing a session -------------------------------------------------------------------

    def _show(self) -> None:
        self.run_worker(self.show_session(), group="cards-show", exit_on_error=False)

    async def show_session(self) -> None:
        """Build the editor for the shared session (a new card, another card). One build
        at a time, each for the card open when it starts: two builds that overlapped used
        to leave the form on the page twice."""
        async with self._building:
            if self._built_for is self.app.services.cards.current and self._built_for \
                    is not None:
                return
            await self._build()

    async def _build(self) -> None:
        self.session = self._built_for = self.app.services.cards.current
        editor = self.query_one("#editor", VerticalScroll)
        gc.unfreeze()  # the old editor's widgets may be collected again
        await editor.remove_children()
        self._fields.clear()
        self._errors = {}
        if self.session is None:
            await editor.mount(Static("No card open. ctrl+n makes one from a persona; ctrl+o "
                                      "opens a card file.", classes="hint", markup=False))
            self._update_title()
            return
        widgets = []
        for section, specs in field_layout():
            widgets.append(Static(section, classes="section-title", markup=False))
            for spec in specs:
                value = self.session.get(spec.path)
                if spec.kind == "list":
                    widget = ListField(spec.path, spec.label, value or [])
                else:
                    widget = TextField(spec.path, spec.label, value or "",
                                       multiline=spec.kind == "text")
                self._fields[spec.path] = widget
                widgets.append(widget)
        await editor.mount_all(widgets)
        gc.collect()
        self._settle_heap()
        self.shown_version = self.session.version
        self._changed(audit_now=True)
        self.call_after_refresh(self._focus_first)
        self._take_focus_request()

    def _focus_first(self) -> None:
        field = self._fields.get("identity.name")
        if field is not None:
            field.editor.focus()

    def refresh_fields(self) -> None:
        """Show the session's data again after undo, redo or a redaction."""
        for path, widget in self._fields.items():
            value = self.session.get(path)
            widget.show(value or ([] if isinstance(widget, ListField) else ""))
        self.shown_version = self.session.version

    def _update_title(self) -> None:
        """Only when the text changes: every update re-lays out the screen."""
        text = "Cards"
        if self.session is not None:
            name = self.session.data.get("identity", {}).get("name") or "(no name)"
            where = self.session.path.name if self.session.path else "not saved yet"
            probed = self.session.groundedness
            text = strip_control(f"{name} — {where}" + ("  ● unsaved" if self.session.dirty
                                                        else "")
                                 + (f"  groundedness {probed:.2f}" if probed is not None
                                    else ""))
        if text != self._title:
            self._title = text
            # one line, 1fr wide: its size never depends on the text, so no re-layout
            self.query_one("#card-title", Static).update(text, layout=False)

    def _show_errors(self) -> None:
        errors = self.session.errors() if self.session else {}
        for path in set(self._errors) | set(errors):
            if self._errors.get(path) == errors.get(path):
                continue
            base = path.split("[")[0]
            widget = self._fields.get(base)
            if widget is not None:
                widget.set_error(errors.get(path) and f"{path}: {errors[path]}")
        self._errors = errors

    def _changed(self, *, audit_now: bool = False) -> None:
        """After any change: title, errors now; preview and audit once typing pauses."""
        self._update_title()
        self._show_errors()
        if self.query_one("#preview").display:
            self._restart("_preview_timer", PREVIEW_DELAY_S, self._render_preview)
        self.query_one(AuditBadge).mark_stale()
        self._restart("_audit_timer", 0.01 if audit_now else AUDIT_DELAY_S, self._start_audit)

    def _restart(self, name: str, delay: float, callback) -> None:
        timer = getattr(self, name)
        if timer is not None:
            timer.stop()
        setattr(self, name, self.set_timer(delay, callback))

    # --- edits ---------------------------------------------------------------------------------

    @on(FieldEdited)
    def _edited(self, event: FieldEdited) -> None:
        session = self.session
        if session is None:
            return
        value: str | list[str] = event.value
        if isinstance(self._fields.get(event.path), ListField):
            value = event.value.split("\n") if event.value else []
        before = session.version
        try:
            session.set(event.path, value)
        except KeyError:
            return
        if session.version != before:
            self.shown_version = session.version
            self._changed()

    @on(ListEdit)
    def _list_edit(self, event: ListEdit) -> None:
        session = self.session
        if session is None:
            return
        field = self._fields[event.path]
        if event.op == "remove":
            session.remove_item(event.path, event.index)
            row = event.index
        else:
            row = session.move_item(event.path, event.index, event.offset)
        field.show(session.get(event.path) or [], row=row)
        self.shown_version = session.version
        self._changed()

    def on_descendant_blur(self) -> None:
        """Leaving a field ends its typing run: undo steps stop at field boundaries."""
        if self.session is not None:
            self.session.break_typing_run()

    def action_undo(self) -> None:
        self._history("undo")

    def action_redo(self) -> None:
        self._history("redo")

    def _history(self, which: str) -> None:
        if self.session is None:
            return
        if not getattr(self.session, which)():
            self.notify(f"Nothing to {which}.", markup=False, timeout=2)
            return
        self.refresh_fields()
        self._changed()

    def focus_field(self, path: str, start: int | None = None) -> bool:
        """Focus the editor of ``path`` with the cursor at ``start`` (the audit viewer's
        "jump to field"); a list item is a line of its list."""
        base, _, index = path.partition("[")
        field = self._fields.get(base)
        if field is None:
            return False
        editor = field.editor
        editor.focus()
        if isinstance(editor, Input):
            if start is not None:
                editor.cursor_position = start
        else:
            row = int(index.rstrip("]")) if index else 0
            if isinstance(editor, ItemsArea) or row == 0:
                column = start or 0
                if not isinstance(editor, ItemsArea) and start is not None:
                    before = editor.text[:start]  # a block of text: offset to row/column
                    row, column = before.count("\n"), len(before) - before.rfind("\n") - 1
                editor.cursor_location = (row, column)
        self.call_after_refresh(editor.scroll_visible, animate=False)
        return True

    # --- save, open, new, export -------------------------------------------------------------

    def action_save(self) -> bool:
        path = self.app.save_open_card()
        if path is None:
            return False
        self._update_title()
        self.notify(strip_control(f"Saved {path}"), markup=False)
        return True

    def action_open_card(self) -> None:
        cards = self.app.services.cards
        entries = cards.list()
        # a name and where the file is, relative to the cards folder: an absolute path
        # wrapped mid-word at 80 columns; the whole path shows under the list
        labels = [strip_control(f"{e.name} — {shorten_left(cards.where(e.path), 36)}")
                  for e in entries]
        full = [strip_control(str(e.path)) for e in entries]

        def picked(index: int | None) -> None:
            if index is not None:
                self.app.ask_unsaved(lambda: self._open(entries[index].path))

        self.app.push_screen(Pick("Open a card", labels, details=full, verb="opens"), picked)

    def _open(self, path) -> None:
        try:
            self.app.services.cards.open_current(path)  # announced: the editor follows
        except PersonaError as exc:
            self.app.show_error(exc)

    def action_new_card(self) -> None:
        cards = self.app.services.cards
        try:
            entries = cards.personas()
        except (PersonaError, OSError, ValueError) as exc:
            self.app.show_error(exc)
            return
        labels = [strip_control(e.label) for e in entries]

        def picked(index: int | None) -> None:
            if index is None:
                return

            def make() -> None:
                cards.current = cards.new_from_persona(entries[index])  # announced

            self.app.ask_unsaved(make)

        self.app.push_screen(Pick("New card from a persona", labels,
                                  "The card describes how the persona speaks; it never "
                                  "copies their quotes.", verb="makes the card"), picked)

    def action_export(self) -> None:
        if self.session is None:
            return
        formats = list(FORMAT_LABELS)

        def picked(index: int | None) -> None:
            if index is None:
                return
            try:
                path = self.app.services.cards.export(self.session, formats[index])
            except (PersonaError, OSError, ValueError) as exc:
                self.app.show_error(exc)
                return
            self.notify(strip_control(f"Exported {path}"), markup=False)

        self.app.push_screen(Pick("Export as", list(FORMAT_LABELS.values()),
                                  "Into the exports folder; the toast names the file.",
                                  verb="exports"), picked)

    # --- preview and audit ---------------------------------------------------------------------

    def action_toggle_preview(self) -> None:
        pane = self.query_one("#preview", TextArea)
        pane.display = not pane.display
        if pane.display:
            self._render_preview()

    def _render_preview(self) -> None:
        if self.session is not None:
            text = strip_control(self.app.services.cards.preview(self.session))
            pane = self.query_one("#preview", TextArea)
            if pane.text != text:
                pane.load_text(text)

    @staticmethod
    def _settle_heap() -> None:
        """Move what is alive now out of the garbage collector's way.

        A full collection walks every object the app holds, and Textual keeps thousands of
        cached strips; on a big card that was a 50-150 ms pause at a random keystroke
        (bench_editor.py). Freezing at quiet moments (a card shown, typing paused, an audit
        back) keeps the walk short. Frozen objects are still freed by reference counting;
        only cyclic garbage waits for the next card (``show_session`` unfreezes)."""
        gc.freeze()

    def _start_audit(self) -> None:
        self._settle_heap()
        session = self.session
        badge = self.query_one(AuditBadge)
        if session is None:
            return
        if session.errors():
            badge.show_pending("audit: fix the errors first")
            return
        if not session.sources:
            badge.show_pending("audit: no sources — F6 to choose")
            return
        # the worker gets a snapshot: the session keeps changing under typing meanwhile
        self._audit(session.card(), list(session.sources), session.path, session.version)

    @work(thread=True, exclusive=True, group="cards-audit", exit_on_error=False)
    def _audit(self, card: Any, sources: list[str], path: Any, version: int) -> None:
        try:
            result = self.app.services.audit.audit(card, sources, card_path=path,
                                                   record=False)
        except Exception as exc:  # shown on the badge and as a toast, never a crash
            self.post_message(self.AuditFailed(version, exc))
        else:
            self.post_message(self.Audited(version, result))

    @on(Audited)
    def _audited(self, message: Audited) -> None:
        self._settle_heap()  # the first audit loads the source index and phone metadata
        if self.session is None or message.version != self.session.version:
            return  # typed since: a newer audit is on its way
        result = message.result
        self.query_one(AuditBadge).show_verdict(result.verdict, result.counts(),
                                                len(result.accepted))

    @on(AuditFailed)
    def _audit_failed(self, message: AuditFailed) -> None:
        # a toast, not the error dialog: this audit runs by itself after every pause in
        # typing, and a dialog would take the keyboard away mid-sentence; F6 reruns it and
        # shows the full error there
        self.query_one(AuditBadge).show_pending("audit: failed — F6 for details")
        report = error_report(message.error, self.app.context)
        self.notify(f"{report.message}\n{report.hint}".strip(), title="Live audit",
                    severity="warning", markup=False)

    @on(AuditBadge.Opened)
    def _open_audit(self) -> None:
        self.app.switch_mode("audit")
