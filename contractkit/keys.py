"""Ed25519 keys: the installation's signing key, the drafters' keys it trusts, and the centre's key.

Everything lives in the user's configuration folder (`$CONTRACTKIT_CONFIG_DIR`, else
`$XDG_CONFIG_HOME/contractkit`, else `~/.config/contractkit`), never in a repository:

    signing-key.pem      this installation's private key (mode 0600), made on first use
    trusted/NAME.pub     public keys of other drafters whose manifests `verify` trusts
    centre.pub           the national centre's public key, which checks the library's pin file

Keys are PEM files as `openssl genpkey -algorithm ed25519` and `openssl pkey -pubout` write them
(OpenSSH Ed25519 keys are read too). The common PEM forms are decoded here from their fixed
Ed25519 prefix, so drafting imports only cryptography's Ed25519 module, not its whole
serialisation layer. A private key file must be a regular file only its owner can read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import secrets
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ContractkitError

CONFIG_ENV = "CONTRACTKIT_CONFIG_DIR"
KEY_FILE = "signing-key.pem"
TRUSTED_DIR = "trusted"
CENTRE_FILE = "centre.pub"
ALGORITHM = "ed25519"
MAX_KEY_FILE = 64 * 1024
# DER of an Ed25519 key (RFC 8410): PKCS#8 private key and SubjectPublicKeyInfo, before the 32 key bytes.
_PKCS8 = bytes.fromhex("302e020100300506032b657004220420")
_SPKI = bytes.fromhex("302a300506032b6570032100")
_PEM = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\s*([A-Za-z0-9+/=\s]*?)\s*-----END \1-----")
NEW_KEY_HINT = "make a new key with 'contractkit keys init --force'"


class KeyProblem(ContractkitError):
    """A key file that is missing, unreadable, unsafe or not an Ed25519 key."""


class NeedsPassphrase(KeyProblem):
    """The private key file is encrypted; the CLI asks for the passphrase and tries again."""


# ----------------------------------------------------------------------------- keys


@dataclass(frozen=True)
class PublicKey:
    """An Ed25519 public key (its 32 raw bytes) and the file it came from."""

    raw: bytes
    source: str = ""

    @property
    def key_id(self) -> str:
        """Short name of the key, written into signatures: 16 hex digits of its SHA-256."""
        return hashlib.sha256(self.raw).hexdigest()[:16]

    @property
    def fingerprint(self) -> str:
        """The whole SHA-256 of the key, to compare by telephone or letter before trusting it."""
        digest = hashlib.sha256(self.raw).hexdigest()
        return "SHA256:" + ":".join(digest[i : i + 4] for i in range(0, len(digest), 4))

    def pem(self) -> str:
        return _pem("PUBLIC KEY", _SPKI + self.raw)

    def verify(self, signature: bytes, data: bytes) -> bool:
        """Whether `signature` is this key's signature of `data`."""
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, data)
        except (InvalidSignature, ValueError):
            return False
        return True


@dataclass(frozen=True)
class Signer:
    """A private key that signs, with its public key."""

    public: PublicKey
    seed: bytes = field(repr=False)

    @classmethod
    def from_seed(cls, seed: bytes, source: str = "") -> Signer:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        if len(seed) != 32:
            raise KeyProblem(f"{source or 'key'}: an Ed25519 private key has 32 bytes (got {len(seed)})")
        raw = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
        return cls(PublicKey(raw, source), seed)

    @classmethod
    def generate(cls) -> Signer:
        return cls.from_seed(secrets.token_bytes(32))

    @property
    def key_id(self) -> str:
        return self.public.key_id

    def sign(self, data: bytes) -> bytes:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(data)

    def pem(self) -> str:
        return _pem("PRIVATE KEY", _PKCS8 + self.seed)


@dataclass
class Keyring:
    """Public keys trusted for one purpose (drafters' manifests, or the centre's pin file)."""

    keys: list[PublicKey] = field(default_factory=list)

    def find(self, key_id: str) -> list[PublicKey]:
        return [k for k in self.keys if k.key_id == key_id]

    def __bool__(self) -> bool:
        return bool(self.keys)

    def ids(self) -> list[str]:
        return list(dict.fromkeys(k.key_id for k in self.keys))


# ----------------------------------------------------------------------------- PEM


def _pem(label: str, der: bytes) -> str:
    body = base64.b64encode(der).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----"]) + "\n"


def _unpem(data: bytes) -> tuple[str, bytes] | None:
    found = _PEM.search(data)
    if found is None:
        return None
    try:
        return found.group(1).decode(), base64.b64decode(b"".join(found.group(2).split()), validate=True)
    except binascii.Error:
        return None


def parse_private(data: bytes, source: str, passphrase: bytes | None = None) -> Signer:
    """A private key from PEM (PKCS#8, encrypted or not) or OpenSSH text."""
    pem = _unpem(data)
    if pem and pem[0] == "PRIVATE KEY" and pem[1].startswith(_PKCS8) and len(pem[1]) == len(_PKCS8) + 32:
        return Signer.from_seed(pem[1][len(_PKCS8) :], source)
    key = _load_with_cryptography(data, source, passphrase, private=True)
    return Signer.from_seed(key.private_bytes_raw(), source)


def parse_public(data: bytes, source: str) -> PublicKey:
    """A public key from PEM (SubjectPublicKeyInfo) or an OpenSSH `ssh-ed25519 ...` line."""
    pem = _unpem(data)
    if pem and pem[0] == "PUBLIC KEY" and pem[1].startswith(_SPKI) and len(pem[1]) == len(_SPKI) + 32:
        return PublicKey(pem[1][len(_SPKI) :], source)
    if pem and "PRIVATE KEY" in pem[0]:
        raise KeyProblem(
            f"{source}: this is a private key; give the public key instead",
            hint="'contractkit keys show --key FILE' prints the public key of a private key file",
        )
    key = _load_with_cryptography(data, source, None, private=False)
    return PublicKey(key.public_bytes_raw(), source)


def _load_with_cryptography(data: bytes, source: str, passphrase: bytes | None, *, private: bool) -> Any:
    """The less common encodings, through cryptography's serialisation layer."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    what = "private" if private else "public"
    try:
        if private:
            load = serialization.load_ssh_private_key if b"OPENSSH" in data else serialization.load_pem_private_key
            key: Any = load(data, password=passphrase)
        elif data.lstrip().startswith(b"ssh-"):
            key = serialization.load_ssh_public_key(data)
        else:
            key = serialization.load_pem_public_key(data)
    except TypeError as exc:  # an encrypted key without a passphrase, or a passphrase for a plain key
        if passphrase is None:
            raise NeedsPassphrase(f"{source}: the private key is encrypted") from None
        raise KeyProblem(f"{source}: {exc}") from None
    except (ValueError, UnsupportedAlgorithm) as exc:
        if passphrase is not None:
            raise KeyProblem(f"{source}: cannot decrypt the private key: wrong passphrase?") from None
        raise KeyProblem(
            f"{source}: not a readable Ed25519 {what} key ({exc})",
            hint="contractkit reads PEM files such as 'openssl genpkey -algorithm ed25519' writes, and OpenSSH keys",
        ) from None
    wanted = ed25519.Ed25519PrivateKey if private else ed25519.Ed25519PublicKey
    if not isinstance(key, wanted):
        raise KeyProblem(f"{source}: the {what} key is not an Ed25519 key ({type(key).__name__})")
    return key


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
