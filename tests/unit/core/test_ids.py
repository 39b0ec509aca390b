"""Global IDs are opaque, stable and unforgeable."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain.core.ids import IdCodec, InvalidId, Sealer

CODEC = IdCodec("k" * 40, {"User": 1, "Lead": 2})


@given(st.sampled_from(["User", "Lead"]), st.integers(min_value=0, max_value=2**63 - 1))
def test_an_id_decodes_to_what_it_encoded(type_name: str, key: int) -> None:
    assert CODEC.decode(CODEC.encode(type_name, key)) == (type_name, key)


def test_ids_of_neighbouring_rows_share_nothing_readable() -> None:
    first, second = CODEC.encode("User", 1), CODEC.encode("User", 2)
    assert first != second
    assert "1" not in first[-2:] and len(first) == len(second) == 22
    common_prefix = next(
        i for i, (a, b) in enumerate(zip(first, second, strict=True)) if a != b
    )
    assert common_prefix < 3


def test_a_tampered_or_foreign_id_is_refused() -> None:
    good = CODEC.encode("User", 7)
    tampered = ("A" if good[5] != "A" else "B").join([good[:5], good[6:]])
    other_secret = IdCodec("z" * 40, {"User": 1, "Lead": 2}).encode("User", 7)
    for bad in (tampered, other_secret, "VXNlcjo3", "", "!!!", good + "AA"):
        with pytest.raises(InvalidId):
            CODEC.decode(bad)


def test_the_same_row_always_gets_the_same_id() -> None:
    assert CODEC.encode("Lead", 42) == IdCodec("k" * 40, {"User": 1, "Lead": 2}).encode(
        "Lead", 42
    )
    assert CODEC.encode("Lead", 42) != CODEC.encode("User", 42)


@given(st.binary(max_size=300))
def test_sealed_bytes_open_only_unchanged(plain: bytes) -> None:
    sealer = Sealer("k" * 40, "cursor")
    sealed = sealer.seal(plain)
    assert sealer.unseal(sealed) == plain
    with pytest.raises(InvalidId):
        Sealer("k" * 40, "other").unseal(sealed)


ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def spellings(text: str) -> list[str]:
    """Other texts that a lenient base64 decoder reads as the same bytes."""
    last = ALPHABET.index(text[-1])
    spare_bits = (-len(text) * 6) % 8  # low bits of the last character unused
    variants = [
        text + "==",
        text + "=",
        text[:3] + "\n" + text[3:],
        text[:3] + "." + text[3:],
        text.replace("-", "+").replace("_", "/"),
    ]
    variants += [text[:-1] + ALPHABET[last ^ flip] for flip in range(1, 2**spare_bits)]
    return [v for v in variants if v != text]


@pytest.mark.parametrize("key", [1, 7, 2**40 + 3])
def test_an_id_resolves_only_in_its_canonical_spelling(key: int) -> None:
    good = CODEC.encode("User", key)
    for variant in spellings(good):
        with pytest.raises(InvalidId):
            CODEC.decode(variant)


@pytest.mark.parametrize("plain", [b'["new",[1],5]', b"x" * 31])
def test_a_cursor_opens_only_in_its_canonical_spelling(plain: bytes) -> None:
    sealer = Sealer("k" * 40, "cursor")
    sealed = sealer.seal(plain)
    assert sealer.unseal(sealed) == plain
    for variant in spellings(sealed):
        with pytest.raises(InvalidId):
            sealer.unseal(variant)
