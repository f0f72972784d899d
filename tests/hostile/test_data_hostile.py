"""Hostile data: FIFOs, sockets, sparse giants, damaged .docx, empty and undecodable files,
file names with escape sequences. Entry points: the CLI (generate, audit; every byte
checked), the SDK (DataLoader, PersonaGenerator, experiment input hashing)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import tracemalloc

import pytest

from persona_tui import PersonaConfig, PersonaGenerator
from persona_tui.core.data import DataLoader
from persona_tui.core.errors import DataError
from persona_tui.core.experiments import file_hashes
from tests.hostile import files
from tests.hostile.conftest import DATA, assert_clean

CARD = DATA.parent / "cards" / "ledger-keeper.json"


@pytest.fixture
def study(tmp_path):
    """A copy of the sample study to plant hostile files in."""
    folder = tmp_path / "study"
    shutil.copytree(DATA, folder)
    return folder


def _cli(*args: str, env_home, timeout: float = 30) -> subprocess.CompletedProcess:
    """The real console entry point in a child process, so a hang is a failed test."""
    env = {**os.environ, "PERSONA_TUI_HOME": str(env_home)}
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "OLLAMA_HOST"):
        env.pop(name, None)
    try:
        return subprocess.run([sys.executable, "-m", "persona_tui", *map(str, args)],
                              capture_output=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        pytest.fail(f"persona-tui {' '.join(map(str, args))} hung for {timeout} s")


# --- special files -----------------------------------------------------------------------


def within(seconds: float, fifo_path, func, *args):
    """``func(*args)`` in a thread; a test failure (not a hung suite) when it blocks. A reader
    stuck on the FIFO is released by opening its write end."""
    import threading

    box: dict = {}

    def run():
        try:
            box["value"] = func(*args)
        except BaseException as exc:  # re-raised below
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        fd = os.open(fifo_path, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        thread.join(5)
        pytest.fail(f"blocked for {seconds} s on {fifo_path.name}")
    if "error" in box:
        raise box["error"]
    return box["value"]


def test_fifo_in_a_folder_is_skipped_never_opened(study):
    pipe = files.fifo(study, "pipe.md")
    loader = DataLoader()
    documents = within(5, pipe, loader.load, study)
    assert "pipe.md" not in {d.id for d in documents} and documents
    assert any("pipe.md" in w and "pipe" in w for w in loader.warnings)


def test_fifo_named_directly_is_a_coded_error(tmp_path):
    path = files.fifo(tmp_path)
    with pytest.raises(DataError) as caught:
        within(5, path, DataLoader().load, path)
    assert caught.value.code == "E2007"


def test_socket_in_a_folder_and_named_directly(study):
    path, sock = files.unix_socket(study)
    try:
        assert DataLoader().load(study)
        with pytest.raises(DataError) as caught:
            DataLoader().load(path)
        assert caught.value.code == "E2007"
    finally:
        sock.close()


def test_generate_on_a_folder_with_a_fifo_does_not_hang(study, tmp_path, vendor_server):
    files.fifo(study, "pipe.txt")
    # pointed at a closed port: the data step must finish (a hang fails) and the network fail
    home = tmp_path / "home"
    home.mkdir()
    (home / "config").mkdir()
    result = _cli("generate", "--from", study, "--provider", "ollama", env_home=home)
    assert result.returncode == 1, result.stderr  # Ollama is not running: after the data
    assert_clean(result.stdout, "stdout")
    assert_clean(result.stderr, "stderr")
    assert b"pipe.txt" in result.stderr  # the skip is announced


def test_audit_with_a_fifo_source_does_not_hang(study, tmp_path):
    files.fifo(study, "pipe.txt")
    result = _cli("audit", CARD, "--source", study, "--report", env_home=tmp_path / "h")
    assert result.returncode in (0, 1)
    assert_clean(result.stdout)
    assert_clean(result.stderr)


def test_audit_with_a_fifo_card_does_not_hang(tmp_path):
    card = files.fifo(tmp_path, "card.json")
    result = _cli("audit", card, "--source", DATA, "--report", env_home=tmp_path / "h")
    assert result.returncode == 2 and b"E2007" in result.stderr
    assert_clean(result.stderr)


def test_sparse_giant_is_refused_by_size_and_never_hashed(study):
    huge = files.sparse(study)
    with pytest.raises(DataError) as caught:
        DataLoader().load(huge)
    assert caught.value.code == "E2003"
    tracemalloc.start()
    started = time.monotonic()
    hashes = file_hashes([str(study)])
    elapsed = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert str(huge) not in hashes and len(hashes) >= 5
    assert elapsed < 2 and peak < 16 * 1024**2, (elapsed, peak)


def test_input_hashing_skips_fifos_and_refused_types(study):
    pipe = files.fifo(study, "pipe.md")
    (study / "notes.pdf").write_bytes(b"%PDF")
    hashes = within(5, pipe, file_hashes, [str(study)])
    assert not any(k.endswith(("pipe.md", "notes.pdf")) for k in hashes)


# --- damaged Word documents -------------------------------------------------------------


@pytest.mark.parametrize("case", ["corrupt-deflate", "encrypted", "unknown-compression",
                                  "truncated"])
def test_damaged_docx_is_a_data_error(tmp_path, case):
    path = files.damaged_docx(tmp_path)[case]
    with pytest.raises(DataError) as caught:
        DataLoader().load(path)
    assert caught.value.code == "E2006"
    assert_clean(caught.value.describe())


@pytest.mark.parametrize("case", ["corrupt-deflate", "encrypted", "unknown-compression"])
def test_damaged_docx_inside_a_folder_is_skipped(study, case):
    damaged = files.damaged_docx(study)[case]
    loader = DataLoader()
    documents = loader.load(study)
    assert damaged.name not in {d.id for d in documents}
    assert any(damaged.name in w for w in loader.warnings)


def test_damaged_docx_through_the_cli(cli, tmp_path):
    for case, path in files.damaged_docx(tmp_path).items():
        result = cli("audit", CARD, "--source", path, "--report")
        assert result.code == 2, case
        assert b"E2006" in result.err


# --- empty, undecodable, hostile names --------------------------------------------------


def test_zero_byte_file_is_a_data_error_not_three_personas(cli, tmp_path, vendor_server,
                                                           monkeypatch, paths):
    from tests.hostile.conftest import point_at

    vendor_server.reset()
    vendor_server.reply = (DATA.parent / "personas.json").read_text("utf-8")
    point_at(vendor_server, monkeypatch, paths)
    empty = files.zero_byte(tmp_path)
    result = cli("generate", "--from", empty, "--provider", "ollama")
    assert result.code == 2
    assert b"E2005" in result.err
    assert not vendor_server.requests  # nothing was sent, nothing was paid for
    with pytest.raises(DataError):
        PersonaGenerator("ollama", "llama3.2", base_url=vendor_server.url).generate(
            empty, PersonaConfig(count=1))
    vendor_server.reset()


def test_folder_of_empty_files_is_a_data_error(tmp_path):
    for name in ("a.txt", "b.md", "c.csv"):
        files.zero_byte(tmp_path, name)
    with pytest.raises(DataError) as caught:
        DataLoader().load(tmp_path)
    assert caught.value.code == "E2005"


def test_undecodable_file_is_a_binary_file_error(cli, tmp_path):
    path = files.undecodable(tmp_path)
    with pytest.raises(DataError) as caught:
        DataLoader().load(path)
    assert caught.value.code == "E2002"
    result = cli("audit", CARD, "--source", path, "--report")
    assert result.code == 2 and b"E2002" in result.err


def test_file_names_with_escape_sequences_are_echoed_clean(cli, tmp_path):
    path = files.hostile_name(tmp_path)
    result = cli("audit", CARD, "--source", path, "--report")
    assert result.code == 2 and b"E2004" in result.err and b"evil" in result.err
    missing = tmp_path / "gone\x1b]0;x\x07.txt"
    result = cli("audit", CARD, "--source", missing, "--report")
    assert result.code == 2 and b"E2001" in result.err
    binary = tmp_path / "bin\x1b[2J.txt"
    binary.write_bytes(bytes(range(256)) * 8)
    result = cli("audit", CARD, "--source", binary, "--report")
    assert result.code == 2 and b"E2002" in result.err
