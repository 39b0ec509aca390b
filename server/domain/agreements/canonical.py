"""What both teams sign: terms in one canonical text, and its SHA-256.

`canonical_json` gives every value exactly one text (SPEC §2.2): keys sorted,
numbers normalised so ``8`` and ``8.0`` read alike, instants in ISO UTC. The
activation hash covers ``{kind, action: "ACTIVATE", terms}``, the retirement
hash ``{kind, action: "RETIRE", agreementId, revision}``. Stored terms are the
canonical text itself, so what is stored is exactly what was signed. `diff`
compares pending terms with the terms in force, field by field.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from server.domain.agreements.lifecycle import AgreementKind


def activation_hash(kind: AgreementKind, terms: Mapping[str, Any]) -> str:
    """SHA-256 over the canonical JSON of ``{kind, action: "ACTIVATE", terms}``."""
    return _sha256({"kind": kind.value, "action": "ACTIVATE", "terms": terms})


def retirement_hash(kind: AgreementKind, agreement_id: int, revision: int) -> str:
    """SHA-256 over ``{kind, action: "RETIRE", agreementId, revision}``.

    The action is part of what is hashed, so a retirement hash can never be
    replayed as an activation (nor the other way round).
    """
    body = {
        "kind": kind.value,
        "action": "RETIRE",
        "agreementId": agreement_id,
        "revision": revision,
    }
    return _sha256(body)


def _sha256(value: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def canonical_json(value: Any) -> str:
    """One text per value: keys sorted, no spaces, strings in Unicode NFC, numbers
    in their shortest plain decimal form (``8``, ``8.0`` and ``"8.00"`` as a
    Decimal all give ``8``; no exponents, no ``-0``), instants as ISO 8601 UTC
    with a ``Z``, dates as ISO dates."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int | float | Decimal):
        return canonical_number(value)
    if isinstance(value, str):
        return json.dumps(unicodedata.normalize("NFC", value), ensure_ascii=False)
    if isinstance(value, datetime):
        return json.dumps(iso_instant(value))
    if isinstance(value, date):
        return json.dumps(value.isoformat())
    if isinstance(value, Mapping):
        items = sorted((str(k), v) for k, v in value.items())
        inner = ",".join(f"{canonical_json(k)}:{canonical_json(v)}" for k, v in items)
        return "{" + inner + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(canonical_json(v) for v in value) + "]"
    raise TypeError(f"cannot put a {type(value).__name__} into canonical JSON")


def canonical_number(value: int | float | Decimal) -> str:
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise ValueError("numbers in terms must be finite")
    if number == 0:
        return "0"
    return format(number.normalize(), "f")


def iso_instant(value: datetime) -> str:
    """An aware datetime as ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z`` in UTC."""
    if value.tzinfo is None:
        raise ValueError("instants must carry a timezone")
    utc = value.astimezone(UTC)
    # strftime's %Y prints year 999 as "999"; the canonical form is fixed-width.
    text = f"{utc.year:04d}-" + utc.strftime("%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += f".{utc.microsecond:06d}"
    return text + "Z"


def load_terms(text: str | None) -> dict[str, Any] | None:
    """Read stored canonical terms back (decimals as `Decimal`, integers as int)."""
    if text is None:
        return None
    loaded: dict[str, Any] = json.loads(text, parse_float=Decimal)
    return loaded


# ---- diff ----------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    path: tuple[str, ...]
    before: Any
    after: Any


def diff(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> list[Change]:
    """Field-by-field differences, pending vs in force (no terms: every field is
    new); lists of rules are compared position by position."""
    if before is None and after is None:
        return []
    return _diff(before or {}, after or {}, ())


def _diff(before: Any, after: Any, path: tuple[str, ...]) -> list[Change]:
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        changes: list[Change] = []
        for key in sorted(set(before) | set(after)):
            changes += _diff(before.get(key), after.get(key), (*path, str(key)))
        return changes
    if _rules(before) and _rules(after):
        changes = []
        for i in range(max(len(before), len(after))):
            old = before[i] if i < len(before) else None
            new = after[i] if i < len(after) else None
            changes += _diff(old, new, (*path, str(i)))
        return changes
    if canonical_json(before) == canonical_json(after):
        return []
    return [Change(path, before, after)]


def _rules(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, Mapping) for v in value)
