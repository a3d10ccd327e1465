"""Secrets at rest: marketplace credentials (Fernet, ``WAREHOUSE_CREDENTIALS_KEY``), PINs."""

from __future__ import annotations

import hashlib
import hmac
import json

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


class CredentialsError(RuntimeError):
    """Stored credentials cannot be read with the configured key."""


def _fernet(key: str | None = None) -> Fernet:
    return Fernet((key or current_app.config["CREDENTIALS_KEY"]).encode())


def seal(values: dict[str, str], key: str | None = None) -> bytes:
    return _fernet(key).encrypt(json.dumps(values, sort_keys=True).encode())


def unseal(token: bytes, key: str | None = None) -> dict[str, str]:
    try:
        return json.loads(_fernet(key).decrypt(token))
    except InvalidToken as exc:
        raise CredentialsError(
            "marketplace credentials cannot be decrypted: WAREHOUSE_CREDENTIALS_KEY changed?"
        ) from exc


def pin_digest(pin: str, secret: str) -> str:
    """Pickers' PINs are short: stored as a keyed HMAC, looked up by equality, never plain."""
    return hmac.new(secret.encode(), pin.encode(), hashlib.sha256).hexdigest()
