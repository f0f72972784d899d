"""What the terminal shows: the app's screen (modal dialogs over what they cover) as lines
of plain text, the way a user reads it, for assertions about layout at a given size."""

from __future__ import annotations

import io

from rich.console import Console


def visible_lines(app) -> list[str]:
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system=None, record=True, legacy_windows=False)
    console.print(app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens))
    return console.export_text().splitlines()


def help_rows(screen) -> list[tuple[str, str, str]]:
    """The F1 help's rows as shown: (group, keys, what they do)."""
    from textual.widgets import Static

    rows, group, key = [], "", None
    for widget in screen.query(Static):
        if widget.has_class("help-group"):
            group = str(widget.render())
        elif widget.has_class("help-key"):
            key = str(widget.render())
        elif widget.has_class("help-text"):
            rows.append((group, key, str(widget.render())))
    return rows


def assert_no_text_under_the_keys(help_screen, lines: list[str]) -> None:
    """Every line of a key's text starts right of the key column: a wrapped description
    never runs back under the keys."""
    keys = [w for w in help_screen.query(".help-key")]
    texts = [w for w in help_screen.query(".help-text")]
    assert keys and len(keys) == len(texts)
    box = help_screen.query_one("#help").content_region
    for key, text in zip(keys, texts, strict=True):
        region = text.region
        assert region.x >= key.region.right and region.x == texts[0].region.x
        for y in range(max(region.y, box.y), min(region.bottom, box.bottom)):
            under_keys = lines[y][box.x:region.x]
            expected = str(key.render()) if y == key.region.y else ""
            assert under_keys.strip() == expected, (y, lines[y])
