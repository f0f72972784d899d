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

    def _set(self, text: str, style: str) -> None:
        self.update(text)
        self.remove_class(*_STYLES)
        self.add_class(style)

    def action_open(self) -> None:
        self.post_message(self.Opened())
