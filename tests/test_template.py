"""The Word template is the source the centre edits in Word: lint checks its structure in Word's terms,
and a template edited and re-saved by an office suite still drafts agreements that verify."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from conftest import EXAMPLES, example, needs_soffice, paragraphs
from lxml import etree
from ooxml import assert_valid_docx

from contractkit import api
from contractkit.library.loading import Library
from contractkit.word import template
from contractkit.word.render import template_context
from contractkit.word.xml import W, read_docx, w

Workspace = Callable[..., Path]
Cli = Callable[..., Result]
Edit = Callable[[etree._Element], None]
NS = {"w": W}


def edit_parts(path: Path, edits: dict[str, Edit]) -> None:
    """Apply lxml edits to parts of a .docx in place, keeping every other part as it was."""
    with zipfile.ZipFile(path) as src:
        parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    for name, edit in edits.items():
        root = etree.fromstring(parts[name])
        edit(root)
        parts[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    path.write_bytes(buffer.getvalue())


def style(root: etree._Element, name: str) -> etree._Element:
    found = root.xpath(f"w:style[w:name/@w:val='{name}']", namespaces=NS)
    assert isinstance(found, list) and len(found) == 1, name
    result = found[0]
    assert isinstance(result, etree._Element)
    return result


def numpr(root: etree._Element, name: str) -> etree._Element:
    el = style(root, name).find(f"{w('pPr')}/{w('numPr')}")
    assert el is not None, name
    return el


def paragraph(root: etree._Element, text: str) -> etree._Element:
    for p in root.iter(w("p")):
        if "".join(t.text or "" for t in p.iter(w("t"))).strip() == text:
            return p
    raise AssertionError(text)


def _remove(el: etree._Element) -> None:
    parent = el.getparent()
    assert parent is not None
    parent.remove(el)


def _set(el: etree._Element | None, attr: str, value: str) -> None:
    assert el is not None
    el.set(w(attr), value)


def _append_text(p: etree._Element, text: str) -> None:
    run = etree.SubElement(p, w("r"))
    etree.SubElement(run, w("t")).text = text


def _duplicate(p: etree._Element) -> None:
    p.addnext(etree.fromstring(etree.tostring(p)))


def _level_shows_no_number(root: etree._Element) -> None:
    lvl = root.xpath("w:abstractNum[@w:abstractNumId='1']/w:lvl[@w:ilvl='2']/w:numFmt", namespaces=NS)
    assert isinstance(lvl, list) and lvl
    _set(lvl[0], "val", "none")  # type: ignore[arg-type]


S, D, N = "word/styles.xml", "word/document.xml", "word/numbering.xml"
# (part, edit as Word would leave it, message lint gives, where lint says it is)
STRUCTURE_CASES: list[tuple[str, Edit, str, str]] = [
    (S, lambda r: _remove(style(r, "Clause 2")), "style 'Clause 2' is missing", S),
    (S, lambda r: _remove(style(r, "Contract Table")), "style 'Contract Table' is missing", S),
    (
        S,
        lambda r: _set(style(r, "Contract Table"), "type", "paragraph"),
        "style 'Contract Table' is a paragraph style; drafting needs a table style of that name",
        S,
    ),
    (S, lambda r: _remove(numpr(r, "Clause 1")), "style 'Clause 1' is no longer numbered", S),
    (S, lambda r: _remove(numpr(r, "Schedule 1")), "style 'Schedule 1' is no longer numbered", S),
    (
        S,
        lambda r: _set(numpr(r, "Clause 3").find(w("ilvl")), "val", "0"),
        "style 'Clause 3' is numbered at level 1 of its list; it must be level 3",
        S,
    ),
    (
        S,
        lambda r: _set(numpr(r, "Schedule 2").find(w("numId")), "val", "101"),
        "style 'Schedule 2' is numbered by a different list from 'Schedule 1'; the schedule list needs one",
        S,
    ),
    (
        S,
        lambda r: [_set(numpr(r, f"Schedule {n}").find(w("numId")), "val", "101") for n in range(1, 5)] and None,
        "styles 'Clause 1' and 'Schedule 1' are numbered by the same list",
        S,
    ),
    (
        S,
        lambda r: _set(numpr(r, "Clause 4").find(w("numId")), "val", "999"),
        "style 'Clause 4' is numbered by a list the document no longer defines (list 999)",
        S,
    ),
    (N, _level_shows_no_number, "style 'Clause 3' is no longer numbered (level 3 of its list shows no number)", S),
    (
        D,
        lambda r: _remove(paragraph(r, "{{ schedules }}")),
        "the marker for the schedules block ({{ schedules }}) was deleted",
        D,
    ),
    (
        D,
        lambda r: _append_text(paragraph(r, "{{ contents }}"), " (see page 2)"),
        "the marker for the contents list ({{ contents }}) shares its paragraph with other text ('(see page 2)')",
        f"{D}, paragraph",
    ),
    (
        D,
        lambda r: _duplicate(paragraph(r, "{{ clauses }}")),
        "the marker for the clause block ({{ clauses }}) appears 2 times",
        f"{D}, paragraph",
    ),
]


@pytest.mark.parametrize(
    ("part", "edit", "message", "where"), STRUCTURE_CASES, ids=[c[2][:60] for c in STRUCTURE_CASES]
)
def test_lint_names_what_an_edit_broke(
    cli: Cli, workspace: Workspace, *, part: str, edit: Edit, message: str, where: str
) -> None:
    root = workspace()
    edit_parts(root / "templates" / "agreement.docx", {part: edit})
    result = cli("--library", root, "lint")
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stderr.splitlines() if message in line]
    assert len(lines) == 1, result.stderr
    assert f"templates/agreement.docx {where}" in lines[0]
    assert "(hint: " in lines[0] and "internal error" not in result.stderr


@pytest.mark.parametrize(
    ("part", "edit", "message"),
    [
        (S, lambda r: _remove(style(r, "Clause 2")), "style 'Clause 2' is missing from the template"),
        (S, lambda r: _remove(numpr(r, "Schedule 1")), "style 'Schedule 1' is no longer numbered in the template"),
    ],
)
def test_draft_refuses_a_broken_template_in_the_same_words(
    cli: Cli, workspace: Workspace, tmp_path: Path, *, part: str, edit: Edit, message: str
) -> None:
    root = workspace()
    edit_parts(root / "templates" / "agreement.docx", {part: edit})
    out = tmp_path / "out.docx"
    result = cli("--library", root, "draft", example("northby-sepsis"), "-o", out)
    assert result.exit_code == 1
    assert message in result.stderr and "run 'contractkit lint'" in result.stderr
    assert not out.exists()


def test_the_shipped_template_has_every_structure_drafting_needs() -> None:
    assert template.structure(Path(template.__file__).parents[2] / "templates" / "agreement.docx") == []


def test_lists_are_found_through_the_styles_not_fixed_ids(workspace: Workspace, tmp_path: Path) -> None:
    """Renumber every list as LibreOffice does on saving: drafting follows the styles to the new ids."""
    root = workspace()
    path = root / "templates" / "agreement.docx"
    ids = {"101": "7", "102": "3", "103": "5", "104": "6"}

    def numbering(r: etree._Element) -> None:
        for num in r.iter(w("num")):
            num.set(w("numId"), ids[num.get(w("numId"), "")])
            abstract = num.find(w("abstractNumId"))
            _set(abstract, "val", str(10 + int(abstract.get(w("val"), "0"))))  # type: ignore[union-attr]
        for abstract in r.iter(w("abstractNum")):
            abstract.set(w("abstractNumId"), str(10 + int(abstract.get(w("abstractNumId"), "0"))))

    def styles(r: etree._Element) -> None:
        for num_id in r.iter(w("numId")):
            value = num_id.get(w("val"), "")
            num_id.set(w("val"), ids.get(value, value))

    edit_parts(path, {N: numbering, S: styles})
    assert template.structure(path) == []
    library = api.load_library(root)
    data = api.render_docx(library, api.assemble(library, api.load_deal(example("northby-sepsis"), library)))
    numbering_xml = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(N))
    restarted = [n for n in numbering_xml.iter(w("num")) if n.find(w("lvlOverride")) is not None]
    assert restarted and {n.find(w("abstractNumId")).get(w("val")) for n in restarted} == {"12"}  # type: ignore[union-attr]
    assert all(int(n.get(w("numId"), "0")) > 7 for n in restarted)


# ----------------------------------------------------------------------------- variables


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_variables_documented_are_exactly_what_drafting_provides(library: Library, path: Path) -> None:
    context = template_context(api.assemble(library, api.load_deal(path, library)))
    assert set(context) == template.CONTEXT_NAMES
    for variable in template.VARIABLES:
        value = context[variable.name]
        items = value if variable.is_list else [value]
        assert isinstance(items, list) and items, variable.name
        for item in items:
            if variable.fields:
                assert isinstance(item, dict) and set(item) == {f for f, _ in variable.fields}, variable.name
            else:
                assert isinstance(item, str), variable.name


# ----------------------------------------------------------------------------- edited in an office suite


def _edit_as_a_person_would(path: Path) -> None:
    """Restyle a paragraph, add a paragraph of cover text, change a style's font, then save."""
    import docx

    document = docx.Document(str(path))
    background = next(p for p in document.paragraphs if p.text == "Background")
    background.style = document.styles["Cover Subtitle"]
    title = next(p for p in document.paragraphs if p.text == "{{ agreement.title }}")
    added = title.insert_paragraph_before("Prepared with the Northern Data Partnerships Centre")
    added.style = document.styles["Cover Detail"]
    clause = document.styles["Clause 2"]
    clause.font.name = "Carlito"
    clause.font.size = docx.shared.Pt(11)
    document.save(str(path))


def _resave_with_libreoffice(path: Path, folder: Path) -> None:
    out = folder / "resaved"
    profile = (folder / "profile").as_uri()
    command = ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "docx"]
    env = {**os.environ, "HOME": str(folder)}
    subprocess.run([*command, "--outdir", str(out), str(path)], check=True, capture_output=True, timeout=180, env=env)
    resaved = out / path.name
    assert resaved.is_file() and resaved.stat().st_size, "LibreOffice wrote nothing"
    shutil.copy(resaved, path)


@needs_soffice()
def test_a_template_edited_and_resaved_by_libreoffice_drafts_agreements_that_verify(
    cli: Cli, workspace: Workspace, tmp_path: Path
) -> None:
    root = workspace()
    path = root / "templates" / "agreement.docx"
    _edit_as_a_person_would(path)
    _resave_with_libreoffice(path, tmp_path)
    assert "docProps/custom.xml" in zipfile.ZipFile(path).namelist()  # LibreOffice adds its own
    lint = cli("--library", root, "lint", "--strict")
    assert lint.exit_code == 0, lint.stderr
    out = tmp_path / "agreement.docx"
    drafted = cli("--library", root, "draft", example("harbourside-chest-xray-ai"), "-o", out)
    assert drafted.exit_code == 0, drafted.stderr
    data = out.read_bytes()
    assert_valid_docx(data)  # also: no part held twice
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert names.count("docProps/custom.xml") == names.count("docProps/core.xml") == 1
    verified = cli("--library", root, "verify", out)
    assert verified.exit_code == 0, verified.output + verified.stderr
    assert "Prepared with the Northern Data Partnerships Centre" in paragraphs(data)
    assert [b.style for b in read_docx(data).blocks if b.text == "Background"] == ["Cover Subtitle"]
    styles = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(S))
    assert style(styles, "Clause 2").find(f"{w('rPr')}/{w('rFonts')}").get(w("ascii")) == "Carlito"  # type: ignore[union-attr]
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(out)],
        check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)},
    )  # fmt: skip
    pdf = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "agreement.pdf"), "-"], check=True, capture_output=True, text=True
    ).stdout
    lines = [" ".join(line.split()) for line in pdf.splitlines()]
    assert "1. DEFINITIONS AND INTERPRETATION" in lines
    assert any(line.startswith("1.1 In this Agreement") for line in lines)
    schedule = next(n for n, line in enumerate(lines) if line.startswith("SCHEDULE 1:"))
    assert any(line.startswith("1.1 ") for line in lines[schedule : schedule + 8]), "schedule numbering restarts at 1"
