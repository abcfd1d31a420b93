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

from contractkit.drafting.assemble import Agreement, assemble
from contractkit.drafting.prepare import prepare as drafting_prepare
from contractkit.errors import Issue, ValidationFailed
from contractkit.files import check_target, write_atomic
from contractkit.library import deal_loading
from contractkit.library.deal import Deal
from contractkit.library.loading import Library, load_library
from contractkit.library.yamlio import Document
from contractkit.negotiation.negotiate import SwapRequest

if TYPE_CHECKING:
    from contractkit.library.pins import Release
    from contractkit.trust.keys import Signer

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
    from contractkit.checking.lint import lint as run

    return run(library) + check_release(library, trust=trust).issues


def check_release(library: Library, *, trust: Sequence[Path] = ()) -> Release:
    """The library against its pin file, and the pin file's signature when a centre key is configured."""
    from contractkit.library import pins
    from contractkit.trust import keys

    return pins.check(library, keys.centre(trust))


def release(library: Library, signer: Signer | None, *, force: bool = False) -> tuple[Path, dict[str, Any]]:
    """The centre's release: write the pin file beside library.yaml, signed when `signer` is given."""
    from contractkit.library import pins

    return pins.release(library, signer, force=force)


def load_deal(path: Path | str, library: Library) -> Deal:
    """Load and check a deal file against the library. Raises ValidationFailed with every issue."""
    return deal_loading.load_deal(Path(path), library)[0]


def load(library: Library, path: Path | str) -> tuple[Deal, Document, list[Issue]]:
    """Load and check a deal file: raises ValidationFailed with every error, and returns the
    deal, its parsed file (for locating later problems) and its warnings."""
    return deal_loading.load_deal_with_warnings(Path(path), library)


def render_docx(library: Library, agreement: Agreement) -> bytes:
    """The agreement as DOCX bytes, self-checked for its locked clauses; a final one has no revisions."""
    from contractkit.word.render import render_agreement

    return render_agreement(library, agreement)


def write(library: Library, agreement: Agreement, out: Path, *, force: bool = False) -> None:
    """Render and write `out` (.docx or .pdf) atomically; nothing is written if any step fails."""
    check_target(out, force=force)
    data = render_docx(library, agreement)
    if out.suffix.lower() == ".pdf":
        from contractkit.pdf.render import to_pdf

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


def prepare(library: Library, deal_path: Path | str, *, final: bool = False, trust: Sequence[Path] = ()) -> Agreement:
    """Load, check and assemble one deal. Contradictory facts are errors; gaps are the agreement's
    warnings; a final version is refused while any warning stands or any approval is pending.

    The library's locked clauses must match its release pins (see contractkit.library.pins), and the
    agreement's manifest records that release."""
    return drafting_prepare(library, deal_path, final=final, trust=trust)


# ----------------------------------------------------------------------------- deals as data (the web app)


def check_text(library: Library, text: str, *, name: str) -> tuple[Any, Agreement | None, list[Issue]]:
    """A deal file's text given every check `draft` makes: its plain data (even when it does not
    pass, so a form can keep what was typed), the assembled agreement when it passes, and every
    issue, errors and warnings, located by field. Never raises for the deal's own problems."""
    from contractkit.drafting.prepare import prepare_document
    from contractkit.library import yamlio

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
    """A deal file's text, checked and assembled exactly as `draft` does (see drafting.prepare)."""
    from contractkit.drafting.prepare import prepare_document
    from contractkit.library import yamlio

    return prepare_document(library, yamlio.parse(text, name), final=final)


def deal_data(deal: Deal) -> dict[str, Any]:
    """A deal as the plain data of its file (dates and amounts as text), as JSON can store it."""
    return deal.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)


def deal_yaml(data: Any) -> str:
    """Plain deal data as a deal file's text, which `load_deal` reads back to the same deal."""
    from contractkit.library import yamlio

    return yamlio.dump(data)


def positions(library: Library, deal: Deal) -> list[Any]:
    """Every negotiable and locked clause of the deal with its ladder and approval (see negotiate)."""
    from contractkit.negotiation.negotiate import positions as states

    return states(library, deal)


def swap_data(
    library: Library, data: dict[str, Any], deal: Deal, request: SwapRequest, *, now: Any
) -> tuple[dict[str, Any], Any]:
    """A deal file's data after moving one clause along its ladder (or recording an approval), and
    the history entry: the same rules and the same edit as `contractkit swap`, on data."""
    from contractkit.negotiation.negotiate import moved, plan

    entry = plan(library, deal, request, now)
    return moved(library, data, deal, entry), entry


def reopen_approval(data: dict[str, Any], clause: str, position: str, reason: str, *, now: Any) -> dict[str, Any]:
    """A deal file's data with one approval re-opened, because a later change altered the approved wording."""
    from contractkit.negotiation.negotiate import reopened

    return reopened(data, clause, position, reason, now)


def rung(library: Library, deal: Deal, clause: str) -> Any:
    """The rung of its ladder that a negotiable clause of the deal stands on."""
    return next(s.rung for s in positions(library, deal) if s.clause.id == clause)


def final_problems(agreement: Agreement) -> list[Issue]:
    """Why a final version cannot be made yet: every warning and every pending approval."""
    from contractkit.drafting.completeness import final_problems as problems

    return problems(agreement)


def to_pdf(agreement: Agreement, docx: bytes) -> bytes:
    """The agreement as PDF/A-3b with its metadata and signed manifest (see pdf.render)."""
    from contractkit.pdf.render import to_pdf as convert

    return convert(agreement, docx)


def start_pdf_pool(size: int | None = None) -> str | None:
    """Start this process's warm LibreOffice pool in the background, once (see pdf.pool): `to_pdf`
    uses it as soon as a converter is ready, and a cold soffice until then. `size` is the number
    of converters (default: one per core); 0 turns the pool off for this process. It is stopped at
    exit. Returns why there is no pool (for example, no UNO Python), or None."""
    from contractkit.pdf.pool import shared, shared_problem

    return None if shared(size) is not None else shared_problem()


def stop_pdf_pool() -> None:
    """Stop this process's warm LibreOffice pool, if it runs one."""
    from contractkit.pdf.pool import stop_shared

    stop_shared()


def redline(old: bytes, new: bytes, *, author: str, date: Any) -> bytes:
    """NEW with Word tracked changes from OLD (see word.redline)."""
    from contractkit.word.redline import compare

    return compare(old, new, author=author, date=date)
