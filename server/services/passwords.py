"""Argon2id hashing off the event loop, with a cap on concurrent hashes.

The cap keeps a burst of logins from exhausting memory (each hash takes 64 MiB)
and CPU; callers queue instead.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY

_hasher = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)
_limit = asyncio.Semaphore(2)
# Verified against when the e-mail is unknown, so both answers take as long.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def set_concurrency(n: int) -> None:
    global _limit
    _limit = asyncio.Semaphore(n)


async def hash_password(password: str) -> str:
    async with _limit:
        return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(stored: str | None, password: str) -> bool:
    """True when the password matches; unknown users verify against a dummy hash."""
    target = stored or _DUMMY_HASH
    async with _limit:
        try:
            ok: bool = await asyncio.to_thread(_hasher.verify, target, password)
        except (VerificationError, InvalidHashError):
            ok = False
    return ok and stored is not None


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def digest(secret: str) -> str:
    """How session ids, token secrets and link tokens are stored: never in clear."""
    return hashlib.sha256(secret.encode()).hexdigest()
