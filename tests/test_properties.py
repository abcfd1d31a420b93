"""Properties: any deal value survives render and read-back; locked clauses are always present;
renders are deterministic; clause numbering is always consecutive."""

from __future__ import annotations

from typing import Any

from conftest import agreeing
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from contractkit import api
from contractkit.core.text import normalise
from contractkit.errors import ValidationFailed
from contractkit.library.deal import Deal
from contractkit.library.exclusivity import Parties, detect
from contractkit.library.loading import Library
from contractkit.library.scaffold import specimen
from contractkit.library.yamlio import CONTROL_CHARS
from contractkit.word import xml as docx_io

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Any printable text a lawyer might type, including markup and template syntax; never XML-illegal.
values = (
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
        min_size=1,
        max_size=60,
    )
    .map(str.strip)
    .filter(lambda s: bool(s) and not CONTROL_CHARS.search(s))
)
FIELDS = [("purpose", "description"), ("purpose", "aim"), ("agreement", "title")]
# A legal name is a name (contractkit/shapes.py): letters in any alphabet, digits, spaces and & ' . , ( ) / -.
names = st.text(
    alphabet=st.characters(categories=("L", "Nd"), include_characters=" &'.,()/-"), min_size=1, max_size=60
).filter(lambda s: any(c.isalpha() for c in s) and len(s.split()) <= 20 and bool(s.strip()))


def _set(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    node: Any = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


def _render(library: Library, data: dict[str, Any]) -> tuple[Deal, bytes]:
    """Render a generated deal; values a deal may not hold (e.g. exclusivity words) are skipped."""
    try:
        deal = Deal.model_validate(data)
        texts = [str(v) for v in data["purpose"].values()]
        assume(not [h for t in texts for h in detect(t, library.rules, Parties.from_deal(deal))])
        return deal, api.render_docx(library, api.assemble(library, deal))
    except ValidationFailed:
        assume(False)
        raise


@SETTINGS
@given(
    choice=st.one_of(
        st.tuples(values, st.sampled_from(FIELDS)),
        st.tuples(names.map(str.strip), st.just(("partners", 0, "name"))),
    )
)
def test_any_value_survives_render_and_read_back(library: Library, choice: tuple[str, tuple[Any, ...]]) -> None:
    value, field = choice
    data = specimen("research-collaboration")
    _set(data, field, value)
    _, docx = _render(library, data)
    text = normalise(" ".join(b.text for b in docx_io.read_docx(docx).blocks))
    assert normalise(value) in text


def _ladders(library: Library) -> list[tuple[str, list[str]]]:
    playbook = library.playbooks["research-collaboration"]
    return [(e.clause, [r.position for r in e.ladder.rungs]) for e in playbook.entries() if e.ladder]


@SETTINGS
@given(data=st.data(), processor=st.booleans(), wales=st.booleans())
def test_locked_clauses_always_present_and_numbering_consecutive(
    library: Library, data: st.DataObject, processor: bool, wales: bool
) -> None:
    deal_data = specimen("research-collaboration")
    deal_data["positions"] = {c: data.draw(st.sampled_from(rungs)) for c, rungs in _ladders(library)}
    deal_data["data"]["processor_used"] = processor
    deal_data["governing_law"] = "wales" if wales else None
    agreement = api.assemble(library, Deal.model_validate(agreeing(library, deal_data)))
    blocks = docx_io.read_docx(api.render_docx(library, agreement)).blocks
    locked = {c.id for c in library.clauses.values() if c.status == "locked"}
    assert locked <= {b.clause for b in blocks if b.locked}
    assert [c.number for c in agreement.clauses] == [str(n) for n in range(1, len(agreement.clauses) + 1)]


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=values)
def test_two_renders_are_byte_identical(library: Library, value: str) -> None:
    data = specimen("research-collaboration")
    data["purpose"]["description"] = value
    deal, first = _render(library, data)
    assert first == api.render_docx(library, api.assemble(library, deal))
