from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from persona_tui.core.utils.sanitize import strip_control


def test_escape_sequences_and_controls_are_removed():
    text = ("a\x1b[31mred\x1b[0m b\x1b]0;evil title\x07c \x1b]8;;http://x\x1b\\link"
            "\x1b]8;;\x1b\\ d\x1bPdcs\x1b\\e\x9b2Jf\x00g\x08h\x7fi")
    assert strip_control(text) == "ared bc link defghi"


def test_newlines_tabs_and_markup_are_kept_literally():
    assert strip_control("[bold]x[/]\n\ty\r\n") == "[bold]x[/]\n\ty\n"


@given(st.text())
def test_output_never_contains_control_characters(text):
    cleaned = strip_control(text)
    assert all(c in "\n\t" or not (ord(c) < 32 or 0x7f <= ord(c) <= 0x9f) for c in cleaned)
