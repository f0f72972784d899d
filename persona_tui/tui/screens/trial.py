"""Role-play trial: talk to the open card through a provider; every reply is audited against
the card's sources while it streams, a leaking reply is flagged with its findings and, with
"withhold leaking replies" on (the default), its flagged text is masked. ctrl+g runs the
groundedness probe on the card with the same provider and model, one judged answer at a time.

The screen composes and renders; the conversation, the live audit and saving belong to the
trial service. A worker iterates the reply stream and posts each update as a message; Esc
cancels the worker, which keeps the partial reply (marked cancelled) in the saved trial.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Label, Select, Static

from persona_tui.services.app_support import strip_control
from persona_tui.services.errors import report as error_report
from persona_tui.services.trial import PROVIDER_CHOICES, TrialSession, TrialUpdate
from persona_tui.tui.screens.base import PersonaScreen
from persona_tui.tui.widgets.chrome import KeyFooter, ScreenTop


def _where(finding: Any) -> str:
    place = finding.source_id or "the sources"
    return place + (f", {finding.source_location}" if finding.source_location else "")


def findings_line(update: TrialUpdate) -> str:
    """One line under a flagged reply: what leaked, how badly, from where."""
    kinds = "; ".join(f"{f.kind} ({f.severity}) from {_where(f)}"
                      for f in update.findings[:3])
    more = f" and {len(update.findings) - 3} more" if len(update.findings) > 3 else ""
    action = "withheld" if update.withheld else "shown in full"
    return strip_control(f"⚠ leaks source material: {kinds}{more} — {action}")


class TrialScreen(PersonaScreen):
    CSS_PATH = "trial.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="trial.cancel",
                tooltip="Stop the reply being written (what came is kept)"),
        Binding("ctrl+t", "toggle_withhold", "Withhold", id="trial.withhold",
                tooltip="Withhold leaking replies on/off (on: flagged text is masked)"),
        Binding("ctrl+n", "new_trial", "New trial", id="trial.new",
                tooltip="Start a new conversation (the last one stays saved)"),
        Binding("ctrl+g", "probe", "Probe", id="trial.probe",
                tooltip="Groundedness probe: questions the card's data can and cannot answer"),
    ]

    @dataclass
    class ProbeAnswered(Message):
        answer: Any

    @dataclass
    class ProbeDone(Message):
        result: Any

    @dataclass
    class Started(Message):
        session: TrialSession

    @dataclass
    class Streamed(Message):
        update: TrialUpdate

    @dataclass
    class Stopped(Message):
        """The reply ended: ``cancelled`` by the user or ``error`` from the provider."""

        cancelled: bool = False
        error: Exception | None = None

    def __init__(self) -> None:
        super().__init__(name="trial")
        self.trial: TrialSession | None = None
        self.card_session: Any = None
        self.withhold = True
        self.streaming = False
        self._reply: Static | None = None
        self._flag: Static | None = None
        self._shown = ""

    def compose(self) -> ComposeResult:
        yield ScreenTop()
        with Horizontal(id="trial-bar"):
            yield Static("Role-play trial", id="trial-title", markup=False)
            yield Static("", id="withhold-state", markup=False)
        with Horizontal(id="trial-settings"):
            yield Label("Provider", classes="field-label")
            yield Select([(p, p) for p in PROVIDER_CHOICES], value="ollama",
                         allow_blank=False, id="trial-provider", compact=True)
            yield Label("Model", classes="field-label")
            yield Input("", id="trial-model", compact=True)
        transcript = VerticalScroll(id="transcript")
        transcript.HELP = ("The conversation. Replies are checked against the card's sources "
                           "as they stream; leaking text is masked while Withhold is on.")
        yield transcript
        with Horizontal(id="ask-row"):
            yield Label("Ask", classes="field-label")
            ask = Input(id="ask", placeholder="a question for the persona; Enter sends",
                        compact=True)
            ask.HELP = "Your question to the persona. Enter sends it; Esc stops a reply."
            yield ask
        yield Static("", id="trial-status", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        provider = self.app.services.context.default_provider
        if provider in PROVIDER_CHOICES:
            self.query_one("#trial-provider", Select).value = provider
        self.query_one("#trial-model", Input).value = \
            self.app.services.trial.default_model(str(self.query_one("#trial-provider",
                                                                     Select).value))
        self._show_withhold()
        self.query_one("#ask", Input).focus()

    def on_screen_resume(self) -> None:
        session = self.app.services.cards.current
        changed = session is not self.card_session
        if changed:
            self.card_session = session
            self._close_trial()
            self.query_one("#transcript", VerticalScroll).remove_children()
        if session is None:
            self._status("No card is open. Press F5 and open or make one (ctrl+o / ctrl+n).")
            self.query_one("#trial-title", Static).update("Role-play trial")
            return
        name = session.data.get("identity", {}).get("name") or "(no name)"
        sources = "; ".join(session.sources) or "no sources: replies are not checked"
        self.query_one("#trial-title", Static).update(strip_control(
            f"Role-play trial — {name} (checked against {sources})"))
        if changed and not self.streaming:  # back from a dialog: its status stays
            self._status("Type a question and press Enter.")

    # --- settings ------------------------------------------------------------------------------

    @on(Select.Changed, "#trial-provider")
    def _provider_changed(self, event: Select.Changed) -> None:
        self.query_one("#trial-model", Input).value = \
            self.app.services.trial.default_model(str(event.value))
        self._close_trial()

    @on(Input.Changed, "#trial-model")
    def _model_changed(self) -> None:
        if self.trial is not None and self.trial.model != \
                self.query_one("#trial-model", Input).value.strip():
            self._close_trial()

    def action_toggle_withhold(self) -> None:
        self.withhold = not self.withhold
        if self.trial is not None:
            self.trial.withhold = self.withhold
            self.trial.record.withhold = self.withhold
        self._show_withhold()

    def _show_withhold(self) -> None:
        widget = self.query_one("#withhold-state", Static)
        widget.update("withhold leaks: on" if self.withhold else "withhold leaks: OFF")
        widget.set_class(not self.withhold, "-off")

    def action_new_trial(self) -> None:
        if self.streaming:
            return
        self._close_trial()
        self.query_one("#transcript", VerticalScroll).remove_children()
        self._status("New trial. Type a question and press Enter.")

    def _close_trial(self) -> None:
        if self.trial is not None:
            self._release(self.trial)
            self.trial = None

    @work(group="trial-close", exit_on_error=False)
    async def _release(self, trial: TrialSession) -> None:
        await trial.aclose()

    # --- asking --------------------------------------------------------------------------------

    @on(Input.Submitted, "#ask")
    def _asked(self, event: Input.Submitted) -> None:
        question = event.value.strip()
        session = self.card_session
        if not question or self.streaming:
            return
        if session is None:
            self._status("No card is open. Press F5 and open or make one first.")
            return
        errors = session.errors()
        if errors:
            first = next(iter(errors))
            self._status(strip_control(f"The card is not valid ({first}: {errors[first]}); "
                                       "fix it in the editor (F5) first."))
            return
        event.input.value = ""
        transcript = self.query_one("#transcript", VerticalScroll)
        transcript.mount(Static(strip_control(f"You: {question}"), classes="turn -user",
                                markup=False))
        self._reply = Static("…", classes="turn -persona", markup=False)
        self._shown = ""
        self._flag = Static("", classes="flag", markup=False)
        self._flag.display = False
        transcript.mount(self._reply, self._flag)
        transcript.scroll_end(animate=False)
        self.streaming = True
        self._status("Streaming… Esc stops it.")
        provider = str(self.query_one("#trial-provider", Select).value)
        model = self.query_one("#trial-model", Input).value.strip()
        self._stream(session, self.trial, provider, model, question)

    @work(exclusive=True, group="trial", exit_on_error=False)
    async def _stream(self, card_session: Any, trial: TrialSession | None, provider: str,
                      model: str, question: str) -> None:
        import asyncio

        try:
            if trial is None:
                trial = await asyncio.to_thread(
                    self.app.services.trial.start, card_session.card(), card_session.path,
                    list(card_session.sources), provider=provider, model=model or None,
                    withhold=self.withhold)
                self.post_message(self.Started(trial))
            async for update in trial.reply(question):
                self.post_message(self.Streamed(update))
        except asyncio.CancelledError:
            self.post_message(self.Stopped(cancelled=True))
            raise
        except Exception as exc:  # one place shows it: the Stopped handler, with its hint
            self.post_message(self.Stopped(error=exc))
        else:
            self.post_message(self.Stopped())

    def action_probe(self) -> None:
        session = self.card_session
        if self.streaming:
            return
        if session is None or session.errors():
            self._status("Open a valid card in Cards (F5) first.")
            return
        self.streaming = True
        self._reply = None
        transcript = self.query_one("#transcript", VerticalScroll)
        transcript.mount(Static("Groundedness probe: does the card say “I don't know” when "
                                "its data does not know?", classes="turn -user",
                                markup=False))
        self._status("Probing… each answer appears as it is judged. Esc stops.")
        self._run_probe(session, str(self.query_one("#trial-provider", Select).value),
                        self.query_one("#trial-model", Input).value.strip())

    @work(exclusive=True, group="trial", exit_on_error=False)
    async def _run_probe(self, card_session: Any, provider: str, model: str) -> None:
        import asyncio

        try:
            result = await self.app.services.trial.probe(
                card_session.card(), card_session.path, provider=provider, model=model,
                on_answer=lambda answer: self.post_message(self.ProbeAnswered(answer)))
        except asyncio.CancelledError:
            self.post_message(self.Stopped(cancelled=True))
            raise
        except Exception as exc:  # shown by the Stopped handler, with its hint
            self.post_message(self.Stopped(error=exc))
        else:
            self.post_message(self.ProbeDone(result))

    @on(ProbeAnswered)
    def _probe_answered(self, message: ProbeAnswered) -> None:
        answer = message.answer
        kind = "answerable" if answer.question.answerable else "unanswerable"
        reply = " ".join(strip_control(answer.reply).split())
        line = Static(strip_control(f"[{answer.judgement}] ({kind}) {answer.question.question}"
                                    f"\n  {reply[:200] or '(no reply)'}"),
                      classes=f"probe -{answer.judgement}", markup=False)
        transcript = self.query_one("#transcript", VerticalScroll)
        transcript.mount(line)
        transcript.scroll_end(animate=False)

    @on(ProbeDone)
    def _probe_done(self, message: ProbeDone) -> None:
        self.streaming = False
        result = message.result
        if self.card_session is not None:
            self.card_session.groundedness = result.score
        self._status(f"Groundedness {result.score:.2f} (declined "
                     f"{result.declined_share:.0%} of unanswerable, grounded "
                     f"{result.grounded_share:.0%} of answerable); kept in the audit log.")

    def action_cancel(self) -> None:
        if self.streaming:
            self.workers.cancel_group(self, "trial")

    @on(Started)
    def _started(self, message: Started) -> None:
        self.trial = message.session

    @on(Streamed)
    def _streamed(self, message: Streamed) -> None:
        update = message.update
        if self._reply is None:
            return
        self._shown = strip_control(update.visible)
        self._reply.update((self._shown or "…")
                           + (" …" if update.pending and not update.done else ""))
        if update.findings and self._flag is not None:
            self._flag.update(findings_line(update))
            self._flag.display = True
            self._reply.set_class(update.flagged, "-flagged")
        self.query_one("#transcript", VerticalScroll).scroll_end(animate=False)

    @on(Stopped)
    def _stopped(self, message: Stopped) -> None:
        self.streaming = False
        where = " Trial saved beside the card." if self.trial is not None else ""
        if message.cancelled and self._reply is None:
            self._status("Probe stopped; nothing was recorded.")
        elif message.cancelled:
            if self._reply is not None:
                self._reply.update(f"{self._shown} [cancelled]".strip())
            self._status(f"Cancelled; the partial reply is kept.{where}")
        elif message.error is not None:
            # said here too, not "see the message": the dialog is gone once it is closed
            said = error_report(message.error, self.app.context)  # cleaned of secrets
            if self._reply is not None:
                self._reply.update(strip_control(f"(no reply: {said.message})"))
            self._status(f"The reply failed [{said.code}]. {said.hint} Then ask again."
                         if said.hint else f"The reply failed [{said.code}]. Ask again.")
            self.app.show_error(message.error)
        else:
            self._status(f"Done.{where}")

    def _status(self, text: str) -> None:
        self.query_one("#trial-status", Static).update(strip_control(text))
