"""``persona-tui export CARD --format FMT [--out PATH]``: a card in another format.

CARD may be any card file ``load_card`` reads. Without ``--out`` the export is written in the
current folder as ``<card id><extension>``; ``--out`` names a file or an existing folder,
and ``--out -`` writes to stdout (binary formats only when stdout is not a terminal). Exit
status: 0 written, 1 the write failed, 2 usage or data error.
"""

from __future__ import annotations

import sys

from persona_tui.commands.errors import report_error
from persona_tui.core.errors import DataError, ValidationError
from persona_tui.core.utils.sanitize import strip_control
from persona_tui.services.cards import CardService


def run_export(card_path: str, fmt: str, out: str | None = None) -> int:
    try:
        card = CardService.read(card_path)
        payload = CardService.export_payload(card, fmt)
    except (DataError, ValidationError) as exc:
        report_error(exc, json_output=False)
        return 2
    if out == "-":
        if fmt in CardService.BINARY_FORMATS and sys.stdout.isatty():
            print(f"error: {fmt} is binary; give --out FILE or redirect stdout",
                  file=sys.stderr)
            return 2
        sys.stdout.flush()
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
        return 0
    target = CardService.export_target(card, fmt, out)
    try:
        CardService.write_export(target, payload)
    except OSError as exc:
        print(f"error: cannot write {strip_control(str(target))}: {exc.strerror or exc}",
              file=sys.stderr)
        return 1
    print(strip_control(str(target)))
    return 0
