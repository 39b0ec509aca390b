"""Argon2id hashing off the event loop, with a cap on concurrent hashes.

The cap keeps a burst of logins from exhausting memory (each hash takes 64 MiB)
and CPU; callers queue instead.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY

_hasher = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)
_limit = asyncio.Semaphore(2)


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the e-mail is unknown, so both answers take as long.

    Made on first use: hashing at import would cost every worker 64 MiB at start.
    """
    return _hasher.hash(secrets.token_urlsafe(16))


def set_concurrency(n: int) -> None:
    global _limit
    _limit = asyncio.Semaphore(n)


async def hash_password(password: str) -> str:
    async with _limit:
        return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(stored: str | None, password: str) -> bool:
    """True when the password matches; unknown users verify against a dummy hash."""
    async with _limit:
        target = stored
        if target is None:
            target = await asyncio.to_thread(_dummy_hash)
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
