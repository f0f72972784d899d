"""Snapshots of a settled screen.

A snapshot must show what a user sees once the screen has come to rest, not a moment that
depends on how loaded the machine is: a blinking cursor caught in its dark half, or a table
drawn before its column widths (computed when the app is idle) were applied. Both made
snapshots fail now and then when the suite ran two workers on two cores.
"""

from __future__ import annotations

import inspect

import pytest
from textual.widgets import Input, TextArea


async def settle_for_snapshot(pilot) -> None:
    """Steady cursors, then let idle-time layout (DataTable widths) and refreshes finish."""
    for widget in pilot.app.screen.query(Input).results():
        widget.cursor_blink = False  # a steady cursor is drawn: the same in every run
    for widget in pilot.app.screen.query(TextArea).results():
        widget.cursor_blink = False
    for _ in range(3):
        await pilot.pause(0.05)
        await pilot.pause()


@pytest.fixture
def snap_compare(snap_compare):
    """The plugin's ``snap_compare``, with :func:`settle_for_snapshot` after ``run_before``."""

    def compare(app, *args, run_before=None, **kwargs):
        async def settled(pilot) -> None:
            if run_before is not None:
                result = run_before(pilot)
                if inspect.isawaitable(result):
                    await result
            await settle_for_snapshot(pilot)

        return snap_compare(app, *args, run_before=settled, **kwargs)

    return compare
