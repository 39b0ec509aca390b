"""Lead rows as integrations send them to `upsertLeads` (SPEC §2.3, §3).

A row names its lead by e-mail address and/or external ids (the keys) and carries
the fields to change. The upsert rule: an absent field is left as stored, ``null``
clears it (text and numbers to None, flags to False, products to an empty list).
Keys can be given but never cleared by an upsert. Like agreement terms, a row is
read whole: every problem is collected with its path into the input and raised
together as `UserErrors`. The same e-mail rules serve `recordLeadActivities`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import idna

from server.domain.agreements.terms import Reader, parse_instant, refuse_unstorable
from server.domain.core.errors import UserErrors
from server.domain.core.inputs import INSTANT_WANTED

if TYPE_CHECKING:
    from server.domain.leads.backfill import Backfill

MAX_UPSERT_ROWS = 500
MAX_EMAIL_LENGTH = 320
MAX_LOCAL_PART = 64
MAX_DOMAIN = 253
MAX_LABEL = 63
MAX_EXTERNAL_IDS = 10
MAX_SYSTEM = 64
MAX_EXTERNAL_ID = 200
MAX_PRODUCTS = 50
MAX_PRODUCT = 100
MAX_COMPANY_SIZE = 10_000_000

# Upsert field → (column, most characters). Persona is not here: it is set by
# hand with updateLead, never by a sync.
TEXT_FIELDS: dict[str, tuple[str, int]] = {
    "firstName": ("first_name", 200),
    "lastName": ("last_name", 200),
    "company": ("company", 200),
    "industry": ("industry", 200),
    "jobTitle": ("job_title", 200),
    "seniority": ("seniority", 200),
    "country": ("country", 100),
    "source": ("source", 200),
    "campaign": ("campaign", 200),
}
FLAG_FIELDS: dict[str, str] = {
    "isCustomer": "is_customer",
    "doNotContact": "do_not_contact",
}
# Control, format (invisible) and surrogate characters never belong in an address.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs"})
# A local part of printable ASCII without spaces or @ (at most 64), and a domain
# of at least two labels of letters, digits and inner hyphens (at most 63 each,
# none with "--" as its third and fourth characters, so no A-labels to check).
_LDH_LABEL = r"(?![A-Za-z0-9-]{2}--)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PLAIN_ADDRESS = re.compile(
    rf"[!-?A-~]{{1,{MAX_LOCAL_PART}}}@(?=.{{1,{MAX_DOMAIN}}}$)"
    rf"{_LDH_LABEL}(?:\.{_LDH_LABEL})+",
    re.ASCII,
)


@lru_cache(maxsize=65536)
def normalize_email(raw: str) -> str:
    """The one stored form of an e-mail address (SPEC §2.3 identity).

    Trimmed; the local part lower-cased (and in Unicode NFC), plus-tags kept; the
    domain in lower-case ASCII by IDNA 2008 with UTS #46 mapping. Raises
    ValueError with a message for the sender when it cannot be an address.
    Normalising a normalised address gives it back unchanged.
    """
    value = raw.strip()
    if _PLAIN_ADDRESS.fullmatch(value) is not None:
        # the common case, answered without IDNA: what `_normalize` gives for a
        # printable ASCII local part and letter-digit-hyphen labels
        return value.lower()
    return _normalize(value)


def _normalize(value: str) -> str:
    """`normalize_email` of a stripped address, for any address."""
    if not value:
        raise ValueError("give an e-mail address")
    if len(value) > MAX_EMAIL_LENGTH:
        raise ValueError(f"use at most {MAX_EMAIL_LENGTH} characters")
    if any(ch.isspace() or unicodedata.category(ch) in _INVISIBLE for ch in value):
        raise ValueError("remove spaces and control characters from the address")
    if value.count("@") != 1:
        raise ValueError("give exactly one @, as in name@example.com")
    local, domain = value.split("@")
    local = unicodedata.normalize("NFC", local.lower())
    if not local:
        raise ValueError("give the name before the @")
    if len(local) > MAX_LOCAL_PART:
        raise ValueError(f"use at most {MAX_LOCAL_PART} characters before the @")
    return f"{local}@{ascii_domain(domain)}"


def ascii_domain(domain: str) -> str:
    """A domain as lower-case ASCII labels (``xn--`` for Unicode ones).

    Raises ValueError saying why when it is not a usable domain name.
    """
    if not domain:
        raise ValueError("give the domain after the @")
    try:
        labels = idna.uts46_remap(domain, std3_rules=True).split(".")
    except idna.IDNAError as exc:
        raise ValueError("the domain has a character no domain can have") from exc
    if len(labels) < 2:
        raise ValueError("the domain needs a dot, as in example.com")
    if "" in labels:
        raise ValueError("the domain has an empty part between two dots")
    encoded = ".".join(_ascii_label(label) for label in labels)
    if len(encoded) > MAX_DOMAIN:
        raise ValueError(f"the domain may have at most {MAX_DOMAIN} characters")
    return encoded


def _ascii_label(label: str) -> str:
    try:
        return idna.alabel(label).decode("ascii")
    except idna.IDNAError as exc:
        if exc.code in {"label_too_long", "input_too_long"}:
            message = f"each part of the domain may have at most {MAX_LABEL} characters"
            raise ValueError(message) from exc
        raise ValueError(f"the domain part {label!r} is not valid") from exc


@dataclass(frozen=True)
class IncomingLead:
    """One upsert row, read and normalised.

    ``email`` is the normalised address (None when the row leaves it out);
    ``external_ids`` are (system, id) pairs in the order given, systems
    lower-cased so they are unique regardless of case, ids as given. ``changes``
    maps column names to new values for exactly the fields the row names (None
    clears). ``source_updated_at`` is the sender's UTC timestamp for staleness.
    """

    email: str | None
    external_ids: tuple[tuple[str, str], ...]
    changes: dict[str, Any]
    source_updated_at: datetime | None
    # a historical import's part of the row (`server.domain.leads.backfill`)
    backfill: Backfill | None = None


def read_lead_row(
    raw: Mapping[str, Any], path: Sequence[str | int] = ()
) -> IncomingLead:
    """Read one `upsertLeads` row; raises `UserErrors` with every problem found.

    ``path`` leads to the row in the mutation's input, as ``("leads", 3)``.
    """
    reader = Reader(raw, tuple(str(step) for step in path))
    if refuse_unstorable(reader):
        raise UserErrors(reader.errors)
    email = _email_key(reader)
    external_ids = _external_ids(reader)
    if "email" not in raw and not raw.get("externalIds"):
        reader.fail(None, "give an email or an external id to find the lead by")
    changes = _changes(reader)
    stamp = read_instant(reader, "sourceUpdatedAt")
    if reader.errors:
        raise UserErrors(reader.errors)
    return IncomingLead(email, external_ids, changes, stamp)


def read_lead_update(raw: Mapping[str, Any], stored_email: str) -> IncomingLead:
    """Read `updateLead`'s fields (the lead is named by its ID, so no key is
    needed); an absent email stays ``stored_email``."""
    reader = Reader(raw, ())
    email = _email_key(reader) if "email" in raw else stored_email
    external_ids = _external_ids(reader)
    changes = _changes(reader)
    stamp = read_instant(reader, "sourceUpdatedAt")
    if reader.errors:
        raise UserErrors(reader.errors)
    return IncomingLead(email, external_ids, changes, stamp)


def read_email(reader: Reader, key: str) -> str | None:
    """The normalised address under `key` (required), or None after a problem."""
    value = reader.value(key, True)
    if value is None:
        return None
    if not isinstance(value, str):
        reader.fail(key, "give a text")
        return None
    try:
        return normalize_email(value)
    except ValueError as exc:
        reader.fail(key, str(exc))
        return None


def read_instant(
    reader: Reader, key: str, *, required: bool = False
) -> datetime | None:
    """The aware instant under `key`, in UTC, or None (absent or after a problem)."""
    raw = reader.value(key, required)
    if raw is None:
        return None
    instant = parse_instant(raw)  # the terms' reading, without the round trip
    if instant is None:
        reader.fail(key, INSTANT_WANTED)
        return None
    return instant.astimezone(UTC)


def _email_key(reader: Reader) -> str | None:
    if "email" not in reader.raw:
        return None
    if reader.raw["email"] is None:
        reader.fail("email", "the email cannot be cleared; leave the field out")
        return None
    return read_email(reader, "email")


def _external_ids(reader: Reader) -> tuple[tuple[str, str], ...]:
    if "externalIds" not in reader.raw:
        return ()
    if reader.raw["externalIds"] is None:
        message = "external ids cannot be cleared; leave the field out"
        reader.fail("externalIds", message)
        return ()
    found: dict[str, str] = {}
    for item in reader.children("externalIds", max_items=MAX_EXTERNAL_IDS):
        known = len(reader.errors)
        system = item.text("system", max_length=MAX_SYSTEM).lower()
        given = item.text("id", max_length=MAX_EXTERNAL_ID)
        if len(reader.errors) > known:
            continue
        if found.setdefault(system, given) != given:
            item.fail("id", f"give one id per system; {system!r} already has one")
    return tuple(found.items())


def _changes(reader: Reader) -> dict[str, Any]:
    raw = reader.raw
    changes: dict[str, Any] = {}
    for key, (column, longest) in TEXT_FIELDS.items():
        if key in raw:
            text = reader.text(key, max_length=longest, required=False)
            changes[column] = text or None
    if "companySize" in raw:
        changes["company_size"] = reader.integer(
            "companySize", low=0, high=MAX_COMPANY_SIZE, required=False
        )
    for key, column in FLAG_FIELDS.items():
        if key in raw:
            changes[column] = _flag(reader, key)
    if "products" in raw:
        changes["products"] = _products(reader)
    return changes


def _flag(reader: Reader, key: str) -> bool:
    value = reader.raw[key]
    if value is not None and not isinstance(value, bool):
        reader.fail(key, "give true or false")
    return value is True


def _products(reader: Reader) -> list[str]:
    value = reader.raw["products"]
    if isinstance(value, list | tuple) and len(value) > MAX_PRODUCTS:
        reader.fail("products", f"give at most {MAX_PRODUCTS} products")
        return []
    return reader.texts("products", max_length=MAX_PRODUCT)


def is_stale(incoming: datetime | None, stored: datetime | None) -> bool:
    """Whether a row is older than what is stored, and so skipped (SPEC §2.3).

    Only when both timestamps are known; an equal one is not stale, so a replayed
    row applies again (and changes nothing).
    """
    return incoming is not None and stored is not None and incoming < stored


def merged_attributes(
    stored: Mapping[str, Any], changes: Mapping[str, Any]
) -> dict[str, Any]:
    """The lead's columns after a row's changes: absent ones stay as stored."""
    return {**stored, **changes}


def changed_attributes(
    stored: Mapping[str, Any], changes: Mapping[str, Any]
) -> dict[str, Any]:
    """The changes that differ from what is stored (empty: nothing to write)."""
    return {
        column: value
        for column, value in changes.items()
        if column not in stored or stored[column] != value
    }
