"""Files to model: the clause library, playbooks and deal files, with every problem located."""

from __future__ import annotations

import os
from contextlib import suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from contractkit.errors import Issue, IssueList, ValidationFailed
from contractkit.library import messages, yamlio
from contractkit.library.exclusivity_rules import RULES_FILE, RuleSet
from contractkit.library.exclusivity_rules import check as check_rules
from contractkit.library.model import Clause, Deal, LibraryMeta, Playbook
from contractkit.library.shapes import is_placeholder

M = TypeVar("M", bound=BaseModel)
ENV_LIBRARY = "CONTRACTKIT_LIBRARY"


@dataclass
class Library:
    """The centre's library: metadata, clauses by id, playbooks by id, and where they came from."""

    root: Path
    meta: LibraryMeta
    clauses: dict[str, Clause]
    playbooks: dict[str, Playbook]
    rules: RuleSet  # exclusivity.yaml: how exclusivity is recognised
    docs: dict[str, yamlio.Document] = field(default_factory=dict, repr=False)

    @property
    def version(self) -> str:
        return self.meta.version

    def template_path(self, playbook: Playbook) -> Path:
        return self.root / "templates" / playbook.template

    def clause(self, clause_id: str) -> Clause:
        return self.clauses[clause_id]

    def locate_text(self, clause_id: str, position: str, message: str, offset: int, **extra: Any) -> Issue:
        """A problem in a position's text block, located on the failing line of that block."""
        issue = self.locate(f"clause:{clause_id}", ["positions", position, "text"], message, **extra)
        return replace(issue, line=issue.line + 1 + offset) if issue.line else issue

    def locate(self, key: str, loc: yamlio.Loc, message: str, **extra: Any) -> Issue:
        """An issue located in the file the library loaded under `key` (e.g. 'clause:ip')."""
        doc = self.docs.get(key)
        if doc is None:
            return Issue(message, field=yamlio.format_loc(loc), **extra)
        return doc.issue(loc, message, **extra)


def default_root() -> Path:
    """The library: $CONTRACTKIT_LIBRARY, else the copy packaged with contractkit, else the checkout."""
    if os.environ.get(ENV_LIBRARY):
        return Path(os.environ[ENV_LIBRARY])
    package = Path(__file__).resolve().parents[1]
    packaged = package / "_library"
    return packaged if (packaged / "library.yaml").exists() else package.parent


def _label(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def model_from(doc: yamlio.Document, cls: type[M]) -> tuple[M | None, list[Issue]]:
    """Validate a parsed document against a schema; pydantic errors become located issues."""
    try:
        return cls.model_validate(doc.plain()), []
    except ValidationError as exc:
        return None, _issues(doc, exc, cls)


def _issues(doc: yamlio.Document, exc: ValidationError, cls: type[BaseModel]) -> list[Issue]:
    issues = []
    for err in exc.errors():
        loc = [p for p in err["loc"] if isinstance(p, int) or ("[" not in p and not p[:1].isupper())]
        message, hint = messages.words(err, cls)
        if err["type"] == "extra_forbidden" and loc == ["exclusivity_patterns"]:
            message = "exclusivity patterns are no longer read from library.yaml"
            hint = f"remove them; the exclusivity rules live in {RULES_FILE}"
        issues.append(doc.issue(loc, message, hint=hint))
    return list(dict.fromkeys(issues))  # a union reports each of its branches; one line is enough


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
        issues = _issues(doc, exc, Deal)
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


def load_library(root: Path | None = None) -> Library:
    """Load and schema-check every library file, reporting all problems together."""
    root = Path(root or default_root())
    issues = IssueList()
    if not (root / "library.yaml").is_file():
        raise ValidationFailed(
            [
                Issue(
                    "not a contractkit library (no library.yaml)",
                    file=str(root),
                    hint=f"point --library or ${ENV_LIBRARY} at a library folder",
                )
            ]
        )
    docs: dict[str, yamlio.Document] = {}

    def read(path: Path, key: str, cls: type[M], cache: Path | None = None) -> M | None:
        try:
            doc = yamlio.load_cached(path, _label(path, root), cache)
        except ValidationFailed as exc:
            issues.extend(exc.issues)
            return None
        docs[key] = doc
        obj, problems = model_from(doc, cls)
        issues.extend(problems)
        if obj is not None and getattr(obj, "id", path.stem) != path.stem:
            issues.items.append(doc.issue(["id"], f"must equal the file name {path.stem!r}"))
        return obj

    meta = read(root / "library.yaml", "library", LibraryMeta)
    rules = _rules(root, read, issues, docs)
    clauses = {
        c.id: c
        for p in sorted((root / "clauses").glob("*.yaml"))
        if (c := read(p, f"clause:{p.stem}", Clause)) is not None
    }
    playbooks = {
        b.id: b
        for p in sorted((root / "playbooks").glob("*.yaml"))
        if (b := read(p, f"playbook:{p.stem}", Playbook)) is not None
    }
    issues.raise_if_errors()
    assert meta is not None and rules is not None
    return Library(root, meta, clauses, playbooks, rules, docs)


def _rules(root: Path, read: Any, issues: IssueList, docs: dict[str, yamlio.Document]) -> RuleSet | None:
    """The exclusivity rules beside library.yaml: without them nothing can refuse exclusivity, so a
    library that lacks them, or whose rules are empty or broken, does not load."""
    path = root / RULES_FILE
    if not path.is_file():
        issues.items.append(
            Issue(
                "the exclusivity rules are missing",
                file=str(path),
                hint="restore exclusivity.yaml from the centre's release of the library",
            )
        )
        return None
    from contractkit.core.cachedir import private_cache

    rules: RuleSet | None = read(path, "exclusivity", RuleSet, private_cache())  # large: kept parsed
    if rules is not None:
        problems = check_rules(rules, docs["exclusivity"])
        issues.extend(problems)
        return None if problems else rules
    return None


def load_deal(path: Path, library: Library | None = None) -> tuple[Deal, yamlio.Document]:
    """Load a deal file; with a library, also check it against its playbook (see validate)."""
    deal, doc, _ = load_deal_with_warnings(path, library)
    return deal, doc


def load_deal_with_warnings(path: Path, library: Library | None = None) -> tuple[Deal, yamlio.Document, list[Issue]]:
    """As load_deal, also returning the warnings found (placeholders left in free text, judgements),
    which a draft must show the lawyer and a final version refuses (interfaces §6). Raises
    ValidationFailed when there is any error, with every problem found in one pass, in file order:
    the checks that the schema's failures leave valid run too."""
    doc = yamlio.load(path)
    deal, issues, broken = read_deal(doc)
    if library is not None:
        from contractkit.library.checks import check_deal, locked_overrides

        issues = locked_overrides(doc, library) + issues + check_deal(deal, doc, library, broken=broken)
    if broken or any(i.severity == "error" for i in issues):
        raise ValidationFailed(sorted(issues, key=lambda i: i.line or 0))
    return deal, doc, sorted((i for i in issues if i.severity == "warning"), key=lambda i: i.line or 0)
