"""The public programmatic API (sync and async), built on :mod:`persona_tui.core`."""
