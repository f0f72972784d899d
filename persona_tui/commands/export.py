"""``persona-tui export CARD --format FMT [--out PATH]``: a card in another format.

CARD may be any card file ``load_card`` reads. Without ``--out`` the export is written in the
current folder as ``<card id><extension>``; ``--out`` names a file or an existing folder,
and ``--out -`` writes to stdout (binary formats only when stdout is not a terminal). Exit
status: 0 written, 1 the write failed, 2 usage or data error.
"""

from __future__ import annotations

import sys
from pathlib import Path

from persona_tui.commands.errors import report_error
from persona_tui.core.errors import DataError, ValidationError
from persona_tui.core.fileio import atomic_write
from persona_tui.core.scripts.cards_io import load_card
from persona_tui.core.scripts.formats import BINARY_FORMATS, EXTENSIONS, export_bytes
from persona_tui.core.utils.sanitize import strip_control


def run_export(card_path: str, fmt: str, out: str | None = None) -> int:
    try:
        card = load_card(card_path)
        payload = export_bytes(card, fmt)
    except (DataError, ValidationError) as exc:
        report_error(exc, json_output=False)
        return 2
    if out == "-":
        if fmt in BINARY_FORMATS and sys.stdout.isatty():
            print(f"error: {fmt} is binary; give --out FILE or redirect stdout",
                  file=sys.stderr)
            return 2
        sys.stdout.flush()
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
        return 0
    target = Path(out) if out else Path.cwd()
    if target.is_dir():
        target = target / f"{card.id}{EXTENSIONS[fmt]}"
    try:
        atomic_write(target, payload)
    except OSError as exc:
        print(f"error: cannot write {strip_control(str(target))}: {exc.strerror or exc}",
              file=sys.stderr)
        return 1
    print(strip_control(str(target)))
    return 0
