"""The application context for the app layers: ``AppContext`` (paths, settings, credentials,
prices), the only reader and writer of ``config.toml`` and ``credentials.toml``.

The TUI, the commands and the services take it from here; its implementation sits in
:mod:`persona_tui.core.context` so that the SDK, which may import only ``core``, builds the
very same object when a caller gives none.
"""

from __future__ import annotations

from persona_tui.core.context import AppContext

__all__ = ["AppContext"]
