"""Library releases: the centre pins the wording of every locked clause, and copies are checked against it.

`contractkit library release` writes `library.pins.json` beside `library.yaml`: the library
version and, for each locked clause, its version, status, principles and the SHA-256 of its
canonical text (see `canonical_lines`), optionally signed with the centre's Ed25519 key.
`lint` reports every difference between a copy of the library and its pins, located on the
clause file's line; `draft` refuses a library that differs. A trust that has the centre's public
key (`centre.pub` in its configuration folder, or `--trust`) also checks the signature, so a
re-pinned local edit cannot pass as the centre's release.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from contractkit.core.text import TextError, normalise, split_lines
from contractkit.errors import Issue, ValidationFailed
from contractkit.library.loading import Library
from contractkit.library.model import Clause, Principle
from contractkit.trust import signing
from contractkit.trust.keys import Keyring, Signer

PIN_FILE = "library.pins.json"
FORMAT = "contractkit-pins/1"
MAX_PIN_FILE = 5 * 1024 * 1024
RESTORE = "restore the centre's release of this clause; only the centre changes locked clauses, in a new release"
CENTRE_HINT = "put the centre's public key in the configuration folder as centre.pub, or pass --trust"


class PinnedClause(BaseModel):
    """One locked clause as the centre released it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    status: str
    principles: list[Principle]
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the canonical text.")
    lines: list[str] = Field(
        max_length=10_000, description="First 16 hex digits of the SHA-256 of each canonical line, to locate."
    )


class PinFile(BaseModel):
    """library.pins.json."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: str = Field(pattern=f"^{FORMAT}$")
    library: str
    name: str = ""
    clauses: dict[str, PinnedClause]
    signature: dict[str, Any] | None = None


# ----------------------------------------------------------------------------- canonical text


def canonical_lines(clause: Clause) -> list[tuple[str, int | None]]:
    """The lines a release pins, each with its line within the position's text block (None: the
    heading): the heading, then each paragraph of the clause's one position, indented two spaces
    per sub-level and marked '| ' when unnumbered, in the normal form verify compares
    (`text.normalise`: spacing, quote and dash styles do not count; every word does)."""
    out: list[tuple[str, int | None]] = [(normalise(clause.title), None)]
    for position in clause.positions.values():  # a locked clause has exactly one
        try:
            paragraphs = [
                ("  " * (p.level - 1) + ("" if p.numbered else "| ") + normalise(p.source), p.offset)
                for p in split_lines(position.text)
            ]
        except TextError:  # lint reports the text error itself; the text still gets a hash
            paragraphs = [(normalise(raw), n) for n, raw in enumerate(position.text.splitlines()) if raw.strip()]
        out += paragraphs
    return out


def canonical_text(clause: Clause) -> str:
    return "\n".join(line for line, _ in canonical_lines(clause))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def pin(clause: Clause) -> dict[str, Any]:
    return {
        "version": clause.version,
        "status": clause.status,
        "principles": list(clause.principles),
        "sha256": _digest(canonical_text(clause)),
        "lines": [_digest(line)[:16] for line, _ in canonical_lines(clause)],
    }


def build(library: Library) -> dict[str, Any]:
    """The pin file's content for the library as it stands."""
    locked = sorted(c for c, clause in library.clauses.items() if clause.status == "locked")
    return {
        "format": FORMAT,
        "library": library.version,
        "name": library.meta.name,
        "clauses": {c: pin(library.clauses[c]) for c in locked},
    }


def dumps(pins: dict[str, Any]) -> bytes:
    """The pin file as people read it in a review: one member per line, lists kept on one line."""
    return (_dump(pins, "") + "\n").encode()


def _dump(value: Any, pad: str) -> str:
    if not isinstance(value, dict) or not value:
        return json.dumps(value, ensure_ascii=False)
    inner = pad + "  "
    items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {_dump(v, inner)}" for k, v in value.items()]
    return "{\n" + ",\n".join(items) + "\n" + pad + "}"


# ----------------------------------------------------------------------------- the check


@dataclass
class Release:
    """What a library's pin file says and whether the library matches it."""

    path: Path
    sha256: str | None = None  # of the pin file's bytes
    version: str | None = None
    clauses: int = 0
    check: signing.Check | None = None  # None when no centre key is configured
    issues: list[Issue] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return self.check is not None and self.check.trusted

    @property
    def signed(self) -> bool:
        return self.check is not None and self.check.status != "unsigned"

    def record(self) -> dict[str, Any]:
        """What the manifest of an agreement records about the release it was drafted from."""
        return {
            "library_version": self.version,
            "pins_sha256": self.sha256,
            "signature_verified": self.verified,
            "centre_key": self.check.key if self.verified and self.check else None,
        }

    def note(self) -> str:
        """One line for `lint`: the release, and whether its signature was checked."""
        if self.version is None:
            return "no usable pin file"
        head = f"release {self.version}: {self.clauses} locked clause(s) pinned"
        if self.check is None:
            return head + "; signature not checked (no centre key configured: " + CENTRE_HINT + ")"
        return head + "; " + self.check.describe("the pin file")


def check(library: Library, centre: Keyring) -> Release:
    """Compare the library with its pin file; every difference is a located issue."""
    release = Release(library.root / PIN_FILE)
    loaded = _load(release)
    if loaded is None:
        return release
    raw, pins = loaded
    release.version, release.clauses = pins.library, len(pins.clauses)
    _signature(release, raw, centre)
    if pins.library != library.version:
        release.issues.append(
            library.locate(
                "library",
                ["version"],
                f"is {library.version}, but the pin file is for release {pins.library}",
                hint="use the centre's release as it was published, pin file and all",
            )
        )
    for clause_id, pinned in pins.clauses.items():
        release.issues += _compare(library, clause_id, pinned, pins.library)
    for clause in library.clauses.values():
        if clause.status == "locked" and clause.id not in pins.clauses:
            release.issues.append(_unpinned(library, clause, pins.library))
    return release


def require(library: Library, centre: Keyring) -> Release:
    """The check `draft` makes: the release, or ValidationFailed listing every difference."""
    release = check(library, centre)
    if any(i.severity == "error" for i in release.issues):
        raise ValidationFailed(release.issues)
    return release


def _load(release: Release) -> tuple[dict[str, Any], PinFile] | None:
    """The pin file as parsed JSON (what its signature covers) and as checked data."""
    name = release.path.name
    try:
        data = release.path.read_bytes()[: MAX_PIN_FILE + 1]
    except FileNotFoundError:
        release.issues.append(
            Issue(
                "the library has no pin file, so its locked clauses cannot be checked against the centre's release",
                file=name,
                hint="restore it from the centre's copy of the library; the centre writes it with "
                "'contractkit library release'",
            )
        )
        return None
    except OSError as exc:
        release.issues.append(Issue(f"cannot read the pin file ({exc.strerror})", file=name))
        return None
    release.sha256 = hashlib.sha256(data).hexdigest()
    try:
        if len(data) > MAX_PIN_FILE:
            raise ValueError(f"larger than {MAX_PIN_FILE} bytes")
        raw = json.loads(data)
        return raw, PinFile.model_validate(raw)
    except json.JSONDecodeError as exc:
        release.issues.append(Issue(f"not valid JSON: {exc.msg}", file=name, line=exc.lineno))
    except ValidationError as exc:
        release.issues += [
            Issue(str(err["msg"]), file=name, field=".".join(str(p) for p in err["loc"]) or None)
            for err in exc.errors()
        ]
    except (ValueError, RecursionError) as exc:
        release.issues.append(Issue(f"not a pin file ({exc})", file=name))
    return None


def _signature(release: Release, raw: dict[str, Any], centre: Keyring) -> None:
    if not centre:
        return
    release.check = signing.check(raw, centre, "pins")
    if release.check.trusted:
        return
    detail = release.check.describe("the pin file")
    if release.check.status == "unsigned":
        detail += ", but a centre key is configured, so it cannot be shown to come from the centre"
    hint = "use the pin file exactly as the centre published it"
    release.issues.append(Issue(detail, file=release.path.name, field="signature", hint=hint))


def _compare(library: Library, clause_id: str, pinned: PinnedClause, version: str) -> list[Issue]:
    clause = library.clauses.get(clause_id)
    where = f"the centre's release {version}"
    if clause is None:
        return [
            Issue(
                f"locked clause {clause_id!r} of {where} is missing from the library",
                file=f"clauses/{clause_id}.yaml",
                hint=RESTORE,
            )
        ]
    key = f"clause:{clause_id}"
    issues = []
    if clause.status != pinned.status:
        message = f"locked clause demoted to {clause.status!r}; {where} pins it as {pinned.status!r}"
        issues.append(library.locate(key, ["status"], message, hint=RESTORE))
    if sorted(clause.principles) != sorted(pinned.principles):
        message = f"[{', '.join(clause.principles)}] differ from {where}: [{', '.join(pinned.principles)}]"
        issues.append(library.locate(key, ["principles"], message, hint=RESTORE))
    if clause.version != pinned.version:
        message = f"is {clause.version}; {where} pins version {pinned.version} of this locked clause"
        issues.append(library.locate(key, ["version"], message, hint=RESTORE))
    if _digest(canonical_text(clause)) != pinned.sha256:
        issues += _text(library, clause, pinned, where) or [
            library.locate(key, ["positions"], f"the wording differs from {where}", hint=RESTORE)
        ]
    return issues


def _text(library: Library, clause: Clause, pinned: PinnedClause, where: str) -> list[Issue]:
    """Where the wording differs, paragraph by paragraph, located on the clause file's lines."""
    lines = canonical_lines(clause)
    ours = [_digest(line)[:16] for line, _ in lines]
    key = f"clause:{clause.id}"
    issues = []
    if pinned.lines[:1] != ours[:1]:
        issues.append(library.locate(key, ["title"], f"the heading differs from {where}", hint=RESTORE))
    paragraphs = lines[1:]  # paragraph n is paragraphs[n - 1]
    matcher = difflib.SequenceMatcher(None, pinned.lines[1:], ours[1:], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        message = _change(tag, (i1 + 1, i2 + 1), (j1 + 1, j2 + 1), where)
        if message is None:
            continue
        # the changed paragraph, or for a removal the one after the gap (the last one at the end)
        offset = paragraphs[min(j1, len(paragraphs) - 1)][1] if paragraphs else 0
        issues.append(library.locate_text(clause.id, next(iter(clause.positions)), message, offset or 0, hint=RESTORE))
    return issues


def _change(tag: str, pinned: tuple[int, int], ours: tuple[int, int], where: str) -> str | None:
    """A paragraph-level change in words; paragraphs are counted from 1 after the heading."""

    def span(a: int, b: int) -> str:
        return f"paragraph {a}" if b - a == 1 else f"paragraphs {a} to {b - 1}"

    (i1, i2), (j1, j2) = pinned, ours
    if tag == "delete":
        return f"{span(i1, i2)} of {where} {'is' if i2 - i1 == 1 else 'are'} missing here"
    if tag == "insert":
        return f"{span(j1, j2)} {'is' if j2 - j1 == 1 else 'are'} not in {where}"
    if tag == "replace":
        return f"{span(j1, j2)} {'differs' if j2 - j1 == 1 else 'differ'} from {where}"
    return None


def _unpinned(library: Library, clause: Clause, version: str) -> Issue:
    return library.locate(
        f"clause:{clause.id}",
        ["status"],
        f"locked clause {clause.id!r} is not in the centre's release {version}: only the centre adds locked clauses",
        hint="if you are the centre, cut a new release with 'contractkit library release'",
    )


# ----------------------------------------------------------------------------- cutting a release


def release(library: Library, signer: Signer | None, *, force: bool = False) -> tuple[Path, dict[str, Any]]:
    """Write the library's pin file, signed when `signer` is given. A locked clause whose wording
    changed since the pinned release must carry a new version, and so must the library."""
    from contractkit.files import write_atomic

    pins = build(library)
    path = library.root / PIN_FILE
    if not force:
        _versions_moved(library, _previous(path), pins)
    if signer is not None:
        pins = signing.sign(pins, signer, "pins")
    write_atomic(path, dumps(pins), force=True)
    return path, pins


def _previous(path: Path) -> dict[str, Any] | None:
    try:
        old = json.loads(path.read_bytes())
        return old if isinstance(old, dict) and isinstance(old.get("clauses"), dict) else None
    except (OSError, ValueError, RecursionError):
        return None  # no usable previous release: nothing to compare with


def _versions_moved(library: Library, old: dict[str, Any] | None, pins: dict[str, Any]) -> None:
    """Refuse to pin changed locked wording under the version numbers of the previous release."""
    if old is None:
        return
    before, now = old["clauses"], pins["clauses"]
    hint = "bump it, or use --force to pin anyway"
    message = f"the locked wording changed since release {old.get('library')}; its version did not"
    issues = [
        library.locate(f"clause:{c}", ["version"], message, hint=hint)
        for c, pinned in now.items()
        if isinstance(before.get(c), dict) and before[c] != pinned and before[c].get("version") == pinned["version"]
    ]
    if before != now and old.get("library") == library.version:
        message = f"locked clauses changed since release {library.version}, but the library version did not"
        issues.append(library.locate("library", ["version"], message, hint=hint))
    if issues:
        raise ValidationFailed(issues)
