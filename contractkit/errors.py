"""The error tree, and located issues that say which file, line and field went wrong."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Issue:
    """One problem found in an input file, located as precisely as we can."""

    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None
    hint: str | None = None
    severity: Severity = "error"

    def __str__(self) -> str:
        where = (self.file or "<input>") + (f":{self.line}" if self.line else "")
        if self.field:
            where += f" {self.field}"
        warning = " warning:" if self.severity == "warning" else ""
        text = f"{where}:{warning} {self.message}"
        return f"{text} (hint: {self.hint})" if self.hint else text

    def as_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "message": self.message,
            "hint": self.hint,
        }


class ContractkitError(Exception):
    """Base of every error the library raises on purpose. The CLI maps these to exit 1."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint

    def lines(self) -> list[str]:
        text = str(self)
        return [f"{text} (hint: {self.hint})" if self.hint else text]


class ValidationFailed(ContractkitError):
    """One or more located issues; every one is reported, not just the first."""

    def __init__(self, issues: list[Issue]) -> None:
        errors = [i for i in issues if i.severity == "error"]
        super().__init__(f"{len(errors)} problem(s) found")
        self.issues = issues

    def lines(self) -> list[str]:
        return [str(i) for i in self.issues]


class OutputExists(ContractkitError):
    """Refuse to overwrite a file the user already has."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path}: already exists", hint="use --force to overwrite it")


class NotCompliant(ContractkitError):
    """A document that was read fine but breaks the rules (exit 3): a result, not a crash."""

    exit_code = 3


class CannotVerify(ContractkitError):
    """A received file that cannot be checked: unreadable, encrypted, hostile or not an agreement."""


@dataclass
class IssueList:
    """Collects issues from many checks, so validation reports everything at once."""

    items: list[Issue] = field(default_factory=list)

    def add(self, message: str, **where: object) -> None:
        self.items.append(Issue(message, **where))  # type: ignore[arg-type]

    def extend(self, issues: list[Issue]) -> None:
        self.items.extend(issues)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.items if i.severity == "error"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ValidationFailed(self.items)
