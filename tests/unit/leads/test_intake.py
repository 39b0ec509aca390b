"""Reading integration rows: e-mail identity, lead upserts and activities.

Covers `server.domain.leads.intake` (upsertLeads rows: absent versus null,
staleness) and `server.domain.leads.activity_intake` (recordLeadActivities rows: lead
reference, clock, metadata, dedupe keys).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain.agreements.activity_kinds import ActivityKind
from server.domain.core.errors import ErrorCode, UserErrors
from server.domain.core.inputs import INSTANT_WANTED
from server.domain.leads.activity_intake import (
    FUTURE_TOLERANCE,
    ActivityRow,
    activity_dedupe_key,
    read_activity_row,
)
from server.domain.leads.intake import (
    IncomingLead,
    _normalize,
    changed_attributes,
    is_stale,
    merged_attributes,
    normalize_email,
    read_lead_row,
)

PATH = ("rows", "4")
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
KINDS = ", ".join(ActivityKind.__members__)
SPACES = "remove spaces and control characters from the address"
LEAD_REFERENCE = "name the lead by exactly one of leadId and leadEmail"
Refused = list[tuple[str, dict[str, Any], tuple[str, ...], str]]


def read_lead(raw: dict[str, Any]) -> IncomingLead:
    return read_lead_row(raw, PATH)


def read_activity(raw: dict[str, Any]) -> ActivityRow:
    return read_activity_row(raw, PATH, NOW)


def refusals(
    read: Callable[[dict[str, Any]], object], raw: dict[str, Any]
) -> list[tuple[tuple[str, ...], str]]:
    with pytest.raises(UserErrors) as refused:
        read(raw)
    assert {e.code for e in refused.value.errors} == {ErrorCode.INVALID_INPUT}
    return [(e.field, e.message) for e in refused.value.errors]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Anna@Bücher.Example ", "anna@xn--bcher-kva.example"),
        ("a+b@x.io", "a+b@x.io"),
        ("Ann+News@Example.COM", "ann+news@example.com"),
        ("ÄÖ@Example.COM", "äö@example.com"),
        ("a@例え.jp", "a@xn--r8jz45g.jp"),
        ("a@XN--BCHER-KVA.Example", "a@xn--bcher-kva.example"),
        ("a@bücher。example", "a@xn--bcher-kva.example"),
        ("a@ＥＸＡＭＰＬＥ.com", "a@example.com"),
        ("hans@straße.de", "hans@xn--strae-oqa.de"),
    ],
)
def test_an_email_is_trimmed_lowercased_and_its_domain_idna_encoded(
    raw: str, expected: str
) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("   ", "give an e-mail address"),
        ("a@" + "b" * 320 + ".com", "use at most 320 characters"),
        ("ann", "give exactly one @, as in name@example.com"),
        ("ann@x@example.com", "give exactly one @, as in name@example.com"),
        ("@example.com", "give the name before the @"),
        ("a" * 65 + "@example.com", "use at most 64 characters before the @"),
        ("ann smith@example.com", SPACES),
        ("ann\t@example.com", SPACES),
        ("ann\x07@example.com", SPACES),
        ("ann\u200b@example.com", SPACES),
        ("ann@", "give the domain after the @"),
        ("ann@localhost", "the domain needs a dot, as in example.com"),
        ("ann@example..com", "the domain has an empty part between two dots"),
        ("ann@example.com.", "the domain has an empty part between two dots"),
        ("ann@ex_ample.com", "the domain has a character no domain can have"),
        ("ann@-example-.com", "the domain part '-example-' is not valid"),
        (
            "ann@" + "x" * 64 + ".com",
            "each part of the domain may have at most 63 characters",
        ),
        (
            "ann@" + ".".join(["x" * 63] * 4),
            "the domain may have at most 253 characters",
        ),
    ],
)
def test_an_address_that_cannot_be_one_is_refused_with_the_reason(
    raw: str, message: str
) -> None:
    with pytest.raises(ValueError) as refused:
        normalize_email(raw)
    assert str(refused.value) == message


_LETTERS = "abcxyzABCXYZ0189éüøÄÉ"
_LABEL = st.text(alphabet=_LETTERS, min_size=1, max_size=20)


@given(
    local=st.text(alphabet=_LETTERS + "+._-'İ", min_size=1, max_size=30),
    labels=st.lists(_LABEL, min_size=2, max_size=4),
)
def test_normalising_a_normalised_address_changes_nothing(
    local: str, labels: list[str]
) -> None:
    once = normalize_email(f"{local}@{'.'.join(labels)}")
    assert normalize_email(once) == once
    assert once.split("@")[1].isascii()


def _either(normalise: Callable[[str], str], raw: str) -> str:
    try:
        return normalise(raw)
    except ValueError as exc:
        return f"refused: {exc}"


_ASCII_LABEL = st.text(alphabet="abzAZ09-", min_size=0, max_size=70)


@given(
    local=st.text(alphabet=st.characters(max_codepoint=127), max_size=70),
    labels=st.lists(_ASCII_LABEL, min_size=1, max_size=4),
    trailer=st.sampled_from(["", ".", " ", "\n", "@x.com", "xn--ab"]),
)
def test_the_plain_ascii_shortcut_gives_what_the_general_path_gives(
    local: str, labels: list[str], trailer: str
) -> None:
    """Addresses of ASCII skip IDNA (`_PLAIN_ADDRESS`); the answer, address or
    refusal, must be the general path's."""
    raw = f"{local}@{'.'.join(labels)}{trailer}"
    assert _either(normalize_email, raw) == _either(_normalize, raw.strip())


@pytest.mark.parametrize(
    "raw",
    [
        "a@ab--c.com",
        "a@a---b.com",
        "a@xn--x.com",
        "a@-a.com",
        "a@a-.com",
        f"a@{'a' * 63}.com",
        f"a@{'a' * 64}.com",
        f"{'a' * 64}@b.com",
        f"{'a' * 65}@b.com",
        f"a@{'.'.join(['abcdefghi'] * 26)}.co",
    ],
)
def test_the_shortcut_edges_match_the_general_path(raw: str) -> None:
    assert _either(normalize_email, raw) == _either(_normalize, raw)


def row(**fields: Any) -> dict[str, Any]:
    return {"email": "ann@example.com", **fields}


def ids(*pairs: tuple[Any, Any]) -> list[dict[str, Any]]:
    return [{"system": system, "id": given} for system, given in pairs]


NO_CLEAR_IDS = "external ids cannot be cleared; leave the field out"
LEAD_REFUSED: Refused = [
    (
        "a row without email or external id",
        {"firstName": "Ann"},
        (),
        "give an email or an external id to find the lead by",
    ),
    (
        "a row with an empty list of external ids only",
        {"externalIds": []},
        (),
        "give an email or an external id to find the lead by",
    ),
    (
        "a null email",
        row(email=None, externalIds=ids(("crm", "1"))),
        ("email",),
        "the email cannot be cleared; leave the field out",
    ),
    ("an email that is not text", row(email=42), ("email",), "give a text"),
    (
        "a malformed email",
        row(email="ann.example.com"),
        ("email",),
        "give exactly one @, as in name@example.com",
    ),
    ("null external ids", row(externalIds=None), ("externalIds",), NO_CLEAR_IDS),
    (
        "eleven external ids",
        row(externalIds=ids(*((f"s{i}", "1") for i in range(11)))),
        ("externalIds",),
        "give at most 10 items",
    ),
    (
        "an external id that is not an object",
        row(externalIds=["crm:1"]),
        ("externalIds",),
        "item 1: give an object",
    ),
    (
        "an external id without a system",
        row(externalIds=[{"id": "1"}]),
        ("externalIds", "0", "system"),
        "this field is required",
    ),
    (
        "a blank external system",
        row(externalIds=ids((" ", "1"))),
        ("externalIds", "0", "system"),
        "this field cannot be blank",
    ),
    (
        "an external system of 65 characters",
        row(externalIds=ids(("s" * 65, "1"))),
        ("externalIds", "0", "system"),
        "use at most 64 characters",
    ),
    (
        "an external id of 201 characters",
        row(externalIds=ids(("crm", "9" * 201))),
        ("externalIds", "0", "id"),
        "use at most 200 characters",
    ),
    (
        "two ids for one system in differing case",
        row(externalIds=ids(("crm", "1"), ("CRM", "2"))),
        ("externalIds", "1", "id"),
        "give one id per system; 'crm' already has one",
    ),
    (
        "a first name of 201 characters",
        row(firstName="a" * 201),
        ("firstName",),
        "use at most 200 characters",
    ),
    (
        "a campaign of 201 characters",
        row(campaign="c" * 201),
        ("campaign",),
        "use at most 200 characters",
    ),
    (
        "a country of 101 characters",
        row(country="c" * 101),
        ("country",),
        "use at most 100 characters",
    ),
    ("a job title that is not text", row(jobTitle=7), ("jobTitle",), "give a text"),
    (
        "a negative company size",
        row(companySize=-1),
        ("companySize",),
        "must be between 0 and 10000000",
    ),
    (
        "a company size over ten million",
        row(companySize=10_000_001),
        ("companySize",),
        "must be between 0 and 10000000",
    ),
    (
        "a company size as text",
        row(companySize="12"),
        ("companySize",),
        "give a whole number",
    ),
    (
        "a company size as a boolean",
        row(companySize=True),
        ("companySize",),
        "give a whole number",
    ),
    (
        "51 products",
        row(products=[f"p{i}" for i in range(51)]),
        ("products",),
        "give at most 50 products",
    ),
    (
        "a blank product",
        row(products=["Cloud", " "]),
        ("products",),
        "item 2: give 1–100 characters",
    ),
    (
        "a product of 101 characters",
        row(products=["p" * 101]),
        ("products",),
        "item 1: give 1–100 characters",
    ),
    ("products as one text", row(products="Cloud"), ("products",), "give a list"),
    (
        "isCustomer as text",
        row(isCustomer="yes"),
        ("isCustomer",),
        "give true or false",
    ),
    (
        "doNotContact as a number",
        row(doNotContact=1),
        ("doNotContact",),
        "give true or false",
    ),
    (
        "a naive sourceUpdatedAt",
        row(sourceUpdatedAt=datetime(2026, 3, 2, 12)),
        ("sourceUpdatedAt",),
        INSTANT_WANTED,
    ),
    (
        "a sourceUpdatedAt that is no instant",
        row(sourceUpdatedAt="yesterday"),
        ("sourceUpdatedAt",),
        INSTANT_WANTED,
    ),
]


def test_every_problem_of_a_row_is_reported_at_once() -> None:
    found = refusals(
        read_lead, {"email": None, "country": "c" * 101, "isCustomer": "no"}
    )
    assert [field for field, _ in found] == [
        (*PATH, "email"),
        (*PATH, "country"),
        (*PATH, "isCustomer"),
    ]


def test_a_row_names_its_lead_by_a_normalised_email() -> None:
    lead = read_lead({"email": " Ann+Promo@Example.COM "})
    assert lead.email == "ann+promo@example.com"
    assert lead.external_ids == ()


def test_external_systems_are_trimmed_and_lowercased_while_ids_keep_their_case() -> (
    None
):
    lead = read_lead({"externalIds": ids((" CRM ", " Ab-7 "), ("Shop", "x"))})
    assert lead.email is None
    assert lead.external_ids == (("crm", "Ab-7"), ("shop", "x"))


def test_the_same_external_id_given_twice_counts_once() -> None:
    lead = read_lead({"externalIds": ids(("crm", "7"), ("CRM", "7"))})
    assert lead.external_ids == (("crm", "7"),)


def test_absent_fields_are_left_unchanged() -> None:
    lead = read_lead(row())
    assert lead.changes == {}
    assert lead.source_updated_at is None


def test_null_clears_a_field() -> None:
    nulls = ["firstName", "country", "companySize", "products", "isCustomer"]
    lead = read_lead(row(**dict.fromkeys([*nulls, "doNotContact"])))
    assert lead.changes == {
        "first_name": None,
        "country": None,
        "company_size": None,
        "products": [],
        "is_customer": False,
        "do_not_contact": False,
    }


def test_given_values_are_trimmed_and_blank_text_clears() -> None:
    given = row(
        company="  Acme GmbH ",
        jobTitle="   ",
        companySize=0,
        isCustomer=True,
        products=["Cloud", " cloud ", " Edge "],
    )
    assert read_lead(given).changes == {
        "company": "Acme GmbH",
        "job_title": None,
        "company_size": 0,
        "is_customer": True,
        "products": ["Cloud", "Edge"],
    }


def test_persona_is_not_an_upsert_field() -> None:
    assert read_lead(row(persona="cfo")).changes == {}


def test_source_updated_at_is_read_in_utc_and_null_means_unknown() -> None:
    plus_two = timezone(timedelta(hours=2))
    lead = read_lead(row(sourceUpdatedAt=datetime(2026, 3, 2, 14, tzinfo=plus_two)))
    assert lead.source_updated_at == NOW
    assert lead.source_updated_at.tzinfo is UTC
    assert read_lead(row(sourceUpdatedAt=None)).source_updated_at is None


def test_a_path_may_give_the_row_index_as_a_number() -> None:
    with pytest.raises(UserErrors) as refused:
        read_lead_row({"email": None}, ("rows", 4))
    assert refused.value.errors[0].field == (*PATH, "email")


@pytest.mark.parametrize(
    ("incoming", "stored", "stale"),
    [
        (NOW - timedelta(microseconds=1), NOW, True),
        (NOW, NOW, False),
        (NOW + timedelta(seconds=1), NOW, False),
        (NOW.astimezone(timezone(timedelta(hours=-5))), NOW, False),
        (None, NOW, False),
        (NOW, None, False),
        (None, None, False),
    ],
)
def test_a_row_is_stale_only_when_both_times_are_known_and_it_is_older(
    incoming: datetime | None, stored: datetime | None, stale: bool
) -> None:
    assert is_stale(incoming, stored) is stale


def test_changes_merge_over_the_stored_attributes() -> None:
    stored = {"company": "Acme", "country": "DE", "is_customer": True}
    changes = {"country": None, "is_customer": True, "industry": "Retail"}
    assert merged_attributes(stored, changes) == {
        "company": "Acme",
        "country": None,
        "is_customer": True,
        "industry": "Retail",
    }
    assert changed_attributes(stored, changes) == {
        "country": None,
        "industry": "Retail",
    }


def activity(**fields: Any) -> dict[str, Any]:
    given = {
        "leadEmail": "ann@example.com",
        "kind": "PAGE_VIEW",
        "occurredAt": NOW - timedelta(hours=1),
    }
    return {
        key: value for key, value in {**given, **fields}.items() if value is not ...
    }


def nested(depth: int) -> dict[str, Any]:
    """An object holding objects `depth` deep in all (itself included)."""
    value: dict[str, Any] = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


ACTIVITY_REFUSED: Refused = [
    ("no lead reference", activity(leadEmail=...), (), LEAD_REFERENCE),
    ("both lead references", activity(leadId="TGVhZDox"), (), LEAD_REFERENCE),
    (
        "a malformed lead email",
        activity(leadEmail="ann@localhost"),
        ("leadEmail",),
        "the domain needs a dot, as in example.com",
    ),
    (
        "a lead email that is not text",
        activity(leadEmail=5),
        ("leadEmail",),
        "give a text",
    ),
    (
        "a blank lead id",
        activity(leadEmail=..., leadId="  "),
        ("leadId",),
        "this field cannot be blank",
    ),
    (
        "a lead id of 201 characters",
        activity(leadEmail=..., leadId="L" * 201),
        ("leadId",),
        "use at most 200 characters",
    ),
    (
        "an unknown kind",
        activity(kind="PAGE_VISIT"),
        ("kind",),
        f"unknown value 'PAGE_VISIT'; use one of {KINDS}",
    ),
    ("no kind", activity(kind=...), ("kind",), "this field is required"),
    (
        "no occurredAt",
        activity(occurredAt=None),
        ("occurredAt",),
        "this field is required",
    ),
    (
        "a naive occurredAt",
        activity(occurredAt=datetime(2026, 3, 2, 11)),
        ("occurredAt",),
        INSTANT_WANTED,
    ),
    (
        "an occurredAt just over five minutes ahead",
        activity(occurredAt=NOW + FUTURE_TOLERANCE + timedelta(microseconds=1)),
        ("occurredAt",),
        "this is in the future: at most 5 minutes ahead of now",
    ),
    (
        "a blank external id",
        activity(externalId=" "),
        ("externalId",),
        "this field cannot be blank",
    ),
    (
        "an external id of 201 characters",
        activity(externalId="x" * 201),
        ("externalId",),
        "use at most 200 characters",
    ),
    (
        "a source of 101 characters",
        activity(source="s" * 101),
        ("source",),
        "use at most 100 characters",
    ),
    (
        "metadata that is a list",
        activity(metadata=[1]),
        ("metadata",),
        "give a JSON object",
    ),
    (
        "a metadata number that is not finite",
        activity(metadata={"score": float("nan")}),
        ("metadata", "score"),
        "give finite numbers only",
    ),
    (
        "an infinite number deep in a metadata list",
        activity(metadata={"xs": [1.5, {"y": float("inf")}]}),
        ("metadata", "xs", "1", "y"),
        "give finite numbers only",
    ),
    (
        "a metadata value that is no JSON value",
        activity(metadata={"at": NOW}),
        ("metadata", "at"),
        "give only JSON values, not datetime",
    ),
    (
        "a metadata tuple",
        activity(metadata={"pair": (1, 2)}),
        ("metadata", "pair"),
        "give only JSON values, not tuple",
    ),
    (
        "a metadata key that is not text",
        activity(metadata={"a": {1: "x"}}),
        ("metadata", "a"),
        "use text keys only",
    ),
    (
        "metadata nested nine deep",
        activity(metadata=nested(9)),
        ("metadata", *["a"] * 8),
        "nest objects and lists at most 8 deep",
    ),
    (
        "metadata over 4096 bytes",
        activity(metadata={"t": "x" * 4089}),
        ("metadata",),
        "use at most 4096 bytes as compact JSON (4097)",
    ),
    (
        "metadata whose UTF-8 is over 4096 bytes in fewer characters",
        activity(metadata={"t": "é" * 2045}),
        ("metadata",),
        "use at most 4096 bytes as compact JSON (4098)",
    ),
    (
        "a metadata number beyond 64 bits",
        activity(metadata={"n": 2**64}),
        ("metadata",),
        "give only JSON values",
    ),
    (
        "a metadata text with a lone surrogate",
        activity(metadata={"t": "\ud800"}),
        ("metadata",),
        "give only JSON values",
    ),
]


def test_every_problem_of_an_activity_is_reported_at_once() -> None:
    found = refusals(read_activity, {"kind": "NOPE", "source": "s" * 101})
    assert [field for field, _ in found] == [
        PATH,
        (*PATH, "kind"),
        (*PATH, "occurredAt"),
        (*PATH, "source"),
    ]


def test_an_activity_names_its_lead_by_a_normalised_email() -> None:
    row = read_activity(activity(leadEmail=" Ann+Web@Bücher.Example ", leadId=None))
    assert (row.lead_id, row.lead_email) == (None, "ann+web@xn--bcher-kva.example")


def test_a_lead_id_is_passed_through_trimmed() -> None:
    row = read_activity(activity(leadEmail=None, leadId=" TGVhZDox "))
    assert (row.lead_id, row.lead_email) == ("TGVhZDox", None)


def test_an_activity_is_read_with_its_optional_fields() -> None:
    plus_one = timezone(timedelta(hours=1))
    row = read_activity(
        activity(
            kind=ActivityKind.DEMO_REQUEST,
            occurredAt=datetime(2026, 3, 2, 12, 30, tzinfo=plus_one),
            externalId=" evt-1 ",
            source=" hubspot ",
            metadata={"page": "/pricing", "tags": ["a", None, True, 2.5]},
        )
    )
    assert row.kind is ActivityKind.DEMO_REQUEST
    assert row.occurred_at == datetime(2026, 3, 2, 11, 30, tzinfo=UTC)
    assert row.occurred_at.tzinfo is UTC
    assert (row.external_id, row.source) == ("evt-1", "hubspot")
    assert row.metadata == {"page": "/pricing", "tags": ["a", None, True, 2.5]}


def test_optional_fields_left_out_or_blank_are_empty() -> None:
    row = read_activity(activity(source="  ", metadata=None, externalId=None))
    assert (row.external_id, row.source, row.metadata) == (None, None, {})


def test_an_activity_exactly_five_minutes_ahead_is_accepted() -> None:
    row = read_activity(activity(occurredAt=NOW + FUTURE_TOLERANCE))
    assert row.occurred_at == NOW + timedelta(minutes=5)


def test_metadata_at_the_limits_is_accepted() -> None:
    assert read_activity(activity(metadata=nested(8))).metadata == nested(8)
    assert (
        read_activity(activity(metadata={"t": "x" * 4088})).metadata["t"] == "x" * 4088
    )


def keyed(lead_id: int = 17, **fields: Any) -> str:
    base = read_activity(activity(source="web"))
    return activity_dedupe_key(lead_id, dataclasses.replace(base, **fields))


def test_the_same_activity_always_has_the_same_key() -> None:
    assert keyed() == keyed()
    assert activity_dedupe_key(17, read_activity(activity(source="web"))) == keyed()
    # Pinned: a changed derivation would let retries across a deploy duplicate.
    assert (
        keyed() == "h:5ded121ff90646beac4b27c4e375961bc0b954f5833900bc86366cd01964c735"
    )


@pytest.mark.parametrize(
    ("lead_id", "fields"),
    [
        (18, {}),
        (17, {"kind": ActivityKind.EMAIL_OPEN}),
        (17, {"occurred_at": NOW - timedelta(hours=1, microseconds=1)}),
        (17, {"source": "crm"}),
        (17, {"source": None}),
    ],
)
def test_any_differing_field_of_the_key_gives_another_key(
    lead_id: int, fields: dict[str, Any]
) -> None:
    assert keyed(lead_id, **fields) != keyed()


def test_the_key_reads_the_instant_not_its_offset() -> None:
    minus_five = timezone(timedelta(hours=-5))
    same_instant = (NOW - timedelta(hours=1)).astimezone(minus_five)
    assert keyed(occurred_at=same_instant) == keyed()


def test_metadata_is_not_part_of_the_key() -> None:
    assert keyed(metadata={"enriched": True}) == keyed()


def test_an_external_id_is_the_key_whatever_else_the_row_says() -> None:
    assert keyed(external_id="evt-1") == "x:evt-1"
    assert keyed(external_id="evt-1", kind=ActivityKind.EMAIL_OPEN) == "x:evt-1"
    assert keyed(external_id="evt-2") != keyed(external_id="evt-1")


@pytest.mark.parametrize(
    ("read", "raw", "where", "message"),
    [
        pytest.param(read_lead, raw, where, message, id=name)
        for name, raw, where, message in LEAD_REFUSED
    ]
    + [
        pytest.param(read_activity, raw, where, message, id=name)
        for name, raw, where, message in ACTIVITY_REFUSED
    ],
)
def test_a_bad_row_is_refused_at_its_path_with_a_message(
    read: Callable[[dict[str, Any]], object],
    raw: dict[str, Any],
    where: tuple[str, ...],
    message: str,
) -> None:
    assert refusals(read, raw) == [((*PATH, *where), message)]
