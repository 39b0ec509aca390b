"""Opaque global IDs.

An ID carries a type code and a row key, encrypted deterministically with a keyed
BLAKE2b construction (a synthetic IV also serves as an authentication tag), so IDs
reveal neither row numbers nor counts and cannot be forged or guessed from a row
number. The same (type, key) always gives the same ID for a given secret.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct

_PLAIN = struct.Struct(">HQ")
_TAG_BYTES = 6


_ENCODED_KEPT = 200_000


class InvalidId(ValueError):
    pass


def _canonical_b64decode(text: str) -> bytes:
    """Unpadded URL-safe base64 in the one form we mint: padding, stray
    characters, the standard alphabet and set trailing bits are all refused, so
    each ID and cursor has exactly one spelling."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidId(text) from exc
    if base64.urlsafe_b64encode(raw).decode().rstrip("=") != text:
        raise InvalidId(text)
    return raw


class IdCodec:
    def __init__(self, secret: str, type_codes: dict[str, int]) -> None:
        root = hashlib.sha256(b"accord-global-id:" + secret.encode()).digest()
        self._tag_key = root[:16] + b"tag"
        self._stream_key = root[16:] + b"stream"
        self._codes = dict(type_codes)
        self._names = {code: name for name, code in type_codes.items()}
        if len(self._names) != len(self._codes):
            raise ValueError("type codes must be distinct")
        # Encoding is deterministic and pages repeat the same IDs (personas,
        # owners, hot leads): remembering them saves two keyed hashes each.
        self._encoded: dict[tuple[str, int], str] = {}

    def encode(self, type_name: str, key: int) -> str:
        found = self._encoded.get((type_name, key))
        if found is None:
            if len(self._encoded) >= _ENCODED_KEPT:
                self._encoded.clear()
            found = self._encoded[(type_name, key)] = self._encode(type_name, key)
        return found

    def _encode(self, type_name: str, key: int) -> str:
        plain = _PLAIN.pack(self._codes[type_name], key)
        tag = hashlib.blake2b(plain, key=self._tag_key, digest_size=_TAG_BYTES).digest()
        cipher = bytes(a ^ b for a, b in zip(plain, self._stream(tag), strict=True))
        return base64.urlsafe_b64encode(tag + cipher).decode().rstrip("=")

    def decode(self, global_id: str) -> tuple[str, int]:
        """Return (type name, key); raise InvalidId for anything not minted here."""
        raw = _canonical_b64decode(global_id)
        if len(raw) != _TAG_BYTES + _PLAIN.size:
            raise InvalidId(global_id)
        tag, cipher = raw[:_TAG_BYTES], raw[_TAG_BYTES:]
        plain = bytes(a ^ b for a, b in zip(cipher, self._stream(tag), strict=True))
        expected = hashlib.blake2b(
            plain, key=self._tag_key, digest_size=_TAG_BYTES
        ).digest()
        if not hmac.compare_digest(tag, expected):
            raise InvalidId(global_id)
        code, key = _PLAIN.unpack(plain)
        name = self._names.get(code)
        if name is None:
            raise InvalidId(global_id)
        return name, key

    def _stream(self, tag: bytes) -> bytes:
        return hashlib.blake2b(
            tag, key=self._stream_key, digest_size=_PLAIN.size
        ).digest()


class Sealer:
    """Deterministic authenticated encryption of short byte strings (cursors)."""

    def __init__(self, secret: str, purpose: str) -> None:
        root = hashlib.sha256(f"accord-seal:{purpose}:{secret}".encode()).digest()
        self._tag_key, self._stream_key = root[:16], root[16:]
        # Sealing is deterministic and pages seal the same cursors again (the
        # rows at a page's ends, every edge of a re-read page).
        self._sealed: dict[bytes, str] = {}

    def seal(self, plain: bytes) -> str:
        found = self._sealed.get(plain)
        if found is None:
            if len(self._sealed) >= _ENCODED_KEPT:
                self._sealed.clear()
            found = self._sealed[plain] = self._seal(plain)
        return found

    def _seal(self, plain: bytes) -> str:
        tag = hashlib.blake2b(plain, key=self._tag_key, digest_size=8).digest()
        cipher = bytes(
            a ^ b for a, b in zip(plain, self._stream(tag, len(plain)), strict=True)
        )
        return base64.urlsafe_b64encode(tag + cipher).decode().rstrip("=")

    def unseal(self, sealed: str) -> bytes:
        raw = _canonical_b64decode(sealed)
        tag, cipher = raw[:8], raw[8:]
        plain = bytes(
            a ^ b for a, b in zip(cipher, self._stream(tag, len(cipher)), strict=True)
        )
        expected = hashlib.blake2b(plain, key=self._tag_key, digest_size=8).digest()
        if len(tag) != 8 or not hmac.compare_digest(tag, expected):
            raise InvalidId(sealed)
        return plain

    def _stream(self, tag: bytes, length: int) -> bytes:
        out = b""
        counter = 0
        while len(out) < length:
            block = tag + counter.to_bytes(4, "big")
            out += hashlib.blake2b(block, key=self._stream_key, digest_size=64).digest()
            counter += 1
        return out[:length]
