"""The one way a command reports an expected failure: once, in one form.

With ``--json`` the error object goes to stdout (``{"error": {"code", "message", "hint"}}``,
what a script reads) and nothing to stderr; otherwise the message, its code and the hint go
to stderr. Every command and the command line's last-resort handler call :func:`report_error`,
so an error is never printed twice or in two shapes.
"""

from __future__ import annotations

import json
import sys

from persona_tui.core.errors import PersonaError
from persona_tui.services.errors import clean, report


def report_error(exc: BaseException, *, json_output: bool) -> None:
    """``exc``: a :class:`PersonaError`, or anything else (reported as the app reports an
    unexpected error: a code and one line, never a traceback). Control sequences and
    anything shaped like a key are taken out of the text, as on the app's screens."""
    if isinstance(exc, PersonaError):
        code, message, hint = exc.code, clean(exc.message), clean(exc.hint or "")
    else:
        found = report(exc)
        code, message, hint = found.code, found.message, found.hint
    if json_output:
        print(json.dumps({"error": {"code": code, "message": message, "hint": hint}},
                         ensure_ascii=False))
    else:
        print(f"error {code}: {message}" + (f"\n  hint: {hint}" if hint else ""),
              file=sys.stderr)
