"""The editor's live privacy verdict: pass / warn / blocked with counts; Enter opens the
audit viewer. It only shows what it is told; the screen decides when to re-audit."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

_STYLES = ("-pass", "-warn", "-blocked", "-pending")


class AuditBadge(Static, can_focus=True):
    HELP = ("The card's privacy verdict against its sources, recomputed shortly after you stop "
            "typing. Enter (or F6) opens the audit viewer.")
    BINDINGS = [Binding("enter", "open", "Open audit", id="cards.badge.open",
                        tooltip="Open the privacy audit of this card")]

    class Opened(Message):
        """The user asked for the full audit."""

    def __init__(self, **kwargs) -> None:
        super().__init__("audit: …", markup=False, **kwargs)

    def show_verdict(self, verdict: str, counts: dict[str, int], accepted: int = 0) -> None:
        parts = [f"{counts[k]} {k}" for k in ("high", "medium", "low") if counts.get(k)]
        text = f"audit: {verdict}" + (f" ({', '.join(parts)})" if parts else "")
        if accepted:
            text += f" · {accepted} accepted"
        self._set(text, f"-{verdict}")

    def show_pending(self, text: str = "audit: checking…") -> None:
        self._set(text, "-pending")

    def mark_stale(self) -> None:
        """The card changed since this verdict: dim it until the next one. Only a class
        changes (no new text, so no re-layout) — this runs on every keystroke."""
        self.add_class("-stale")

    def _set(self, text: str, style: str) -> None:
        """Unchanged text and style are left alone: each update re-lays out the screen, and
        the editor asks for "checking…" on every keystroke."""
        if (text, style) == getattr(self, "_shown", None):
            return
        self._shown = (text, style)
        self.update(text)
        self.set_classes([c for c in self.classes if c not in _STYLES and c != "-stale"]
                         + [style])

    def action_open(self) -> None:
        self.post_message(self.Opened())
