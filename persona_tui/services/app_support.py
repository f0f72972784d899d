"""What the TUI needs from below besides the per-concern services: the error type it shows,
the sanitiser for text from data and models, and the folders. The TUI imports only
``persona_tui.services``; this module is its window onto the core. (Settings come from the
application context, :mod:`persona_tui.services.context`.)"""

from __future__ import annotations

from typing import Any

from persona_tui.core.errors import PersonaError
from persona_tui.core.platform import PathManager
from persona_tui.core.utils.sanitize import strip_control

#: a vendor's tested state (``persona_tui.core.discovery.VendorStatus``); named here without
#: importing discovery, which pulls in httpx — the app must start without it
VendorStatus = Any

__all__ = ["PathManager", "PersonaError", "VendorStatus", "strip_control"]
