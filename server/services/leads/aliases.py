"""Keys that lead to a lead other than its own columns (`LeadAlias`).

A merged duplicate's id, address and external ids resolve to the survivor; an
erased person's address is kept as a keyed hash only, so a later import of the
same address is refused or flagged (``ACCORD_ERASED_REIMPORT``). Callers ask
only for the keys their own lookup did not find, so a call whose keys all
resolve directly costs no statement here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from server import db
from server.domain.leads.erasure import email_digest, erasure_key
from server.services.core import bulk


class AliasKind(StrEnum):
    ID = "ID"
    EMAIL = "EMAIL"
    EXTERNAL_ID = "EXTERNAL_ID"
    ERASED_EMAIL = "ERASED_EMAIL"


class ReimportPolicy(StrEnum):
    """What `upsertLeads` does with the address of an erased person."""

    REFUSE = "refuse"  # the row fails with DUPLICATE
    FLAG = "flag"  # the lead is created, marked do-not-contact, and audited


_state: dict[str, Any] = {
    "key": erasure_key("accord-unconfigured"),
    "policy": ReimportPolicy.REFUSE,
}


def configure(secret_key: str, policy: str) -> None:
    _state["key"] = erasure_key(secret_key)
    set_reimport_policy(policy)


def set_reimport_policy(policy: str) -> None:
    _state["policy"] = ReimportPolicy(policy)


def reimport_policy() -> ReimportPolicy:
    policy: ReimportPolicy = _state["policy"]
    return policy


def digest(email: str) -> str:
    return email_digest(_state["key"], email)


@dataclass
class Resolved:
    """What the asked keys resolve to (lead ids); ``erased``: the addresses
    asked for that belonged to an erased person."""

    ids: dict[int, int] = field(default_factory=dict)
    emails: dict[str, int] = field(default_factory=dict)
    external: dict[tuple[str, str], int] = field(default_factory=dict)
    erased: set[str] = field(default_factory=set)

    @property
    def leads(self) -> set[int]:
        return {*self.ids.values(), *self.emails.values(), *self.external.values()}


async def resolve(
    ids: Iterable[int] = (),
    emails: Iterable[str] = (),
    pairs: Iterable[tuple[str, str]] = (),
) -> Resolved:
    """One statement for every key asked (none when nothing is asked)."""
    keys, addresses, wanted = sorted(set(ids)), sorted(set(emails)), set(pairs)
    hashed = {digest(e): e for e in addresses}
    asked = [
        (AliasKind.ID, [str(k) for k in keys]),
        (AliasKind.EMAIL, addresses),
        (AliasKind.ERASED_EMAIL, sorted(hashed)),
        (AliasKind.EXTERNAL_ID, sorted({v for _, v in wanted})),
    ]
    where: list[str] = []
    params: list[Any] = []
    for kind, values in asked:
        if values:
            condition, given = bulk.any_of("value", values, "text")
            where.append(f"(kind = ? AND {condition})")
            params += [kind.value, *given]
    found = Resolved()
    if not where:
        return found
    rows = await db.fetch(
        "SELECT lead_id, kind, system, value FROM lead_alias "
        f"WHERE {' OR '.join(where)}",
        *params,
    )
    for row in rows:
        lead, kind, value = int(row["lead_id"]), row["kind"], row["value"]
        if kind == AliasKind.ID:
            found.ids[int(value)] = lead
        elif kind == AliasKind.EMAIL:
            found.emails[value] = lead
        elif kind == AliasKind.ERASED_EMAIL:
            found.erased.add(hashed[value])
        elif (row["system"], value) in wanted:
            found.external[(row["system"], value)] = lead
    return found


async def add(
    lead_id: int, kind: AliasKind, values: Iterable[tuple[str, str]], now: datetime
) -> None:
    """Aliases of a lead: (system, value) pairs (system "" but for external ids)."""
    rows = sorted({(lead_id, kind.value, s, v, now) for s, v in values})
    await bulk.insert(
        "lead_alias",
        ("lead_id", "kind", "system", "value", "created_at"),
        rows,
        conflict="ON CONFLICT (kind, system, value) DO NOTHING",
        types=("bigint", "varchar", "varchar", "varchar", "timestamptz"),
    )
