"""Library releases: the centre pins its locked clauses, and `lint` and `draft` hold every copy to them."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from conftest import ROOT, example, manifest_of

from contractkit import api
from contractkit.library import pins
from contractkit.library.loading import Library
from contractkit.library.model import Clause
from contractkit.trust import keys
from contractkit.trust.keys import CONFIG_ENV, Signer

Cli = Callable[..., Result]
Workspace = Callable[..., Path]
_LIBRARY_LINES = (ROOT / "library.yaml").read_text().splitlines()
VERSION_LINE = next(n for n, line in enumerate(_LIBRARY_LINES, 1) if line.startswith("version: "))
LIBRARY_VERSION = _LIBRARY_LINES[VERSION_LINE - 1].removeprefix("version: ")
RELEASE = f"the centre's release {LIBRARY_VERSION}"


@pytest.fixture(autouse=True)
def own_config(tmp_path: Path) -> Iterator[Path]:
    """A configuration folder of each test's own: no centre key unless the test puts one there."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CONFIG_ENV, str(tmp_path / "config"))
        yield tmp_path / "config"


@pytest.fixture
def centre(tmp_path: Path) -> tuple[Path, Path]:
    """The centre's key pair (private key, public key), kept outside the library."""
    signer = Signer.generate()
    private, public = tmp_path / "centre-key.pem", tmp_path / "centre.pub"
    keys.write_private(private, signer)
    public.write_text(signer.public.pem())
    return private, public


def lint(cli: Cli, root: Path, *extra: object) -> Result:
    return cli("--library", root, "lint", *extra)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    return next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in text)


# ----------------------------------------------------------------------------- canonical text


def clause(text: str, title: str = "Heading") -> Clause:
    return Clause.model_validate(
        {
            "id": "x",
            "title": title,
            "version": "1.0.0",
            "principles": ["P3"],
            "status": "locked",
            "positions": {"standard": {"text": text}},
        }
    )


BASE = "The Partner shall not seek a sole right.\n  It covers \u201cdata\u201d.\n| Unnumbered note."


@pytest.mark.parametrize(
    ("text", "same"),
    [
        ('The  Partner shall not seek a sole right.\n  It covers "data".\n| Unnumbered note.', True),
        ("The Partner shall not seek a sole right.\n\n  It covers \u201cdata\u201d .\n|   Unnumbered note.", True),
        ("The Partner shall seek a sole right.\n  It covers \u201cdata\u201d.\n| Unnumbered note.", False),
        ("The Partner shall not seek a sole right.\nIt covers \u201cdata\u201d.\n| Unnumbered note.", False),
        ("The Partner shall not seek a sole right.\n  It covers \u201cdata\u201d.\nUnnumbered note.", False),
        ("The Partner shall not seek a sole right.\n| Unnumbered note.", False),
    ],
    ids=["spacing and quotes", "blank line, space before full stop", "word", "level", "numbering", "sub-clause"],
)
def test_canonical_text_keeps_every_word_and_level(text: str, same: bool) -> None:
    assert (pins.pin(clause(text))["sha256"] == pins.pin(clause(BASE))["sha256"]) is same


def test_canonical_text_includes_the_heading() -> None:
    assert pins.canonical_text(clause(BASE, "Heading")) != pins.canonical_text(clause(BASE, "Another heading"))
    assert pins.canonical_text(clause(BASE)).splitlines() == [
        "Heading",
        "The Partner shall not seek a sole right.",
        '  It covers "data".',
        "| Unnumbered note.",
    ]


def test_shipped_pin_file_is_current(library: Library) -> None:
    assert (ROOT / pins.PIN_FILE).read_bytes() == pins.dumps(pins.build(library)), "run: contractkit library release"


# ----------------------------------------------------------------------------- lint on tampered copies


def _sub_clause_deleted(root: Path) -> str:
    path = root / "clauses" / "non-exclusivity.yaml"
    edit(path, "        a period of any length during which", "        DELETE-ME")
    path.write_text("".join(x for x in path.read_text().splitlines(True) if "DELETE-ME" not in x))
    line = line_of(path, "any term under which the Partner")
    return rf"clauses/non-exclusivity.yaml:{line} positions\.standard\.text: paragraph 4 of {RELEASE} is missing here"


def _word_changed(root: Path) -> str:
    path = root / "clauses" / "non-exclusivity.yaml"
    edit(path, "under this Agreement is non-exclusive.", "under this Agreement is exclusive.")
    line = line_of(path, "under this Agreement is exclusive.")
    return rf"clauses/non-exclusivity.yaml:{line} positions\.standard\.text: paragraph 1 differs from {RELEASE}"


def _paragraph_added(root: Path) -> str:
    path = root / "clauses" / "anti-bribery.yaml"
    edit(
        path,
        "policy on gifts and hospitality permits and records.\n",
        "policy on gifts and hospitality permits and records.\n      The Partner may match any offer.\n",
    )
    line = line_of(path, "The Partner may match any offer.")
    return rf"clauses/anti-bribery.yaml:{line} positions\.standard\.text: paragraph 5 is not in {RELEASE}"


def _heading_changed(root: Path) -> str:
    edit(root / "clauses" / "anti-bribery.yaml", "title: Anti-bribery and conflicts of interest", "title: Bribery")
    return rf"clauses/anti-bribery.yaml:2 title: the heading differs from {RELEASE}"


def _status_demoted(root: Path) -> str:
    edit(root / "clauses" / "anti-bribery.yaml", "status: locked", "status: required")
    return rf"clauses/anti-bribery.yaml:5 status: locked clause demoted to 'required'; {RELEASE} pins it as 'locked'"


def _principles_changed(root: Path) -> str:
    edit(root / "clauses" / "anti-bribery.yaml", "principles: [P4, P5]", "principles: [P5]")
    return rf"clauses/anti-bribery.yaml:4 principles: \[P5\] differ from {RELEASE}: \[P4, P5\]"


def _version_changed(root: Path) -> str:
    edit(root / "clauses" / "anti-bribery.yaml", "version: 1.0.0", "version: 1.0.1")
    return rf"clauses/anti-bribery.yaml:3 version: is 1.0.1; {RELEASE} pins version 1.0.0"


def _clause_removed(root: Path) -> str:
    (root / "clauses" / "anti-bribery.yaml").unlink()
    return rf"clauses/anti-bribery.yaml: locked clause 'anti-bribery' of {RELEASE} is missing from the library"


def _locked_clause_added(root: Path) -> str:
    (root / "clauses" / "side-letter.yaml").write_text(
        "id: side-letter\ntitle: Side letter\nversion: 1.0.0\nprinciples: [P2]\nstatus: locked\n"
        "positions:\n  standard:\n    text: |\n      The Partner has first refusal over new data.\n"
    )
    return rf"clauses/side-letter.yaml:5 status: locked clause 'side-letter' is not in {RELEASE}"


def _library_version_changed(root: Path) -> str:
    edit(root / "library.yaml", f"version: {LIBRARY_VERSION}", "version: 9.9.9")
    return rf"library.yaml:{VERSION_LINE} version: is 9.9.9, but the pin file is for release {LIBRARY_VERSION}"


def _pin_file_missing(root: Path) -> str:
    (root / pins.PIN_FILE).unlink()
    return r"library.pins.json: the library has no pin file"


def _pin_file_broken(root: Path) -> str:
    (root / pins.PIN_FILE).write_text('{"format": ')
    return r"library.pins.json:1: not valid JSON"


def _pin_file_emptied(root: Path) -> str:
    data = json.loads((root / pins.PIN_FILE).read_text())
    data["clauses"] = {}
    (root / pins.PIN_FILE).write_text(json.dumps(data))
    return rf"clauses/non-exclusivity.yaml:5 status: locked clause 'non-exclusivity' is not in {RELEASE}"


TAMPERS = {
    "sub-clause deleted": _sub_clause_deleted,
    "word changed": _word_changed,
    "paragraph added": _paragraph_added,
    "heading changed": _heading_changed,
    "status demoted": _status_demoted,
    "principles changed": _principles_changed,
    "clause version changed": _version_changed,
    "locked clause removed": _clause_removed,
    "locked clause added": _locked_clause_added,
    "library version changed": _library_version_changed,
    "pin file missing": _pin_file_missing,
    "pin file not JSON": _pin_file_broken,
    "pins emptied": _pin_file_emptied,
}


@pytest.mark.parametrize("tamper", TAMPERS.values(), ids=TAMPERS.keys())
def test_lint_fails_on_a_tampered_copy(cli: Cli, workspace: Workspace, tamper: Callable[[Path], str]) -> None:
    root = workspace()
    expected = tamper(root)
    result = lint(cli, root)
    assert result.exit_code == 1
    assert re.search(expected, result.stderr), result.stderr
    assert "Traceback" not in result.output


def test_every_difference_is_reported_at_once(cli: Cli, workspace: Workspace) -> None:
    root = workspace()
    expected = [_word_changed(root), _status_demoted(root), _principles_changed(root)]
    stderr = lint(cli, root).stderr
    assert all(re.search(e, stderr) for e in expected), stderr


def test_draft_and_batch_refuse_a_tampered_copy(cli: Cli, workspace: Workspace, tmp_path: Path) -> None:
    root = workspace()
    expected = _word_changed(root)
    out = tmp_path / "agreement.docx"
    result = cli("--library", root, "draft", example("northby-sepsis"), "-o", out)
    assert result.exit_code == 1 and re.search(expected, result.stderr), result.stderr
    assert not out.exists()
    (tmp_path / "out").mkdir()
    batch = cli("--library", root, "batch", example("northby-sepsis"), "--outdir", tmp_path / "out", "--to", "docx")
    assert batch.exit_code == 1 and "paragraph 1 differs from the centre's release" in batch.output


# ----------------------------------------------------------------------------- signed releases


def test_release_round_trip(cli: Cli, workspace: Workspace, centre: tuple[Path, Path], tmp_path: Path) -> None:
    """The centre releases with its key; a trust with the centre's public key checks its copy."""
    private, public = centre
    root = workspace({pins.PIN_FILE: None})
    released = cli("--library", root, "library", "release", "--key", private)
    assert released.exit_code == 0, released.stderr
    assert f"release {LIBRARY_VERSION}, 11 locked clause(s), signed with key" in released.stderr
    data = json.loads((root / pins.PIN_FILE).read_text())
    assert data["signature"]["key"] == keys.read_public(public).key_id
    clean = lint(cli, root, "--trust", public)
    assert clean.exit_code == 0, clean.stderr
    assert "the pin file is signed by trusted key" in clean.stdout
    unchecked = lint(cli, root)
    assert unchecked.exit_code == 0 and "signature not checked (no centre key configured" in unchecked.stdout
    _word_changed(root)
    assert lint(cli, root, "--trust", public).exit_code == 1


def repin(root: Path, clause_id: str) -> None:
    """What a local editor might do after weakening a clause: recompute its pin by hand."""
    library = api.load_library(root)
    data = json.loads((root / pins.PIN_FILE).read_text())
    data["clauses"][clause_id] = pins.pin(library.clauses[clause_id])
    (root / pins.PIN_FILE).write_text(json.dumps(data))


def test_repinned_weakening_is_caught_only_with_the_centre_key(
    cli: Cli, workspace: Workspace, centre: tuple[Path, Path]
) -> None:
    private, public = centre
    root = workspace()
    assert cli("--library", root, "library", "release", "--key", private).exit_code == 0
    _sub_clause_deleted(root)  # a weakening that is not itself exclusivity wording, which lint refuses anyway
    repin(root, "non-exclusivity")
    assert lint(cli, root).exit_code == 0  # documented: without the centre's key a re-pinned copy passes
    caught = lint(cli, root, "--trust", public)
    assert caught.exit_code == 1
    assert re.search(r"library.pins.json signature: the pin file does not match its signature", caught.stderr)


def test_unsigned_or_foreign_pins_fail_when_a_centre_key_is_configured(
    cli: Cli, workspace: Workspace, centre: tuple[Path, Path], own_config: Path, tmp_path: Path
) -> None:
    _, public = centre
    root = workspace()  # the shipped, unsigned pin file
    assert cli("keys", "trust", "--centre", public).exit_code == 0  # centre.pub in the configuration folder
    unsigned = lint(cli, root)
    assert unsigned.exit_code == 1
    assert "library.pins.json signature: the pin file is not signed, but a centre key is configured" in unsigned.stderr
    local = tmp_path / "local.pem"
    keys.write_private(local, Signer.generate())
    assert cli("--library", root, "library", "release", "--key", local).exit_code == 0
    foreign = lint(cli, root)
    assert foreign.exit_code == 1 and "which is not among the keys you trust" in foreign.stderr
    out = tmp_path / "a.docx"
    refused = cli("--library", root, "draft", example("northby-sepsis"), "-o", out)
    assert refused.exit_code == 1 and "which is not among the keys you trust" in refused.stderr


def test_manifest_records_the_release(
    cli: Cli, workspace: Workspace, centre: tuple[Path, Path], tmp_path: Path
) -> None:
    private, public = centre
    root = workspace()
    cli("--library", root, "library", "release", "--key", private)
    digest = hashlib.sha256((root / pins.PIN_FILE).read_bytes()).hexdigest()
    for trust, verified in (((), False), (("--trust", public), True)):
        out = tmp_path / f"agreement-{verified}.docx"
        result = cli("--library", root, "draft", example("northby-sepsis"), "-o", out, *trust)
        assert result.exit_code == 0, result.stderr
        assert manifest_of(out.read_bytes())["release"] == {
            "library_version": LIBRARY_VERSION,
            "pins_sha256": digest,
            "signature_verified": verified,
            "centre_key": keys.read_public(public).key_id if verified else None,
        }
    assert cli("--library", root, "verify", tmp_path / "agreement-True.docx").exit_code == 0


def test_lint_json_reports_the_release(cli: Cli) -> None:
    data = json.loads(cli("lint", "--format", "json").stdout)
    assert data["ok"] is True
    assert data["release"]["library_version"] == LIBRARY_VERSION and data["release"]["signature_verified"] is False


# ----------------------------------------------------------------------------- cutting a release


def test_release_refuses_changed_wording_under_old_versions(cli: Cli, workspace: Workspace) -> None:
    root = workspace()
    _sub_clause_deleted(root)
    refused = cli("--library", root, "library", "release")
    assert refused.exit_code == 1
    assert re.search(r"clauses/non-exclusivity.yaml:3 version: the locked wording changed since", refused.stderr)
    changed = rf"library.yaml:{VERSION_LINE} version: locked clauses changed since release {LIBRARY_VERSION}"
    assert re.search(changed, refused.stderr)
    edit(root / "clauses" / "non-exclusivity.yaml", "version: 1.0.0", "version: 1.1.0")
    edit(root / "library.yaml", f"version: {LIBRARY_VERSION}", "version: 9.9.9")
    assert cli("--library", root, "library", "release").exit_code == 0
    assert lint(cli, root).exit_code == 0


def test_release_force_pins_anyway(cli: Cli, workspace: Workspace) -> None:
    root = workspace()
    _sub_clause_deleted(root)
    assert cli("--library", root, "library", "release", "--force").exit_code == 0
    assert lint(cli, root).exit_code == 0


def test_release_with_an_encrypted_key_asks_for_the_passphrase(cli: Cli, workspace: Workspace, tmp_path: Path) -> None:
    from click.testing import CliRunner
    from cryptography.hazmat.primitives import serialization as s
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from contractkit.cli import main

    key = Ed25519PrivateKey.generate()
    path = tmp_path / "centre-key.pem"
    path.write_bytes(key.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.BestAvailableEncryption(b"s3cret")))
    path.chmod(0o600)
    root = workspace()
    runner = CliRunner()
    wrong = runner.invoke(main, ["--library", str(root), "library", "release", "--key", str(path)], input="nope\n")
    assert wrong.exit_code == 1 and "wrong passphrase" in wrong.stderr
    done = runner.invoke(main, ["--library", str(root), "library", "release", "--key", str(path)], input="s3cret\n")
    assert done.exit_code == 0, done.stderr
    signed = json.loads((root / pins.PIN_FILE).read_text())["signature"]["key"]
    assert signed == keys.parse_private(path.read_bytes(), "k", b"s3cret").key_id


def test_release_key_readable_by_others_is_refused(cli: Cli, workspace: Workspace, centre: tuple[Path, Path]) -> None:
    private, _ = centre
    private.chmod(0o644)
    result = cli("--library", workspace(), "library", "release", "--key", private)
    assert result.exit_code == 1 and "other users can read this private key" in result.stderr
