"""The DOCX tamper corpus: each technique, built by code from a genuine draft, must fail verification.

One case per technique and variant (tamper_docx.TECHNIQUES); each asserts that the document does
not comply, and the kind, clause and location of the finding that says why. The same corpus runs
through the command line once (exit 3, JSON findings). Genuine documents (fresh drafts, English and
Welsh) still comply.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from conftest import example, needs_soffice
from tamper_docx import AGAINST_ONLY, TECHNIQUES, Expect, Package

from contractkit import api
from contractkit.checking import verify
from contractkit.core.findings import Finding, Report
from contractkit.drafting.assemble import Agreement
from contractkit.library.deal import Deal
from contractkit.library.loading import Library

DEAL = "northby-sepsis"


def tampered(drafted: bytes, name: str) -> tuple[bytes, Expect]:
    pkg = Package(drafted)
    expect = {**TECHNIQUES, **AGAINST_ONLY}[name](pkg)
    return pkg.save(), expect


def matching(findings: list[Finding], expect: Expect) -> list[Finding]:
    return [
        f
        for f in findings
        if f.severity == "error"
        and f.kind == expect.kind
        and f.clause == expect.clause
        and (expect.location is None or (f.location or "").startswith(expect.location))
    ]


def check(library: Library, data: bytes, deal: Deal | None = None) -> Report:
    return verify.verify(library, data, name="tampered.docx", deal=deal)


@pytest.mark.parametrize("name", TECHNIQUES)
def test_technique_is_found(library: Library, drafted: bytes, name: str) -> None:
    data, expect = tampered(drafted, name)
    report = check(library, data)
    assert not report.compliant
    found = matching(report.findings, expect)
    summary = [(f.kind, f.clause, f.location, f.detail[:90]) for f in report.findings]
    assert found, f"{name}: expected {expect}, got {summary}"
    assert all(f.detail and f.principle for f in found)


@pytest.mark.parametrize("name", [*TECHNIQUES, *AGAINST_ONLY])
def test_technique_is_found_against_the_deal(library: Library, drafted: bytes, agreement: Agreement, name: str) -> None:
    data, expect = tampered(drafted, name)
    report = check(library, data, agreement.deal)
    assert not report.compliant
    assert matching(report.findings, expect), [(f.kind, f.clause, f.location) for f in report.findings]


def test_the_corpus_through_the_command_line(cli: Callable[..., Result], drafted: bytes, tmp_path: Path) -> None:
    paths = []
    for name in TECHNIQUES:
        path = tmp_path / f"{name}.docx"
        path.write_bytes(tampered(drafted, name)[0])
        paths.append(path)
    result = cli("verify", *paths, "--format", "json")
    assert result.exit_code == 3, result.stderr
    reports = json.loads(result.stdout)
    assert [r["compliant"] for r in reports] == [False] * len(paths)
    for report in reports:
        assert all({"kind", "clause", "principle", "detail", "location"} <= f.keys() for f in report["findings"])


def test_fresh_draft_has_no_finding(library: Library, drafted: bytes, agreement: Agreement) -> None:
    for deal in (None, agreement.deal):
        report = check(library, drafted, deal)
        assert report.findings == [], report.findings


def welsh_deal(library: Library) -> Deal:
    """The Welsh example in Welsh (cy_GB), its names spelt with ŵ, ŷ and â."""
    deal = api.load_deal(example("cwm-alarch-diabetes-academic"), library)
    data = deal.model_dump(mode="python", by_alias=True)
    data["agreement"]["locale"] = "cy_GB"
    org = data["nhs_organisations"][0]
    org["address"] = "Tŷ Alarch, Ffordd y Parc, Llanalarch SA99 9ZZ"
    data["agreement"]["title"] = "Patrymau gofal i bobl â diabetes yng Nghwm Alarch a Dyffryn Gŵyr"
    return Deal.model_validate(data)


def test_welsh_agreement_complies(library: Library) -> None:
    deal = welsh_deal(library)
    data = api.render_docx(library, api.assemble(library, deal))
    for against in (None, deal):
        report = check(library, data, against)
        assert report.findings == [], report.findings


RESAVED = [
    "hidden-character-style",
    "hidden-paragraph-style",
    "white-text",
    "one-point",
    "struck",
    "only-partner-after-clause-7",
    "redefinition-after-clause-7",
    "header-under-odd-name",
    "field-quote",
    "text-box",
    "comment",
    "cyrillic-o",
    "zero-width-space",
]


@needs_soffice()
def test_libreoffice_resave_keeps_tampering_visible_and_welsh_clean(
    library: Library, drafted: bytes, tmp_path: Path
) -> None:
    """A tampered copy re-saved by LibreOffice is still caught; a genuine Welsh one still complies."""
    from test_verify import soffice

    (tmp_path / "src").mkdir()
    expected = {}
    for name in RESAVED:
        data, expect = tampered(drafted, name)
        (tmp_path / "src" / f"{name}.docx").write_bytes(data)
        expected[name] = expect.kind
    welsh = api.render_docx(library, api.assemble(library, welsh_deal(library)))
    (tmp_path / "src" / "welsh.docx").write_bytes(welsh)
    soffice(sorted((tmp_path / "src").glob("*.docx")), "docx", tmp_path / "out")
    for name, kind in expected.items():
        report = check(library, (tmp_path / "out" / f"{name}.docx").read_bytes())
        assert kind in {f.kind for f in report.findings if f.severity == "error"}, (name, report.findings)
    assert check(library, (tmp_path / "out" / "welsh.docx").read_bytes()).findings == []
