"""Ed25519 keys in memory, and in the PEM and OpenSSH text files that hold them.

The common PEM forms (`openssl genpkey -algorithm ed25519`, `openssl pkey -pubout`) are decoded
here from their fixed Ed25519 prefix (RFC 8410), so drafting imports only cryptography's Ed25519
module, not its whole serialisation layer; other encodings (encrypted PEM, OpenSSH) go through
cryptography's own loaders.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from contractkit.errors import ContractkitError

ALGORITHM = "ed25519"
# DER of an Ed25519 key (RFC 8410): PKCS#8 private key and SubjectPublicKeyInfo, before the 32 key bytes.
_PKCS8 = bytes.fromhex("302e020100300506032b657004220420")
_SPKI = bytes.fromhex("302a300506032b6570032100")
_PEM = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\s*([A-Za-z0-9+/=\s]*?)\s*-----END \1-----")


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
