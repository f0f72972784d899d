"""``persona-tui export``: every format, --out as file, folder and stdout, exit codes."""

from __future__ import annotations

import json

import pytest

from persona_tui.cli import main
from persona_tui.core.scripts.cards_io import load_card
from persona_tui.core.scripts.format_names import EXTENSIONS, FORMATS
from persona_tui.resources import sample_project

CARD = sample_project() / "cards" / "ledger-keeper.json"


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_writes_every_format_into_a_folder(tmp_path, capsys, fmt):
    assert main(["export", str(CARD), "--format", fmt, "--out", str(tmp_path)]) == 0
    written = tmp_path / f"ledger-keeper{EXTENSIONS[fmt]}"
    assert capsys.readouterr().out.strip() == str(written)
    if fmt in ("json", "chara_card_v2", "chara_card_v3", "png", "charx"):
        assert load_card(written) == load_card(CARD)
    else:
        assert "Alex Brennan" in written.read_text("utf-8")


def test_export_to_a_named_file_and_the_current_folder(tmp_path, monkeypatch, capsys):
    target = tmp_path / "sub" / "alex.card"
    assert main(["export", str(CARD), "-f", "charx", "-o", str(target)]) == 0
    assert target.read_bytes().startswith(b"PK\x03\x04")
    monkeypatch.chdir(tmp_path)
    assert main(["export", str(CARD), "-f", "chara_card_v3"]) == 0
    assert json.loads((tmp_path / "ledger-keeper.v3.json").read_text())["spec"] == \
        "chara_card_v3"


def test_export_to_stdout(capsysbinary):
    assert main(["export", str(CARD), "--format", "chara_card_v3", "--out", "-"]) == 0
    out = capsysbinary.readouterr().out
    assert json.loads(out)["data"]["name"] == "Alex Brennan"


def test_export_errors_have_exit_codes(tmp_path, capsys):
    assert main(["export", str(tmp_path / "missing.json"), "--format", "png"]) == 2
    assert "E2001" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["export", str(CARD), "--format", "docx"])
    assert exited.value.code == 2
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["export", str(CARD), "-f", "json", "-o", str(blocker / "inside.json")]) == 1
    assert "cannot write" in capsys.readouterr().err
