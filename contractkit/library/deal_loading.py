"""Deal files to the model: parsed with a line for every field, checked against the schema and,
given a library, against it (library.checks), with every problem found in one pass."""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from contractkit.errors import Issue, ValidationFailed
from contractkit.library import checks, yamlio
from contractkit.library.deal import Deal
from contractkit.library.loading import Library, schema_issues
from contractkit.library.shapes import is_placeholder


def read_deal(doc: yamlio.Document) -> tuple[Deal, list[Issue], frozenset[str]]:
    """The deal, its schema problems, and the top-level fields that failed. When some failed, the
    deal holds only the fields that did not (built unchecked from their validated values), so
    checks that need none of the failed fields can still run and report in the same pass."""
    data = doc.plain()
    if not isinstance(data, dict):
        issue = doc.issue([], "should be a deal: fields such as 'playbook:' and 'agreement:', one to a line")
        return _partial({}), [issue], frozenset(Deal.model_fields)
    try:
        return Deal.model_validate(data), _placeholders(doc, []), frozenset()
    except ValidationError as exc:
        issues = schema_issues(doc, exc, Deal)
        issues += _placeholders(doc, issues)
        broken = frozenset(str(e["loc"][0]) for e in exc.errors() if e["loc"]) or frozenset(Deal.model_fields)
    good: dict[str, Any] = {}
    for name, info in Deal.model_fields.items():
        if name in data and name not in broken:
            with suppress(ValidationError):
                good[name] = TypeAdapter(info.annotation or Any).validate_python(data[name])
    return _partial(good), issues, broken | {n for n in Deal.model_fields if n in data and n not in good}


def _placeholders(doc: yamlio.Document, issues: list[Issue]) -> list[Issue]:
    """A placeholder the schema accepted sits in free text: the draft shows it in its brackets, so
    it is a warning (interfaces §5). One in a typed field is already an error in `issues`."""
    flagged = {i.field for i in issues}
    return [
        doc.issue(loc, f"not filled in: {value.strip()}", severity="warning")
        for loc, value in yamlio.strings(doc.data)
        if is_placeholder(value) and yamlio.format_loc(loc) not in flagged
    ]


def _partial(fields: dict[str, Any]) -> Deal:
    return Deal.model_construct(**fields)


def load_deal(path: Path, library: Library | None = None) -> tuple[Deal, yamlio.Document]:
    """Load a deal file; with a library, also check it against its playbook (see validate)."""
    deal, doc, _ = load_deal_with_warnings(path, library)
    return deal, doc


def load_deal_with_warnings(path: Path, library: Library | None = None) -> tuple[Deal, yamlio.Document, list[Issue]]:
    """As load_deal, also returning the warnings found (placeholders left in free text, judgements),
    which a draft must show the lawyer and a final version refuses (interfaces §6). Raises
    ValidationFailed when there is any error, with every problem found in one pass, in file order:
    the checks that the schema's failures leave valid run too."""
    return check_document(yamlio.load(path), library)


def check_document(doc: yamlio.Document, library: Library | None = None) -> tuple[Deal, yamlio.Document, list[Issue]]:
    """As load_deal_with_warnings, for a deal file already parsed (from a file, or text a web form
    produced): the same checks, so a deal means the same wherever it came from."""
    deal, issues, broken = read_deal(doc)
    if library is not None:
        issues = checks.locked_overrides(doc, library) + issues + checks.check_deal(deal, doc, library, broken=broken)
    if broken or any(i.severity == "error" for i in issues):
        raise ValidationFailed(sorted(issues, key=lambda i: i.line or 0))
    return deal, doc, sorted((i for i in issues if i.severity == "warning"), key=lambda i: i.line or 0)
