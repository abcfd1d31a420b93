"""The small, typed Python API. The CLI is a thin layer over these functions.

from contractkit import api
library = api.load_library()
agreement = api.prepare(library, "examples/northby-sepsis.yaml")
for warning in agreement.warnings:  # gaps a lawyer must fill before a final version
    print(warning)
api.write(library, agreement, Path("out/northby.docx"))
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import facts
from .assemble import Agreement, assemble
from .errors import Issue, ValidationFailed
from .files import check_target, write_atomic
from .loading import Library, load_library
from .model import Deal
from .negotiate import SwapRequest
from .yamlio import Document

if TYPE_CHECKING:
    from .keys import Signer
    from .pins import Release

__all__ = [
    "Agreement",
    "Deal",
    "Library",
    "SwapRequest",
    "assemble",
    "check_release",
    "draft",
    "lint",
    "load",
    "load_deal",
    "load_library",
    "prepare",
    "release",
    "render_docx",
    "write",
]


def lint(library: Library, *, trust: Sequence[Path] = ()) -> list[Issue]:
    """Every problem in the library, errors and warnings, including every difference from the
    centre's release pins (`trust`: the centre's public key files, besides centre.pub)."""
    from .validate import lint as run

    return run(library) + check_release(library, trust=trust).issues


def check_release(library: Library, *, trust: Sequence[Path] = ()) -> Release:
    """The library against its pin file, and the pin file's signature when a centre key is configured."""
    from . import keys, pins

    return pins.check(library, keys.centre(trust))


def release(library: Library, signer: Signer | None, *, force: bool = False) -> tuple[Path, dict[str, Any]]:
    """The centre's release: write the pin file beside library.yaml, signed when `signer` is given."""
    from . import pins

    return pins.release(library, signer, force=force)


def load_deal(path: Path | str, library: Library) -> Deal:
    """Load and check a deal file against the library. Raises ValidationFailed with every issue."""
    from .loading import load_deal as load

    return load(Path(path), library)[0]


def load(library: Library, path: Path | str) -> tuple[Deal, Document, list[Issue]]:
    """Load and check a deal file: raises ValidationFailed with every error, and returns the
    deal, its parsed file (for locating later problems) and its warnings."""
    from .loading import load_deal_with_warnings

    return load_deal_with_warnings(Path(path), library)


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


def draft(
    library: Library,
    deal_path: Path,
    out: Path,
    *,
    force: bool = False,
    final: bool = False,
    trust: Sequence[Path] = (),
) -> Agreement:
    """Load a deal, assemble it and write the agreement: the whole of `contractkit draft`."""
    if out.suffix.lower() not in (".docx", ".pdf"):
        raise ValidationFailed([Issue("output must end in .docx or .pdf", file=str(out))])
    check_target(out, force=force)
    agreement = prepare(library, deal_path, final=final, trust=trust)
    write(library, agreement, out, force=force)
    return agreement


def prepare(
    library: Library, deal_path: Path | str, *, final: bool = False, trust: Sequence[Path] = ()
) -> Agreement:
    """Load, check and assemble one deal file (see prepare_document)."""
    from . import yamlio

    return prepare_document(library, yamlio.load(Path(deal_path)), final=final, trust=trust)


def prepare_document(
    library: Library, document: Document, *, final: bool = False, trust: Sequence[Path] = ()
) -> Agreement:
    """Load, check and assemble one deal. Contradictory facts are errors; gaps are the agreement's
    warnings; a final version is refused while any warning stands or any approval is pending.

    The library's locked clauses must match its release pins (see contractkit.pins), and the
    agreement's manifest records that release."""
    from . import keys, pins
    from .loading import check_document

    release = pins.require(library, keys.centre(trust))
    deal, doc, warnings = check_document(document, library)
    where = facts.Where(doc)
    problems = facts.deal_checks(deal, where)
    try:
        agreement = assemble(library, deal, final=final, doc=doc)
    except ValidationFailed as exc:
        raise ValidationFailed([*problems, *exc.issues]) from None
    if any(p.severity == "error" for p in problems):
        raise ValidationFailed(problems)
    agreement.release = release.record()
    agreement.warnings = _merged([*warnings, *problems], list(agreement.warnings))
    if final:
        from .completeness import refuse_unless_final

        refuse_unless_final(agreement, doc.name)
    return agreement


def _merged(deal_warnings: list[Issue], drafting: list[Issue]) -> tuple[Issue, ...]:
    """The deal's own warnings first; a drafting warning about a field the deal check has already
    reported (a placeholder left in, say) is not repeated."""
    reported = {(i.file, i.field) for i in deal_warnings if i.field}
    kept = [i for i in drafting if not i.field or (i.file, i.field) not in reported]
    return tuple(dict.fromkeys([*deal_warnings, *kept]))


# ----------------------------------------------------------------------------- deals as data (the web app)


def check_text(library: Library, text: str, *, name: str) -> tuple[Any, Agreement | None, list[Issue]]:
    """A deal file's text given every check `draft` makes: its plain data (even when it does not
    pass, so a form can keep what was typed), the assembled agreement when it passes, and every
    issue, errors and warnings, located by field. Never raises for the deal's own problems."""
    from . import yamlio

    try:
        doc = yamlio.parse(text, name)
    except ValidationFailed as exc:
        return None, None, exc.issues
    try:
        agreement = prepare_document(library, doc)
    except ValidationFailed as exc:
        return doc.plain(), None, exc.issues
    return doc.plain(), agreement, list(agreement.warnings)


def prepare_text(library: Library, text: str, *, name: str, final: bool = False) -> Agreement:
    """A deal file's text, checked and assembled exactly as `draft` does (see prepare_document)."""
    from . import yamlio

    return prepare_document(library, yamlio.parse(text, name), final=final)


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


def swap_data(
    library: Library, data: dict[str, Any], deal: Deal, request: Any, *, now: Any
) -> tuple[dict[str, Any], Any]:
    """A deal file's data after moving one clause along its ladder (or recording an approval), and
    the history entry: the same rules and the same edit as `contractkit swap`, on data."""
    from .negotiate import moved, plan

    entry = plan(library, deal, request, now)
    return moved(library, data, deal, entry), entry


def reopen_approval(data: dict[str, Any], clause: str, position: str, reason: str, *, now: Any) -> dict[str, Any]:
    """A deal file's data with one approval re-opened, because a later change altered the approved wording."""
    from .negotiate import reopened

    return reopened(data, clause, position, reason, now)


def rung(library: Library, deal: Deal, clause: str) -> Any:
    """The rung of its ladder that a negotiable clause of the deal stands on."""
    return next(s.rung for s in positions(library, deal) if s.clause.id == clause)


def final_problems(agreement: Agreement) -> list[Issue]:
    """Why a final version cannot be made yet: every warning and every pending approval."""
    from .completeness import final_problems as problems

    return problems(agreement)


def to_pdf(agreement: Agreement, docx: bytes) -> bytes:
    from .render_pdf import to_pdf as convert

    return convert(agreement, docx)


def redline(old: bytes, new: bytes, *, author: str, date: Any) -> bytes:
    from .redline import compare

    return compare(old, new, author=author, date=date)
