"""Any failure as the user sees it: a title, a message, a hint and an error code.

The app's one error boundary (every worker failure, every error a screen reports) and the
command line's last line both go through :func:`report`, so the wording is the same
everywhere. Text is stripped of terminal control sequences, and every API key the context
knows, plus anything shaped like a key or a bearer token, is masked: an error may quote a
request or a vendor's reply, and neither may put a secret on screen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from persona_tui.core.errors import ERROR_CODES, MissingKeyError, PersonaError
from persona_tui.core.providers.registry import PROVIDER_NAMES
from persona_tui.core.utils.sanitize import strip_control
from persona_tui.services.context import AppContext

#: key-shaped text: vendor key prefixes, and whatever follows "Bearer" or key=
_KEY_SHAPES = re.compile(
    r"(?:\b(?:sk|pk|rk)-[A-Za-z0-9_\-]{8,}|\bAIza[0-9A-Za-z_\-]{20,}"
    r"|(?<=Bearer )[^\s\"']{8,}|(?<=key=)[^\s&\"']{8,})")
MASK = "•••"


@dataclass(frozen=True)
class ErrorReport:
    title: str
    message: str
    hint: str
    code: str
    #: a vendor whose missing key caused this: the dialog offers to go to Providers
    missing_key_for: str | None = None

    def one_line(self) -> str:
        """For the terminal after the app has ended: no traceback, one line."""
        hint = f" — {self.hint}" if self.hint else ""
        return f"error {self.code}: {' '.join(self.message.split())}{hint}"


def _known_keys(context: AppContext | None) -> list[str]:
    if context is None:
        return []
    found = []
    for provider in PROVIDER_NAMES:
        try:
            key = context.api_key(provider).key
        except PersonaError:  # an unreadable credentials file: nothing to mask from it
            continue
        if key is not None and len(key.get_secret_value()) >= 4:
            found.append(key.get_secret_value())
    return found


def clean(text: str, context: AppContext | None = None) -> str:
    """Text safe for a screen or a terminal: no control sequences, no secret."""
    text = strip_control(str(text))
    for secret in sorted(_known_keys(context), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return _KEY_SHAPES.sub(MASK, text)


def report(error: BaseException, context: AppContext | None = None) -> ErrorReport:
    error = getattr(error, "error", None) or error  # Textual's WorkerFailed wraps the cause
    if isinstance(error, PersonaError):
        entry = ERROR_CODES.get(error.code)
        title = entry.title if entry else "Error"
        missing = error.provider if isinstance(error, MissingKeyError) else None
        # for a missing key the dialog's key line offers "p opens Providers": the hint,
        # which already says where to add the key, is not told it again
        hint = error.hint
        return ErrorReport(clean(title), clean(error.message, context), clean(hint, context),
                           error.code, missing)
    entry = ERROR_CODES["E0001"]
    message = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return ErrorReport(entry.title, clean(message, context), entry.hint, entry.code)


__all__ = ["ErrorReport", "clean", "report"]
