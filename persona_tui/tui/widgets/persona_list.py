"""The Generate screen's list of parsed personas: an ``OptionList`` whose growth does not
re-arrange the screen.

``OptionList`` sets ``virtual_size`` each time options are added, and ``virtual_size`` is a
layout reactive on ``Widget``: every batch of personas re-arranged and redrew the whole
Generate screen (the output, the form, the footer), which at the end of a run — the last
personas, then the summary — was a large part of the frames that held the keys. The list's
own size is set by the screen's CSS and never follows its content, so growing only needs
the list itself redrawn and its scrollbar updated; when the scrollbar appears or goes,
``show_vertical_scrollbar`` (still a layout reactive) asks for the layout that needs.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import OptionList


class PersonaList(OptionList):
    #: redraws the list, without a layout of the screen (see the module's doc)
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)
