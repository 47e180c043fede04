"""The practitioner's platform id, encrypted: so the lead can reach them, and Redis cannot tell who.

The lead must be able to reach the person who asked (a Slack mention, a DM with the bot's
replies), so a keyed hash (:mod:`bot.core.identity`), which is one-way, is not enough. Storing the id
in the clear would put a list of who asked for safeguarding advice in every Redis dump, replica
and backup. So the record holds the id encrypted:

* AES-256-GCM (``cryptography``'s AESGCM) rather than Fernet: authenticated like Fernet, but it
  takes associated data, and the escalation id is bound in as that data, so a ciphertext copied
  into another record does not decrypt there; and the tokens are shorter.
* The key is derived with HKDF-SHA256 from ``CANISHARE_ESCALATION_KEY`` when set, else from
  ``CANISHARE_HASH_KEY`` (with a distinct ``info`` label, so it is never the HMAC key itself). It
  lives in the process environment, not in Redis: a leaked dump alone reveals nobody.
* The id is decrypted only by the delivery worker, at the moment it posts a card or a DM, and is
  never logged. Rotating the key makes open escalations' handles unreadable: the card then says
  the practitioner can be reached only through Reply.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ENV_KEY = "CANISHARE_ESCALATION_KEY"


class HandleError(ValueError):
    """The ciphertext cannot be read (wrong key, tampered, or bound to another escalation)."""


class Sealer:
    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("an escalation key is required")
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"canishare-escalation",
                   info=b"practitioner-handle-v1").derive(secret.encode())
        self._aead = AESGCM(key)

    @classmethod
    def from_env(cls, hash_key: str) -> Sealer:
        return cls(os.environ.get(ENV_KEY) or hash_key)

    def seal(self, plaintext: str, bound_to: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), bound_to.encode())
        return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")

    def open(self, token: str, bound_to: str) -> str:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            return self._aead.decrypt(raw[:12], raw[12:], bound_to.encode()).decode()
        except (InvalidTag, ValueError) as exc:
            raise HandleError("cannot read the sealed value") from exc
