"""The exclusivity detector: who is restricted, negation and scope, and the detector at every gate
(deal values, lint of the rules, clauses and template, and verify)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from contractkit import api
from contractkit.core.text import normalise
from contractkit.library import yamlio
from contractkit.library.exclusivity import Parties, detect
from contractkit.library.loading import Library
from contractkit.library.scaffold import specimen
from contractkit.library.sentences import units
from contractkit.word.xml import W, w

ISSUE_CAUGHT = [
    "Ardentis shall be the only company given access to the Data.",
    "For 24 months no other AI company may access the images.",
    "Kestrel Vale shall not provide the Data to any other company for 2 years.",
]
ISSUE_BENIGN = "Nothing in this Agreement gives the Partner an exclusive right to the Data."
PARTIES = Parties(nhs=("Kestrel Vale NHS Trust", "Kestrel Vale"), partners=("Ardentis Limited", "Ardentis"))


def kestrel_deal(special: list[str] | None = None) -> str:
    """The specimen deal with Kestrel Vale as the NHS party and Ardentis as the partner."""
    text = yamlio.dump(specimen("research-collaboration"))
    text = text.replace("Northby Teaching Hospitals NHS Foundation Trust", "Kestrel Vale NHS Trust")
    text = text.replace("Example Analytics Limited", "Ardentis Limited")
    text = text.replace("Northby", "Kestrel Vale").replace("Example Analytics", "Ardentis")
    if special:
        items = "".join(f"\n  - {json.dumps(s)}" for s in special)
        text = text.replace("special_conditions: []", f"special_conditions:{items}")
    return text


# ----------------------------------------------------------------------------- the issue's sentences


@pytest.mark.parametrize("sentence", ISSUE_CAUGHT)
def test_the_issue_sentences_are_caught(library: Library, sentence: str) -> None:
    hits = detect(sentence, library.rules, PARTIES)
    assert hits and all(h.words and normalise(h.words) in normalise(sentence) for h in hits)


def test_the_issue_benign_sentence_passes(library: Library) -> None:
    assert not detect(ISSUE_BENIGN, library.rules, PARTIES)


def test_a_hit_names_rule_family_description_words_and_line(library: Library) -> None:
    text = "The Partner shall keep records.\nKestrel Vale shall not provide the Data to any other company."
    (hit,) = detect(text, library.rules, PARTIES)
    assert (hit.rule, hit.family, hit.line) == ("nhs-not-share", "undertaking", 1)
    assert hit.words.startswith("shall not provide the Data") and "any other company" in hit.words
    assert hit.description in hit.summary() and "rule nhs-not-share, undertaking" in hit.summary()


# ----------------------------------------------------------------------------- who is restricted


@pytest.mark.parametrize(
    ("template", "nhs_restricted_is_exclusive"),
    [
        ("{X} shall not provide the Data to any other company for 2 years.", True),
        ("{X} undertakes not to share the images with any competitor of {Y}.", True),
        ("{X} shall ensure that the Data is not disclosed to any other company.", True),
        ("{X} shall not disclose the Data to any third party without the prior written consent of {Y}.", True),
    ],
)
def test_the_same_words_bind_the_nhs_or_the_partner(
    library: Library, template: str, nhs_restricted_is_exclusive: bool
) -> None:
    """An undertaking not to share is exclusivity when the NHS gives it, not when the partner does."""
    nhs_bound = template.format(X="Kestrel Vale", Y="Ardentis")
    partner_bound = template.format(X="Ardentis", Y="Kestrel Vale")
    assert bool(detect(nhs_bound, library.rules, PARTIES)) is nhs_restricted_is_exclusive
    assert not detect(partner_bound, library.rules, PARTIES)


@pytest.mark.parametrize(
    ("sentence", "caught"),
    [
        ("Only Ardentis may access the retinal images.", True),
        ("Only Kestrel Vale may access the retinal images.", False),
        ("Only Approved Users may access the retinal images.", False),
        ("The Data shall not be made available to any other company.", True),
        ("Data supplied to Ardentis shall not be made available to any other company.", False),
        ("The Data shall not be disclosed by Ardentis to any other company.", False),
        ("Ardentis shall have a right of first refusal over new data.", True),
        ("Kestrel Vale shall have a right of first refusal if Ardentis sells the Foreground IP.", False),
        ("Ardentis shall receive terms no less favourable than those given to any other company.", True),
        ("Ardentis shall offer every NHS Body terms no less favourable than those it gives any other customer.", False),
        ("The Trust agrees that it will not supply similar data to any rival of Ardentis.", True),
        ("Ardentis agrees that it will not supply similar data to any rival of Kestrel Vale.", False),
    ],
)
def test_roles_decide(library: Library, sentence: str, caught: bool) -> None:
    assert bool(detect(sentence, library.rules, PARTIES)) is caught, detect(sentence, library.rules, PARTIES)


@pytest.mark.parametrize(
    "sentence",
    [
        "The Partner shall have a non-exclusive licence to use the Data.",
        "No NHS Party shall grant any exclusive licence of the Data.",
        "Any term that would give the Partner an exclusive right to the Data is void.",
        "The Partner acquires no exclusive right, option or right of first refusal over the Data.",
        "Neither the Partner nor any other person acquires an exclusive right to the Data.",
        "The Partner shall not seek any exclusive right over the images.",
        "Kestrel Vale is not required to offer the Data to Ardentis before offering it to anyone else.",
        "The Trust shall not be prevented from providing the Data to other companies.",
    ],
)
def test_negation_and_scope(library: Library, sentence: str) -> None:
    assert not detect(sentence, library.rules, PARTIES)


def test_a_negation_does_not_reach_into_the_next_clause(library: Library) -> None:
    sentence = "Nothing in this clause limits the Fees, and the Partner shall have an exclusive licence to the Data."
    assert [h.rule for h in detect(sentence, library.rules, PARTIES)] == ["exclusive-right"]


def test_a_list_item_is_read_with_its_lead_in(library: Library) -> None:
    denied = "No NHS Party shall grant or agree to:\n  a right of first refusal;\n  a right to match another offer."
    granted = (
        "The Trust grants the Partner the following:\n  a right of first refusal;\n  a right to match another offer."
    )
    own = "No NHS Party shall agree to:\n  an option;\n  Ardentis shall be the only company given access to the Data."
    assert not detect(denied, library.rules, PARTIES)
    assert {h.rule for h in detect(granted, library.rules, PARTIES)} == {"first-right", "match-offer"}
    assert [h.line for h in detect(own, library.rules, PARTIES)] == [2], "an item that is a sentence stands alone"


def test_inline_lists_and_semicolons() -> None:
    found = [u.text for u in units("The Trust shall not: (a) sell the Data; (b) publish it; or (c) lose it.")]
    assert found == [
        "The Trust shall not: sell the Data",
        "The Trust shall not: publish it",
        "The Trust shall not: lose it.",
    ]
    assert [u.text for u in units("It is agreed; e.g. the Trust shall act. Dr A. Person signs.")] == [
        "It is agreed",
        "e.g. the Trust shall act.",
        "Dr A. Person signs.",
    ]


# ----------------------------------------------------------------------------- parties


def test_parties_from_a_deal(library: Library) -> None:
    deal = api.load_deal(Path(__file__).parent.parent / "examples" / "northby-sepsis.yaml", library)
    parties = Parties.from_deal(deal)
    assert parties.nhs == ("Northby Teaching Hospitals NHS Foundation Trust", "Northby")
    assert parties.partners == ("Example Analytics Limited", "Example Analytics")
    assert parties.data == ("Emergency Department Attendances",)


def test_parties_from_a_document_text() -> None:
    text = (
        "Kestrel Vale NHS Trust, an NHS body with ODS code RZZ01, of 1 Road, Kestrel (Kestrel Vale).\n"
        'Quorum Analytics Ltd ("Quorum") is the partner.\n'
        '"NHS Party" means Kestrel Vale and Glanmor.\n'
        "Lumen Imaging Limited (company number 09999999) acts as a controller."
    )
    parties = Parties.from_text(text)
    assert set(parties.nhs) == {"Kestrel Vale NHS Trust", "Kestrel Vale", "Glanmor"}
    assert set(parties.partners) == {"Quorum Analytics Ltd", "Quorum", "Lumen Imaging Limited"}


# ----------------------------------------------------------------------------- properties


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=400))
def test_any_text_is_read_and_hits_quote_it(library: Library, text: str) -> None:
    for hit in detect(text, library.rules, PARTIES):
        assert normalise(hit.words) in normalise(text).replace("\n", " ") or hit.words in normalise(text)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    before=st.sampled_from(["", "The Partner shall keep records. ", "Nothing limits the Fees.\n"]),
    after=st.sampled_from(["", " The Trust may audit.", "\nThe Partner shall not share the Data."]),
    index=st.integers(0, 2),
)
def test_a_caught_sentence_is_caught_among_others(library: Library, before: str, after: str, index: int) -> None:
    """Whatever benign sentences stand around it, an exclusivity sentence is still found."""
    sentence = ISSUE_CAUGHT[index]
    alone = {h.rule for h in detect(sentence, library.rules, PARTIES)}
    assert alone <= {h.rule for h in detect(before + sentence + after, library.rules, PARTIES)}


# ----------------------------------------------------------------------------- the deal gate


@pytest.mark.parametrize("sentence", ISSUE_CAUGHT)
def test_draft_refuses_the_issue_sentences_in_special_conditions(
    tmp_path: Path, cli: Callable[..., Result], sentence: str
) -> None:
    deal = tmp_path / "deal.yaml"
    deal.write_text(kestrel_deal([sentence]), encoding="utf-8")
    line = next(n for n, t in enumerate(deal.read_text().splitlines(), 1) if json.dumps(sentence) in t)
    result = cli("draft", deal, "-o", tmp_path / "out.docx")
    assert result.exit_code == 1 and not (tmp_path / "out.docx").exists()
    assert re.search(rf"deal.yaml:{line} special_conditions\[0\]: .*\(rule [a-z-]+, [a-z]+\): '", result.stderr)
    assert "conflicts with locked clause 'non-exclusivity', which protects P3" in result.stderr


def test_draft_accepts_the_issue_benign_sentence(tmp_path: Path, cli: Callable[..., Result]) -> None:
    deal = tmp_path / "deal.yaml"
    deal.write_text(kestrel_deal([ISSUE_BENIGN]), encoding="utf-8")
    result = cli("draft", deal, "-o", tmp_path / "out.docx")
    assert result.exit_code == 0, result.stderr


def test_every_string_in_a_deal_is_read_with_its_parties(tmp_path: Path, cli: Callable[..., Result]) -> None:
    """A rider sentence in a short name, or in the partner's name, is found where it was typed."""
    text = kestrel_deal().replace(
        "    short_name: Ardentis\n",
        "    short_name: Ardentis, which shall be the only company given access to the Data\n",
    )
    deal = tmp_path / "deal.yaml"
    deal.write_text(text, encoding="utf-8")
    result = cli("draft", deal, "-o", tmp_path / "out.docx")
    assert result.exit_code == 1
    assert re.search(r"deal.yaml:\d+ partners\[0\].short_name: .*only-organisation", result.stderr), result.stderr


# ----------------------------------------------------------------------------- verify


def _add_paragraph(data: bytes, clause_id: str, text: str) -> bytes:
    """A drafted DOCX with one more paragraph at the end of a clause's content control."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            payload = src.read(info.filename)
            if info.filename == "word/document.xml":
                root = etree.fromstring(payload)
                sdt = root.xpath(f"//w:sdt[w:sdtPr/w:tag/@w:val='ck:{clause_id}']", namespaces={"w": W})[0]
                last = list(sdt.iter(w("p")))[-1]
                new = etree.Element(w("p"))
                new.append(last.find(w("pPr")) if last.find(w("pPr")) is not None else etree.Element(w("pPr")))
                etree.SubElement(etree.SubElement(new, w("r")), w("t")).text = text
                last.addnext(new)
                payload = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            dst.writestr(info, payload)
    return out.getvalue()


@pytest.fixture(scope="module")
def kestrel_docx(library: Library, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    deal = tmp_path_factory.mktemp("kestrel") / "deal.yaml"
    deal.write_text(kestrel_deal(), encoding="utf-8")
    return api.render_docx(library, api.assemble(library, api.load_deal(deal, library)))


@pytest.mark.parametrize("sentence", ISSUE_CAUGHT)
def test_verify_without_a_deal_finds_the_issue_sentences(library: Library, kestrel_docx: bytes, sentence: str) -> None:
    """The document names Kestrel Vale as the NHS party: verify reads the parties from it."""
    from contractkit.checking.verify import verify

    report = verify(library, _add_paragraph(kestrel_docx, "intellectual-property", sentence))
    found = [f for f in report.findings if f.kind == "exclusivity"]
    assert not report.compliant and found and {f.clause for f in found} == {"intellectual-property"}
    assert all("(rule " in f.detail and f.principle == "P3" for f in found)


def test_verify_passes_the_genuine_document_and_the_benign_sentence(library: Library, kestrel_docx: bytes) -> None:
    from contractkit.checking.verify import verify

    assert not [f for f in verify(library, kestrel_docx).findings if f.kind == "exclusivity"]
    edited = _add_paragraph(kestrel_docx, "intellectual-property", ISSUE_BENIGN)
    assert not [f for f in verify(library, edited).findings if f.kind == "exclusivity"]


def test_verify_reads_an_altered_locked_clause_whole(library: Library, kestrel_docx: bytes) -> None:
    """Wording typed into a locked clause is read in its sentence, not as a fragment around the change."""
    from contractkit.checking.verify import verify

    edited = _add_paragraph(kestrel_docx, "national-benefit", ISSUE_CAUGHT[2])
    kinds = {(f.kind, f.clause) for f in verify(library, edited).findings}
    assert {("altered", "national-benefit"), ("exclusivity", "national-benefit")} <= kinds
