"""Role-play trials for the app and ``persona-tui chat``: talk to a card through a provider,
each reply audited as it streams, the conversation saved next to the card.

A :class:`TrialSession` owns the provider client, the conversation, the sources' index and
the record on disk; :meth:`TrialSession.reply` yields a :class:`TrialUpdate` each time what
may be shown changes. Cancelling the task that iterates it (Esc in the app, ctrl+c in the
terminal) keeps the partial reply, marked cancelled, and saves the trial. The provider is
built from the environment, ``config.toml`` and ``credentials.toml`` in :func:`open_provider`
only (on the application context); no key or URL is ever written into a trial.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from persona_tui.core.errors import PersonaError
from persona_tui.core.privacy.audit_log import AuditLog
from persona_tui.core.privacy.findings import LeakageFinding
from persona_tui.core.providers import PROVIDER_NAMES, LLMProvider, create_provider
from persona_tui.core.scripts.models import CharacterCard
from persona_tui.core.scripts.privacy import PrivacyAuditor
from persona_tui.core.scripts.probe import (
    DEFAULT_MIN_SCORE,
    AnswerCallback,
    GroundednessProbe,
    ProbeResult,
)
from persona_tui.core.scripts.roleplay import (
    DEFAULT_MAX_TOKENS,
    DEFAULT_TEMPERATURE,
    Turn,
    roleplay_messages,
)
from persona_tui.core.scripts.trial import LiveAudit, TrialRecord, TrialTurn, finding_record
from persona_tui.services.context import AppContext
from persona_tui.services.sample import is_packaged, resolve_data

PROVIDER_CHOICES = PROVIDER_NAMES


def open_provider(name: str, model: str | None = None, base_url: str | None = None, *,
                  context: AppContext | None = None) -> tuple[LLMProvider, str]:
    """A provider client and the model to use: the ones given, else the application
    context's (environment, ``config.toml``, ``credentials.toml``)."""
    context = context or AppContext.default()
    key = context.api_key(name).key  # an unknown name is E1005, naming the known ones
    client = create_provider(name, base_url=base_url or context.base_url(name),
                             api_key=key.get_secret_value() if key else None)
    return client, model or context.default_model(name)


@dataclass
class TrialUpdate:
    """What to show of the reply now."""

    visible: str
    findings: list[LeakageFinding]
    flagged: bool
    withheld: bool
    pending: int = 0
    done: bool = False
    cancelled: bool = False


@dataclass
class TrialSession:
    card: CharacterCard
    client: LLMProvider
    model: str
    record: TrialRecord
    path: Path
    sources_index: object | None = None
    auditor: PrivacyAuditor = field(default_factory=PrivacyAuditor)
    withhold: bool = True
    history: list[Turn] = field(default_factory=list)

    async def reply(self, text: str) -> AsyncIterator[TrialUpdate]:
        """Stream the card's reply to ``text``; the last update has ``done`` set."""
        self.record.turns.append(TrialTurn("user", text))
        messages = roleplay_messages(self.card, self.history, text)
        live = LiveAudit(self.auditor, self.sources_index, withhold=self.withhold)
        turn = TrialTurn("assistant", "")
        try:
            async for chunk in self.client.stream(messages, model=self.model,
                                                  temperature=DEFAULT_TEMPERATURE,
                                                  max_tokens=DEFAULT_MAX_TOKENS):
                if chunk.text and live.feed(chunk.text):
                    yield self._update(live)
            live.finish()
            self._close_turn(turn, live)
            yield self._update(live, done=True)
        except (asyncio.CancelledError, GeneratorExit):
            live.finish()
            turn.cancelled = True
            self._close_turn(turn, live)
            raise
        except PersonaError as exc:
            live.finish()
            turn.error = f"{exc.code}: {exc.message}"
            self._close_turn(turn, live)
            raise

    def _update(self, live: LiveAudit, *, done: bool = False) -> TrialUpdate:
        return TrialUpdate(live.visible, list(live.findings), live.flagged, live.withheld,
                           live.pending, done)

    def _close_turn(self, turn: TrialTurn, live: LiveAudit) -> None:
        """Record the reply as shown; the model hears back what it said (it is its turn)."""
        turn.text = live.visible
        turn.findings = [finding_record(f) for f in live.findings]
        turn.withheld = live.withheld
        self.record.turns.append(turn)
        self.history += [Turn("user", self.record.turns[-2].text), Turn("assistant", live.text)]
        self.save()

    def save(self) -> Path:
        return self.record.save(self.path)

    async def aclose(self) -> None:
        await self.client.aclose()


class TrialService:
    def __init__(self, context: AppContext,
                 provider_factory: Callable[..., tuple[LLMProvider, str]] | None = None
                 ) -> None:
        self.context = context
        self.paths = context.paths
        self.provider_factory = provider_factory or partial(open_provider, context=context)

    def default_model(self, provider: str) -> str:
        return self.context.default_model(provider)

    def trial_path(self, record: TrialRecord, card_path: Path | None) -> Path:
        """Next to the card; a bundled sample's (or an unsaved card's) trials go to the
        user's cards folder instead."""
        if card_path is None or is_packaged(card_path):
            card_path = self.paths.cards_dir / f"{record.card_id}.json"
        return record.path_beside(card_path)

    def start(self, card: CharacterCard, card_path: Path | None, sources: list[str], *,
              provider: str, model: str | None = None, base_url: str | None = None,
              withhold: bool = True) -> TrialSession:
        """Load the sources (blocking I/O: run it in a worker) and open the provider."""
        resolved = [resolve_data(s) for s in sources]
        index = None
        auditor = PrivacyAuditor()
        if resolved:
            index = auditor.index(self.context.data_loader().load(resolved))
        client, model = self.provider_factory(provider, model or None, base_url)
        record = TrialRecord(card.id, card.identity.name, provider, model, withhold,
                             list(sources))
        return TrialSession(card, client, model, record, self.trial_path(record, card_path),
                            index, auditor, withhold)

    def open(self, provider: str, model: str | None = None, base_url: str | None = None
             ) -> tuple[LLMProvider, str]:
        """A provider client and the model it will use (the context's when not given); a
        missing or malformed key, or an unknown provider, raises here, before any request."""
        return self.provider_factory(provider, model or None, base_url)

    def leak_check(self, sources: list[str]) -> Callable[[str], list[LeakageFinding]] | None:
        """A check of any text against ``sources`` for leaks (None without sources). Loads
        the sources with the context's ``[data]`` limits: blocking, run it in a worker."""
        resolved = [resolve_data(s) for s in sources]
        if not resolved:
            return None
        auditor = PrivacyAuditor()
        index = auditor.index(self.context.data_loader().load(resolved))
        return lambda text: auditor.check_leakage(text, index)

    async def probe(self, card: CharacterCard, card_path: Path | None, *, provider: str = "",
                    model: str | None = None, base_url: str | None = None,
                    on_answer: AnswerCallback | None = None, judge_model: str | None = None,
                    opened: tuple[LLMProvider, str] | None = None,
                    record: bool = True) -> ProbeResult:
        """The groundedness probe on ``card`` (``opened``: a client from :meth:`open`);
        unless ``record`` is false, its score goes to the card's audit log (see
        :meth:`record_probe`). The client is closed afterwards."""
        client, model = opened or self.open(provider, model, base_url)
        try:
            result = await GroundednessProbe(client, model, judge_model=judge_model).run(
                card, on_answer=on_answer)
        finally:
            await client.aclose()
        if record:
            await asyncio.to_thread(self.record_probe, card, card_path, result)
        return result

    def record_probe(self, card: CharacterCard, card_path: Path | None,
                     result: ProbeResult) -> None:
        """The score in the card's audit log: the user's copy for a bundled sample (or an
        unsaved card), as the editor saves it."""
        if card_path is None or is_packaged(card_path):
            card_path = self.paths.cards_dir / f"{card.id}.json"
        AuditLog.for_card(card_path).record_probe(result.summary())


__all__ = ["DEFAULT_MIN_SCORE", "PROVIDER_CHOICES", "TrialService", "TrialSession", "TrialUpdate", "is_packaged",
           "open_provider"]
