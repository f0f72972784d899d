"""JSON extraction from model output as it comes in the wild."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from persona_tui.core.utils.json_extractor import (
    JSONExtractor,
    extract_json,
    extract_json_objects,
)

ex = JSONExtractor()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', {"a": 1}),
        ("```json\n{\"a\": 1}\n```", {"a": 1}),
        ("```\n[1, 2]\n```", [1, 2]),
        ("```JSON  \n{\"a\": 1}\n```", {"a": 1}),
        ('Here are the personas:\n{"a": 1}\nHope this helps!', {"a": 1}),
        ('{"a": "brace } and { inside", "b": "esc \\" quote"}',
         {"a": "brace } and { inside", "b": 'esc " quote'}),
        ('{"a": [1, 2, ], "b": {"c": 3,},}', {"a": [1, 2], "b": {"c": 3}}),
        ('{\n  // a comment\n  "a": 1, # another\n  "b": /* inline */ 2\n}', {"a": 1, "b": 2}),
        ("{\u201cname\u201d: \u201cAna\u201d}", {"name": "Ana"}),
        ('{"q": "she said \u201chi\u201d"}', {"q": "she said \u201chi\u201d"}),
        ('{"a": True, "b": False, "c": None}', {"a": True, "b": False, "c": None}),
        ("{'a': 'single', 'b': 'it\\'s'}", {"a": "single", "b": "it's"}),
        ("{name: \"Ana\", age: 3}", {"name": "Ana", "age": 3}),
        ('{"text": "line one\nline two"}', {"text": "line one\nline two"}),
        ('{"u": "caf\\u00e9"}', {"u": "café"}),
    ],
)
def test_extracts_and_repairs_unambiguous_slips(text, expected):
    assert ex.extract(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "no json here at all",
        '{"a": 1,, "b": 2}',                # missing value: ambiguous
        "{'a': 'don't'}",                   # apostrophe ends the single-quoted string
        '{"a": 1 "b": 2}',                  # missing comma: not guessed
        '{"a": [1, 2, 3',                   # cut off
        '{"personas": [{"name": "A"}, {"na',  # cut off mid-list
        "[1, 2",
        '{"a": tru',
        '{"a": "unterminated',
    ],
)
def test_refuses_ambiguous_or_cut_off_text(text):
    assert ex.extract(text) is None
    assert ex.extract_all(text) == []


def test_fenced_block_preferred_over_prose_brackets():
    text = 'See [1] for details.\n```json\n{"personas": []}\n```'
    assert ex.extract(text) == {"personas": []}
    assert ex.extract_all(text) == [[1], {"personas": []}]


def test_extract_all_returns_every_top_level_value_in_order():
    text = 'first {"a": 1} then [2, 3] and {"b": {"c": [4]}} end'
    assert ex.extract_all(text) == [{"a": 1}, [2, 3], {"b": {"c": [4]}}]
    assert extract_json_objects(text) == ex.extract_all(text)
    assert extract_json(text) == {"a": 1}


def test_values_before_a_cut_off_tail_are_kept():
    text = '{"a": 1} and then {"b": [1, 2'
    assert ex.extract_all(text) == [{"a": 1}]
    assert ex.extract(text) == {"a": 1}


def test_salvage_keeps_complete_members_and_names_the_cut():
    text = '```json\n{"personas": [{"name": "A"}, {"name": "B", "goals": ["x"]}, {"name": "C", "go'
    salvaged = ex.salvage(text)
    assert salvaged is not None and salvaged.truncated
    assert salvaged.value["personas"][:2] == [{"name": "A"}, {"name": "B", "goals": ["x"]}]
    assert salvaged.is_cut(("personas", 2))
    assert not salvaged.is_cut(("personas", 1))
    assert salvaged.is_cut(())


def test_salvage_drops_a_number_that_may_be_cut():
    salvaged = ex.salvage('{"name": "A", "age": 3')
    assert salvaged.value == {"name": "A"}


def test_salvage_of_complete_text_is_none():
    assert ex.salvage('{"a": 1}') is None


def test_deep_nesting_does_not_crash():
    deep = "[" * 5000 + "]" * 5000
    assert isinstance(ex.extract_all(deep), list)
    assert ex.extract("[" * 5000) is None


def test_pathological_unclosed_brackets_are_fast_enough():
    # memoisation keeps this linear; quadratic behaviour would take minutes
    text = "[ x" * 20000
    assert ex.extract(text) is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@given(st.text())
@settings(max_examples=300, deadline=None)
def test_arbitrary_text_never_crashes(text):
    result = ex.extract(text)
    assert result is None or isinstance(result, (dict, list))
    assert isinstance(ex.extract_all(text), list)
    ex.salvage(text)


@given(value=json_values.filter(lambda v: isinstance(v, (dict, list))),
       before=st.text(alphabet=st.characters(blacklist_characters="[]{}"), max_size=40),
       after=st.text(max_size=40))
@settings(max_examples=200, deadline=None)
def test_never_returns_a_value_the_text_does_not_hold(value, before, after):
    """Whatever prose surrounds a valid value, what comes back is exactly that value."""
    text = f"{before}{json.dumps(value)}{after}"
    assert ex.extract(text) == value


@given(value=json_values.filter(lambda v: isinstance(v, (dict, list)) and len(v) > 0),
       cut=st.integers(min_value=1))
@settings(max_examples=200, deadline=None)
def test_a_cut_off_value_is_never_returned_as_complete(value, cut):
    dumped = json.dumps(value)
    prefix = dumped[: max(1, cut % len(dumped))]
    assert ex.extract(prefix) is None
