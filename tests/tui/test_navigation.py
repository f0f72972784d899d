"""Every screen findable at 80×24: the header names it, the navigation bar names every
destination with its key, and the footer shows whole keys only, always with F1."""

from __future__ import annotations

import pytest
from rich.color import ColorSystem
from textual.widgets import Input
from textual.widgets._footer import FooterKey

from persona_tui.tui.app import PersonaApp
from persona_tui.tui.navigation import DESTINATIONS
from persona_tui.tui.widgets.chrome import KeyFooter, NavBar, ScreenHeader
from tests.config_files import write_config


def chrome_text(screen) -> tuple[str, str, list[FooterKey]]:
    header = str(screen.query_one(ScreenHeader).render())
    bar = str(screen.query_one(NavBar).render())
    keys = list(screen.query_one(KeyFooter).query(FooterKey))
    return header, bar, keys


async def test_each_screen_names_itself_and_every_destination_at_80_columns():
    async with PersonaApp().run_test(size=(80, 24)) as pilot:
        for place in DESTINATIONS:
            await pilot.press(place.key)
            await pilot.app.workers.wait_for_complete()
            screen = pilot.app.screen
            for _ in range(20):  # the footer recomposes after the screen's first refresh
                await pilot.pause(0.05)
                header, bar, keys = chrome_text(screen)
                if keys and all(k.region.width for k in keys):
                    break
            assert header == f"Persona TUI — {place.title}"
            assert len(bar) <= 80
            for other in DESTINATIONS:
                assert f"{other.key.upper()} {other.label}" in bar
            current = [name for _, name, here in screen.query_one(NavBar).entries() if here]
            assert current == [place.label]
            shown = [(k.key_display, k.description) for k in keys]
            assert ("F1", "keys") in shown, shown
            # whole keys only: every key the footer holds lies inside the 80 columns
            for key in keys:
                assert key.region.right <= 80 and key.region.width > 0, key.description


async def test_the_footer_puts_the_most_important_keys_first_and_drops_whole_keys():
    async with PersonaApp(start="generate").run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        footer = pilot.app.screen.query_one(KeyFooter)
        wanted = [b.description for b, _, _ in footer.shown()]
        shown = [k.description for k in footer.query(FooterKey) if "-help" not in k.classes]
        assert shown == wanted[:len(shown)]  # a prefix, in order of importance
        assert len(shown) < len(wanted)  # 80 columns do not hold them all...
        await pilot.resize_terminal(160, 24)
        await pilot.pause(0.2)
        wider = [k.description for k in footer.query(FooterKey) if "-help" not in k.classes]
        assert len(wider) > len(shown)  # ...160 hold more, after a resize


async def test_a_remapped_key_shows_in_the_navigation_bar(paths):
    write_config({"ui": {"keymap": {"app.screen.generate": "f9"}}}, paths)
    async with PersonaApp().run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        bar = str(pilot.app.screen.query_one(NavBar).render())
        assert "F9 Generate" in bar and "F4" not in bar


def _256(color) -> object:
    return color.rich_color.downgrade(ColorSystem.EIGHT_BIT)


async def test_focus_is_a_glyph_and_a_colour_in_every_theme():
    """The bar at the focused field's left edge is drawn in every built-in theme, differs
    from the field's own background in 256 colours, and the unfocused field has none."""
    app = PersonaApp(start="providers")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        url = app.screen.query_one("#base-url", Input)
        model = app.screen.query_one("#default-model", Input)
        url.focus()
        await pilot.pause()
        for theme in sorted(app.available_themes):
            app.theme = theme
            await pilot.pause()
            kind, colour = url.styles.border_left
            assert kind == "outer", theme
            assert model.styles.border_left[0] == "blank", theme
            background = url.background_colors[1]
            assert _256(colour.tint(background) if colour.a < 1 else colour) != _256(background), \
                theme


@pytest.mark.parametrize("size", [(80, 24)])
def test_snapshot_focus_under_no_color(snap_compare, monkeypatch, size):
    """NO_COLOR turns every colour grey: the focus bar is still there (look at the SVG)."""
    monkeypatch.setenv("NO_COLOR", "1")

    async def run_before(pilot) -> None:
        pilot.app.screen.query_one("#base-url", Input).focus()
        await pilot.pause()

    assert snap_compare(PersonaApp(start="providers"), terminal_size=size,
                        run_before=run_before)
