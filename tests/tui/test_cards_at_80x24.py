"""The card editor at 80×24, keys only (issue 16, point 9): the card picker names files
relative to the cards folder and never wraps them, dialogs say their keys, the preview wraps
long lines, and the field being edited stays in view when the page re-wraps."""

from __future__ import annotations

import shutil

from textual.widgets import OptionList, Static, TextArea

from persona_tui.resources import sample_project
from persona_tui.tui.app import PersonaApp
from persona_tui.tui.screens.dialogs import Pick
from tests.tui.terminal import visible_lines
from tests.tui.test_cards import settle, title

SAMPLE_CARD = sample_project() / "cards" / "ledger-keeper.json"
LONG_NAME = "a-card-saved-under-a-file-name-far-too-long-for-eighty-columns.json"


async def test_the_card_picker_names_files_by_folder_and_shows_its_keys(paths):
    paths.cards_dir.mkdir(parents=True, exist_ok=True)
    mine = paths.cards_dir / LONG_NAME
    shutil.copy(SAMPLE_CARD, mine)
    async with PersonaApp(start="cards").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()
        picker = pilot.app.screen
        assert isinstance(picker, Pick)
        options = picker.query_one(OptionList)
        prompts = [str(options.get_option_at_index(i).prompt)
                   for i in range(options.option_count)]
        assert prompts[0].startswith("Alex Brennan — …") and prompts[0].endswith(
            "-for-eighty-columns.json")
        assert prompts[1:] == ["Alex Brennan — sample/ledger-keeper.json",
                               "Jess Morgan — sample/reluctant-collector.json"]
        lines = visible_lines(pilot.app)
        text = "\n".join(lines)
        for prompt in prompts:  # one line each, whole: nothing wraps mid-word
            assert prompt in text
        assert "↑/↓ move · Enter opens · Esc cancels" in text
        detail = picker.query_one("#pick-detail", Static)
        assert str(detail.render()) == str(mine)  # the whole path, for the highlighted one
        await pilot.press("down", "down")
        await pilot.pause()
        assert str(detail.render()) == str(sample_project() / "cards" /
                                           "reluctant-collector.json")
        await pilot.press("enter")
        await settle(pilot, 4)
        assert title(pilot.app) == "Jess Morgan — reluctant-collector.json"
        await pilot.press("ctrl+n")  # every picker says its keys
        await pilot.pause()
        assert "Enter makes the card · Esc cancels" in "\n".join(visible_lines(pilot.app))
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, Pick)


def assert_in_view(app) -> None:
    """The focused field's editor is inside the page's visible part, and every field is
    wrapped at its present width (a field still wrapped at the old width is cut off)."""
    page = app.screen.query_one("#editor").region
    focused = app.focused.region
    assert focused.height and page.contains_region(focused), (page, focused)
    for area in app.screen.query_one("#editor").query(TextArea):
        assert area.virtual_size.width <= area.scrollable_content_region.width, area.id


async def test_preview_wraps_and_the_edited_field_stays_in_view_when_the_page_rewraps():
    long_word = "receipts" * 12  # 96 letters, no space: wider than the preview
    async with PersonaApp(start="cards").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pilot.app.screen.focus_field("guidelines.character_maintenance")
        await pilot.pause()
        await pilot.press("ctrl+e", *f" {long_word}")
        page = pilot.app.screen.query_one("#editor")
        for _ in range(3):  # a look further up with the mouse wheel
            page.scroll_up(animate=False)
            await pilot.pause()
        await pilot.press("ctrl+t")  # the preview takes half the width: the page re-wraps
        await settle(pilot)
        await pilot.pause(0.4)  # the preview follows edits a moment after typing stops
        assert pilot.app.focused.id == "f-guidelines--character_maintenance"
        assert_in_view(pilot.app)
        preview = pilot.app.screen.query_one("#preview", TextArea)
        assert long_word in preview.text
        pane = preview.content_region
        shown = "".join(line[pane.x:pane.right].strip()
                        for line in visible_lines(pilot.app)[pane.y:pane.bottom])
        preview.scroll_end(animate=False)
        await pilot.pause()
        shown += "".join(line[pane.x:pane.right].strip()
                         for line in visible_lines(pilot.app)[pane.y:pane.bottom])
        assert long_word in shown  # wrapped onto the next lines, not cut at the edge
        for size in ((120, 36), (80, 24), (60, 20)):
            await pilot.resize_terminal(*size)
            await settle(pilot)
            assert_in_view(pilot.app)
