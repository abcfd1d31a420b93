"""Signing keys and library releases: `contractkit keys ...` and `contractkit library release`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from contractkit.cli.kit import FORMAT, emit_json, library, table

KEY_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group()
def keys() -> None:
    """Signing keys: this installation's own, and the public keys it trusts.

    Keys live in the configuration folder ($CONTRACTKIT_CONFIG_DIR, else
    $XDG_CONFIG_HOME/contractkit, else ~/.config/contractkit). See docs/keys.md.
    """


@keys.command("init")
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a separate key pair to OUT and its public key beside it (.pub), e.g. the centre's release key.",
)
@click.option("--force", is_flag=True, help="Replace an existing key.")
def keys_init(out: Path | None, force: bool) -> None:
    """Create this installation's signing key (a first draft also creates it)."""
    from contractkit.trust import keys as k

    signer, path = k.init(force=force, out=out)
    click.echo(f"wrote {path} (key id {signer.key_id}, fingerprint {signer.public.fingerprint})", err=True)
    if out is not None:
        click.echo(f"public key: {path.with_suffix('.pub')}; keep {path} outside any repository", err=True)
    else:
        click.echo("give others your public key: contractkit keys show > NAME.pub", err=True)
        if force:
            click.echo("documents signed with the old key no longer verify as yours", err=True)


@keys.command("show")
@click.option("--key", "key_file", type=KEY_FILE, help="Show this key file (private or public) instead.")
@FORMAT
def keys_show(key_file: Path | None, fmt: str) -> None:
    """Print the public key to give to others (stdout), with its key id and fingerprint (stderr)."""
    public = _public(key_file)
    if fmt == "json":
        emit_json(
            {
                "key_id": public.key_id,
                "fingerprint": public.fingerprint,
                "public_key": public.pem(),
                "file": public.source,
            }
        )
        return
    click.echo(public.pem(), nl=False)
    click.echo(f"key id {public.key_id}, fingerprint {public.fingerprint} ({public.source})", err=True)


def _public(key_file: Path | None) -> Any:
    from contractkit.trust import keys as k

    if key_file is None:
        signer = k.installation_signer(create=False)
        if signer is None:
            raise k.KeyProblem(f"{k.key_path()}: no signing key yet", hint="run 'contractkit keys init'")
        return signer.public
    data = key_file.read_bytes()[: k.MAX_KEY_FILE]
    if b"PRIVATE KEY" in data:
        return _private(key_file).public
    return k.read_public(key_file)


def _private(path: Path) -> Any:
    """A private key file; an encrypted one asks for its passphrase."""
    from contractkit.trust.keys import NeedsPassphrase, read_private

    try:
        return read_private(path)
    except NeedsPassphrase:
        passphrase = click.prompt(f"passphrase for {path}", hide_input=True, err=True)
        return read_private(path, passphrase.encode())


@keys.command("trust")
@click.argument("file", type=KEY_FILE)
@click.option("--name", help="Name to keep it under in trusted/ (default: the file's name).")
@click.option("--centre", is_flag=True, help="It is the national centre's key, which signs library releases.")
@click.option("--force", is_flag=True, help="Replace a trusted key of the same name.")
def keys_trust(file: Path, name: str | None, centre: bool, force: bool) -> None:
    """Trust a drafter's public key for verify, or (--centre) the centre's key for lint and draft.

    Compare the fingerprint printed with the one its owner gives you by another route first.
    """
    from contractkit.trust import keys as k

    target = k.trust(file, name=name, as_centre=centre, force=force)
    public = k.read_public(target)
    click.echo(f"trusted key {public.key_id} (fingerprint {public.fingerprint}): {target}", err=True)


@keys.command("list")
@FORMAT
def keys_list(fmt: str) -> None:
    """List the keys this installation trusts: its own, trusted drafters' and the centre's."""
    from contractkit.trust import keys as k

    rows = [("manifests", key) for key in k.drafters().keys] + [("releases", key) for key in k.centre().keys]
    if fmt == "json":
        emit_json([{"trusted_for": use, "key_id": key.key_id, "file": key.source} for use, key in rows])
        return
    table([["TRUSTED FOR", "KEY ID", "FILE"]] + [[use, key.key_id, key.source] for use, key in rows])


@click.group("library")
def library_group() -> None:
    """The centre's library releases (see docs/releases.md)."""


@library_group.command("release")
@click.option(
    "--key",
    "key_file",
    type=KEY_FILE,
    help="The centre's Ed25519 private key, kept outside any repository; without it the pins are unsigned.",
)
@click.option("--force", is_flag=True, help="Pin even though locked wording changed without a new version number.")
@click.pass_context
def library_release(ctx: click.Context, key_file: Path | None, force: bool) -> None:
    """Write library.pins.json: each locked clause's version, status, principles and text hash.

    Cut a release after every change to a locked clause (new clause and library versions), and
    publish the pin file with the library. Trusts check their copy with 'contractkit lint'.
    """
    from contractkit import api

    signer = _private(key_file) if key_file else None
    path, pins = api.release(library(ctx), signer, force=force)
    signed = f"signed with key {signer.key_id}" if signer else "unsigned (no --key)"
    click.echo(f"wrote {path}: release {pins['library']}, {len(pins['clauses'])} locked clause(s), {signed}", err=True)


COMMANDS: list[click.Command] = [keys, library_group]
