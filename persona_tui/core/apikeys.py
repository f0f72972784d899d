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


class Secret:
    """A key that never shows itself: ``repr`` and ``str`` print stars, so a key held in a
    settings object, a log line or a traceback's locals stays hidden; the value is read only
    with :meth:`get_secret_value`. (pydantic's ``SecretStr`` does the same, but importing
    pydantic to read a key would put it on the app's start-up path.)"""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')" if self._value else "Secret('')"

    def __str__(self) -> str:
        return "**********" if self._value else ""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __len__(self) -> int:
        return len(self._value)


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


__all__ = ["Secret", "clean_api_key"]
