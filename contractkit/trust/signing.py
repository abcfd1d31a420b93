"""Signed JSON objects: the provenance manifest of an agreement and the pin file of a library release.

An object is signed by adding one member,

    "signature": {"algorithm": "ed25519", "key": "<key id>", "value": "<base64 signature>"}

over its canonical JSON without that member: keys sorted, no whitespace, non-ASCII characters as
\\u escapes (Python's `json.dumps(obj, sort_keys=True, separators=(",", ":"))`), prefixed by
the purpose (`contractkit manifest v1` or `contractkit pins v1` and a newline), so that a
signature made for one purpose never vouches for the other. Ed25519 signatures are
deterministic: the same object and key always give the same bytes.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from contractkit.trust.keytypes import ALGORITHM

if TYPE_CHECKING:
    from contractkit.trust.keytypes import Keyring, Signer

Purpose = Literal["manifest", "pins"]
Status = Literal["trusted", "unsigned", "untrusted", "invalid", "malformed"]
MEMBER = "signature"


def canonical(obj: Any) -> bytes:
    """The canonical JSON of `obj`; NaN and infinities are refused, as JSON has no such numbers."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def message(obj: dict[str, Any], purpose: Purpose) -> bytes:
    """What is signed: the purpose line, then the canonical JSON of the object without its signature."""
    unsigned = {k: v for k, v in obj.items() if k != MEMBER}
    return f"contractkit {purpose} v1\n".encode() + canonical(unsigned)


def sign(obj: dict[str, Any], signer: Signer, purpose: Purpose) -> dict[str, Any]:
    """A copy of `obj` with its signature member."""
    value = base64.b64encode(signer.sign(message(obj, purpose))).decode()
    unsigned = {k: v for k, v in obj.items() if k != MEMBER}
    return {**unsigned, MEMBER: {"algorithm": ALGORITHM, "key": signer.key_id, "value": value}}


@dataclass(frozen=True)
class Check:
    """Whether a signed object can be trusted, and by which key."""

    status: Status
    key: str | None = None  # the key id the signature names
    source: str | None = None  # the trusted key file that verified it

    @property
    def trusted(self) -> bool:
        return self.status == "trusted"

    def describe(self, what: str) -> str:
        """One sentence for people, e.g. 'the manifest is signed by key 1a2b..., which you do not trust'."""
        return {
            "trusted": f"{what} is signed by trusted key {self.key}",
            "unsigned": f"{what} is not signed",
            "untrusted": f"{what} is signed by key {self.key}, which is not among the keys you trust",
            "invalid": f"{what} does not match its signature by trusted key {self.key}: it was changed after signing",
            "malformed": f"{what} has a signature contractkit cannot read",
        }[self.status]

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "key": self.key}


def check(obj: dict[str, Any], keyring: Keyring, purpose: Purpose) -> Check:
    """Check the signature member of `obj` against the trusted keys."""
    member = obj.get(MEMBER)
    if member is None:
        return Check("unsigned")
    if not isinstance(member, dict) or member.get("algorithm") != ALGORITHM:
        return Check("malformed")
    key, value = member.get("key"), member.get("value")
    if not isinstance(key, str) or not isinstance(value, str):
        return Check("malformed")
    try:
        signature = base64.b64decode(value, validate=True)
        data = message(obj, purpose)
    except (binascii.Error, ValueError, TypeError):
        return Check("malformed", key)
    candidates = keyring.find(key)
    if not candidates:
        return Check("untrusted", key)
    verified = next((k for k in candidates if k.verify(signature, data)), None)
    return Check("trusted", key, verified.source) if verified else Check("invalid", key)
