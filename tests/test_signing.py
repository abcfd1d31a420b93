"""Signing keys and signed manifests: a manifest vouches for deal values only when a trusted key signed it."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import stat
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from conftest import example, manifest_of, needs_soffice, with_manifest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from contractkit import api
from contractkit.checking import verify
from contractkit.core.findings import Report
from contractkit.core.text import normalise
from contractkit.drafting.assemble import Agreement
from contractkit.library.loading import Library
from contractkit.trust import keys, signing
from contractkit.trust.keys import CONFIG_ENV, KeyProblem, Keyring, Signer
from contractkit.word.xml import W, w

Cli = Callable[..., Result]
DEAL = "northby-sepsis"
RIVAL = "Northby and Rival Health Ltd"


@contextmanager
def installation(folder: Path) -> Iterator[Path]:
    """Act as another installation, with its own configuration folder, for the duration."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CONFIG_ENV, str(folder))
        yield folder


@pytest.fixture
def own_config(tmp_path: Path) -> Iterator[Path]:
    """A fresh configuration folder for one test, so its keys never reach the session's."""
    with installation(tmp_path / "config") as folder:
        yield folder


def check(library: Library, data: bytes, **extra: Any) -> Report:
    return verify.verify(library, data, name="received", **extra)


def errors(report: Report) -> set[tuple[str, str | None]]:
    return {(f.kind, f.clause) for f in report.findings if f.severity == "error"}


def signature_findings(report: Report) -> list[tuple[str, str]]:
    return [(f.severity, f.detail) for f in report.findings if f.kind == "signature"]


# ----------------------------------------------------------------------------- the configuration folder


def test_config_folder_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "explicit"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert keys.config_dir() == tmp_path / "explicit"
    monkeypatch.delenv(CONFIG_ENV)
    assert keys.config_dir() == tmp_path / "xdg" / "contractkit"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert keys.config_dir() == tmp_path / "home" / ".config" / "contractkit"


def test_first_draft_makes_a_private_key_and_signs_with_it(library: Library, own_config: Path) -> None:
    assert not own_config.exists()
    deal = api.load_deal(example(DEAL), library)
    manifest = manifest_of(api.render_docx(library, api.assemble(library, deal)))
    key_file = own_config / keys.KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(own_config.stat().st_mode) == 0o700
    signer = keys.read_private(key_file)
    assert manifest["signature"]["algorithm"] == "ed25519"
    assert manifest["signature"]["key"] == signer.key_id
    assert signing.check(manifest, keys.drafters(), "manifest").trusted  # its own key, no set-up


def test_same_key_same_bytes(library: Library, agreement: Agreement, drafted: bytes) -> None:
    """Ed25519 signatures are deterministic, so drafting stays byte-for-byte reproducible."""
    assert api.render_docx(library, agreement) == drafted


def test_lint_trial_draft_makes_no_key(library: Library, own_config: Path) -> None:
    from contractkit.checking.lint import lint

    lint(library)
    assert not (own_config / keys.KEY_FILE).exists()


# ----------------------------------------------------------------------------- key files


def test_pem_is_what_openssl_and_cryptography_write() -> None:
    from cryptography.hazmat.primitives import serialization as s
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption())
    public = key.public_key().public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo)
    signer = keys.parse_private(private, "k.pem")
    assert signer.pem().encode() == private
    assert signer.public.pem().encode() == public
    assert keys.parse_public(public, "k.pub") == keys.PublicKey(signer.public.raw, "k.pub")
    ssh_public = key.public_key().public_bytes(s.Encoding.OpenSSH, s.PublicFormat.OpenSSH)
    assert keys.parse_public(ssh_public, "id.pub").raw == signer.public.raw
    ssh_private = key.private_bytes(s.Encoding.PEM, s.PrivateFormat.OpenSSH, s.NoEncryption())
    assert keys.parse_private(ssh_private, "id").seed == signer.seed
    locked = key.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.BestAvailableEncryption(b"pass phrase"))
    with pytest.raises(keys.NeedsPassphrase):
        keys.parse_private(locked, "k.pem")
    assert keys.parse_private(locked, "k.pem", b"pass phrase").seed == signer.seed
    with pytest.raises(KeyProblem, match="wrong passphrase"):
        keys.parse_private(locked, "k.pem", b"guess")


def rsa_public_pem() -> bytes:
    from cryptography.hazmat.primitives import serialization as s
    from cryptography.hazmat.primitives.asymmetric import rsa

    public = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    return public.public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not a readable Ed25519 public key"),
        (b"hello", "not a readable Ed25519 public key"),
        (b"-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n", "not a readable Ed25519 public key"),
        (Signer.generate().pem().encode(), "this is a private key; give the public key instead"),
        ("rsa", "not an Ed25519 key"),
    ],
    ids=["empty", "text", "bad base64", "private key", "rsa"],
)
def test_bad_public_key_files(tmp_path: Path, content: bytes | str, message: str) -> None:
    path = tmp_path / "k.pub"
    path.write_bytes(rsa_public_pem() if content == "rsa" else content)  # type: ignore[arg-type]
    with pytest.raises(KeyProblem, match=message):
        keys.read_public(path)


@pytest.mark.parametrize(
    ("mode", "message"),
    [(0o640, "other users can read this private key"), (0o604, "other users can read this private key")],
)
def test_private_key_readable_by_others_is_refused(cli: Cli, own_config: Path, mode: int, message: str) -> None:
    _, path = keys.init()
    path.chmod(mode)
    result = cli("keys", "show")
    assert result.exit_code == 1
    assert f"{path}: {message}" in result.stderr and f"chmod 600 {path}" in result.stderr
    with pytest.raises(KeyProblem, match=message):
        keys.installation_signer()


def test_private_key_symlink_is_refused(own_config: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.pem"
    keys.write_private(elsewhere, Signer.generate())
    own_config.mkdir(mode=0o700)
    (own_config / keys.KEY_FILE).symlink_to(elsewhere)
    with pytest.raises(KeyProblem, match="is a symbolic link"):
        keys.installation_signer()


def test_config_folder_others_can_write_is_refused(own_config: Path) -> None:
    keys.init()
    own_config.chmod(0o777)
    with pytest.raises(KeyProblem, match="other users can change it"):
        keys.installation_signer()
    with pytest.raises(KeyProblem, match="other users can change it"):
        keys.drafters()


def test_trusted_key_others_can_write_is_refused(own_config: Path, tmp_path: Path) -> None:
    source = tmp_path / "ann.pub"
    source.write_text(Signer.generate().public.pem())
    target = keys.trust(source)
    target.chmod(0o666)
    with pytest.raises(KeyProblem, match="other users can change it"):
        keys.drafters()


def test_first_key_written_wins(tmp_path: Path) -> None:
    """Two processes making the installation key at once: the second keeps the first's key."""
    path = tmp_path / "k.pem"
    first, second = Signer.generate(), Signer.generate()
    keys.write_private(path, first)
    with pytest.raises(FileExistsError):
        keys.write_private(path, second)
    assert keys.read_private(path).seed == first.seed
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


# ----------------------------------------------------------------------------- keys commands


def test_keys_init_refuses_to_overwrite(cli: Cli, own_config: Path) -> None:
    made = cli("keys", "init")
    assert made.exit_code == 0, made.stderr
    first = keys.installation_signer()
    again = cli("keys", "init")
    assert again.exit_code == 1
    assert "a key already exists (hint: use --force to replace it)" in again.stderr
    assert keys.installation_signer() == first
    forced = cli("keys", "init", "--force")
    assert forced.exit_code == 0 and "no longer verify" in forced.stderr
    replaced = keys.installation_signer()
    assert replaced is not None and first is not None and replaced.key_id != first.key_id


def test_keys_init_output_makes_a_separate_pair(cli: Cli, own_config: Path, tmp_path: Path) -> None:
    out = tmp_path / "centre" / "release-key.pem"
    out.parent.mkdir()
    result = cli("keys", "init", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert keys.read_public(out.with_suffix(".pub")).raw == keys.read_private(out).public.raw
    assert not (own_config / keys.KEY_FILE).exists()  # the installation's key is untouched


def test_keys_show(cli: Cli, own_config: Path, tmp_path: Path) -> None:
    missing = cli("keys", "show")
    assert missing.exit_code == 1 and "no signing key yet (hint: run 'contractkit keys init')" in missing.stderr
    signer, _ = keys.init()
    shown = cli("keys", "show")
    assert shown.exit_code == 0
    assert keys.parse_public(shown.stdout.encode(), "-").raw == signer.public.raw
    assert f"key id {signer.key_id}" in shown.stderr and signer.public.fingerprint in shown.stderr
    data = json.loads(cli("keys", "show", "--format", "json").stdout)
    assert (data["key_id"], data["fingerprint"]) == (signer.key_id, signer.public.fingerprint)
    other = tmp_path / "other.pem"
    keys.write_private(other, Signer.generate())
    assert cli("keys", "show", "--key", other).stdout == keys.read_private(other).public.pem()


def test_keys_trust_and_list(cli: Cli, own_config: Path, tmp_path: Path) -> None:
    ann, centre = Signer.generate(), Signer.generate()
    (tmp_path / "ann.pub").write_text(ann.public.pem())
    (tmp_path / "centre.pem").write_text(centre.pem())
    (tmp_path / "nhs-centre.pub").write_text(centre.public.pem())
    done = cli("keys", "trust", tmp_path / "ann.pub")
    assert done.exit_code == 0 and ann.key_id in done.stderr and ann.public.fingerprint in done.stderr
    assert (own_config / "trusted" / "ann.pub").read_text() == ann.public.pem()
    twice = cli("keys", "trust", tmp_path / "ann.pub")
    assert twice.exit_code == 1 and "a trusted key of that name exists" in twice.stderr
    private = cli("keys", "trust", tmp_path / "centre.pem", "--name", "x")
    assert private.exit_code == 1 and "this is a private key" in private.stderr
    bad_name = cli("keys", "trust", tmp_path / "ann.pub", "--name", "../escape")
    assert bad_name.exit_code == 1 and "a key name is letters" in bad_name.stderr
    assert cli("keys", "trust", tmp_path / "nhs-centre.pub", "--centre").exit_code == 0
    assert keys.centre().ids() == [centre.key_id]
    listing = json.loads(cli("keys", "list", "--format", "json").stdout)
    assert {(k["trusted_for"], k["key_id"]) for k in listing} == {
        ("manifests", ann.key_id),
        ("releases", centre.key_id),
    }


# ----------------------------------------------------------------------------- signatures


def test_signature_statuses() -> None:
    signer, stranger = Signer.generate(), Signer.generate()
    ring = Keyring([signer.public])
    signed = signing.sign({"b": [1, "é"], "a": None}, signer, "manifest")
    assert signing.check(signed, ring, "manifest") == signing.Check("trusted", signer.key_id, "")
    assert signing.check({"a": 1}, ring, "manifest").status == "unsigned"
    assert signing.check({**signed, "a": 1}, ring, "manifest").status == "invalid"
    assert signing.check(signed, ring, "pins").status == "invalid"  # a signature is for one purpose only
    assert signing.check(signing.sign(signed, stranger, "manifest"), ring, "manifest").status == "untrusted"
    claimed = {**signing.sign({"a": 2}, stranger, "manifest")}
    claimed["signature"] = {**claimed["signature"], "key": signer.key_id}  # another key posing as a trusted one
    assert signing.check(claimed, ring, "manifest").status == "invalid"
    for bad in ("sig", {"algorithm": "rsa"}, {"algorithm": "ed25519", "key": 1, "value": "x"}):
        assert signing.check({"a": 1, "signature": bad}, ring, "manifest").status == "malformed"
    bad_base64 = {"algorithm": "ed25519", "key": signer.key_id, "value": "***"}
    assert signing.check({"a": 1, "signature": bad_base64}, ring, "manifest").status == "malformed"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
SIGNER = Signer.generate()


@given(obj=st.dictionaries(st.text(min_size=1, max_size=8), JSON, min_size=1, max_size=5), data=st.data())
def test_property_any_change_breaks_the_signature(obj: dict[str, Any], data: Any) -> None:
    obj.pop("signature", None)
    assume_non_empty = obj or {"k": 1}
    signed = signing.sign(assume_non_empty, SIGNER, "manifest")
    ring = Keyring([SIGNER.public])
    reread = json.loads(signing.canonical(signed))
    assert signing.check(reread, ring, "manifest").trusted  # survives being written and read back
    key = data.draw(st.sampled_from(sorted(k for k in reread if k != "signature")))
    changed = data.draw(JSON.filter(lambda v: signing.canonical(v) != signing.canonical(reread[key])))
    assert signing.check({**reread, key: changed}, ring, "manifest").status == "invalid"


# ----------------------------------------------------------------------------- verify and the manifest


def test_own_draft_verifies_with_a_trusted_manifest(library: Library, drafted: bytes) -> None:
    report = check(library, drafted)
    assert report.verdict == "complies", report.findings
    assert report.manifest is not None and report.manifest["trusted"] is True
    assert report.manifest["signature"]["status"] == "trusted"


def rename_in_definitions(data: bytes) -> bytes:
    """Change the partner's name where the locked definitions clause defines it, in the text only."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            payload = src.read(info.filename)
            if info.filename == "word/document.xml":
                root = etree.fromstring(payload)
                sdt = root.xpath("//w:sdt[w:sdtPr/w:tag/@w:val='ck:definitions']", namespaces={"w": W})[0]
                texts = [t for t in sdt.iter(w("t")) if t.text and "means Northby." in t.text]
                assert len(texts) == 1
                texts[0].text = texts[0].text.replace("means Northby.", f"means {RIVAL}.")
                payload = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            dst.writestr(info, payload)
    return out.getvalue()


def recomputed(agreement: Agreement, manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest with the definitions clause's hash recomputed for the renamed text, unsigned."""
    placed = next(p for p in agreement.all_clauses() if p.id == "definitions")
    text = normalise(placed.text().replace("means Northby.", f"means {RIVAL}."))
    forged = {k: v for k, v in manifest.items() if k != "signature"}
    forged["clauses"] = [
        {**c, "sha256": hashlib.sha256(text.encode()).hexdigest()} if c["id"] == "definitions" else c
        for c in manifest["clauses"]
    ]
    return forged


def test_renamed_party_with_recomputed_hashes(library: Library, agreement: Agreement, drafted: bytes) -> None:
    """The forger recomputes the manifest's hash after changing a deal value in a locked clause."""
    tampered = rename_in_definitions(drafted)
    original = manifest_of(drafted)
    forged = recomputed(agreement, original)
    own = keys.installation_signer()
    # Control: had the forger the drafter's key, the hash would pass; so only the signature stops it.
    assert check(library, with_manifest(tampered, forged, signer=own)).verdict == "complies"
    kept = check(library, with_manifest(tampered, {**forged, "signature": original["signature"]}))
    assert errors(kept) == {("signature", None)} and kept.verdict == "does not comply"
    assert "changed after signing" in signature_findings(kept)[0][1]
    stranger = check(library, with_manifest(tampered, forged, signer=Signer.generate()))
    ((severity, detail),) = signature_findings(stranger)
    assert severity == "warning" and "not among the keys you trust" in detail
    assert stranger.verdict == "cannot verify" and "definitions" in stranger.unproven
    unsigned = check(library, with_manifest(tampered, forged))
    ((severity, detail),) = signature_findings(unsigned)
    assert severity == "warning" and "is not signed" in detail and unsigned.verdict == "cannot verify"
    against = check(library, with_manifest(tampered, forged), deal=agreement.deal)
    assert ("altered", "definitions") in errors(against)  # the deal always tells


@pytest.mark.parametrize("variant", ["old signature", "another key", "unsigned", "no manifest"])
def test_cli_exit_codes_for_untrustworthy_manifests(
    cli: Cli, agreement: Agreement, drafted: bytes, tmp_path: Path, variant: str
) -> None:
    tampered = rename_in_definitions(drafted)
    original = manifest_of(drafted)
    forged = recomputed(agreement, original)
    data = {
        "old signature": with_manifest(tampered, {**forged, "signature": original["signature"]}),
        "another key": with_manifest(tampered, forged, signer=Signer.generate()),
        "unsigned": with_manifest(tampered, forged),
        "no manifest": drop_custom_properties(tampered),
    }[variant]
    path = tmp_path / "received.docx"
    path.write_bytes(data)
    result = cli("verify", path)
    if variant == "old signature":
        assert result.exit_code == 3
        assert "signature [P4]: the manifest does not match its signature" in result.stdout
    else:
        assert result.exit_code == 1, result.output
        assert f"{path}: cannot verify: pass --against DEAL.yaml" in result.stderr
        assert "CANNOT VERIFY" in result.stdout
    as_json = json.loads(cli("verify", path, "--format", "json").stdout)
    assert as_json["compliant"] is (False if variant == "old signature" else None)
    assert cli("verify", path, "--against", example(DEAL)).exit_code == 3  # the renamed party is found


def drop_custom_properties(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            payload = src.read(info.filename)
            if info.filename == "docProps/custom.xml":
                payload = payload[: payload.index(b"<property")] + b"</Properties>"
            dst.writestr(info, payload)
    return out.getvalue()


def test_untampered_copy_without_trust_cannot_be_verified_then_can_with_trust(
    cli: Cli, library: Library, agreement: Agreement, tmp_path: Path
) -> None:
    """A genuine draft from another installation: exit 1 until its key is trusted or the deal given."""
    with installation(tmp_path / "other"):
        other = api.render_docx(library, agreement)
        (tmp_path / "other.pub").write_text(keys.installation_signer().public.pem())  # type: ignore[union-attr]
    path = tmp_path / "from-other.docx"
    path.write_bytes(other)
    plain = cli("verify", path)
    assert plain.exit_code == 1 and "cannot verify: pass --against DEAL.yaml" in plain.stderr
    assert "warning [P4]: the manifest is signed by key" in plain.stdout
    trusted = cli("verify", path, "--trust", tmp_path / "other.pub")
    assert trusted.exit_code == 0, trusted.output
    assert "complies" in trusted.stdout and "0 warning(s)" in trusted.stdout
    assert cli("verify", path, "--against", example(DEAL)).exit_code == 0


def test_a_document_that_fails_still_exits_3_without_trust(cli: Cli, drafted: bytes, tmp_path: Path) -> None:
    """Nothing vouching for deal values never hides a proved failure: removing a clause is exit 3."""
    root_xml = zipfile.ZipFile(io.BytesIO(drafted)).read("word/document.xml")
    root = etree.fromstring(root_xml)
    sdt = root.xpath("//w:sdt[w:sdtPr/w:tag/@w:val='ck:non-exclusivity']", namespaces={"w": W})[0]
    sdt.getparent().remove(sdt)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(drop_custom_properties(drafted))) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            payload = etree.tostring(root) if info.filename == "word/document.xml" else src.read(info.filename)
            dst.writestr(info, payload)
    path = tmp_path / "missing.docx"
    path.write_bytes(out.getvalue())
    result = cli("verify", path)
    assert result.exit_code == 3 and "missing clause non-exclusivity" in result.stdout


def test_bad_trust_file_is_a_clear_error(cli: Cli, drafted: bytes, tmp_path: Path) -> None:
    path, bad = tmp_path / "a.docx", tmp_path / "bad.pub"
    path.write_bytes(drafted)
    bad.write_text("not a key")
    result = cli("verify", path, "--trust", bad)
    assert result.exit_code == 1 and f"{bad}: not a readable Ed25519 public key" in result.stderr
    assert "Traceback" not in result.output


# ----------------------------------------------------------------------------- LibreOffice and PDF


@needs_soffice()
def test_libreoffice_resave_keeps_the_signed_manifest(library: Library, drafted: bytes, tmp_path: Path) -> None:
    import shutil
    import subprocess

    source = tmp_path / "draft.docx"
    source.write_bytes(drafted)
    command = [shutil.which("soffice") or "soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}"]
    command += ["--headless", "--convert-to", "docx", "--outdir", str(tmp_path / "out"), str(source)]
    subprocess.run(command, check=True, capture_output=True, timeout=240, env={**os.environ, "HOME": str(tmp_path)})
    resaved = (tmp_path / "out" / "draft.docx").read_bytes()
    assert b"ck:non-exclusivity" not in zipfile.ZipFile(io.BytesIO(resaved)).read("word/document.xml")
    assert manifest_of(resaved) == manifest_of(drafted)
    report = check(library, resaved)
    assert report.verdict == "complies", report.findings
    assert report.manifest is not None and report.manifest["trusted"]


@pytest.fixture(scope="module")
def libreoffice_pdf(drafted: bytes) -> bytes:
    """LibreOffice's PDF/A-3 of the draft, before contractkit attaches the manifest."""
    from contractkit.pdf.render import PDFA3, docx_to_pdf

    return docx_to_pdf(drafted, pdfa=PDFA3)


@needs_soffice()
def test_pdf_manifests(library: Library, agreement: Agreement, libreoffice_pdf: bytes, tmp_path: Path) -> None:
    from contractkit.pdf.render import finish

    genuine = finish(agreement, libreoffice_pdf)
    report = check(library, genuine)
    assert report.verdict == "complies" and report.manifest and report.manifest["trusted"], report.findings
    with installation(tmp_path / "stranger"):
        stranger = finish(agreement, libreoffice_pdf)
    untrusted = check(library, stranger)
    assert untrusted.verdict == "cannot verify" and signature_findings(untrusted)[0][0] == "warning"
    manifest = json.loads(agreement.manifest_json(keys.installation_signer()))
    manifest["final"] = True  # any change to a signed manifest
    changed = agreement.manifest_json
    try:
        agreement.manifest_json = lambda signer=None: json.dumps(manifest)  # type: ignore[method-assign]
        forged = finish(agreement, libreoffice_pdf)
    finally:
        agreement.manifest_json = changed  # type: ignore[method-assign]
    assert ("signature", None) in errors(check(library, forged))
    assert check(library, libreoffice_pdf).verdict == "cannot verify"  # no manifest at all


def test_signature_value_is_64_bytes(drafted: bytes) -> None:
    assert len(base64.b64decode(manifest_of(drafted)["signature"]["value"])) == 64


def test_key_folder_is_created_private_even_with_a_loose_umask(own_config: Path) -> None:
    old = os.umask(0)
    try:
        keys.installation_signer()
    finally:
        os.umask(old)
    assert stat.S_IMODE(own_config.stat().st_mode) == 0o700
    assert stat.S_IMODE((own_config / keys.KEY_FILE).stat().st_mode) == 0o600
