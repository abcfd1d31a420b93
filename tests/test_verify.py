"""`contractkit verify`: a corpus of tampered documents made from freshly drafted examples."""

from __future__ import annotations

import copy
import io
import json
import os
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from conftest import example, manifest_of, needs_soffice, with_manifest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree

from contractkit import api
from contractkit.checking import verify
from contractkit.core.findings import Report
from contractkit.core.pattern import shown, template_paragraphs
from contractkit.core.text import normalise
from contractkit.drafting.assemble import Agreement
from contractkit.library.deal import Deal
from contractkit.library.loading import Library
from contractkit.trust import keys
from contractkit.word.xml import W, w

EXCLUSIVE = "The Partner shall have an exclusive licence to use the NHS Data for five years."
DEAL = "northby-sepsis"

# ----------------------------------------------------------------------------- helpers


def locked_ids(agreement: Agreement) -> list[str]:
    return [p.id for p in agreement.all_clauses() if p.locked]


def edit(data: bytes, change: Callable[[etree._Element], None], part: str = "word/document.xml") -> bytes:
    """Apply `change` to one XML part of a DOCX and zip it up again."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            payload = src.read(info.filename)
            if info.filename == part:
                root = etree.fromstring(payload)
                change(root)
                payload = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            dst.writestr(info, payload)
    return out.getvalue()


def control(root: etree._Element, clause_id: str) -> etree._Element:
    return root.xpath(f"//w:sdt[w:sdtPr/w:tag/@w:val='ck:{clause_id}']", namespaces={"w": W})[0]


def body_texts(root: etree._Element, clause_id: str) -> list[etree._Element]:
    """The w:t elements of a clause's paragraphs after its heading."""
    paragraphs = control(root, clause_id).iter(w("p"))
    next(paragraphs)
    return [t for p in paragraphs for t in p.iter(w("t")) if (t.text or "").strip()]


def change_word(clause_id: str, index: int = 0, word: str = "XYZZY") -> Callable[[etree._Element], None]:
    def change(root: etree._Element) -> None:
        texts = body_texts(root, clause_id)
        target = texts[index % len(texts)]
        words = (target.text or "").split(" ")
        position = next(i for i, x in enumerate(words) if x.isalpha())
        words[position] = word
        target.text = " ".join(words)

    return change


def remove_clause(clause_id: str) -> Callable[[etree._Element], None]:
    def change(root: etree._Element) -> None:
        sdt = control(root, clause_id)
        sdt.getparent().remove(sdt)

    return change


def add_paragraph(clause_id: str | None, text: str) -> Callable[[etree._Element], None]:
    """A new paragraph at the end of a clause, or (None) after the first schedule table."""

    def change(root: etree._Element) -> None:
        if clause_id is None:
            anchor = root.iter(w("tbl")).__next__()
            new = copy.deepcopy(anchor.getnext())
        else:
            anchor = list(control(root, clause_id).iter(w("p")))[-1]
            new = copy.deepcopy(anchor)
        for run in new.findall(w("r")):
            new.remove(run)
        run = etree.SubElement(new, w("r"))
        etree.SubElement(run, w("t")).text = text
        anchor.addnext(new)

    return change


def tracked_deletion(clause_id: str) -> Callable[[etree._Element], None]:
    """A pending deletion inside a locked clause; the visible text is unchanged."""

    def change(root: etree._Element) -> None:
        paragraph = body_texts(root, clause_id)[0].getparent().getparent()
        deletion = etree.SubElement(paragraph, w("del"))
        deletion.set(w("id"), "9001")
        deletion.set(w("author"), "Partner")
        deletion.set(w("date"), "2026-01-01T00:00:00Z")
        etree.SubElement(etree.SubElement(deletion, w("r")), w("delText")).text = " unless the Partner objects"

    return change


def restyle(root: etree._Element) -> None:
    """Typographic quotes, long dashes and odd spacing everywhere: none of it is a difference."""
    for t in root.iter(w("t")):
        text = (t.text or "").replace('"', "\u201c").replace("'", "\u2019").replace(" - ", " \u2014 ")
        t.text = text.replace(", ", ",\u00a0 ")


def check(library: Library, data: bytes, deal: Deal | None = None) -> Report:
    return verify.verify(library, data, name="received", deal=deal, ocr=False)


def kinds(report: Report) -> set[tuple[str, str | None]]:
    return {(f.kind, f.clause) for f in report.findings if f.severity == "error"}


# ----------------------------------------------------------------------------- DOCX corpus


def test_fresh_draft_complies_with_and_without_the_deal(library: Library, drafted: bytes, agreement: Agreement) -> None:
    for deal in (None, agreement.deal):
        report = check(library, drafted, deal)
        assert report.compliant, report.findings
        assert report.findings == []
        assert report.locked == len(locked_ids(agreement))
        assert report.manifest is not None and report.manifest["clauses"] == len(agreement.all_clauses())


def test_each_locked_clause_deleted_in_turn(library: Library, drafted: bytes, agreement: Agreement) -> None:
    for clause_id in locked_ids(agreement):
        report = check(library, edit(drafted, remove_clause(clause_id)))
        assert not report.compliant
        assert ("missing", clause_id) in kinds(report), clause_id
        finding = next(f for f in report.findings if f.kind == "missing")
        assert finding.principle == ", ".join(library.clauses[clause_id].principles)


@pytest.mark.parametrize("deal", [False, True], ids=["library", "against-deal"])
def test_one_word_changed_in_each_locked_clause(
    library: Library, drafted: bytes, agreement: Agreement, deal: bool
) -> None:
    for clause_id in locked_ids(agreement):
        report = check(library, edit(drafted, change_word(clause_id)), agreement.deal if deal else None)
        assert kinds(report) >= {("altered", clause_id)}, (clause_id, report.findings)
        altered = next(f for f in report.findings if f.kind == "altered")
        assert altered.diff is not None and "{+XYZZY+}" in altered.diff


def test_whitespace_quote_and_dash_styles_are_not_findings(library: Library, drafted: bytes) -> None:
    report = check(library, edit(drafted, restyle))
    assert report.compliant, report.findings


@pytest.mark.parametrize("where", ["intellectual-property", "data-specification", None])
def test_exclusivity_inserted_in_negotiable_clause_schedule_or_new_paragraph(
    library: Library, drafted: bytes, where: str | None
) -> None:
    report = check(library, edit(drafted, add_paragraph(where, EXCLUSIVE)))
    assert not report.compliant
    hits = [f for f in report.findings if f.kind == "exclusivity"]
    assert hits and all(f.principle == "P3" for f in hits)
    assert {f.clause for f in hits} == {where}
    assert any("exclusive licence" in f.detail for f in hits)


def test_exclusivity_sentence_appended_to_a_locked_clause(library: Library, drafted: bytes) -> None:
    report = check(library, edit(drafted, add_paragraph("national-benefit", EXCLUSIVE)))
    assert kinds(report) >= {("altered", "national-benefit"), ("exclusivity", "national-benefit")}


def test_own_non_exclusivity_clause_is_not_flagged(library: Library, drafted: bytes) -> None:
    """The clause names every route it forbids, yet denies each one: the detector reads it as benign."""
    from contractkit.library.exclusivity import detect

    text = library.clauses["non-exclusivity"].positions["standard"].text
    assert "right of first refusal" in text and not detect(text, library.rules)
    assert not [f for f in check(library, drafted).findings if f.kind == "exclusivity"]


def test_tracked_deletion_inside_locked_clause(library: Library, drafted: bytes) -> None:
    report = check(library, edit(drafted, tracked_deletion("transparency")))
    assert kinds(report) == {("tracked-changes", "transparency")}
    finding = report.findings[0]
    assert finding.diff == "[-unless the Partner objects-]"


def test_changed_deal_value_in_locked_clause_caught_by_manifest(library: Library, drafted: bytes) -> None:
    def rename(root: etree._Element) -> None:
        for t in body_texts(root, "definitions"):
            if t.text and "means Northby." in t.text:
                t.text = t.text.replace("Northby", "Northby and Rival Health Ltd")

    report = check(library, edit(drafted, rename))
    assert ("altered", "definitions") in kinds(report)
    assert "manifest" in next(f.detail for f in report.findings if f.kind == "altered")


def drop_manifest(root: etree._Element) -> None:
    for prop in list(root):
        root.remove(prop)


def test_sentence_after_a_deal_value_is_not_swallowed_without_manifest(library: Library, drafted: bytes) -> None:
    def append(root: etree._Element) -> None:
        paragraph = next(
            p for p in control(root, "definitions").iter(w("p")) if "Locked Clause" in "".join(p.itertext())
        )
        last = list(paragraph.iter(w("t")))[-1]
        last.text = f"{last.text} The Partner has a sole licence of the Raw Data."

    report = check(library, edit(edit(drafted, append), drop_manifest, part="docProps/custom.xml"))
    assert report.manifest is None
    assert kinds(report) == {("altered", "definitions"), ("exclusivity", "definitions")}


def test_against_deal_reports_changed_negotiable_clause_and_added_clause(
    library: Library, drafted: bytes, agreement: Agreement
) -> None:
    def add_clause(root: etree._Element) -> None:
        sdt = copy.deepcopy(control(root, "value-share"))
        sdt.find(f"{w('sdtPr')}/{w('tag')}").set(w("val"), "ck:side-letter")
        control(root, "value-share").addnext(sdt)

    tampered = edit(edit(drafted, change_word("value-share")), add_clause)
    without, against = check(library, tampered), check(library, tampered, agreement.deal)
    # Changed negotiable text is a warning without the deal; since issue 11 an added clause fails the
    # check with or without it (it was a warning before).
    assert {(f.kind, f.severity) for f in without.findings} == {("altered", "warning"), ("added", "error")}
    assert kinds(without) == {("added", "side-letter")}
    assert kinds(against) == {("altered", "value-share"), ("added", "side-letter")}


def test_against_other_deal_position_is_a_difference(library: Library, drafted: bytes, agreement: Agreement) -> None:
    swapped = agreement.deal.model_copy(update={"positions": {"intellectual-property": "joint"}})
    report = check(library, drafted, swapped)
    assert ("altered", "intellectual-property") in kinds(report)
    assert check(library, drafted).compliant  # both are approved positions


def test_heading_changed_is_altered_not_missing(library: Library, drafted: bytes) -> None:
    def retitle(root: etree._Element) -> None:
        sdt = control(root, "open-standards")
        sdt.getparent().replace(sdt, sdt.find(w("sdtContent"))[0])  # drop the control, as LibreOffice does
        for t in root.iter(w("t")):
            if t.text == library.clauses["open-standards"].title:
                t.text = "Proprietary formats"

    report = check(library, edit(drafted, retitle))
    assert kinds(report) == {("altered", "open-standards")}


def test_hidden_text_in_a_locked_clause(library: Library, drafted: bytes) -> None:
    def hide(root: etree._Element) -> None:
        run = body_texts(root, "entire-agreement")[0].getparent()
        rpr = run.find(w("rPr"))
        rpr = etree.SubElement(run, w("rPr")) if rpr is None else rpr
        run.insert(0, rpr)
        etree.SubElement(rpr, w("vanish"))

    assert ("hidden-text", "entire-agreement") in kinds(check(library, edit(drafted, hide)))


def test_exclusivity_in_a_footer_is_found(library: Library, drafted: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(drafted)) as archive:
        footers = [n for n in archive.namelist() if n.startswith("word/footer")]
    assume_footer = footers[0]

    def add(root: etree._Element) -> None:
        p = etree.SubElement(root, w("p"))
        etree.SubElement(etree.SubElement(p, w("r")), w("t")).text = EXCLUSIVE

    report = check(library, edit(drafted, add, part=assume_footer))
    assert ("exclusivity", None) in kinds(report)


def test_manifest_clause_version_differs(library: Library, drafted: bytes) -> None:
    """A genuine manifest (signed by its drafter) from an older version of a locked clause."""
    manifest = manifest_of(drafted)
    record = next(c for c in manifest["clauses"] if c["id"] == "transparency")
    record["version"] = "0.9.0"
    report = check(library, with_manifest(drafted, manifest, signer=keys.installation_signer()))
    assert ("provenance", "transparency") in kinds(report)
    assert not [f for f in report.findings if f.kind == "signature"]


def test_lint_scans_every_non_locked_position(cli: Callable[..., Result], workspace: Callable[..., Path]) -> None:
    source = (Path(__file__).parent.parent / "clauses" / "intellectual-property.yaml").read_text(encoding="utf-8")
    bad = source.replace(
        "Each Party keeps its Background IP,",
        "The Partner has a right of first refusal. Each Party keeps its Background IP,",
        1,
    )
    assert bad != source
    root = workspace({"clauses/intellectual-property.yaml": bad})
    result = cli("--library", root, "lint")
    assert result.exit_code == 1
    assert "intellectual-property.yaml:13 positions.nhs-owns.text" in result.stderr and "first-right" in result.stderr


# ----------------------------------------------------------------------------- JSON and CLI


def test_json_shape_and_exit_codes(
    cli: Callable[..., Result], library: Library, drafted: bytes, tmp_path: Path
) -> None:
    good, bad = tmp_path / "good.docx", tmp_path / "bad.docx"
    good.write_bytes(drafted)
    bad.write_bytes(edit(drafted, remove_clause("non-exclusivity")))
    ok = cli("verify", good, "--format", "json")
    assert ok.exit_code == 0
    data = json.loads(ok.stdout)
    assert data["compliant"] is True and data["findings"] == [] and data["manifest"]["library_version"]
    failed = cli("verify", bad, "--format", "json")
    assert failed.exit_code == 3
    finding = json.loads(failed.stdout)["findings"][0]
    assert {"kind", "clause", "principle", "detail"} <= finding.keys()
    assert (finding["kind"], finding["clause"], finding["principle"]) == ("missing", "non-exclusivity", "P3")
    text = cli("verify", bad, "--against", example(DEAL))
    assert text.exit_code == 3 and "missing clause non-exclusivity [P3]" in text.stdout
    assert "do not comply" in text.stderr


def test_several_files_and_worst_exit(cli: Callable[..., Result], drafted: bytes, tmp_path: Path) -> None:
    good, junk = tmp_path / "good.docx", tmp_path / "junk.pdf"
    good.write_bytes(drafted)
    junk.write_bytes(b"%PDF-1.4\nnothing here")
    result = cli("verify", good, junk)
    assert result.exit_code == 1
    assert "complies" in result.stdout and "junk.pdf: cannot verify" in result.stderr
    assert "Traceback" not in result.output


def test_template_paragraphs_mark_what_the_deal_decides(library: Library) -> None:
    paras = template_paragraphs(library.clauses["definitions"].positions["standard"].text)
    nhs = next(p for p in paras if p.startswith('"NHS Party"'))
    assert nhs == '"NHS Party" means \ue000\ue002, and each of them\ue003\ue004.'
    assert shown(nhs) == '"NHS Party" means … ….'
    assert all("{" not in p and "**" not in p for p in paras)
    loop = template_paragraphs("Roles:\n  {% for o in x %}{{ o }}{% if a %}, {% endif %}{% endfor %}; and")
    assert loop == ("Roles:", "\ue005; and")


# ----------------------------------------------------------------------------- properties

NAMES = st.from_regex(r"[A-Z][a-z]{2,9}( [A-Z][a-z]{2,9}){0,2}", fullmatch=True)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(facts=st.tuples(NAMES, NAMES, st.integers(1, 28), st.booleans()))
def test_property_fresh_drafts_verify(
    library: Library, agreement: Agreement, facts: tuple[str, str, int, bool]
) -> None:
    deal = _variant(agreement.deal, *facts)
    drafted = api.render_docx(library, api.assemble(library, deal))
    report = check(library, drafted)
    assert report.compliant, report.findings
    assert check(library, drafted, deal).compliant


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), word=st.from_regex(r"[a-z]{2,10}", fullmatch=True))
def test_property_any_word_change_in_a_locked_clause_fails(
    library: Library, drafted: bytes, agreement: Agreement, data: Any, word: str
) -> None:
    clause_id = data.draw(st.sampled_from(locked_ids(agreement)))
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(drafted)).read("word/document.xml"))
    texts = body_texts(root, clause_id)
    t_index = data.draw(st.integers(0, len(texts) - 1))
    words = (texts[t_index].text or "").split(" ")
    w_index = data.draw(st.integers(0, len(words) - 1))
    assume(words[w_index].strip() and word != words[w_index].strip(".,;:()\"'").casefold())

    def change(root: etree._Element) -> None:
        target = body_texts(root, clause_id)[t_index]
        parts = (target.text or "").split(" ")
        parts[w_index] = word
        target.text = " ".join(parts)

    report = check(library, edit(drafted, change))
    assert ("altered", clause_id) in kinds(report), report.findings


@settings(max_examples=300)
@given(text=st.text(alphabet=st.characters(max_codepoint=0x7F)) | st.text())
def test_property_fast_normal_form_is_normalise(text: str) -> None:
    """normalise() skips NFC and the quote table for plain ASCII; the result must not change."""
    import re
    import unicodedata

    from contractkit.core.text import _QUOTES

    full = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text).translate(_QUOTES)).strip()
    assert normalise(text) == re.sub(r"\s+([,.;:)])", r"\1", full)


def _variant(deal: Deal, nhs: str, partner: str, day: int, commercial: bool) -> Deal:
    data = deal.model_dump(mode="python", by_alias=True)
    old_nhs, old_partner = data["nhs_organisations"][0]["short_name"], data["partners"][0]["short_name"]
    data["nhs_organisations"][0].update(name=f"{nhs} NHS Trust", short_name=nhs)
    data["partners"][0].update(name=f"{partner} Limited", short_name=partner)
    for signatory in data["signatories"]:
        signatory["party"] = {old_nhs: nhs, old_partner: partner}.get(signatory["party"], signatory["party"])
    for dataset in data["data"]["datasets"]:
        dataset["source"] = nhs
    data["agreement"]["date"] = data["agreement"]["date"].replace(day=day)
    data["purpose"]["commercial"] = commercial
    return Deal.model_validate(data)


# ----------------------------------------------------------------------------- LibreOffice round trips


def soffice(files: list[Path], target: str, outdir: Path) -> None:
    profile = outdir / "profile"
    command = [
        shutil.which("soffice") or "soffice",
        f"-env:UserInstallation=file://{profile}",
        "--headless",
        "--convert-to",
        target,
        "--outdir",
        str(outdir),
        *map(str, files),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=240, env={**os.environ, "HOME": str(outdir)})


@pytest.fixture(scope="module")
def round_trips(drafted: bytes, agreement: Agreement, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """LibreOffice re-saves and PDFs of the draft and of tampered copies, in two soffice runs."""
    work = tmp_path_factory.mktemp("lo")
    sources = {
        "clean": drafted,
        "word": edit(drafted, change_word("non-exclusivity")),
        "deleted": edit(drafted, remove_clause("national-benefit")),
        "exclusive": edit(drafted, add_paragraph("intellectual-property", EXCLUSIVE)),
        "appended": edit(drafted, add_paragraph("open-standards", EXCLUSIVE)),
    }
    (work / "src").mkdir()
    for name, data in sources.items():
        (work / "src" / f"{name}.docx").write_bytes(data)
    soffice([work / "src" / f"{n}.docx" for n in sources], "pdf", work / "pdf")
    soffice([work / "src" / "clean.docx", work / "src" / "word.docx"], "docx", work / "docx")
    out = {f"{n}.pdf": (work / "pdf" / f"{n}.pdf").read_bytes() for n in sources}
    out |= {f"{n}.docx": (work / "docx" / f"{n}.docx").read_bytes() for n in ("clean", "word")}
    return out


@needs_soffice()
def test_libreoffice_resave_of_draft_complies(library: Library, round_trips: dict[str, bytes]) -> None:
    resaved = round_trips["clean.docx"]
    assert b"ck:non-exclusivity" not in zipfile.ZipFile(io.BytesIO(resaved)).read("word/document.xml")
    assert check(library, resaved).compliant
    word = check(library, round_trips["word.docx"])
    assert ("altered", "non-exclusivity") in kinds(word)


@needs_soffice()
@pytest.mark.parametrize("deal", [False, True], ids=["library", "against-deal"])
def test_libreoffice_pdfs(library: Library, round_trips: dict[str, bytes], agreement: Agreement, deal: bool) -> None:
    against = agreement.deal if deal else None
    clean = check(library, round_trips["clean.pdf"], against)
    assert clean.manifest is None and not kinds(clean), clean.findings
    # LibreOffice's own PDF has no manifest: without the deal, nothing vouches for the deal values
    assert clean.verdict == "complies" if deal else clean.verdict == "cannot verify" and "definitions" in clean.unproven
    assert clean.locked == len(locked_ids(agreement))
    assert ("altered", "non-exclusivity") in kinds(check(library, round_trips["word.pdf"], against))
    assert ("missing", "national-benefit") in kinds(check(library, round_trips["deleted.pdf"], against))
    exclusive = kinds(check(library, round_trips["exclusive.pdf"], against))
    assert ("exclusivity", "intellectual-property") in exclusive
    assert kinds(check(library, round_trips["appended.pdf"], against)) >= {
        ("altered", "open-standards"),
        ("exclusivity", "open-standards"),
    }


@needs_soffice()
def test_contractkit_pdf_with_manifest_complies(library: Library, agreement: Agreement, drafted: bytes) -> None:
    from contractkit.pdf.render import to_pdf

    report = check(library, to_pdf(agreement, drafted), agreement.deal)
    assert report.compliant, report.findings
    assert report.manifest is not None and report.manifest["source"].startswith("PDF")
