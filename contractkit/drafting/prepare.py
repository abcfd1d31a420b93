"""One deal made ready to render: its library release checked, its file loaded and checked, its
facts checked, the agreement assembled, and a final version refused while anything is unfinished.

`contractkit.api.prepare` is this function; batches, negotiation, the register and the summary
call it directly, so that no layer below the API has to call back up into it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from contractkit.drafting.agreement import Agreement
from contractkit.drafting.assemble import assemble
from contractkit.drafting.completeness import refuse_unless_final
from contractkit.errors import Issue, ValidationFailed
from contractkit.library import facts, pins, yamlio
from contractkit.library.deal_loading import check_document
from contractkit.library.loading import Library
from contractkit.trust import keys


def prepare(library: Library, deal_path: Path | str, *, final: bool = False, trust: Sequence[Path] = ()) -> Agreement:
    """Load, check and assemble one deal file (see prepare_document)."""
    return prepare_document(library, yamlio.load(Path(deal_path)), final=final, trust=trust)


def prepare_document(
    library: Library, document: yamlio.Document, *, final: bool = False, trust: Sequence[Path] = ()
) -> Agreement:
    """Check and assemble one parsed deal file (from disk, or text a web form produced).
    Contradictory facts are errors; gaps are the agreement's warnings; a final version is refused
    while any warning stands or any approval is pending.

    The library's locked clauses must match its release pins (see contractkit.library.pins), and
    the agreement's manifest records that release."""
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
        refuse_unless_final(agreement, doc.name)
    return agreement


def _merged(deal_warnings: list[Issue], drafting: list[Issue]) -> tuple[Issue, ...]:
    """The deal's own warnings first; a drafting warning about a field the deal check has already
    reported (a placeholder left in, say) is not repeated."""
    reported = {(i.file, i.field) for i in deal_warnings if i.field}
    kept = [i for i in drafting if not i.field or (i.file, i.field) not in reported]
    return tuple(dict.fromkeys([*deal_warnings, *kept]))
