"""The user's keys: the installation's signing key, the drafters' keys it trusts, and the centre's key.

Everything lives in the user's configuration folder (`$CONTRACTKIT_CONFIG_DIR`, else
`$XDG_CONFIG_HOME/contractkit`, else `~/.config/contractkit`), never in a repository:

    signing-key.pem      this installation's private key (mode 0600), made on first use
    trusted/NAME.pub     public keys of other drafters whose manifests `verify` trusts
    centre.pub           the national centre's public key, which checks the library's pin file

A private key file must be a regular file only its owner can read; a folder or trusted key file
others can change is refused. Key objects and file formats are in trust.keytypes.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path

from contractkit.trust.keytypes import (
    ALGORITHM,
    KeyProblem,
    Keyring,
    NeedsPassphrase,
    PublicKey,
    Signer,
    parse_private,
    parse_public,
)

__all__ = [
    "ALGORITHM",
    "CENTRE_FILE",
    "CONFIG_ENV",
    "KEY_FILE",
    "MAX_KEY_FILE",
    "TRUSTED_DIR",
    "KeyProblem",
    "Keyring",
    "NeedsPassphrase",
    "PublicKey",
    "Signer",
    "centre",
    "config_dir",
    "drafters",
    "init",
    "installation_signer",
    "key_path",
    "parse_private",
    "parse_public",
    "read_private",
    "read_public",
    "trust",
    "write_private",
    "write_public",
]

CONFIG_ENV = "CONTRACTKIT_CONFIG_DIR"
KEY_FILE = "signing-key.pem"
TRUSTED_DIR = "trusted"
CENTRE_FILE = "centre.pub"
MAX_KEY_FILE = 64 * 1024
NEW_KEY_HINT = "make a new key with 'contractkit keys init --force'"


# ----------------------------------------------------------------------------- files and folders


def config_dir() -> Path:
    """The user's contractkit configuration folder (it may not exist yet)."""
    configured = os.environ.get(CONFIG_ENV)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "contractkit"


def key_path() -> Path:
    return config_dir() / KEY_FILE


def _folder(path: Path, *, create: bool) -> Path:
    """A configuration folder: made private (0700) when created; one others can write is refused."""
    try:
        if create:
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.stat()
    except OSError as exc:
        raise KeyProblem(f"{path}: cannot use the configuration folder ({exc.strerror})", hint=_env_hint()) from None
    if not stat.S_ISDIR(info.st_mode):
        raise KeyProblem(f"{path}: is not a folder", hint=_env_hint())
    _not_shared(path, info)
    return path


def _env_hint() -> str:
    return f"set {CONFIG_ENV} to a private folder of yours"


def _not_shared(path: Path, info: os.stat_result) -> None:
    if info.st_uid != os.getuid():
        raise KeyProblem(f"{path}: belongs to another user, so keys in it cannot be trusted", hint=_env_hint())
    if info.st_mode & 0o022:
        raise KeyProblem(
            f"{path}: other users can change it (mode {stat.filemode(info.st_mode)}), so keys in it cannot be trusted",
            hint=f"run: chmod go-w {path}",
        )


def _read(path: Path, *, secret: bool) -> bytes:
    """A key file's bytes: never through a symbolic link; a secret one readable only by its owner."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise
    except OSError as exc:
        if path.is_symlink():
            raise KeyProblem(f"{path}: is a symbolic link; a key is read only from a regular file") from None
        raise KeyProblem(f"{path}: cannot read the key ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise KeyProblem(f"{path}: is not a regular file")
        if secret and info.st_mode & 0o077:
            raise KeyProblem(
                f"{path}: other users can read this private key (mode {stat.filemode(info.st_mode)})",
                hint=f"run: chmod 600 {path}; if others may have copied it, {NEW_KEY_HINT}",
            )
        if secret and info.st_uid != os.getuid():
            raise KeyProblem(f"{path}: the private key belongs to another user")
        data = handle.read(MAX_KEY_FILE + 1)
    if len(data) > MAX_KEY_FILE:
        raise KeyProblem(f"{path}: is too large to be a key ({MAX_KEY_FILE} bytes at most)")
    return data


def read_private(path: Path, passphrase: bytes | None = None) -> Signer:
    """A private key file, refused if it is a symbolic link or others can read it."""
    try:
        data = _read(path, secret=True)
    except FileNotFoundError:
        raise KeyProblem(f"{path}: no such key file") from None
    return parse_private(data, str(path), passphrase)


def read_public(path: Path, *, configured: bool = False) -> PublicKey:
    """A public key file; one kept in the configuration folder must not be changeable by others."""
    try:
        data = _read(path, secret=False)
        if configured:
            _not_shared(path, path.lstat())
    except FileNotFoundError:
        raise KeyProblem(f"{path}: no such key file") from None
    return parse_public(data, str(path))


def write_private(path: Path, signer: Signer, *, replace: bool = False) -> None:
    """Write a private key file (0600) whole: readers never see half a key, and two processes
    creating the installation key at once end up with the same one. FileExistsError unless `replace`."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(signer.pem().encode())
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            tmp.replace(path)
        else:
            os.link(tmp, path)  # fails if the file appeared meanwhile: the first key made wins
    finally:
        tmp.unlink(missing_ok=True)


def write_public(path: Path, key: PublicKey, *, replace: bool = False) -> None:
    """Write a public key file (0644), refusing to overwrite one unless `replace`."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | (os.O_TRUNC if replace else os.O_EXCL)
    with os.fdopen(os.open(path, flags, 0o644), "w", encoding="ascii") as handle:
        handle.write(key.pem())


# ----------------------------------------------------------------------------- the installation key


def installation_signer(*, create: bool = True) -> Signer | None:
    """This installation's signing key; made on first use unless `create` is false."""
    path = key_path()
    if not path.exists() and not path.is_symlink():
        if not create:
            return None
        _folder(path.parent, create=True)
        signer = Signer.generate()
        try:
            write_private(path, signer)
        except FileExistsError:  # another process made it first: use theirs
            return read_private(path)
        except OSError as exc:
            raise KeyProblem(f"{path}: cannot create the signing key ({exc.strerror})", hint=_env_hint()) from None
        return Signer(PublicKey(signer.public.raw, str(path)), signer.seed)
    _folder(path.parent, create=False)
    return read_private(path)


def init(*, force: bool = False, out: Path | None = None) -> tuple[Signer, Path]:
    """Make a new key: the installation's, or (with `out`) a key pair at OUT and OUT.pub."""
    path = out or key_path()
    if out is None:
        _folder(path.parent, create=True)
    signer = Signer.generate()
    try:
        write_private(path, signer, replace=force)
        if out is not None:
            write_public(path.with_suffix(".pub"), signer.public, replace=force)
    except FileExistsError as exc:
        raise KeyProblem(f"{exc.filename or path}: a key already exists", hint="use --force to replace it") from None
    except OSError as exc:
        raise KeyProblem(f"{path}: cannot write the key ({exc.strerror})") from None
    return signer, path


# ----------------------------------------------------------------------------- trusted keys


def _configured(paths: Iterable[Path]) -> list[PublicKey]:
    return [read_public(p, configured=True) for p in sorted(paths)]


def drafters(extra: Sequence[Path] = ()) -> Keyring:
    """Keys whose signed manifests `verify` trusts: this installation's own, those in the
    configuration folder's trusted/, and any given with --trust."""
    folder = config_dir()
    found: list[PublicKey] = []
    if folder.is_dir():
        _folder(folder, create=False)
        own = installation_signer(create=False)
        found += [own.public] if own else []
        trusted = folder / TRUSTED_DIR
        if trusted.is_dir():
            _folder(trusted, create=False)
            found += _configured(p for p in trusted.iterdir() if p.suffix == ".pub")
    return Keyring(found + [read_public(p) for p in extra])


def centre(extra: Sequence[Path] = ()) -> Keyring:
    """The centre's key(s), which sign library releases: centre.pub in the configuration folder
    and any given with --trust."""
    path = config_dir() / CENTRE_FILE
    found = _configured([path]) if path.exists() or path.is_symlink() else []
    if found:
        _folder(path.parent, create=False)
    return Keyring(found + [read_public(p) for p in extra])


def trust(source: Path, *, name: str | None = None, as_centre: bool = False, force: bool = False) -> Path:
    """Copy a public key into the configuration folder: trusted/NAME.pub, or centre.pub."""
    key = read_public(source)
    folder = _folder(config_dir(), create=True)
    if as_centre:
        target = folder / CENTRE_FILE
    else:
        stem = name or source.stem
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", stem):
            raise KeyProblem(f"{stem!r}: a key name is letters, digits, '.', '_' and '-'", hint="pass --name NAME")
        target = _folder(folder / TRUSTED_DIR, create=True) / f"{stem}.pub"
    try:
        write_public(target, key, replace=force)
    except FileExistsError:
        raise KeyProblem(f"{target}: a trusted key of that name exists", hint="use --force, or --name") from None
    return target
