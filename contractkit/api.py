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

if TYPE_CHECKING:
    from contractkit.library.pins import Release
    from contractkit.trust.keys import Signer

__all__ = [
    "Agreement",
    "Deal",
    "Library",
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
