"""API keys are checked where they enter: the environment, the credentials file, the
Providers screen and the SDK's ``api_key=``.

A key goes into an HTTP header, which holds only printable ASCII. A pasted key with an
accented letter or a stray non-breaking space used to reach httpx and fail there with a
``UnicodeEncodeError`` whose traceback printed the headers — the key included. Surrounding
whitespace (a copy from a web page, a line in a TOML file) is removed; anything else that is
not printable ASCII is refused with E1006, which says where the bad character is but never
shows the key.
"""

from __future__ import annotations

from persona_tui.core.errors import ConfigurationError


def clean_api_key(value: str | None, *, provider: str, source: str) -> str | None:
    """``value`` stripped, ``None`` when empty; :class:`ConfigurationError` (E1006) when it
    holds a character that cannot be sent (the message never contains the key)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigurationError(f"the {provider} API key from {source} is not text",
                                 code="E1006")
    key = value.strip()
    if not key:
        return None
    for position, char in enumerate(key, start=1):
        if not 0x21 <= ord(char) <= 0x7E:
            what = "a space" if char.isspace() else "a character that is not printable ASCII"
            raise ConfigurationError(
                f"the {provider} API key from {source} holds {what} at position {position} "
                f"of {len(key)}; keys are printable ASCII only", code="E1006",
                hint="Copy the key again from the vendor's console and paste it as plain text.")
    return key


__all__ = ["clean_api_key"]
