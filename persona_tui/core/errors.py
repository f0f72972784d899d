"""The error hierarchy every layer raises.

It lives in ``core`` because ``core`` may import nothing above it, yet must raise the same
errors users catch from ``persona_tui.sdk.exceptions`` (which re-exports these classes).

Every error carries a stable ``code`` (looked up in :data:`ERROR_CODES`, which the README's
table is built from) and a one-line ``hint`` telling the user what to do next. The CLI and the
TUI show ``message`` and ``hint``; an expected failure never reaches a user as a traceback.

Messages often quote what others wrote — a vendor's error body, a file name, a model's
metadata — so every message and hint is passed through the sanitiser when the error is made:
no error can carry a terminal escape sequence to the screen, a log or a run record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from persona_tui.core.utils.sanitize import strip_control


@dataclass(frozen=True, slots=True)
class ErrorCode:
    """One row of the documented error-code table."""

    code: str
    title: str
    hint: str


ERROR_CODES: dict[str, ErrorCode] = {
    e.code: e
    for e in (
        ErrorCode("E0001", "Unexpected error", "Run again with --debug and report the output."),
        ErrorCode("E1001", "Invalid configuration", "Fix the named setting in config.toml."),
        ErrorCode("E1002", "Credentials file readable by others",
                  "Run `chmod 600` on the credentials file."),
        ErrorCode("E1003", "Missing API key",
                  "Set the provider's environment variable or add the key on the Providers screen."),
        ErrorCode("E1004", "API key rejected",
                  "Check the key on the Providers screen; it may be revoked or mistyped."),
        ErrorCode("E1005", "Unknown provider",
                  "Use a provider `persona-tui generate --help` lists."),
        ErrorCode("E1006", "Malformed API key",
                  "Paste the key again: it may only hold printable ASCII characters."),
        ErrorCode("E1101", "Invalid value", "Correct the named field and try again."),
        ErrorCode("E1102", "Invalid name",
                  "Use lower-case letters, digits, '-' and '_' (at most 64, starting with a "
                  "letter or digit)."),
        ErrorCode("E2001", "File cannot be read", "Check that the file exists and you can read it."),
        ErrorCode("E2002", "Binary file", "Export the data as text, CSV, JSON or .docx first."),
        ErrorCode("E2003", "File too large",
                  "Split the file, or raise data.max_file_mb in config.toml."),
        ErrorCode("E2004", "Unsupported format",
                  "Convert it to .txt, .md, .csv, .tsv, .json, .jsonl, .html, .vtt, .srt or .docx."),
        ErrorCode("E2005", "No documents", "Point at a file or a folder holding research data."),
        ErrorCode("E2006", "Malformed file", "Repair or re-export the named file."),
        ErrorCode("E2007", "Not a regular file",
                  "Point at ordinary files; pipes, sockets and devices are never read."),
        ErrorCode("E2008", "Changed on disk",
                  "Reopen the file to see the other changes, or save under another name."),
        ErrorCode("E3001", "Provider request failed", "See the provider's message; try again later."),
        ErrorCode("E3002", "Rate limited", "Wait and retry, or lower the request rate."),
        ErrorCode("E3003", "Provider unreachable",
                  "Check the base URL and that the server is running."),
        ErrorCode("E3004", "Stream interrupted",
                  "The reply was cut off; the partial text is kept. Retry the request."),
        ErrorCode("E3005", "Model not found", "Pick a model the provider lists."),
        ErrorCode("E4001", "Generation failed", "See the message; retry or try another model."),
        ErrorCode("E4002", "Budget exceeded",
                  "Raise the budget, lower the persona count or pick a cheaper model."),
        ErrorCode("E4003", "Unknown price",
                  "Add the model's price to config.toml or allow unpriced runs explicitly."),
        ErrorCode("E5001", "Privacy audit blocked",
                  "Open the audit, then redact or rewrite the flagged fields."),
    )
}


class PersonaError(Exception):
    """Base of every error this package raises on purpose.

    ``code`` and ``hint`` default to the class's own; a raiser may give a more specific pair.
    """

    default_code = "E0001"

    def __init__(self, message: str, *, hint: str | None = None, code: str | None = None) -> None:
        message = strip_control(str(message))
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        entry = ERROR_CODES.get(self.code)
        self.hint = strip_control(hint) if hint is not None else (entry.hint if entry else "")

    def __str__(self) -> str:
        return self.message

    def describe(self) -> str:
        """The message, code and hint on two lines, as the CLI prints them."""
        text = f"error {self.code}: {self.message}"
        return f"{text}\n  hint: {self.hint}" if self.hint else text


class ConfigurationError(PersonaError):
    """The setup is wrong: config file, credentials, missing or rejected key."""

    default_code = "E1001"


class MissingKeyError(ConfigurationError):
    """A request needs an API key and none is set; ``provider`` says whose (the app offers
    to go to Providers)."""

    default_code = "E1003"

    def __init__(self, message: str, *, provider: str, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.provider = provider


class ValidationError(PersonaError):
    """A value given by the user or a file does not pass validation."""

    default_code = "E1101"

    def __init__(self, message: str, *, field: str | None = None, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.field = field


class DataError(PersonaError):
    """Research data could not be loaded; ``path`` names the file."""

    default_code = "E2001"

    def __init__(self, message: str, *, path: str | None = None, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.path = path


class ProviderError(PersonaError):
    """An LLM provider failed; ``partial_text`` keeps whatever had streamed before."""

    default_code = "E3001"

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        status_code: int | None = None,
        partial_text: str = "",
        **kwargs,
    ) -> None:
        super().__init__(message, **kwargs)
        self.provider = provider
        self.status_code = status_code
        self.partial_text = partial_text


class AuthenticationError(ProviderError, ConfigurationError):
    """The provider rejected the key (or none was given): a setup problem, reported per vendor."""

    default_code = "E1004"


class RateLimitError(ProviderError):
    """HTTP 429: ``retry_after`` is the server's requested wait in seconds, when it gave one."""

    default_code = "E3002"

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class BudgetExceededError(PersonaError):
    """A run would cost (or did cost) more than the user's budget, in USD."""

    default_code = "E4002"

    def __init__(self, message: str, *, estimated: float, budget: float, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.estimated = estimated
        self.budget = budget


class GenerationError(PersonaError):
    """Generation produced nothing usable; ``partial_text`` keeps the raw output."""

    default_code = "E4001"

    def __init__(self, message: str, *, partial_text: str = "", **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.partial_text = partial_text


@dataclass(frozen=True, slots=True)
class InvalidValue:
    """One invalid value, the one way the app and the CLI show it: the field, the rule it
    breaks in plain words (with the value given), and the error code. Never a library's
    own message: pydantic's names its error types and links to its website."""

    field: str
    rule: str
    code: str = "E1101"

    def describe(self, label: str | None = None) -> str:
        return f"{label or self.field}: {self.rule} [{self.code}]"


def plain_rule(err: dict[str, Any]) -> str:
    """One pydantic error's rule in plain words, with the value given: ``must be at most
    50 (got 99)``."""
    ctx = err.get("ctx") or {}
    kind = err.get("type", "")
    words = {
        "less_than_equal": f"must be at most {ctx.get('le')}",
        "less_than": f"must be less than {ctx.get('lt')}",
        "greater_than_equal": f"must be at least {ctx.get('ge')}",
        "greater_than": f"must be more than {ctx.get('gt')}",
        "string_pattern_mismatch": "has characters that are not allowed",
        "string_too_long": f"is too long (at most {ctx.get('max_length')} characters)",
        "string_too_short": "must not be empty",
        "too_short": "must not be empty",
        "missing": "is required",
        "extra_forbidden": "is not a known setting",
        "literal_error": f"must be one of {ctx.get('expected')}",
        "enum": f"must be one of {ctx.get('expected')}",
        "int_parsing": "must be a whole number",
        "int_from_float": "must be a whole number",
        "float_parsing": "must be a number",
        "finite_number": "must be a finite number",
        "string_type": "must be text",
        "list_type": "must be a list",
        "bool_parsing": "must be true or false",
    }.get(kind)
    if words is None:
        message = str(err.get("msg", ""))
        # a validator of ours raised ValueError("..."): our words, kept; anything else is
        # pydantic's wording, replaced
        words = message.removeprefix("Value error, ") if message.startswith("Value error, ") \
            else "is not valid"
    given = err.get("input")
    if kind in ("missing", "extra_forbidden") or isinstance(given, (dict, list)) \
            or given is None or given == "":
        return words
    shown = f"{strip_control(given)[:40]!r}" if isinstance(given, str) else f"{given}"
    return f"{words} (got {shown})"


def invalid_values(exc: Any) -> list[InvalidValue]:
    """A pydantic ``ValidationError`` as our invalid values, one per broken rule."""
    return [InvalidValue(".".join(str(p) for p in err.get("loc", ())) or "value",
                         plain_rule(err)) for err in exc.errors()]


def plain_validation(exc: Any, *, limit: int = 5) -> str:
    """A pydantic ``ValidationError`` in plain words: ``count: must be at most 50 (got 99)``.

    Pydantic's own text names its error types and links to its website; users get the field,
    what is wrong and the value they gave instead.
    """
    return "; ".join(f"{v.field}: {v.rule}" for v in invalid_values(exc)[:limit])


def from_pydantic(exc: Any, *, what: str = "", hint: str | None = None) -> ValidationError:
    """Our :class:`ValidationError` (code E1101, plain words) for a pydantic one."""
    errors = exc.errors()
    field = ".".join(str(p) for p in errors[0].get("loc", ())) if errors else None
    text = plain_validation(exc)
    return ValidationError(f"{what}: {text}" if what else text, field=field or None, hint=hint)


__all__ = [
    "ERROR_CODES",
    "InvalidValue",
    "AuthenticationError",
    "BudgetExceededError",
    "ConfigurationError",
    "DataError",
    "ErrorCode",
    "GenerationError",
    "MissingKeyError",
    "PersonaError",
    "ProviderError",
    "RateLimitError",
    "ValidationError",
    "invalid_values",
    "plain_rule",
    "from_pydantic",
    "plain_validation",
]
