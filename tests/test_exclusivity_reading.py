"""How the exclusivity detector reads a sentence beyond its rules' words: asides between commas,
parties named in part, the party a pronoun or a possessive stands for, the party that "shall
procure that", an unknown name restricted from supplying the data, and the parties a document
defines. Each is a construction, tested with and without the party that makes it exclusivity."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from test_exclusivity import PARTIES, _add_paragraph, kestrel_deal

from contractkit import api
from contractkit.core.text import normalise
from contractkit.exclusivity import Parties, detect
from contractkit.library.exclusivity_parties import short_forms
from contractkit.library.loading import Library


def caught(library: Library, sentence: str, parties: Parties = PARTIES) -> set[str]:
    return {h.rule for h in detect(sentence, library.rules, parties)}


# ----------------------------------------------------------------------------- asides


@pytest.mark.parametrize(
    "sentence",
    [
        "Kestrel Vale shall refrain, for 36 months, from entering into any data partnership with a rival of Ardentis.",
        "The Data shall not, during the Term, be disclosed by Kestrel Vale to any person competing with Ardentis.",
        "Ardentis shall have an option, exercisable within twelve months, to acquire a licence of any further data.",
        "Ardentis's licence of the Data is, and shall remain, exclusive.",
    ],
)
def test_an_aside_between_commas_does_not_hide_the_term(library: Library, sentence: str) -> None:
    hits = detect(sentence, library.rules, PARTIES)
    assert hits
    assert all(normalise(h.words) in normalise(sentence) for h in hits), "the words are quoted as written"


@pytest.mark.parametrize(
    "sentence",
    [
        "Kestrel Vale may, but is not obliged to, offer further data to Ardentis first.",
        "Ardentis's licence of the Data is not, and shall never be, exclusive.",
        "Ardentis shall refrain, for 36 months, from entering into any data partnership with a rival of Kestrel Vale.",
    ],
)
def test_an_aside_that_denies_is_kept(library: Library, sentence: str) -> None:
    """An aside that holds a denial is part of the meaning: it is not read away."""
    assert not caught(library, sentence)


# ----------------------------------------------------------------------------- parties named in part


def test_short_forms_are_distinctive_word_initial_parts() -> None:
    assert short_forms(["Harrowden Moor NHS Foundation Trust"]) == {
        "Harrowden",
        "Harrowden Moor",
        "Harrowden Moor NHS",
        "Harrowden Moor NHS Foundation",
    }
    assert short_forms(["Royal Eastfield Hospitals"]) == {"Royal Eastfield"}, "'Royal' alone names no one"
    assert short_forms(["University of Fenwick"]) == set(), "a part that ends in 'of' is not a name"


def test_a_party_named_in_part_is_that_party(library: Library) -> None:
    parties = Parties(nhs=("Harrowden Moor NHS Foundation Trust",), partners=("Solvane Health AI Limited",))
    assert caught(library, "Harrowden Moor shall not supply the Data to any other company.", parties)
    assert not caught(library, "Solvane Health shall not supply the Data to any other company.", parties)


def test_a_part_shared_by_an_nhs_party_and_a_partner_names_neither(library: Library) -> None:
    parties = Parties(nhs=("Tamsford Integrated Care Board",), partners=("Tamsford Analytics Ltd",))
    assert not caught(library, "Tamsford shall not supply the Data to any other company.", parties)
    assert caught(library, "Tamsford Integrated shall not supply the Data to any other company.", parties)


# ----------------------------------------------------------------------------- who a pronoun stands for


def test_it_stands_for_the_last_party_that_is_a_subject(library: Library) -> None:
    entitled = "shall be entitled to have them offered to it before any other party."
    granted = f"Should Kestrel Vale release further images, Ardentis {entitled}"
    reverse = f"Should Ardentis release further images, Kestrel Vale {entitled}"
    assert caught(library, granted)
    assert not caught(library, reverse)


def test_its_consent_is_the_other_partys(library: Library) -> None:
    """A party does not consent to its own act, so in "obtain its consent" "its" is the other party."""
    consult = "Kestrel Vale shall consult Ardentis and obtain its consent before licensing the Data to another company."
    assert caught(library, consult)
    assert not caught(library, "Ardentis shall not disclose the Data to any other company without its consent.")


@pytest.mark.parametrize(
    ("governor", "exclusive"),
    [("Kestrel Vale", True), ("The Trust", True), ("Ardentis", False), ("The Licensee", False)],
)
def test_who_procures_that_no_one_else_gets_the_data(library: Library, governor: str, exclusive: bool) -> None:
    sentence = f"{governor} shall procure that no third party obtains access to the Data during the Term."
    assert bool(caught(library, sentence)) is exclusive


# ----------------------------------------------------------------------------- unknown names


@pytest.mark.parametrize(
    ("sentence", "exclusive"),
    [
        ("Greyfriars Eye Unit shall not license the retinal images to any other developer.", True),
        ("Greyfriars Eye Unit shall not collaborate with any other company.", False),  # no data: cannot tell
        ("Greyfriars Analytics Ltd shall not license the retinal images to any other developer.", False),
        ("Dr Amelia Brook shall not disclose the retinal images to any third party.", False),
    ],
)
def test_an_unknown_name_restricted_from_supplying_the_data(library: Library, sentence: str, exclusive: bool) -> None:
    """With the partner known, an unknown body (not a company, not a person) bound not to supply the
    data to others is read as an NHS party; with no partner known it cannot be told from the partner."""
    assert bool(caught(library, sentence)) is exclusive
    assert not caught(library, sentence, Parties(nhs=("Kestrel Vale NHS Trust",)))


def test_a_phrase_that_ends_in_the_data_is_the_data(library: Library) -> None:
    """A phrase such as "The Retinal Image Archive" is capitalised like a name but names the data."""
    assert caught(library, "The Retinal Image Archive shall not be made available to any other company.")


# ----------------------------------------------------------------------------- parties a document defines


@pytest.mark.parametrize(
    "text",
    [
        'Harrowden Moor NHS Foundation Trust (ODS code RHM) ("Harrowden") and Solvane Health AI Limited, a company '
        'registered in England with company number 09876543 ("Solvane").',
        "Harrowden Moor NHS Foundation Trust (ODS code RHM) (\u201cHarrowden\u201d) and Solvane Health AI Limited "
        "(company number 09876543) (\u201cSolvane\u201d).",
    ],
)
def test_a_short_name_defined_after_a_registration_or_a_description(text: str) -> None:
    parties = Parties.from_text(text)
    assert {"Harrowden Moor NHS Foundation Trust", "Harrowden"} <= set(parties.nhs)
    assert {"Solvane Health AI Limited", "Solvane"} <= set(parties.partners)


# ----------------------------------------------------------------------------- the gates


@pytest.mark.parametrize(
    ("sentence", "refused"),
    [
        ("Kestrel shall not provide the Data to any other company for 2 years.", True),
        ("Greyfriars Eye Unit shall not license the Data to any other developer.", True),
        ("Greyfriars Analytics Ltd shall not license the Data to any other developer.", False),
        ("Ardentis shall refrain, for 36 months, from supplying the Data to any other company.", False),
    ],
)
def test_draft_reads_special_conditions_with_the_deals_parties(
    tmp_path: Path, cli: Callable[..., Result], sentence: str, refused: bool
) -> None:
    deal = tmp_path / "deal.yaml"
    deal.write_text(kestrel_deal([sentence]), encoding="utf-8")
    result = cli("draft", deal, "-o", tmp_path / "out.docx")
    assert (result.exit_code == 1) is refused, result.stderr
    if refused:
        line = next(n for n, t in enumerate(deal.read_text().splitlines(), 1) if json.dumps(sentence) in t)
        assert re.search(rf"deal.yaml:{line} special_conditions\[0\]: ", result.stderr)


@pytest.fixture(scope="module")
def kestrel_docx(library: Library, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    deal = tmp_path_factory.mktemp("kestrel") / "deal.yaml"
    deal.write_text(kestrel_deal(), encoding="utf-8")
    return api.render_docx(library, api.assemble(library, api.load_deal(deal, library)))


@pytest.mark.parametrize(
    ("sentence", "exclusive"),
    [
        ("Kestrel shall refrain, for 36 months, from supplying the Data to any other company.", True),
        ("Greyfriars Eye Unit shall not license the Data to any other developer.", True),
        ("Ardentis shall refrain, for 36 months, from supplying the Data to any other company.", False),
    ],
)
def test_verify_reads_a_document_with_the_parties_it_names(
    library: Library, kestrel_docx: bytes, sentence: str, exclusive: bool
) -> None:
    """Verified without a deal, the parties come from the document's own parties clause."""
    from contractkit.checking.verify import verify

    report = verify(library, _add_paragraph(kestrel_docx, "intellectual-property", sentence))
    found = [f for f in report.findings if f.kind == "exclusivity"]
    assert bool(found) is exclusive, [f.detail for f in found]
