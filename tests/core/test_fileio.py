"""Atomic writes: readers see the old file or the new one, never a torn one."""

from __future__ import annotations

import os
import stat

import pytest

from persona_tui.core import fileio
from persona_tui.core.fileio import atomic_write


def test_writes_text_and_bytes(tmp_path):
    target = tmp_path / "deep" / "card.json"
    atomic_write(target, '{"a": 1}')
    assert target.read_text() == '{"a": 1}'
    atomic_write(target, b"bytes")
    assert target.read_bytes() == b"bytes"


def test_mode_is_set_before_the_file_appears(tmp_path):
    target = tmp_path / "secret.toml"
    atomic_write(target, "k = 1", mode=0o600)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    os.chmod(target, 0o640)
    atomic_write(target, "k = 2")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # an existing file keeps its mode


def test_interrupted_write_leaves_old_file_intact(tmp_path, monkeypatch):
    target = tmp_path / "card.json"
    atomic_write(target, "old contents")

    def crash(src, dst):  # the process dies between writing the temp file and the rename
        raise KeyboardInterrupt

    monkeypatch.setattr(fileio.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, "new contents that never land")
    assert target.read_text() == "old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["card.json"]  # no temp file left behind


def test_failed_write_cleans_up(tmp_path, monkeypatch):
    target = tmp_path / "x.txt"

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileio.os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space"):
        atomic_write(target, "data")
    assert list(tmp_path.iterdir()) == []
