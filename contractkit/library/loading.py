"""Files to model: the clause library, its playbooks and its exclusivity rules, with every problem
located. Deal files are read by library.deal_loading."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from contractkit.errors import Issue, IssueList, ValidationFailed
from contractkit.library import messages, yamlio
from contractkit.library.exclusivity_rules import RULES_FILE, RuleSet
from contractkit.library.exclusivity_rules import check as check_rules
from contractkit.library.model import Clause, LibraryMeta, Playbook

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
        return None, schema_issues(doc, exc, cls)


def schema_issues(doc: yamlio.Document, exc: ValidationError, cls: type[BaseModel]) -> list[Issue]:
    """pydantic's errors for `doc` as located issues, in words a lawyer can act on (library.messages)."""
    issues = []
    for err in exc.errors():
        loc = [p for p in err["loc"] if isinstance(p, int) or ("[" not in p and not p[:1].isupper())]
        message, hint = messages.words(err, cls)
        if err["type"] == "extra_forbidden" and loc == ["exclusivity_patterns"]:
            message = "exclusivity patterns are no longer read from library.yaml"
            hint = f"remove them; the exclusivity rules live in {RULES_FILE}"
        issues.append(doc.issue(loc, message, hint=hint))
    return list(dict.fromkeys(issues))  # a union reports each of its branches; one line is enough


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
