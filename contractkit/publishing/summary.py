"""The board's principles summary: for P1 to P5, the clauses, the evidence, the gaps and a score.

Boards are accountable for fairness (principle 2) and the centre publishes what was agreed
(principle 4). This builds a one-to-two-page assurance summary from an assembled agreement (its
evidence and gaps: publishing.evidence) and scores it against the centre's rubric
(publishing.rubric), check by check, so that two deals can be compared; then lays it out as
Markdown, Word or PDF. Labels come from the message catalogue; deal text is never translated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from contractkit.core import formatting
from contractkit.core.i18n import Labels, labels
from contractkit.core.text import collapse
from contractkit.drafting.agreement import Agreement
from contractkit.drafting.prepare import prepare
from contractkit.drafting.register_entry import status
from contractkit.errors import ContractkitError
from contractkit.files import check_target, write_atomic
from contractkit.library.loading import Library
from contractkit.library.model import PRINCIPLES
from contractkit.publishing.evidence import Evidence
from contractkit.publishing.rubric import CheckResult, points, score

FORMATS = (".md", ".docx", ".pdf")


@dataclass(frozen=True)
class Section:
    """What the summary says about one principle."""

    principle: str
    name: str
    clauses: list[str]
    evidence: list[str]
    deviations: list[str]
    gaps: list[str]
    checks: list[CheckResult]


@dataclass(frozen=True)
class Summary:
    """A principles summary of one agreement, worded in one locale."""

    locale: str
    title: str
    lines: list[str]  # reference, parties, lay summary
    score: tuple[int, int]  # weighted points met, weighted points available
    sections: list[Section]


# ----------------------------------------------------------------------------- evidence


def build(library: Library, agreement: Agreement, locale: str | None = None) -> Summary:
    """The summary of an assembled agreement, in `locale` (default: the deal's own)."""
    locale = locale or agreement.deal.agreement.locale
    facts, t = Evidence(agreement, locale), labels(locale)
    checks = score(library, agreement)
    evidence: dict[str, Callable[[], tuple[list[str], list[str]]]] = {
        "P1": facts.p1,
        "P2": facts.p2,
        "P3": facts.p3,
        "P4": facts.p4,
        "P5": facts.p5,
    }
    sections = []
    for p in PRINCIPLES:
        found, gaps = evidence[p]()
        deviations, waiting = facts.deviations(p)
        clauses = facts.clauses(p)
        missing = [] if clauses else [t("gap.no_clauses")]
        mine = [c for c in checks if c.principle == p]
        sections.append(Section(p, t(f"principle.{p}"), clauses, found, deviations, gaps + waiting + missing, mine))
    return Summary(locale, *_heading(agreement, t), points(checks), sections)


def _heading(agreement: Agreement, t: Labels) -> tuple[str, list[str]]:
    deal, info = agreement.deal, agreement.deal.agreement
    welsh = t.locale == "cy_GB"  # Welsh text only as the deal gives it; never translated
    title = info.title_cy if welsh and info.title_cy else info.title
    lay = info.lay_summary_cy if welsh and info.lay_summary_cy else info.lay_summary
    lines = [
        t(
            "summary.reference",
            reference=info.reference,
            version=formatting.number(info.version, t.locale),
            status=t(f"code.{status(agreement)}"),
            date=formatting.date(info.date, t.locale),
        ),
        t("summary.nhs", names="; ".join(f"{o.name} ({o.ods_code})" for o in deal.nhs_organisations)),
        t("summary.partners", names="; ".join(f"{p.name} ({p.company_number})" for p in deal.partners)),
        lay,
    ]
    return title, lines


# ----------------------------------------------------------------------------- rendering

Block = tuple[str, str, str]  # kind, label, text


def percent(met: int, available: int, locale: str) -> str:
    return formatting.percent(Decimal(met * 100) / available if available else 0, locale)


def blocks(summary: Summary) -> list[Block]:
    """The summary as a flat list of typed blocks that every output format lays out the same way."""
    t, loc, num = labels(summary.locale), summary.locale, formatting.number
    met, available = summary.score
    score = t("summary.score", percent=percent(met, available, loc), met=num(met, loc), available=num(available, loc))
    out: list[Block] = [("title", "", t("summary.title", title=summary.title))]
    out += [("para", "", line) for line in summary.lines] + [("score", "", score)]
    for s in summary.sections:
        out.append(("heading", "", f"{s.principle} {s.name}"))
        out.append(("field", t("summary.clauses"), "; ".join(s.clauses) or t("summary.none")))
        out += _list(t("summary.evidence"), s.evidence, "item", t)
        out += _list(t("summary.deviations"), s.deviations, "item", t)
        out += _list(t("summary.gaps"), s.gaps, "gap", t)
        out.append(("label", "", t("summary.benchmark", percent=percent(*points(s.checks), loc))))
        out += [_check(c, t) for c in s.checks]
    return [(kind, label, collapse(text)) for kind, label, text in out]


def _check(check: CheckResult, t: Labels) -> Block:
    result = t("summary.met") if check.passed else t("summary.not_met")
    line = t("summary.check", result=result, title=check.title, weight=formatting.number(check.weight, t.locale))
    return ("pass" if check.passed else "fail", "", line)


def _list(label: str, items: list[str], kind: str, t: Labels) -> list[Block]:
    if not items:
        return [("field", label, t("summary.none"))]
    return [("label", "", label)] + [(kind, "", item) for item in items]


MARKDOWN = {
    "title": "# {text}",
    "heading": "## {text}",
    "para": "{text}",
    "score": "**{text}**",
    "field": "**{label}:** {text}",
    "label": "**{text}:**",
    "item": "- {text}",
    "gap": "- {text}",
    "pass": "- [x] {text}",
    "fail": "- [ ] {text}",
}


def to_markdown(summary: Summary) -> str:
    """Markdown text of the summary (also what the golden files hold): blocks apart, list items together."""
    out: list[str] = []
    for kind, label, text in blocks(summary):
        line = MARKDOWN[kind].format(label=label, text=text)
        if out and not (line.startswith("- ") and out[-1].startswith("- ")):
            out.append("")
        out.append(line)
    return "\n".join(out) + "\n"


def to_docx(summary: Summary, agreement: Agreement) -> bytes:
    """A compact Word document (A4, 9 pt) laid out from the same blocks as the Markdown."""
    import io

    import docx
    from docx.shared import Cm, Pt, RGBColor

    from contractkit.word.xml import complete_settings, deterministic_zip

    document = docx.Document()
    complete_settings(document.settings.element)  # python-docx's default lacks the w:zoom percent
    _page(document, Cm, Pt)
    for kind, label, text in blocks(summary):
        if kind in ("title", "heading"):
            document.add_heading(text, level=1 if kind == "title" else 2)
            continue
        bullet = kind in ("item", "gap", "pass", "fail")
        p = document.add_paragraph(style="List Bullet" if bullet else None)
        if label:
            p.add_run(f"{label}: ").bold = True
        run = p.add_run(text)
        run.bold = kind in ("score", "label", "gap")
        if kind in ("gap", "fail"):
            run.font.color.rgb = RGBColor(0xB0, 0x1C, 0x1C)
    _properties(document, summary, agreement)
    buffer = io.BytesIO()
    document.save(buffer)
    return deterministic_zip(buffer.getvalue())


def _page(document: Any, cm: Any, pt: Any) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = cm(21.0), cm(29.7)
    section.left_margin = section.right_margin = cm(1.6)
    section.top_margin = section.bottom_margin = cm(1.3)
    for name, size, before in (("Normal", 9, 0), ("Heading 1", 13, 0), ("Heading 2", 10.5, 6), ("List Bullet", 9, 0)):
        style = document.styles[name]
        style.font.name, style.font.size = "Arial", pt(size)
        style.paragraph_format.space_before, style.paragraph_format.space_after = pt(before), pt(2)


def _properties(document: Any, summary: Summary, agreement: Agreement) -> None:
    import datetime as dt

    info = agreement.deal.agreement
    core = document.core_properties
    core.title = labels(summary.locale)("summary.title", title=summary.title)
    core.identifier, core.language = info.reference, summary.locale.replace("_", "-")
    core.author = core.last_modified_by = "contractkit"
    core.created = core.modified = core.last_printed = dt.datetime.combine(info.date, dt.time(0, 0))
    core.revision = info.version


def _checked(suffix: str) -> str:
    if suffix.lower() not in FORMATS:
        raise ContractkitError(f"unknown summary format {suffix!r}", hint=f"use one of {', '.join(FORMATS)}")
    return suffix.lower()


def encode(result: Summary, agreement: Agreement, suffix: str) -> bytes:
    """The summary as .md, .docx or .pdf bytes."""
    suffix = _checked(suffix)
    if suffix == ".md":
        return to_markdown(result).encode()
    data = to_docx(result, agreement)
    if suffix == ".pdf":
        from contractkit.pdf.render import docx_to_pdf  # LibreOffice is needed only here

        data = docx_to_pdf(data)
    return data


def render(library: Library, agreement: Agreement, suffix: str, locale: str | None = None) -> bytes:
    """Build and encode the summary of an assembled agreement."""
    return encode(build(library, agreement, locale), agreement, suffix)


def write(library: Library, path: Path, out: Path, *, locale: str | None = None, force: bool = False) -> Summary:
    """`contractkit summary`: load and assemble one deal, then write its summary atomically."""
    _checked(out.suffix)
    check_target(out, force=force)
    agreement = prepare(library, path)
    result = build(library, agreement, locale)
    write_atomic(out, encode(result, agreement, out.suffix), force=force)
    return result
