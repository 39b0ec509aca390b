"""Persona terms: who the teams agree they sell to (SPEC §2.2)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from server.domain.agreements.model_terms import persona_keys
from server.domain.agreements.terms import Reader, finish
from server.domain.core.errors import ErrorCode, refuse

MAX_COMPANY_SIZE = 10_000_000
LIST_FIELDS = (
    "industries",
    "regions",
    "jobTitles",
    "seniorities",
    "painPoints",
    "buyingTriggers",
    "objections",
    "channels",
)


class EvidenceSource(StrEnum):
    CUSTOMER_DATA = "CUSTOMER_DATA"
    SALES_ANECDOTE = "SALES_ANECDOTE"
    RESEARCH = "RESEARCH"


def read_persona_terms(
    raw: Mapping[str, Any], path: tuple[str, ...] = ("terms",)
) -> dict[str, Any]:
    """A named persona; keyword lists keep their order without repeats (ignoring
    case); the company size range, when both ends are given, is not inverted."""
    r = Reader(raw, path)
    terms: dict[str, Any] = {
        "name": r.text("name"),
        "summary": r.text("summary", max_length=5000, required=False),
        "companySizeMin": r.integer(
            "companySizeMin", low=0, high=MAX_COMPANY_SIZE, required=False
        ),
        "companySizeMax": r.integer(
            "companySizeMax", low=0, high=MAX_COMPANY_SIZE, required=False
        ),
    }
    for name in LIST_FIELDS:
        terms[name] = r.texts(name)
    low, high = terms["companySizeMin"], terms["companySizeMax"]
    if low is not None and high is not None and low > high:
        r.fail("companySizeMax", "must not be smaller than companySizeMin")
    return finish(r, terms)


def check_retirable(persona_id: int, model_in_force: Mapping[str, Any] | None) -> None:
    """A persona in use cannot be retired: while the qualification model in force
    names it in a fit rule, retiring it is a CONFLICT (amend the model first)."""
    if model_in_force and persona_id in persona_keys(model_in_force):
        raise refuse(
            ErrorCode.CONFLICT,
            "the qualification model in force uses this persona; amend it first",
            "agreementId",
        )
