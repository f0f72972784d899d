"""Loading research data in every supported format, encoding and failure mode."""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from persona_tui.core.data import DataLoader, estimate_tokens
from persona_tui.core.errors import DataError
from persona_tui.resources import sample_project

loader = DataLoader()


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, "utf-8")
    else:
        path.write_bytes(content)
    return path


def test_plain_text_keeps_line_numbers(tmp_path):
    doc = loader.load_one(write(tmp_path / "notes.txt", "one\ntwo\nthree words here\n"))
    assert doc.format == "text"
    assert doc.locate(doc.text.index("three")).line == 3
    assert doc.id == "notes.txt"


def test_markdown_speaker_turns_in_every_common_style(tmp_path):
    text = ("# Interview\n\n**Interviewer:** How do you pay?\n\n**Maya**: By card.\n"
            "It works fine.\n\nTomás: Cash, always.\n[00:01:02] Dev Anand: Invoices.\n"
            "Date: 3 March\nnote: lower-case labels are not speakers\n")
    doc = loader.load_one(write(tmp_path / "t.md", text))
    assert doc.speakers == ["Interviewer", "Maya", "Tomás", "Dev Anand"]
    assert doc.locate(doc.text.index("It works fine")).speaker == "Maya"
    stamped = doc.locate(doc.text.index("Invoices"))
    assert (stamped.speaker, stamped.timestamp) == ("Dev Anand", "00:01:02")


def test_csv_cells_are_decoded_with_rows_and_columns_as_locations(tmp_path):
    raw = 'id,age,answer\nR1,34,"I lose receipts, always"\n\nR2,,"Two\nlines ""quoted"""\n'
    doc = loader.load_one(write(tmp_path / "survey.csv", raw))
    # quotes undone, a multi-line cell kept as one cell (so line numbers match the file)
    assert doc.text == 'id,age,answer\nR1,34,I lose receipts, always\n\nR2,,Two\nlines "quoted"\n'
    loc = doc.locate(doc.text.index("I lose receipts"))
    assert (loc.row, loc.column) == (2, "answer")
    assert str(loc) == "row 2, column 'answer'"
    assert doc.locate(doc.text.index("R2")).row == 4  # the blank line is row 3, as in a sheet
    inside = doc.locate(doc.text.index("lines"))  # a quoted cell spanning two lines
    assert (inside.row, inside.column, inside.line) == (4, "answer", 5)
    assert doc.locate(doc.text.index("34")).column == "age"


def test_semicolon_csv_and_tsv(tmp_path):
    semi = loader.load_one(write(tmp_path / "eu.csv", "name;comment\nA;très bien\n"))
    assert semi.locate(semi.text.index("très")).column == "comment"
    tsv = loader.load_one(write(tmp_path / "t.tsv", "q\tanswer\n1\tyes, but\n"))
    assert tsv.locate(tsv.text.index("yes")).column == "answer"
    assert tsv.format == "tsv"


def test_csv_cell_spans_are_exact_when_cells_hold_the_delimiter(tmp_path):
    raw = ('name,comment,wish\r\n"Kit","The banner said ""book it now"", so I did",'
           '"Fewer, calmer\r\nreminders"\r\nBo,fine,none\r\n')
    doc = loader.load_one(write(tmp_path / "form.csv", raw))
    assert 'The banner said "book it now", so I did' in doc.text
    table = doc.table
    cells = [doc.text[a:b] for a, b in table.cells(1)]
    assert cells == ["Kit", 'The banner said "book it now", so I did', "Fewer, calmer\nreminders"]
    assert [doc.text[a:b] for a, b in table.cells(2)] == ["Bo", "fine", "none"]
    loc = doc.locate(doc.text.index("so I did"))
    assert (loc.row, loc.column, loc.line) == (2, "comment", 2)
    loc = doc.locate(doc.text.index("reminders"))
    assert (loc.row, loc.column, loc.line) == (2, "wish", 3)
    assert doc.locate(doc.text.index("none")).row == 3
    assert [doc.text[a:b] for _, a, b in table.column_values(0)] == ["Kit", "Bo"]


def test_survey_platform_exports_have_their_questions_in_row_two(tmp_path):
    raw = ('ResponseId,Q1\nResponse ID,What is your name?\n'
           '"{""ImportId"":""_recordId""}","{""ImportId"":""QID1""}"\nR_1,Ana Lima\n')
    table = loader.load_one(write(tmp_path / "export.csv", raw)).table
    assert table.column_text(1) == "Q1 / What is your name?"
    assert [table.text[a:b] for _, a, b in table.column_values(1)] == ["Ana Lima"]


def test_json_strings_are_decoded_and_keep_their_key_and_line(tmp_path):
    raw = ('{"export": "diary",\n "entries": [\n  {"name": "Zo\\u00eb",\n'
           '   "entry": "The caf\\u00e9 lets me run a \\"tab\\".\\nThen I pay."},\n'
           '  {"name": "Bo", "day": 5, "ok": true, "none": null}]}')
    doc = loader.load_one(write(tmp_path / "diary.json", raw))
    assert 'The café lets me run a "tab".\nThen I pay.' in doc.text
    assert "name: Zoë" in doc.text and "\\u00e9" not in doc.text
    loc = doc.locate(doc.text.index("Then I pay"))
    assert (loc.line, loc.column) == (4, "entries[0].entry")
    assert doc.locate(doc.text.index("Bo")).column == "entries[1].name"
    assert "day: 5" in doc.text and "ok: true" in doc.text and "none" not in doc.text
    values = {(record, key): doc.text[a:b] for record, key, a, b in doc.fields.values()}
    assert values[(1, "name")] == "Zoë" and values[(2, "name")] == "Bo"


def test_json_and_jsonl_are_checked_and_located(tmp_path):
    doc = loader.load_one(write(tmp_path / "r.json",
                                '{"responses": [\n {"who": "R1", "text": "hello"},\n'
                                ' {"who": "R2", "text": "world"}]}'))
    assert doc.locate(doc.text.index("world")).line == 3
    lines = loader.load_one(write(tmp_path / "r.jsonl",
                                  '{"a": "x"}\nnot json\n{"a": "y", "b": {"c": "deep"}}\n'))
    loc = lines.locate(lines.text.index("deep"))
    assert (loc.line, loc.column) == (3, "b.c")
    assert any("skipped 1 malformed line" in w and "2" in w for w in lines.warnings)


def test_invalid_json_is_a_data_error_naming_the_file(tmp_path):
    with pytest.raises(DataError, match=r"bad\.json is not valid JSON \(line 1") as err:
        loader.load_one(write(tmp_path / "bad.json", '{"a": '))
    assert err.value.code == "E2006"


def test_html_keeps_visible_text_only(tmp_path):
    html = ("<html><head><title>t</title><style>p{color:red}</style></head><body>"
            "<h1>Notes</h1><p>Ana: I &amp; my <b>flatmates</b></p><script>alert(1)</script>"
            "</body></html>")
    doc = loader.load_one(write(tmp_path / "n.html", html))
    assert doc.text == "Notes\nAna: I & my flatmates"
    assert doc.speakers == ["Ana"]


def test_vtt_voice_tags_and_timestamps(tmp_path):
    vtt = ("WEBVTT\n\nNOTE exported\n\n1\n00:00:01.000 --> 00:00:03.000\n"
           "<v Ana Lima>Hello <i>there</i></v>\n\n00:00:04.500 --> 00:00:06.000\n"
           "<v.loud Bo>We split it &amp; moved on</v>\n")
    doc = loader.load_one(write(tmp_path / "call.vtt", vtt))
    assert doc.text == "Ana Lima: Hello there\nBo: We split it & moved on\n"
    loc = doc.locate(doc.text.index("moved"))
    assert (loc.speaker, loc.timestamp, loc.line) == ("Bo", "00:00:04", 10)


def test_vtt_plain_and_unusual_cues_mixed_keep_order_lines_and_speakers(tmp_path):
    """Usual cues are read in bulk, unusual ones (two lines, a label, an entity, a NUL, no
    blank line before EOF) one by one; both kinds land in file order with their lines."""
    vtt = ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Ana>Plain one.  </v>\n\n"
           "00:00:03.000 --> 00:00:04.000\nRuth: labelled, 50% sure\n\n"
           "00:00:05.000 --> 00:00:06.000\n<v Bo>two\nlines &lt;here&gt;</v>\n\n"
           "00:00:07.000 --> 00:00:08.000\n   \n\n"
           "1:00:09.000 --> 1:00:10.000\nno voice at all")
    doc = loader.load_one(write(tmp_path / "mixed.vtt", vtt))
    assert doc.text == ("Ana: Plain one.\nRuth: labelled, 50% sure\nBo: two lines <here>\n"
                        "no voice at all\n")
    found = [(loc.speaker, loc.timestamp, loc.line) for loc in
             (doc.locate(doc.text.index(w)) for w in ("Plain", "labelled", "lines", "voice"))]
    assert found == [("Ana", "00:00:01", 4), ("Ruth", "00:00:03", 7), ("Bo", "00:00:05", 10),
                     (None, "1:00:09", 17)]
    from persona_tui.core.data.readers.subtitles import read_vtt

    # (the loader refuses a file with NUL bytes near its start; the reader copes anyway)
    assert read_vtt(vtt.replace("Plain", "Pl\0ain"), "x").text == \
        doc.text.replace("Plain", "Pl\0ain")


def test_uniform_jsonl_matches_the_record_by_record_reader(tmp_path, monkeypatch):
    """The bulk path for flat string records writes exactly what the general one writes."""
    from persona_tui.core.data.readers import structured

    lines = ['{"who": "Ana", "note": "caf\\u00e9 50% \\"ok\\"\\nnext"}',
             '{"who": "Bo", "note": ""}', "", '{"who": "Chen", "note": "%s %d"}']
    path = write(tmp_path / "n.jsonl", "\n".join(lines) + "\n")
    bulk = loader.load_one(path)
    monkeypatch.setattr(structured, "_uniform", lambda records, numbers: None)
    general = loader.load_one(path)
    assert bulk.text == general.text == ('who: Ana\nnote: café 50% "ok"\nnext\n\nwho: Bo\n'
                                         'note: \n\nwho: Chen\nnote: %s %d\n')
    for word in ("café", "Bo", "Chen", "%d"):
        at = bulk.text.index(word)
        assert bulk.locate(at) == general.locate(at)
    assert str(bulk.locate(bulk.text.index("Chen"))) == "column 'who', line 4"
    assert [v for v in bulk.fields.values()] == [v for v in general.fields.values()]


def test_srt_with_name_prefixes(tmp_path):
    srt = ("1\n00:00:01,000 --> 00:00:02,000\nRuth: I keep a notebook.\n\n"
           "2\n00:00:03,000 --> 00:00:05,000\n[Erik] It's fine.\n")
    doc = loader.load_one(write(tmp_path / "call.srt", srt))
    assert doc.speakers == ["Ruth", "Erik"]
    assert doc.locate(doc.text.index("fine")).timestamp == "00:00:03"


def _docx(paragraphs: list[str]) -> bytes:
    body = "".join(f'<w:p><w:r><w:t xml:space="preserve">{p}</w:t></w:r></w:p>'
                   for p in paragraphs)
    xml = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
           f'openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>')
    from io import BytesIO

    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", xml)
    return buffer.getvalue()


def test_docx_paragraphs_and_speakers(tmp_path):
    doc = loader.load_one(write(tmp_path / "i.docx",
                                _docx(["Interview 3", "", "Ruth: I keep a ledger.", "Since 1989."])))
    assert doc.text == "Interview 3\nRuth: I keep a ledger.\nSince 1989."
    loc = doc.locate(doc.text.index("ledger"))
    assert (loc.paragraph, loc.speaker) == (3, "Ruth")


def test_broken_docx_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="not a valid .docx") as err:
        loader.load_one(write(tmp_path / "x.docx", b"PK not really"))
    assert "save it again" in err.value.hint


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF8 + "café".encode(), "utf-8 (BOM)"),
        (codecs.BOM_UTF16_LE + "café".encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + "café".encode("utf-16-be"), "utf-16"),
        ("café".encode(), "utf-8"),
    ],
)
def test_encodings_with_and_without_bom(tmp_path, data, encoding):
    doc = loader.load_one(write(tmp_path / "e.txt", data))
    assert doc.text == "café"
    assert doc.encoding == encoding
    assert doc.warnings == []


def test_fallback_encoding_warns(tmp_path):
    doc = loader.load_one(write(tmp_path / "w.txt", "naïve café – ok".encode("cp1252")))
    assert doc.text == "naïve café – ok"
    assert doc.encoding == "cp1252"
    assert "not UTF-8" in doc.warnings[0]


def test_crlf_newlines_are_normalised(tmp_path):
    doc = loader.load_one(write(tmp_path / "w.txt", b"a\r\nb\r\nc"))
    assert doc.text == "a\nb\nc"
    assert doc.locate(4).line == 3


@pytest.mark.parametrize(
    ("name", "data", "match", "code"),
    [
        ("blob.txt", b"abc\x00\x01\x02", "binary", "E2002"),
        ("report.txt", b"%PDF-1.7 ...", "a PDF", "E2002"),
        ("report.pdf", b"%PDF-1.7 ...", r"\.pdf files are not supported", "E2004"),
        ("sheet.xlsx", b"PK..", r"\.xlsx files are not supported", "E2004"),
    ],
)
def test_binary_and_unsupported_files_are_refused_with_hints(tmp_path, name, data, match, code):
    with pytest.raises(DataError, match=match) as err:
        loader.load_one(write(tmp_path / name, data))
    assert err.value.code == code
    assert err.value.hint
    assert name in err.value.message


def test_size_limit_is_configurable(tmp_path):
    path = write(tmp_path / "big.txt", "x" * 3_000_000)
    with pytest.raises(DataError, match="over the 2 MB limit") as err:
        DataLoader(max_file_mb=2).load_one(path)
    assert "max_file_mb" in err.value.hint
    assert DataLoader(max_file_mb=5).load_one(path).size == 3_000_000


def test_unreadable_file(tmp_path, monkeypatch):
    path = write(tmp_path / "secret.txt", "x")

    import persona_tui.core.fileio as fileio

    real_open = fileio.os.open

    def refuse(file, flags, *args):  # what the OS does without read permission (root bypasses)
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, flags, *args)

    monkeypatch.setattr(fileio.os, "open", refuse)
    with pytest.raises(DataError, match="permission denied") as err:
        loader.load_one(path)
    assert "chmod" in err.value.hint


def test_missing_path_and_empty_list():
    with pytest.raises(DataError, match="does not exist"):
        loader.load("/no/such/file.txt")
    with pytest.raises(DataError, match="no data paths"):
        loader.load([])


def test_folder_is_recursive_skips_hidden_and_warns_about_bad_files(tmp_path):
    write(tmp_path / "a.md", "Ana: hi")
    write(tmp_path / "sub" / "b.txt", "b")
    write(tmp_path / ".hidden.txt", "secret")
    write(tmp_path / ".git" / "c.txt", "c")
    write(tmp_path / "bin.txt", b"\x00\x01")
    write(tmp_path / "photo.jpg", b"\xff\xd8\xff")
    loader = DataLoader()
    docs = loader.load(tmp_path)
    assert [d.id for d in docs] == ["a.md", "sub/b.txt"]
    assert any("skipped bin.txt" in w and "binary" in w for w in loader.warnings)
    assert any("unsupported types" in w for w in loader.warnings)


def test_folder_with_nothing_readable(tmp_path):
    write(tmp_path / "bin.txt", b"\x00")
    with pytest.raises(DataError, match="no readable documents") as err:
        loader.load(tmp_path)
    assert err.value.code == "E2005"


def test_list_of_paths_gets_unique_ids(tmp_path):
    a = write(tmp_path / "one" / "notes.md", "a")
    b = write(tmp_path / "two" / "notes.md", "b")
    assert [d.id for d in loader.load([a, b])] == ["notes.md", "notes.md#2"]


def test_token_estimate_is_documented_method():
    assert estimate_tokens("") == 0
    assert estimate_tokens("abcd" * 100) == 100
    assert estimate_tokens("日本語") == 3  # 3 non-ASCII chars * 0.75 rounded up


def test_sample_project_loads_every_file():
    report = DataLoader().load_report(sample_project() / "data")
    assert {d.format for d in report.documents} == {"markdown", "csv", "vtt"}
    assert len(report.documents) == 6
    assert report.warnings == []
    survey = next(d for d in report.documents if d.format == "csv")
    assert survey.text.count("\n") == 31  # header and 30 responses
    assert survey.locate(survey.text.index("Receipts get lost")).row == 8


@given(st.binary(max_size=2000), st.sampled_from(
    [".txt", ".md", ".csv", ".tsv", ".json", ".jsonl", ".html", ".vtt", ".srt", ".docx", ""]))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_arbitrary_bytes_load_or_raise_data_error(tmp_path, data, suffix):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    try:
        doc = loader.load_one(path)
    except DataError as exc:
        assert exc.hint and exc.code.startswith("E2")
        return
    assert isinstance(doc.text, str)
    if doc.text:
        doc.locate(len(doc.text) // 2)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=2000))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_arbitrary_text_locates_every_offset(tmp_path, text):
    """Any text without NUL bytes (which mark binary files, see above) loads and locates."""
    doc = loader.load_one(write(tmp_path / "t.md", text))
    for offset in range(0, len(doc.text), max(1, len(doc.text) // 7)):
        assert doc.locate(offset).line >= 1


def test_source_strings_are_text_unless_they_name_an_existing_path(tmp_path, monkeypatch):
    from persona_tui.core.data.sources import coerce_sources

    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.md").write_text("Ana: hello")
    docs = coerce_sources(["~", "notes.md", "~0", "plain words"])
    assert [d.id for d in docs] == ["source-1", "notes.md", "source-3", "source-4"]
    assert docs[0].text == "~"
    # a text that is just "/" names the filesystem's root: it is text, never the whole disk
    # (an arbitrary-text audit test loaded "/" and ran until the machine's memory was gone)
    (root,) = coerce_sources([tmp_path.anchor])
    assert root.id == "source-1" and root.text == tmp_path.anchor
