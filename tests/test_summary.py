"""Principles summary: five principles, evidence, gaps, the rubric score, Welsh output, golden text."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from conftest import EXAMPLES, needs_soffice, paragraphs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_register import agreement_of, check_golden, english_deal, welsh_deal, write_deal

from contractkit import api
from contractkit.drafting.assemble import Agreement
from contractkit.errors import ValidationFailed
from contractkit.library.loading import Library, load_library
from contractkit.publishing import rubric, summary


def no_target_deal() -> dict[str, Any]:
    deal = english_deal()
    deal["benefits"] = [
        {"metric": "Readmissions within 30 days of discharge", "baseline": "11%", "owner": "Northby"},
        *deal["benefits"],
    ]
    return deal


@pytest.fixture(scope="module")
def agreements(library: Library, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Agreement]:
    folder = tmp_path_factory.mktemp("summary-deals")
    return {
        "english": agreement_of(library, folder, "english", english_deal()),
        "welsh": agreement_of(library, folder, "welsh", welsh_deal()),
        "no-target": agreement_of(library, folder, "no-target", no_target_deal()),
    }


def section(result: summary.Summary, principle: str) -> summary.Section:
    return next(s for s in result.sections if s.principle == principle)


def test_lists_all_five_principles(library: Library, agreements: dict[str, Agreement]) -> None:
    result = summary.build(library, agreements["english"])
    assert [s.principle for s in result.sections] == ["P1", "P2", "P3", "P4", "P5"]
    text = summary.to_markdown(result)
    for principle in ("P1 Explicit aim and benefit", "P2 Fair terms", "P4 Transparency"):
        assert f"## {principle}" in text
    assert all(s.clauses for s in result.sections)
    assert "Exclusivity: non-exclusive" in text
    assert "£250,000.00" in text


def test_flags_a_benefit_with_no_target(library: Library, agreements: dict[str, Agreement]) -> None:
    result = summary.build(library, agreements["no-target"])
    gaps = section(result, "P1").gaps
    assert "Benefit 'Readmissions within 30 days of discharge' has no measurable target" in gaps
    assert any("has no target date" in g for g in gaps)
    check = next(c for c in section(result, "P1").checks if c.id == "benefits-measurable")
    assert not check.passed
    assert summary.build(library, agreements["english"]).score > result.score  # two deals compared
    assert (
        "Benefit: Readmissions within 30 days of discharge (baseline 11%; no target)" in section(result, "P1").evidence
    )


def test_every_rubric_check_is_scored_once(library: Library, agreements: dict[str, Agreement]) -> None:
    result = summary.build(library, agreements["english"])
    scored = [c.id for s in result.sections for c in s.checks]
    assert sorted(scored) == sorted(c.id for c in library.meta.rubric)
    assert {c.principle for c in library.meta.rubric} == {"P1", "P2", "P3", "P4", "P5"}
    met, available = result.score
    assert available == sum(c.weight for c in library.meta.rubric) and 0 < met <= available


def test_pending_approvals_and_deviations_are_gaps(library: Library, tmp_path: Path) -> None:
    approvals = [{"body": "Confidentiality Advisory Group", "status": "pending"}]
    deal = english_deal(approvals=approvals, positions={"intellectual-property": "joint"})
    result = summary.build(library, agreement_of(library, tmp_path, "pending", deal))
    assert "Approval still pending: Confidentiality Advisory Group" in section(result, "P5").gaps
    p2 = section(result, "P2")
    assert any("approver: Legal lead; approval pending" in d for d in p2.deviations)  # the role in words
    assert any(g.startswith("Deviation awaiting approval by Legal lead") for g in p2.gaps)
    check = next(c for c in section(result, "P5").checks if c.id == "no-pending-approvals")
    assert not check.passed


def test_broken_rubric_test_is_a_located_library_error(
    workspace: Callable[..., Path], agreements: dict[str, Agreement]
) -> None:
    root = workspace()
    text = (root / "library.yaml").read_text(encoding="utf-8")
    (root / "library.yaml").write_text(
        text.replace("test: deal.commercial.fees | length > 0", "test: deal.commercial.feez | length > 0"),
        encoding="utf-8",
    )
    broken = load_library(root)
    with pytest.raises(ValidationFailed) as caught:
        rubric.score(broken, agreements["english"])
    (issue,) = caught.value.issues
    assert issue.file == "library.yaml" and issue.line and "costs-recovered" in issue.message


def test_welsh_summary(library: Library, agreements: dict[str, Agreement]) -> None:
    text = summary.to_markdown(summary.build(library, agreements["welsh"]))
    assert "Tachwedd" in text  # 16 November 2026, month name from CLDR
    assert text.startswith("# Crynodeb o'r egwyddorion: Canfod sepsis yn gynnar")
    assert welsh_deal()["agreement"]["lay_summary_cy"] in text
    assert "## P4 Tryloywder" in text
    english = summary.to_markdown(summary.build(library, agreements["welsh"], "en_GB"))
    assert "16 November 2026" in english and "Tachwedd" not in english


@pytest.mark.parametrize(
    ("name", "golden", "locale"),
    [("english", "summary-en.md", None), ("welsh", "summary-cy.md", None), ("no-target", "summary-no-target.md", None)],
)
def test_summary_text_matches_golden(
    library: Library, agreements: dict[str, Agreement], name: str, golden: str, locale: str | None
) -> None:
    check_golden(golden, summary.to_markdown(summary.build(library, agreements[name], locale)))


def test_docx_summary_is_deterministic_and_has_the_same_text(
    library: Library, agreements: dict[str, Agreement]
) -> None:
    first = summary.render(library, agreements["english"], ".docx")
    assert first == summary.render(library, agreements["english"], ".docx")
    texts = paragraphs(first)
    for principle in ("P1", "P2", "P3", "P4", "P5"):
        assert any(t.startswith(f"{principle} ") for t in texts)
    assert any("Benchmark score" in t for t in texts)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(targets=st.lists(st.booleans(), min_size=1, max_size=4))
def test_one_gap_per_benefit_without_a_target(library: Library, tmp_path: Path, targets: list[bool]) -> None:
    deal = english_deal()
    deal["benefits"] = [
        {"metric": f"Measure {n}", "date": "2028-03-31", **({"target": "60 minutes"} if t else {})}
        for n, t in enumerate(targets)
    ]
    result = summary.build(library, agreement_of(library, tmp_path, "h", deal))
    gaps = [g for g in section(result, "P1").gaps if "no measurable target" in g]
    assert len(gaps) == targets.count(False)
    check = next(c for c in section(result, "P1").checks if c.id == "benefits-measurable")
    assert check.passed == all(targets)


# ----------------------------------------------------------------------------- command line


def test_cli_writes_markdown_and_refuses_overwrite(cli: Callable[..., Result], tmp_path: Path) -> None:
    deal = write_deal(tmp_path, "deal", no_target_deal())
    out = tmp_path / "summary.md"
    result = cli("summary", deal, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert re.search(r"benchmark \d+/\d+ weighted points, [1-9]\d* gap\(s\)", result.stderr)
    assert "has no measurable target" in out.read_text(encoding="utf-8")
    again = cli("summary", deal, "-o", out)
    assert again.exit_code == 1 and "already exists" in again.stderr


def test_cli_welsh_locale_and_usage_errors(cli: Callable[..., Result], tmp_path: Path) -> None:
    deal = write_deal(tmp_path, "deal", english_deal())
    out = tmp_path / "summary.md"
    assert cli("summary", deal, "-o", out, "--locale", "cy_GB").exit_code == 0
    assert "1 Rhagfyr 2026" in out.read_text(encoding="utf-8")
    assert cli("summary", deal, "-o", tmp_path / "summary.txt").exit_code == 2
    assert cli("summary", deal, "-o", tmp_path / "s.md", "--locale", "fr_FR").exit_code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deal.yaml", "summary.md"]


@needs_soffice()
def test_pdf_summary_fits_two_pages(library: Library, agreements: dict[str, Agreement]) -> None:
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(summary.render(library, agreements["welsh"], ".pdf")))
    assert 1 <= len(reader.pages) <= 2
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Tachwedd" in text and "P5" in text


@needs_soffice()
def test_every_example_summary_fits_two_pages(library: Library, tmp_path: Path) -> None:
    """One LibreOffice run (private profile) for all the examples' summaries."""
    import shutil
    import subprocess

    from pypdf import PdfReader

    for deal in EXAMPLES:
        agreement = api.assemble(library, api.load_deal(deal, library))
        (tmp_path / f"{deal.stem}.docx").write_bytes(summary.render(library, agreement, ".docx"))
    files = sorted(tmp_path.glob("*.docx"))
    profile = (tmp_path / "profile").as_uri()
    command = [shutil.which("soffice") or "soffice", f"-env:UserInstallation={profile}", "--headless"]
    subprocess.run(
        [*command, "--convert-to", "pdf", "--outdir", str(tmp_path), *map(str, files)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    for docx in files:
        pages = len(PdfReader(docx.with_suffix(".pdf")).pages)
        assert 1 <= pages <= 2, f"{docx.stem}: {pages} pages"


def test_rubric_evaluates_on_the_specimen(library: Library) -> None:
    from contractkit.library.deal import Deal
    from contractkit.library.scaffold import specimen

    assert rubric.issues(library, Deal.model_validate(specimen("research-collaboration"))) == []
