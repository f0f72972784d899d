"""Generate: pick data, provider, model and options; see the cost before spending; watch
tokens stream in; Esc stops and keeps what arrived; personas appear as they complete.

The worker coalesces text deltas to about twenty screen updates a second and always flushes
the remainder on finish, failure and cancel, so no token is ever missing from the screen.
Text faster than anyone reads (FAST_CHARS_PER_S, five times what a fast local GPU server
streams) is shown five times a second: each frame is time taken from the stream.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from persona_tui.services.app_support import strip_control
from persona_tui.services.generation import (
    PROVIDER_CHOICES,
    GenerationWarning,
    PersonaConfig,
    PersonaParsed,
    RetryWait,
    RunEnded,
    RunRequest,
    TextDelta,
    UsageUpdate,
    persona_markdown,
)
from persona_tui.services.options import InvalidOptions, persona_config
from persona_tui.tui.coalesce import Coalescer
from persona_tui.tui.screens.base import PersonaScreen
from persona_tui.tui.widgets.chrome import KeyFooter, ScreenTop
from persona_tui.tui.widgets.persona_list import PersonaList
from persona_tui.tui.widgets.stream_view import StreamView

FLUSH_EVERY_S = 0.05
#: above this pace (about 10,000 tokens/s) the view is updated every FAST_FLUSH_EVERY_S
FAST_CHARS_PER_S = 40_000
FAST_FLUSH_EVERY_S = 0.2
#: personas parsed in a burst join the list together: the first at once, the rest batched
PERSONAS_EVERY_S = 0.5
#: quality-gate reasons shown under a partial run (the rest are in run.json)
MAX_REASONS = 3
#: the status area's height at least (``min-height`` of ``#stats``): the summary of a run
#: that is done (its figures, where it was saved) replaces the run's one line in place
STATUS_LINES = 2
#: option field -> (its input, its label on the form)
OPTION_FIELDS = {"count": ("#count", "Personas"), "budget": ("#budget", "Budget"),
                 "max_tokens": ("#max-tokens", "Max tokens"),
                 "temperature": ("#temperature", "Temperature"), "seed": ("#seed", "Seed")}


def _persona_text(persona: Any, index: int) -> str:
    verified = sum(1 for e in persona.evidence if e.verified)
    lines = [f"{index + 1}. {persona.name} — {persona.title}".rstrip(" —"),
             f"   evidence: {verified}/{len(persona.evidence)} verified"]
    for link in persona.evidence[:6]:
        lines.append(f"   {'✓' if link.verified else '?'} {link.attribute} ← {link.source_id}")
    return strip_control("\n".join(lines))


class GenerateScreen(PersonaScreen):
    CSS_PATH = "generate.tcss"
    BINDINGS = [
        Binding("ctrl+g", "start", "Start", id="generate.start",
                tooltip="Start generating with these settings"),
        Binding("escape", "cancel", "Cancel", id="generate.cancel",
                tooltip="Stop the run and keep the output so far"),
        Binding("ctrl+r", "retry", "Retry", id="generate.retry",
                tooltip="Run again with the same settings"),
        # not ctrl+e / ctrl+u: a focused Input owns those (end of line, delete to start)
        Binding("ctrl+t", "estimate", "Estimate", id="generate.estimate",
                tooltip="Estimate tokens and cost for these settings"),
        Binding("ctrl+y", "copy_output", "Copy output", id="generate.copy_output",
                tooltip="Copy the model's output to the clipboard (works over SSH)"),
        Binding("ctrl+b", "as_batch", "As a batch", id="generate.as_batch", show=False,
                tooltip="Send this study to the vendor's batch engine: half price, results "
                        "within 24 h (hosted vendors)"),
        Binding("ctrl+j", "check_batches", "Check batches", id="generate.check_batches",
                show=False, tooltip="Ask about pending batch jobs; collect the finished ones"),
        Binding("ctrl+o", "copy_personas", "Copy personas", id="generate.copy_personas",
                tooltip="Copy the personas of the last run as Markdown"),
    ]

    @dataclass
    class Delta(Message):
        text: str

    @dataclass
    class Parsed(Message):
        persona: Any
        index: int

    @dataclass
    class Usage(Message):
        update: Any

    @dataclass
    class Notice(Message):
        text: str
        severity: str = "information"

    @dataclass
    class Ended(Message):
        """The run is over: how it ended and where it was recorded."""

        run: RunEnded

    @dataclass
    class Batches(Message):
        """Pending batch jobs were listed, submitted to or checked."""

        text: str
        error: Exception | None = None

    @dataclass
    class Estimated(Message):
        estimate: Any = None
        error: Exception | None = None
        budget: float | None = field(default=None)

    def __init__(self) -> None:
        super().__init__(name="generate")
        self.running = False
        self._estimate_timer = None
        self._pending_personas: list[Option] = []
        #: the text of each persona in the list, in order (the end of a run compares it
        #: with the result's)
        self._listed: list[str] = []
        self._add_timer = None
        self._personas_due = 0.0
        self.last_result: Any = None
        self._last_added = 0.0
        #: the latest token count while a run streams, until the next text shows it
        self._live_usage: str | None = None

    def compose(self) -> ComposeResult:
        service = self.app.services.generation
        yield ScreenTop()
        with Horizontal(id="settings"):
            with VerticalScroll(id="settings-left"):
                yield Label("Data ('sample' = bundled study)")
                yield Input(service.SAMPLE, id="data", compact=True)
                yield Label("Provider")
                provider = service.default_provider
                yield Select([(p, p) for p in PROVIDER_CHOICES], value=provider,
                             allow_blank=False, id="provider", compact=True)
                yield Label("Model")
                yield Input(service.default_model(provider), id="model", compact=True)
            with VerticalScroll(id="settings-right"):
                yield Label("Personas")
                yield Input("3", id="count", type="integer", compact=True)
                budget = service.default_budget
                yield Label("Budget (USD, blank for none)" if budget is None else
                            f"Budget (USD, blank: ${budget:g} from config.toml)", markup=False)
                yield Input("", id="budget", type="number", compact=True)
                yield Label("Max tokens · temperature · seed")
                with Horizontal(id="controls"):
                    yield Input("", id="max-tokens", type="integer", placeholder="auto",
                                compact=True)
                    yield Input("", id="temperature", type="number", placeholder="0.7",
                                compact=True)
                    yield Input("", id="seed", type="integer", placeholder="none",
                                compact=True)
                yield Static("", id="estimate", markup=False)
        invalid = Static("", id="invalid", classes="field-error", markup=False)
        invalid.display = False
        yield invalid
        # each pane in a container of its own: a widget is drawn whenever the region of its
        # container is touched, and a frame of new text would draw the persona list again
        # (or a batch of personas the whole output)
        with Horizontal(id="run"):
            with Vertical(id="output-pane"):
                output = StreamView(id="output")
                output.HELP = "The model's reply as it streams in (shown literally)."
                yield output
            # one widget for every persona: each layout pass during a fast stream stays cheap
            with Vertical(id="personas-pane"):
                personas = PersonaList(id="personas", markup=False)
                personas.HELP = "Personas as they are parsed, with their evidence."
                yield personas
        yield Static("Press ctrl+g to start.", id="stats", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.schedule_estimate()
        self.list_batches()

    # --- settings ----------------------------------------------------------------------------

    def settings(self) -> tuple[str, str, str, PersonaConfig]:
        """The form's values; raises ``InvalidOptions`` naming each bad field. Controls
        left blank stay unset, so config.toml's defaults apply."""
        config = persona_config(
            self.query_one("#count", Input).value, self.query_one("#budget", Input).value,
            controls={name: self.query_one(f"#{name.replace('_', '-')}", Input).value
                      for name in ("max_tokens", "temperature", "seed")})
        return (self.query_one("#data", Input).value.strip(),
                str(self.query_one("#provider", Select).value),
                self.query_one("#model", Input).value.strip(), config)

    def checked_settings(self) -> tuple[str, str, str, PersonaConfig] | None:
        """The settings, or None after showing what is invalid: each bad field marked, and
        under the form its label, the rule in plain words and the error code."""
        note = self.query_one("#invalid", Static)
        try:
            settings = self.settings()
        except InvalidOptions as exc:
            bad = {v.field for v in exc.invalid}
            for name, (widget_id, _label) in OPTION_FIELDS.items():
                self.query_one(widget_id, Input).set_class(name in bad, "-invalid")
            note.update(strip_control("\n".join(
                v.describe(OPTION_FIELDS.get(v.field, ("", None))[1]) for v in exc.invalid)))
            note.display = True
            return None
        for widget_id, _label in OPTION_FIELDS.values():
            self.query_one(widget_id, Input).remove_class("-invalid")
        note.display = False
        return settings

    def _settings_or_refuse(self) -> tuple[str, str, str, PersonaConfig] | None:
        """For an action that would spend: the settings, or None with focus on the first
        bad field and the same plain-words line as a toast."""
        settings = self.checked_settings()
        if settings is None:
            first = next(i for i, _ in OPTION_FIELDS.values()
                         if self.query_one(i, Input).has_class("-invalid"))
            self.query_one(first, Input).focus()
            self.notify(str(self.query_one("#invalid", Static).render()), severity="error",
                        title="Not started", markup=False)
        return settings

    @on(Select.Changed, "#provider")
    def _provider_changed(self, event: Select.Changed) -> None:
        self.query_one("#model", Input).value = \
            self.app.services.generation.default_model(str(event.value))
        self.schedule_estimate()

    @on(Input.Changed)
    def _input_changed(self) -> None:
        self.schedule_estimate()

    def schedule_estimate(self) -> None:
        if self._estimate_timer is not None:
            self._estimate_timer.stop()
        self._estimate_timer = self.set_timer(0.4, self.action_estimate)

    def action_estimate(self) -> None:
        settings = self.checked_settings()
        if settings is None:
            self.query_one("#estimate", Static).update("estimate: fix the marked option first")
            return
        self.estimate_cost(*settings)

    @work(exclusive=True, group="estimate", exit_on_error=False)
    async def estimate_cost(self, data: str, provider: str, model: str,
                            config: PersonaConfig) -> None:
        try:
            estimate = await self.app.services.generation.estimate(data, provider, model, config)
        except Exception as exc:
            self.post_message(self.Estimated(error=exc))
        else:
            self.post_message(self.Estimated(estimate, budget=config.budget))

    @on(Estimated)
    def _estimated(self, message: Estimated) -> None:
        if message.error is not None:
            text = f"estimate unavailable: {getattr(message.error, 'message', message.error)}"
        else:
            text = f"estimate: {message.estimate.describe()}"
            total = message.estimate.total_cost
            batches = self.app.services.batches
            batch = batches.batch_price(message.estimate.provider, total)
            if batch is not None and not message.estimate.is_local:
                text += f" · as a batch ${batch:.4f} (ctrl+b)"
            if message.budget is not None and total is not None and total > message.budget:
                text += f" — over the ${message.budget:.4f} budget"
        self.query_one("#estimate", Static).update(strip_control(text))

    # --- batches -----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="batches-list", exit_on_error=False)
    def list_batches(self) -> None:
        pending = self.app.services.batches.pending()
        if pending:
            self.post_message(self.Batches(
                f"Press ctrl+g to start · {len(pending)} batch job(s) pending "
                "(ctrl+j checks them)"))

    def action_as_batch(self) -> None:
        settings = self._settings_or_refuse()
        if settings is None:
            return
        data, provider, model, config = settings
        if not self.app.services.batches.offers_batch(provider):
            self.notify("Batch engines: openai, anthropic, gemini (vLLM files: persona-tui "
                        "batch submit --provider vllm-file).", markup=False)
            return
        self._show_status("Submitting the batch…")
        self.submit_batch(data, provider, model, config)

    @work(exclusive=True, group="batches", exit_on_error=False)
    async def submit_batch(self, data: str, provider: str, model: str,
                           config: PersonaConfig) -> None:
        service = self.app.services
        try:
            job = await service.batches.submit([service.generation.resolve(data)], provider,
                                               model, config)
        except Exception as exc:
            self.post_message(self.Batches("Batch not submitted.", exc))
            return
        self.post_message(self.Batches(
            f"Batch {job.id} submitted to {job.provider}: {job.total} request(s), "
            f"{job.status} — ctrl+j checks it (or persona-tui batch status {job.id})"))

    def action_check_batches(self) -> None:
        self._show_status("Checking batch jobs…")
        self.check_batches()

    @work(exclusive=True, group="batches", exit_on_error=False)
    async def check_batches(self) -> None:
        try:
            checked = await self.app.services.batches.check()
        except Exception as exc:
            self.post_message(self.Batches("Batch check failed.", exc))
            return
        if not checked:
            self.post_message(self.Batches("No batch jobs pending."))
            return
        lines = []
        for job, results in checked:
            if results is None:
                lines.append(f"{job.id}: {job.status}, {job.completed}/{job.total} done")
            else:
                personas = sum(len(r.personas) for r in results)
                lines.append(f"{job.id}: {job.status}, {personas} persona(s) from "
                             f"{len(results)} stud{'y' if len(results) == 1 else 'ies'}, "
                             f"saved in experiment {job.experiment}")
        self.post_message(self.Batches(" · ".join(lines)))

    @on(Batches)
    def _batches(self, message: Batches) -> None:
        self._show_status(strip_control(message.text))
        if message.error is not None:
            self.app.show_error(message.error)

    # --- running -----------------------------------------------------------------------------

    def action_start(self) -> None:
        if self.running:
            self.notify("A run is in progress; Esc stops it.", markup=False)
            return
        settings = self._settings_or_refuse()
        if settings is None:
            return
        data, provider, model, config = settings
        self.running = True
        output = self.query_one("#output", StreamView)
        output.clear()
        output.border_subtitle, self._live_usage = None, None
        self._pending_personas.clear()
        self._listed.clear()
        self.query_one("#personas", OptionList).clear_options()
        self._show_status("Starting…")
        self.generate(data, provider, model, config)

    def _show_status(self, text: str) -> None:
        """The lines under the run. Text that takes as many lines as the area has now (at
        least STATUS_LINES: a run's figures, then where it was saved) replaces what is there
        without a layout of the screen: a layout redraws the whole screen (tens of
        milliseconds, taken from a starting stream, or holding the keys as a run ends)."""
        stats = self.query_one("#stats", Static)
        stats.update(text, layout=False)
        width = stats.content_region.width
        stats.clear_cached_dimensions()
        lines = max(stats.get_content_height(stats.size, self.size, width), STATUS_LINES)
        if not width or lines != stats.content_region.height:
            stats.refresh(layout=True)  # more lines, or fewer: the screen is re-arranged

    def action_retry(self) -> None:
        self.action_start()

    def action_copy_output(self) -> None:
        text = self.query_one("#output", StreamView).text
        if not text:
            self.notify("Nothing to copy yet.", markup=False)
            return
        self.app.copy_to_clipboard(text)  # OSC 52: reaches the local clipboard over SSH
        self.notify(f"Copied {len(text):,} characters of output.", markup=False)

    def action_copy_personas(self) -> None:
        if self.last_result is None or not self.last_result.personas:
            self.notify("No personas yet: finish a run first.", markup=False)
            return
        self.app.copy_to_clipboard(persona_markdown(self.last_result.personas))
        self.notify(f"Copied {len(self.last_result.personas)} personas as Markdown.",
                    markup=False)

    def action_cancel(self) -> None:
        if self.running:
            self.workers.cancel_group(self, "generate")

    @work(exclusive=True, group="generate", exit_on_error=False)
    async def generate(self, data: str, provider: str, model: str,
                       config: PersonaConfig) -> None:
        """Relays the service's run as messages; text in batches (see the module's doc)."""
        output = Coalescer(lambda text: self.post_message(self.Delta(text)), FLUSH_EVERY_S,
                           fast_interval=FAST_FLUSH_EVERY_S, fast_chars_per_s=FAST_CHARS_PER_S)
        async for event in self.app.services.generation.run(
                RunRequest(data, provider, model, config)):
            if isinstance(event, TextDelta):
                output.add(event.text)
            elif isinstance(event, PersonaParsed):
                self.post_message(self.Parsed(event.persona, event.index))
            elif isinstance(event, UsageUpdate):
                self.post_message(self.Usage(event))
            elif isinstance(event, (RetryWait, GenerationWarning)):
                output.flush()  # what arrived before the notice shows before it
                self.post_message(self.Notice(event.message, "warning"))
            elif isinstance(event, RunEnded):
                output.flush()
                self.post_message(self.Ended(event))

    @on(Delta)
    def _delta(self, message: Delta) -> None:
        output = self.query_one("#output", StreamView)
        if not output.lines:  # the first text of the run
            self._show_status("Streaming · esc stops the run and keeps what arrived")
        output.append(strip_control(message.text))
        if self._live_usage is not None:
            output.border_subtitle, self._live_usage = self._live_usage, None
        if self._pending_personas and time.monotonic() >= self._personas_due:
            self._add_personas()  # drawn in the frame that draws this text

    @on(Parsed)
    def _parsed(self, message: Parsed) -> None:
        # added in batches, at most one every PERSONAS_EVERY_S: each batch redraws the list,
        # a frame that costs as much as several of the stream's while text pours in
        text = _persona_text(message.persona, message.index)
        self._listed.append(text)
        self._pending_personas.append(Option(Text(text + "\n")))  # a gap below
        if self._add_timer is None:
            # the next text to arrive after this takes them (one frame draws both panes: a
            # frame costs about as much for one pane as for two); the timer is for a stream
            # that has paused
            self._personas_due = self._last_added + PERSONAS_EVERY_S
            due = self._personas_due + FAST_FLUSH_EVERY_S - time.monotonic()
            self._add_timer = self.set_timer(max(due, 0.01), self._add_personas)

    def _add_personas(self) -> None:
        if self._add_timer is not None:  # called before its time (by text, or as a run ends)
            self._add_timer.stop()
            self._add_timer = None
        self._last_added = time.monotonic()
        pending, self._pending_personas = self._pending_personas, []
        if pending:
            self.query_one("#personas", OptionList).add_options(pending)

    def _list_result(self, personas: list[Any]) -> None:
        """The list ends showing the personas the run kept: from several chunks the best
        ``count`` are kept of all those listed, and a reply the final parse reads
        differently from the live one (another array than the first) changes them."""
        texts = [_persona_text(persona, index) for index, persona in enumerate(personas)]
        if texts == self._listed:
            return
        self._listed = texts
        options = self.query_one("#personas", OptionList)
        options.clear_options()
        options.add_options([Option(Text(text + "\n")) for text in texts])

    @on(Usage)
    def _usage(self, message: Usage) -> None:
        update = message.update
        rate = f"{update.tokens_per_s:,.0f} tok/s" if update.tokens_per_s else "… tok/s"
        cost = ("cost unknown" if update.cost_usd is None else "free (local)"
                if update.cost_usd == 0 else f"${update.cost_usd:.4f}")  # as the summary says
        approx = "≈" if update.estimated else ""
        # shown on the output's border with the next batch of text (a usage update always
        # follows text): the frame that draws the text draws it too, and the line under
        # the run, which spans the persona list as well, is not redrawn five times a second
        self._live_usage = (f"{approx}{update.output_tokens:,} tokens · {rate} · "
                            f"{update.elapsed_s:.1f} s · {cost}")

    @on(Notice)
    def _notice(self, message: Notice) -> None:
        self.notify(strip_control(message.text), severity=message.severity, markup=False)

    @on(Ended)
    def _ended(self, message: Ended) -> None:
        self._add_personas()
        self.running = False
        self.query_one("#output", StreamView).border_subtitle = None  # the summary says it
        run = message.run
        saved = f"saved to {run.saved_to}" if run.saved_to is not None else \
            f"not saved: {run.not_saved}"
        if run.finished:
            self._show_result(run.result, saved)
        elif run.status == "cancelled":
            self._show_status(strip_control(
                f"Cancelled — the output so far is kept ({saved})." if run.partial_text or
                run.saved_to is not None else f"Cancelled before anything arrived ({saved})."))
        else:
            error = run.error
            summary = getattr(error, "message", str(error))
            self._show_status(strip_control(f"Failed: {summary} — {saved} · ctrl+r retries."))
            if error is not None:
                self.app.show_error(error)
        if run.save_error is not None:
            self.app.show_error(run.save_error)

    def _show_result(self, result: Any, saved: str) -> None:
        self.last_result = result
        self._list_result(result.personas)
        cost = ("cost unknown" if result.cost_usd is None else "free (local)"
                if result.cost_usd == 0 else f"${result.cost_usd:.4f}")
        approx = "≈" if result.tokens_estimated else ""
        status = getattr(result, "status", "ok")
        reasons = list(getattr(result, "reasons", []))
        verdict = "Done" if status == "ok" else f"Partial ({len(reasons)} problem" \
            f"{'s' if len(reasons) != 1 else ''})"
        lines = [f"{verdict}: {len(result.personas)} personas · {approx}{result.input_tokens:,}"
                 f" in / {approx}{result.output_tokens:,} out · {result.duration_s:.1f} s · "
                 f"{cost} · {saved}"]
        lines += [f"  ! {reason}" for reason in reasons[:MAX_REASONS]]
        if len(reasons) > MAX_REASONS:
            lines.append(f"  … and {len(reasons) - MAX_REASONS} more (run.json lists them)")
        self._show_status(strip_control("\n".join(lines)))
