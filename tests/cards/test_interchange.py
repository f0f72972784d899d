"""Character Card V3, V2, PNG and CHARX: exports, imports, round trips, the PNG chunks as the
V3 spec lays them out, and malformed files."""

from __future__ import annotations

import base64
import io
import json
import struct
import zipfile
import zlib

import pytest

from persona_tui.core.data import DataLoader
from persona_tui.core.errors import DataError, ValidationError
from persona_tui.core.generation.parser import PersonaParser
from persona_tui.core.scripts.cards_io import load_card
from persona_tui.core.scripts.formats import (
    EXTENSIONS,
    FORMATS,
    V3_ONLY_NOTICE,
    embed_in_png,
    export_bytes,
    extract_from_png,
    render,
    to_character_card_v2,
    to_character_card_v3,
    to_charx,
)
from persona_tui.core.scripts.generator import ScriptGenerator
from persona_tui.core.scripts.lorebook import topic_words
from persona_tui.core.scripts.privacy import PrivacyAuditor
from persona_tui.resources import sample_project

DOCS = DataLoader().load(sample_project() / "data")
PERSONAS = PersonaParser().parse((sample_project() / "personas.json").read_text("utf-8"),
                                 sources=DOCS).personas
SAMPLE_CARD = load_card(sample_project() / "cards" / "ledger-keeper.json")

FOREIGN_V3 = {
    "spec": "chara_card_v3", "spec_version": "3.0",
    "data": {
        "name": "Captain Rowe", "description": "A retired sailor.", "tags": ["sea"],
        "creator": "someone", "character_version": "7", "mes_example": "",
        "extensions": {"depth_prompt": {"depth": 4, "prompt": "salt"}, "fav": True,
                       "talkativeness": "0.5"},
        "system_prompt": "", "post_history_instructions": "Stay gruff.", "first_mes": "Ahoy.",
        "alternate_greetings": [], "personality": "gruff, loyal", "scenario": "At the harbour.",
        "creator_notes": "by someone", "group_only_greetings": [],
        "creation_date": 1700000000, "modification_date": 1710000000,
        "source": ["https://example.org/cards/rowe"],
        "character_book": {"extensions": {}, "entries": [
            {"keys": ["harbour"], "content": "Rowe ran the harbour ferry for thirty years.",
             "extensions": {}, "enabled": True, "insertion_order": 1, "use_regex": False},
            {"keys": ["secret"], "content": "hidden", "extensions": {}, "enabled": False,
             "insertion_order": 2, "use_regex": False}]},
    },
}


# --- a PNG reader written from the PNG and Character Card V3 specs, independent of ours ------

def chunks_of(png: bytes) -> list[tuple[bytes, bytes]]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    offset, found = 8, []
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset:offset + 4])
        kind = png[offset + 4:offset + 8]
        data = png[offset + 8:offset + 8 + length]
        (crc,) = struct.unpack(">I", png[offset + 8 + length:offset + 12 + length])
        assert crc == zlib.crc32(kind + data), f"bad CRC in {kind!r}"
        found.append((kind, data))
        offset += 12 + length
    return found


def card_chunks(png: bytes) -> dict[str, list[dict]]:
    texts: dict[str, list[dict]] = {}
    for kind, data in chunks_of(png):
        if kind == b"tEXt":
            key, _, value = data.partition(b"\x00")
            texts.setdefault(key.decode("latin-1"), []).append(
                json.loads(base64.b64decode(value, validate=True).decode("utf-8")))
    return texts


def test_every_format_exports_with_its_extension():
    assert set(FORMATS) == set(EXTENSIONS)
    for fmt in FORMATS:
        blob = export_bytes(SAMPLE_CARD, fmt)
        assert blob, fmt
    with pytest.raises(ValidationError, match="binary"):
        render(SAMPLE_CARD, "png")


def test_v3_json_fields_notice_provenance_and_dates():
    v3 = json.loads(render(SAMPLE_CARD, "chara_card_v3"))
    assert v3["spec"] == "chara_card_v3" and v3["spec_version"] == "3.0"
    data = v3["data"]
    for key in ("name", "description", "tags", "creator", "character_version", "mes_example",
                "extensions", "system_prompt", "post_history_instructions", "first_mes",
                "alternate_greetings", "personality", "scenario", "creator_notes",
                "group_only_greetings"):
        assert key in data, key
    assert data["group_only_greetings"] == []
    assert data["creation_date"] == 0 and data["modification_date"] == 0
    notes = data["creator_notes"]
    assert notes.startswith("SYNTHETIC PERSONA — not a real person.")
    assert "composite" in notes and "'ledger-keeper'" in notes
    assert f"persona-tui {SAMPLE_CARD.provenance.generator_version}" in notes
    assert "SYNTHETIC" not in data["description"]  # the notice is not prompt text…
    assert "SYNTHETIC PERSONA" in data["system_prompt"]  # …but the model is still told
    assert data["extensions"]["persona_tui"]["id"] == "ledger-keeper"


def test_lorebook_entries_are_keyed_by_topic_and_never_quote_a_participant():
    generator = ScriptGenerator()
    for persona in PERSONAS:
        card = generator.generate(persona, sources=DOCS)
        book = to_character_card_v3(card)["data"]["character_book"]
        assert book["entries"], persona.name
        contents = " ".join(e["content"] for e in book["entries"]).casefold()
        for quote in persona.quotes:
            assert quote.casefold().strip(" .") not in contents
        for entry in book["entries"]:
            assert entry["keys"][0] in {"goal", "motivation", "frustration", "habit",
                                        "knowledge"}
            assert all(len(k.split()) == 1 for k in entry["keys"])  # topics, not phrases
            assert entry["enabled"] and entry["use_regex"] is False
            assert isinstance(entry["insertion_order"], int) and entry["extensions"] == {}
        leaks = [f for e in book["entries"] for f in PrivacyAuditor().check_leakage(
            e["content"], DOCS) if f.severity == "high"]
        assert leaks == []
    goals = SAMPLE_CARD.psychological_profile.goals
    entry = to_character_card_v3(SAMPLE_CARD)["data"]["character_book"]["entries"][0]
    assert entry["content"] == f"Alex Brennan wants {goals[0]}."
    assert entry["keys"] == ["goal", *topic_words(goals[0])]


def test_topic_words_skip_stopwords_and_keep_order():
    assert topic_words("Turn money conversations into a routine") == \
        ["money", "conversations", "routine"]
    assert topic_words("a an the") == []


@pytest.mark.parametrize("fmt", ["chara_card_v2", "chara_card_v3", "png", "charx", "json"])
def test_our_card_round_trips_through_every_card_format(tmp_path, fmt):
    path = tmp_path / f"card{EXTENSIONS[fmt]}"
    path.write_bytes(export_bytes(SAMPLE_CARD, fmt))
    assert load_card(path) == SAMPLE_CARD


@pytest.mark.parametrize("fmt", ["chara_card_v3", "png", "charx"])
def test_a_foreign_v3_card_keeps_unknown_extensions_dates_and_source(tmp_path, fmt):
    original = tmp_path / "rowe.json"
    original.write_text(json.dumps(FOREIGN_V3))
    card = load_card(original)
    assert card.identity.name == "Captain Rowe" and card.id == "captain-rowe"
    assert card.knowledge_boundaries.knows == ["Rowe ran the harbour ferry for thirty years."]
    assert card.imported.creation_date == 1700000000
    exported = tmp_path / f"rowe{EXTENSIONS[fmt]}"
    exported.write_bytes(export_bytes(card, fmt))
    again = load_card(exported)
    assert again == card
    v3 = to_character_card_v3(again)["data"]
    for key, value in FOREIGN_V3["data"]["extensions"].items():
        assert v3["extensions"][key] == value
    assert v3["creation_date"] == 1700000000 and v3["modification_date"] == 1710000000
    assert v3["source"] == ["https://example.org/cards/rowe"]


def test_a_foreign_v2_card_keeps_unknown_extensions(tmp_path):
    foreign = {"spec": "chara_card_v2", "spec_version": "2.0", "data": {
        **{k: v for k, v in FOREIGN_V3["data"].items()
           if k not in ("group_only_greetings", "creation_date", "modification_date",
                        "source")}}}
    (tmp_path / "rowe.json").write_text(json.dumps(foreign))
    card = load_card(tmp_path / "rowe.json")
    v2 = to_character_card_v2(card)
    assert v2["data"]["extensions"]["depth_prompt"] == {"depth": 4, "prompt": "salt"}
    assert v2["data"]["extensions"]["fav"] is True
    (tmp_path / "back.v2.json").write_text(json.dumps(v2))
    assert load_card(tmp_path / "back.v2.json") == card
    assert card.imported.creation_date is None  # V2 has no dates; nothing invented


def test_json_of_a_card_made_here_has_no_imported_key():
    assert "imported" not in json.loads(render(SAMPLE_CARD, "json"))


def test_png_chunks_follow_the_v3_spec():
    png = embed_in_png(SAMPLE_CARD)
    kinds = [kind for kind, _ in chunks_of(png)]
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND"
    assert kinds.count(b"tEXt") == 2
    texts = card_chunks(png)
    assert set(texts) == {"ccv3", "chara"}
    (v3,), (v2,) = texts["ccv3"], texts["chara"]
    assert v3["spec"] == "chara_card_v3" and v3["spec_version"] == "3.0"
    assert v2["spec"] == "chara_card_v2" and v2["spec_version"] == "2.0"
    assert v2["data"]["creator_notes"].startswith(V3_ONLY_NOTICE)  # the backfill is marked
    assert not v3["data"]["creator_notes"].startswith(V3_ONLY_NOTICE)
    assert v3["data"]["name"] == v2["data"]["name"] == "Alex Brennan"


def test_embedding_twice_replaces_the_card_and_keeps_other_chunks():
    picture = embed_in_png(SAMPLE_CARD)
    # another tool's tEXt chunk ("Comment" = "hi"), just after IHDR
    data = b"Comment\x00hi"
    comment = struct.pack(">I", len(data)) + b"tEXt" + data + \
        struct.pack(">I", zlib.crc32(b"tEXt" + data))
    ihdr_end = 8 + 12 + 13
    picture = picture[:ihdr_end] + comment + picture[ihdr_end:]
    renamed = SAMPLE_CARD.model_copy(update={"identity": SAMPLE_CARD.identity.model_copy(
        update={"name": "Ålex Brennan-Ōta"})})
    again = embed_in_png(renamed, picture)
    texts = [data.partition(b"\x00")[0] for kind, data in chunks_of(again) if kind == b"tEXt"]
    assert sorted(texts) == [b"Comment", b"ccv3", b"chara"]
    assert extract_from_png(again).identity.name == "Ålex Brennan-Ōta"  # UTF-8 survives


def test_ccv3_wins_over_chara_when_both_are_present():
    v2_only = embed_in_png(SAMPLE_CARD.model_copy(update={
        "identity": SAMPLE_CARD.identity.model_copy(update={"name": "Old Name"})}))
    chunks = chunks_of(v2_only)
    chara = next(d for k, d in chunks if k == b"tEXt" and d.startswith(b"chara\x00"))
    both = embed_in_png(SAMPLE_CARD)
    ccv3 = next(d for k, d in chunks_of(both) if k == b"tEXt" and d.startswith(b"ccv3\x00"))

    def chunk(data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + b"tEXt" + data + \
            struct.pack(">I", zlib.crc32(b"tEXt" + data))

    head, iend = both[:8 + 25], both[-12:]
    mixed = head + chunk(chara) + chunk(ccv3) + iend  # V2 first in the file
    assert extract_from_png(mixed).identity.name == "Alex Brennan"


def test_charx_holds_card_json_at_its_root_and_the_icon(tmp_path):
    picture = embed_in_png(SAMPLE_CARD)
    blob = to_charx(SAMPLE_CARD, image=picture)
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        names = archive.namelist()
        assert names[0] == "card.json"
        card = json.loads(archive.read("card.json"))
        assert card["spec"] == "chara_card_v3"
        assert card["data"]["assets"] == [{"type": "icon", "name": "main", "ext": "png",
                                           "uri": "embeded://assets/icon/images/main.png"}]
        assert archive.read("assets/icon/images/main.png") == picture
        assert all(not info.flag_bits & 0x1 for info in archive.infolist())  # not encrypted
    assert to_charx(SAMPLE_CARD) == to_charx(SAMPLE_CARD)  # no timestamps inside
    default = json.loads(zipfile.ZipFile(io.BytesIO(to_charx(SAMPLE_CARD))).read("card.json"))
    assert default["data"]["assets"][0]["uri"] == "ccdefault:"


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "blob", "message"), [
    ("cut.png", embed_in_png(SAMPLE_CARD)[:60], "cut off"),
    ("crc.png", embed_in_png(SAMPLE_CARD)[:-5] + b"\x00" + embed_in_png(SAMPLE_CARD)[-4:],
     "CRC"),
    ("nocard.charx", _zip({"other.json": b"{}"}), "no card.json"),
    ("notjson.charx", _zip({"card.json": b"{not json"}), "not valid JSON"),
    ("array.charx", _zip({"card.json": b"[1, 2]"}), "card object"),
    ("broken.charx", b"PK\x03\x04" + b"\x00" * 40, "not a readable zip"),
])
def test_malformed_files_are_clear_errors(tmp_path, name, blob, message):
    path = tmp_path / name
    path.write_bytes(blob)
    with pytest.raises(DataError, match=message) as err:
        load_card(path)
    assert err.value.code == "E2006" and err.value.hint


def test_a_png_chunk_that_is_not_base64_json_and_a_png_without_a_card(tmp_path):
    data = b"ccv3\x00%%%not base64%%%"
    bad = struct.pack(">I", len(data)) + b"tEXt" + data + \
        struct.pack(">I", zlib.crc32(b"tEXt" + data))
    plain = embed_in_png(SAMPLE_CARD)
    kept = b"".join(
        struct.pack(">I", len(d)) + k + d + struct.pack(">I", zlib.crc32(k + d))
        for k, d in chunks_of(plain) if k != b"tEXt")
    (tmp_path / "plain.png").write_bytes(plain[:8] + kept)
    with pytest.raises(ValidationError, match="no character card"):
        load_card(tmp_path / "plain.png")
    with_bad = plain[:8] + kept[:25] + bad + kept[25:]
    (tmp_path / "bad.png").write_bytes(with_bad)
    with pytest.raises(DataError, match="base64"):
        load_card(tmp_path / "bad.png")


def test_a_v3_card_with_an_invalid_embedded_card_names_the_field(tmp_path):
    payload = to_character_card_v3(SAMPLE_CARD)
    payload["data"]["extensions"]["persona_tui"]["identity"]["name"] = ""
    (tmp_path / "x.json").write_text(json.dumps(payload))
    with pytest.raises(ValidationError, match="identity.name"):
        load_card(tmp_path / "x.json")
