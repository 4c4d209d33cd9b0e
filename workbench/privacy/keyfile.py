"""The key: the table original ↔ pseudonym, in a file of its own.

Written where the user says, never inside a project or an export.  With a passphrase it
is encrypted with ``cryptography``'s Fernet (AES-128-CBC + HMAC-SHA256) under a key
derived from the passphrase by scrypt (n = 2^15, r = 8, p = 1) with a random 16-byte
salt; without one it is plain JSON, to be kept like the original transcripts.

The content: for each entity its category, its original written forms and the pseudonym
each was given; for each pseudonymised document the positions of its pseudonyms (exact
re-identification of the project while its texts are unchanged).
"""
from __future__ import annotations

import base64
import json
import os
import tempfile
from pathlib import Path

from workbench.domain import ValidationError
from workbench.i18n import _, located
from workbench.safety.errors import os_reason

FORMAT = "workbench-pseudonymisation-key"
VERSION = 1
SCRYPT = {"n": 2 ** 15, "r": 8, "p": 1}


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
    kdf = Scrypt(salt=salt, length=32, n=n, r=r, p=p)
    return base64.urlsafe_b64encode(kdf.derive(passphrase.encode("utf-8")))


def encode(payload: dict, passphrase: str | None = None) -> bytes:
    body = json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")
    if not passphrase:
        return json.dumps({"format": FORMAT, "version": VERSION, "encrypted": False,
                           "key": payload}, ensure_ascii=False, indent=1).encode("utf-8")
    from cryptography.fernet import Fernet
    salt = os.urandom(16)
    token = Fernet(_derive(passphrase, salt, **SCRYPT)).encrypt(body)
    return json.dumps({"format": FORMAT, "version": VERSION, "encrypted": True,
                       "kdf": "scrypt", **SCRYPT,
                       "salt": base64.b64encode(salt).decode("ascii"),
                       "token": token.decode("ascii")}, indent=1).encode("utf-8")


def write_key(path: str | Path, payload: dict, passphrase: str | None = None) -> Path:
    """Write the key file atomically (a temporary file renamed into place)."""
    path = Path(path)
    data = encode(payload, passphrase)
    fd, tmp = tempfile.mkstemp(prefix=".key-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def is_encrypted(path: str | Path) -> bool:
    return bool(_envelope(Path(path)).get("encrypted"))


def _envelope(path: Path) -> dict:
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise ValidationError(located(path, os_reason(exc))) from None
    except (UnicodeDecodeError, ValueError):
        raise ValidationError(_("{path}: not a Workbench key file").format(path=path)) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValidationError(_("{path}: not a Workbench key file").format(path=path))
    if data.get("version") != VERSION:
        raise ValidationError(_("{path}: key file version {v} is not supported").format(
            path=path, v=data.get("version")))
    return data


def read_key(path: str | Path, passphrase: str | None = None) -> dict:
    path = Path(path)
    data = _envelope(path)
    if not data.get("encrypted"):
        return data["key"]
    if not passphrase:
        raise ValidationError(_("{path}: the key is encrypted: give its passphrase").format(
            path=path))
    from cryptography.fernet import Fernet, InvalidToken
    try:
        salt = base64.b64decode(data["salt"])
        key = _derive(passphrase, salt, int(data["n"]), int(data["r"]), int(data["p"]))
        body = Fernet(key).decrypt(data["token"].encode("ascii"))
    except (InvalidToken, KeyError, ValueError, TypeError):
        raise ValidationError(_("{path}: wrong passphrase, or the key file is damaged").format(
            path=path)) from None
    return json.loads(body.decode("utf-8"))
