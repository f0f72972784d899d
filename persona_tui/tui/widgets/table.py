"""A ``DataTable`` that never keeps drawing its rows at column widths it has outgrown.

Textual measures the rows a table is given on the table's next idle. A frame drawn before
that (the screen is busy: a cold start, a loaded machine) draws the new rows at the columns'
old widths, their labels' width for a table filled for the first time, and caches those
lines; the measuring then widens the columns but keeps the cached lines, so the table stays
cut to "verb", "guide", "I start" until something else redraws it. It happened to the audit
viewer's findings about one start in seven with no compiled modules yet (Textual 8.2; its
issues #3533 and #4470 describe the same cache). Here, when measuring changes a column's
width, the cached lines are dropped and the table is drawn again.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from textual.widgets import DataTable


class Table(DataTable):
    def _update_dimensions(self, new_rows: Iterable) -> None:
        self._measured(super()._update_dimensions, new_rows)

    def _update_column_widths(self, updated_cells: set) -> None:
        self._measured(super()._update_column_widths, updated_cells)

    def _measured(self, measure: Callable[[Any], None], changed: Any) -> None:
        """``measure(changed)``, then the table drawn again if a column's width moved."""
        before = [column.get_render_width(self) for column in self.ordered_columns]
        measure(changed)
        if [column.get_render_width(self) for column in self.ordered_columns] != before:
            self._clear_caches()
            self.refresh()
