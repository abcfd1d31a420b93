"""The verifier's eyes at draft time and in lint: a Word file whose text a reader cannot see is refused.

`word.render.self_check` reads every draft with the reader `verify` uses (word.reader), and `lint`
reads the Word template with it and checks the styles the builder gives clause text, so a
template whose styles hide, whiten, shrink or strike text never produces an agreement.
"""

from __future__ import annotations

import inspect
from pathlib import Path

from contractkit.core.text import suspicious
from contractkit.errors import Issue
from contractkit.word.profile import from_content, profile, thing_problem
from contractkit.word.reader.document import DocxContent, read_docx, style_problems

TEMPLATE_HINT = (
    "the template must not hide, whiten, shrink or strike text, nor add objects or fields: see docs/verify.md"
)
DEAL_HINT = "a deal value holds a look-alike, invisible or reordering character: retype it in the deal file"
_CHARACTERS = frozenset({"invisible-character", "bidi-control", "mixed-script", "lookalike"})


def draft_problems(content: DocxContent, template: Path) -> list[Issue]:
    """What a reader of a freshly rendered agreement (as read by word.reader) would see differently from its text."""
    issues = [_issue(m.kind, m.detail, m.location, template) for m in content.marks]
    if template.is_file():  # what the template itself holds (a watermark, page numbers) is allowed
        allowed = profile(template)
        issues += [_issue(t.what, d, t.location, template) for t in content.things if (d := thing_problem(t, allowed))]
    return issues + _characters(content, template)


def template_problems(path: Path, styles: list[str]) -> list[Issue]:
    """The template's own text and the styles drafting uses, read as a reader of an agreement would."""
    data = path.read_bytes()
    content = read_docx(data)
    issues = [_issue(m.kind, m.detail, m.location, path) for m in content.marks]
    own = from_content(content)
    issues += [_issue(t.what, d, t.location, path) for t in content.things if (d := thing_problem(t, own))]
    for name, found in style_problems(data, styles, _builder_grounds()).items():
        issues += [
            Issue(f"style {name!r} makes its text {how} ({kind})", file=str(path), hint=TEMPLATE_HINT)
            for kind, how in found
        ]
    return issues + _characters(content, path)


def _builder_grounds() -> dict[str, str]:
    """Backgrounds the builder itself puts behind a style: table headings sit on the header row's fill."""
    from contractkit.word import markup

    fill = inspect.signature(markup.table).parameters["fill"].default
    return {"Table Heading": str(fill)}


def _characters(content: DocxContent, where: Path) -> list[Issue]:
    return [
        _issue(kind, detail, block.location, where)
        for block in [*content.blocks, *content.notes]
        for kind, detail in suspicious(f"{block.label} {block.text}")
    ]


def _issue(kind: str, detail: str, location: str, where: Path) -> Issue:
    hint = DEAL_HINT if kind in _CHARACTERS else TEMPLATE_HINT
    return Issue(f"{location}: {detail} ({kind})", file=str(where), hint=hint)
