"""The card editor at 80×24, keys only (issue 16, point 9): the card picker names files
relative to the cards folder and never wraps them, dialogs say their keys, the preview wraps
long lines, and the field being edited stays in view when the page re-wraps."""

from __future__ import annotations

import shutil

from rich.cells import cell_len

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


def in_view(app) -> list[str]:
    """What is wrong: the focused field's editor outside the page's visible part, or a
    field still wrapped at an old width (its long lines cut off at the edge)."""
    page = app.screen.query_one("#editor")
    focused = app.focused.region
    wrong = [] if focused.height and page.region.contains_region(focused) else [
        f"focused field at {focused}, page at {page.region}"]
    return wrong + [f"{area.id} wrapped wider than it is" for area in page.query(TextArea)
                    if wrapped_wider(area)]


def wrapped_wider(area: TextArea) -> bool:
    document = area.wrapped_document
    return any(cell_len(piece.rstrip()) > area.wrap_width
               for row in range(area.document.line_count)
               for piece in document.get_sections(row))


async def assert_in_view(pilot, tries: int = 30) -> None:
    """The page settles over a few layouts (the fields re-wrap one by one); wait for it as
    a user would, a few frames, then insist."""
    for _ in range(tries):
        if not in_view(pilot.app):
            return
        await pilot.pause(0.1)
    assert in_view(pilot.app) == []


async def test_preview_wraps_and_the_edited_field_stays_in_view_when_the_page_rewraps():
    long_word = "receipts" * 12  # 96 letters, no space: wider than the preview
    async with PersonaApp(start="cards").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        page = pilot.app.screen.query_one("#editor")
        for _ in range(6):  # a look down the card with the mouse wheel, then the preview
            page.scroll_down(animate=False)
            await pilot.pause()
        await pilot.press("ctrl+t")
        await settle(pilot)
        await assert_in_view(pilot)  # every field re-wrapped at half the width
        await pilot.press("ctrl+t")
        await settle(pilot)
        pilot.app.screen.focus_field("guidelines.character_maintenance")
        await pilot.pause()
        await pilot.press("ctrl+e", *f" {long_word}")
        for _ in range(3):  # a look further up with the mouse wheel
            page.scroll_up(animate=False)
            await pilot.pause()
        await pilot.press("ctrl+t")  # the preview takes half the width: the page re-wraps
        await settle(pilot)
        await pilot.pause(0.4)  # the preview follows edits a moment after typing stops
        assert pilot.app.focused.id == "f-guidelines--character_maintenance"
        await assert_in_view(pilot)
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
            await assert_in_view(pilot)
