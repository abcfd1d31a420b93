"""The small, typed Python API. The CLI is a thin layer over these functions.

from contractkit import api
library = api.load_library()
deal = api.load_deal("examples/northby-sepsis.yaml", library)
agreement = api.assemble(library, deal)
api.write(library, agreement, Path("out/northby.docx"))
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .assemble import Agreement, assemble
from .errors import Issue, ValidationFailed
from .files import check_target, write_atomic
from .loading import Library, load_library
from .model import Deal, Rung
from .negotiate import SwapRequest

__all__ = [
    "Agreement",
    "SwapRequest",
    "Deal",
    "Library",
    "assemble",
    "draft",
    "lint",
    "load_deal",
    "load_library",
    "prepare",
    "render_docx",
    "write",
]


def lint(library: Library) -> list[Issue]:
    """Every problem in the library, errors and warnings."""
    from .validate import lint as run

    return run(library)


def load_deal(path: Path | str, library: Library) -> Deal:
    """Load and check a deal file against the library. Raises ValidationFailed with every issue."""
    from .loading import load_deal as load

    return load(Path(path), library)[0]


def render_docx(library: Library, agreement: Agreement) -> bytes:
    """The agreement as DOCX bytes, self-checked for its locked clauses; a final one has no revisions."""
    from .render_docx import render

    template = library.template_path(agreement.playbook)
    data = render(agreement, template)
    if agreement.final:
        _refuse_tracked_changes(data, template)
    return data


def _refuse_tracked_changes(data: bytes, template: Path) -> None:
    """A final version must not carry unaccepted tracked changes: LibreOffice would print them."""
    from .docx_io import tracked_changes
    from .errors import ContractkitError

    count = tracked_changes(data)
    if count:
        raise ContractkitError(
            f"cannot produce a final version: the document has {count} unaccepted tracked change(s)",
            hint=f"accept or reject the tracked changes in {template}, then draft again",
        )


def write(library: Library, agreement: Agreement, out: Path, *, force: bool = False) -> None:
    """Render and write `out` (.docx or .pdf) atomically; nothing is written if any step fails."""
    check_target(out, force=force)
    data = render_docx(library, agreement)
    if out.suffix.lower() == ".pdf":
        from .render_pdf import to_pdf

        data = to_pdf(agreement, data)
    write_atomic(out, data, force=force)


def draft(library: Library, deal_path: Path, out: Path, *, force: bool = False, final: bool = False) -> Agreement:
    """Load a deal, assemble it and write the agreement: the whole of `contractkit draft`."""
    if out.suffix.lower() not in (".docx", ".pdf"):
        raise ValidationFailed([Issue("output must end in .docx or .pdf", file=str(out))])
    check_target(out, force=force)
    agreement = prepare(library, deal_path, final=final)
    write(library, agreement, out, force=force)
    return agreement


def prepare(library: Library, deal_path: Path, *, final: bool = False) -> Agreement:
    """Load, check and assemble one deal; a final version also needs every approval in place."""
    agreement = assemble(library, load_deal(deal_path, library), final=final)
    if final:
        from .negotiate import final_blockers

        final_blockers(agreement)
    return agreement


# ----------------------------------------------------------------------------- deals as data (the web app)


def check_deal_text(text: str, library: Library, *, name: str) -> tuple[Any, Deal | None, list[Issue]]:
    """A deal file's text checked exactly as `load_deal` checks a file: its plain data, the deal
    when it passes the schema, and every issue (errors and warnings). Never raises for the deal's
    own problems, so a form can show them beside its fields."""
    from . import yamlio
    from .loading import model_from
    from .validate import check_deal, locked_overrides

    try:
        doc = yamlio.parse(text, name)
    except ValidationFailed as exc:
        return None, None, exc.issues
    deal, issues = model_from(doc, Deal)
    if deal is None:
        return doc.plain(), None, locked_overrides(doc, library) + issues
    return doc.plain(), deal, check_deal(deal, doc, library)


def deal_data(deal: Deal) -> dict[str, Any]:
    """A deal as the plain data of its file (dates and amounts as text), as JSON can store it."""
    return deal.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)


def deal_yaml(data: Any) -> str:
    """Plain deal data as a deal file's text, which `load_deal` reads back to the same deal."""
    from . import yamlio

    return yamlio.dump(data)


def positions(library: Library, deal: Deal) -> list[Any]:
    """Every negotiable and locked clause of the deal with its ladder and approval (see negotiate)."""
    from .negotiate import positions as states

    return states(library, deal)


def swap_deal(library: Library, deal: Deal, request: Any, *, now: Any) -> tuple[Deal, Any]:
    """The deal after moving one clause along its ladder (or recording an approval), and the history
    entry that says so; the same rules as `contractkit swap`, on data instead of a file."""
    from .negotiate import apply_entry, plan

    entry = plan(library, deal, request, now)
    return apply_entry(deal, entry), entry


def final_blockers(agreement: Agreement) -> None:
    from .negotiate import final_blockers as blockers

    blockers(agreement)


def to_pdf(agreement: Agreement, docx: bytes) -> bytes:
    from .render_pdf import to_pdf as convert

    return convert(agreement, docx)


def redline(old: bytes, new: bytes, *, author: str, date: Any) -> bytes:
    from .redline import compare

    return compare(old, new, author=author, date=date)


def reopen_approval(deal: Deal, clause: str, position: str, reason: str, *, now: Any) -> Deal:
    """The deal with one approval re-opened, because a later change altered the approved wording."""
    from .negotiate import reopened

    return reopened(deal, clause, position, reason, now)


ROLE_LABELS = {
    "negotiator": "Negotiator (no approval needed)",
    "legal-lead": "Legal lead",
    "information-governance": "Information governance lead",
    "caldicott-guardian": "Caldicott Guardian",
    "board": "Board",
    "centre": "National centre",
}


def role_label(role: str) -> str:
    """How a role is named to people: 'Legal lead', not 'legal-lead'."""
    return ROLE_LABELS.get(role, role.replace("-", " ").capitalize())


def rung(library: Library, deal: Deal, clause: str) -> Rung:
    """The rung of its ladder that a negotiable clause of the deal stands on."""
    entry = next(e for e in library.playbooks[deal.playbook].entries() if e.clause == clause)
    if entry.ladder is None:
        raise ValueError(f"{clause} has no ladder")
    current = deal.positions.get(clause, entry.ladder.preferred.position)
    return next(r for r in entry.ladder.rungs if r.position == current)
