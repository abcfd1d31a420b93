"""PDF text prints each numbered paragraph's number; a loop drafted as one paragraph per item (the
special conditions) has the later items' numbers inside what the loop's wildcard captures. They
are cut from the text the manifest hash is taken over, in sequence, and nothing else is."""

from __future__ import annotations

import pytest

from contractkit.checking.verify_text import _item_labels, _next_labels


@pytest.mark.parametrize(
    ("label", "following"),
    [
        ("28.2", ("28.3",)),
        ("4.", ("5.",)),
        ("1.9.9", ("1.9.10",)),
        ("(a)", ("(b)",)),
        ("(h)", ("(i)",)),
        ("(iv)", ("(v)",)),
        ("(IX)", ("(X)",)),
        ("(z)", ()),
    ],
)
def test_the_next_number_of_the_same_level(label: str, following: tuple[str, ...]) -> None:
    assert _next_labels(label) == following


@pytest.mark.parametrize("label", ["(i)", "(v)", "(x)"])
def test_a_letter_that_is_also_a_numeral_may_go_either_way(label: str) -> None:
    assert len(_next_labels(label)) == 2


def cut(text: str, start: str, first: str) -> str:
    at = text.index(start)
    out, pos = [], at
    for a, b in _item_labels(text, (at, len(text)), first):
        out.append(text[pos:a])
        pos = b
    return "".join(out) + text[pos:]


@pytest.mark.parametrize(
    ("text", "first", "left"),
    [
        ("28.2 One. 28.3 Two. 28.4 Three.", "28.2", "One. Two. Three."),
        # a number out of sequence, or one already passed, is the item's own words
        ("28.2 See clause 28.4. 28.3 Two.", "28.2", "See clause 28.4. Two."),
        ("28.2 One. 28.3 Two, as in 28.3 above.", "28.2", "One. Two, as in 28.3 above."),
        ("(a) One; (b) two; (c) three.", "(a)", "One; two; three."),
        ("(h) One; (i) two; (j) three.", "(h)", "One; two; three."),
        ("(i) One; (ii) two; (iii) three.", "(i)", "One; two; three."),
    ],
)
def test_later_items_numbers_are_cut_in_sequence(text: str, first: str, left: str) -> None:
    start = text.split(" ", 1)[1]
    assert cut(text, start, first) == left
