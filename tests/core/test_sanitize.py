from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from persona_tui.core.utils.sanitize import MAX_DEPTH, clean_tree, strip_control


def test_escape_sequences_and_controls_are_removed():
    text = ("a\x1b[31mred\x1b[0m b\x1b]0;evil title\x07c \x1b]8;;http://x\x1b\\link"
            "\x1b]8;;\x1b\\ d\x1bPdcs\x1b\\e\x9b2Jf\x00g\x08h\x7fi")
    assert strip_control(text) == "ared bc link defghi"


def test_newlines_tabs_and_markup_are_kept_literally():
    assert strip_control("[bold]x[/]\n\ty\r\n") == "[bold]x[/]\n\ty\n"


@given(st.text())
def test_output_never_contains_control_characters(text):
    cleaned = strip_control(text)
    assert all(c in "\n\t" or not (ord(c) < 32 or 0x7f <= ord(c) <= 0x9f) for c in cleaned)


def _every_pass(text: str) -> str:
    """The sanitiser without its early return: all three substitutions, always."""
    from persona_tui.core.utils import sanitize

    text = sanitize._ESCAPES.sub("", text)
    text = sanitize._CONTROLS.sub("", text.replace("\r\n", "\n"))
    return sanitize._SURROGATES.sub("\ufffd", text)


#: text as models and files give it, with now and then one of the characters that matter
_MIXED = st.text(alphabet=st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from("\x1b\x9b\x9d\x90\x98\x9e\x9f\x07\x9c\r\n\t\x00\x7f\ud800[]\\;0P"),
))


@given(st.one_of(st.text(), _MIXED))
def test_the_early_return_changes_nothing(text):
    """Clean text is returned after one search instead of three substitutions (the live
    parse sanitises every string of every persona): the result is the same for any text."""
    assert strip_control(text) == _every_pass(text)



def _clean_tree_reference(value, depth=0):
    """:func:`clean_tree` as first written: one call per node."""
    if isinstance(value, str):
        return strip_control(value)
    if depth >= MAX_DEPTH and isinstance(value, (dict, list, tuple)):
        return None
    if isinstance(value, dict):
        return {strip_control(k) if isinstance(k, str) else k:
                _clean_tree_reference(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean_tree_reference(item, depth + 1) for item in value]
    return value


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _MIXED,
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(_MIXED | st.integers(), inner, max_size=4),
    max_leaves=30)


@given(_JSON)
def test_clean_tree_cleans_every_string_as_before(value):
    assert clean_tree(value) == _clean_tree_reference(value)


def test_clean_tree_drops_what_nests_deeper_than_its_limit():
    deep: object = "\x1b[2Jleaf"
    for level in range(MAX_DEPTH + 3):
        deep = [deep] if level % 2 else {"k\x07": deep}
    assert clean_tree(deep) == _clean_tree_reference(deep)
    node, levels = clean_tree(deep), 0
    while isinstance(node, (dict, list)):
        node = node[0] if isinstance(node, list) else node["k"]
        levels += 1
    assert node is None and levels == MAX_DEPTH
