"""The Textual app: screens, widgets, key map. Talks to :mod:`persona_tui.services` only."""
