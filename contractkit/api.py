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
from contractkit.errors import Issue, ValidationFailed
from contractkit.files import check_target, write_atomic
from contractkit.library import facts
from contractkit.library.loading import Library, load_library
from contractkit.library.model import Deal
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
    from contractkit.library.checks import lint as run

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
    from contractkit.library.loading import load_deal as load

    return load(Path(path), library)[0]


def load(library: Library, path: Path | str) -> tuple[Deal, Document, list[Issue]]:
    """Load and check a deal file: raises ValidationFailed with every error, and returns the
    deal, its parsed file (for locating later problems) and its warnings."""
    from contractkit.library.loading import load_deal_with_warnings

    return load_deal_with_warnings(Path(path), library)


def render_docx(library: Library, agreement: Agreement) -> bytes:
    """The agreement as DOCX bytes, self-checked for its locked clauses; a final one has no revisions."""
    from contractkit.word.render import render

    template = library.template_path(agreement.playbook)
    data = render(agreement, template)
    if agreement.final:
        _refuse_tracked_changes(data, template)
    return data


def _refuse_tracked_changes(data: bytes, template: Path) -> None:
    """A final version must not carry unaccepted tracked changes: LibreOffice would print them."""
    from contractkit.errors import ContractkitError
    from contractkit.word.xml import tracked_changes

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

    The library's locked clauses must match its release pins (see contractkit.pins), and the
    agreement's manifest records that release."""
    from contractkit.library import pins
    from contractkit.trust import keys

    release = pins.require(library, keys.centre(trust))
    deal, doc, warnings = load(library, deal_path)
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
        from contractkit.drafting.completeness import refuse_unless_final

        refuse_unless_final(agreement, doc.name)
    return agreement


def _merged(deal_warnings: list[Issue], drafting: list[Issue]) -> tuple[Issue, ...]:
    """The deal's own warnings first; a drafting warning about a field the deal check has already
    reported (a placeholder left in, say) is not repeated."""
    reported = {(i.file, i.field) for i in deal_warnings if i.field}
    kept = [i for i in drafting if not i.field or (i.file, i.field) not in reported]
    return tuple(dict.fromkeys([*deal_warnings, *kept]))
