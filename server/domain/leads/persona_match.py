"""Matching a lead to the best-fitting persona in force (SPEC §2.2).

The rule, criterion by criterion; a criterion counts only when the persona
defines it and the lead's value is known (not None, not blank):

| criterion    | the lead matches when                                  | points |
|--------------|--------------------------------------------------------|--------|
| industry     | its industry equals one of the persona's industries    | 3      |
| company size | its size lies in [companySizeMin, companySizeMax]      | 2      |
| job title    | its title contains one of the persona's jobTitles      | 2      |
| seniority    | its seniority equals one of the persona's seniorities  | 1      |
| region       | its country equals one of the persona's regions        | 1      |

- Text compares as fit rules compare it: Unicode NFC, trimmed, case-folded;
  a job-title keyword matches as a substring (``"vp"`` matches
  ``"SVP Sales"``); countries and regions compare whole.
- The size range includes both ends; an open end is unbounded; a persona with
  neither end has no size criterion.
- A criterion the lead's value contradicts, like one it cannot be judged on,
  scores 0: nothing subtracts.
- A persona matches when at least one criterion scores. The best match has the
  most points; on equal points the one matching more criteria; then the lower
  persona ID. No match: no persona.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from server.domain.agreements.fit_rules import FitField
from server.domain.leads.attributes import LeadAttributes
from server.domain.leads.fit import lead_value, value_of
from server.domain.leads.qualification_model import comparable_text

K = TypeVar("K")


class Criterion(StrEnum):
    INDUSTRY = "INDUSTRY"
    COMPANY_SIZE = "COMPANY_SIZE"
    JOB_TITLE = "JOB_TITLE"
    SENIORITY = "SENIORITY"
    REGION = "REGION"


POINTS: Mapping[Criterion, int] = {
    Criterion.INDUSTRY: 3,
    Criterion.COMPANY_SIZE: 2,
    Criterion.JOB_TITLE: 2,
    Criterion.SENIORITY: 1,
    Criterion.REGION: 1,
}


@dataclass(frozen=True)
class PersonaProfile:
    """What a persona's terms say about whom it describes, as written."""

    persona_id: int
    industries: tuple[str, ...] = ()
    company_size_min: int | None = None
    company_size_max: int | None = None
    job_titles: tuple[str, ...] = ()
    seniorities: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()


@dataclass(frozen=True)
class PersonaFit:
    """How well a lead fits one persona: the criteria it matched, in
    `Criterion` order, and their points."""

    persona_id: int
    matched: tuple[Criterion, ...]

    @property
    def points(self) -> int:
        return sum(POINTS[criterion] for criterion in self.matched)


@dataclass(frozen=True)
class _Persona:
    """A profile as compared: comparable text, blank entries dropped."""

    persona_id: int
    industries: frozenset[str]
    sized: bool
    size_min: int | None
    size_max: int | None
    keywords: tuple[str, ...]
    seniorities: frozenset[str]
    regions: frozenset[str]


@dataclass(frozen=True)
class _Lead:
    """A lead's values as compared; None when unknown."""

    industry: str | None
    size: Decimal | None
    title: str | None
    seniority: str | None
    country: str | None


def profile_from_terms(persona_id: int, terms: Mapping[str, Any]) -> PersonaProfile:
    """The profile of persona terms as `read_persona_terms` stores them."""

    def texts(key: str) -> tuple[str, ...]:
        return tuple(terms.get(key) or ())

    def size(key: str) -> int | None:
        value = terms.get(key)
        return None if value is None else int(value)

    return PersonaProfile(
        persona_id=persona_id,
        industries=texts("industries"),
        company_size_min=size("companySizeMin"),
        company_size_max=size("companySizeMax"),
        job_titles=texts("jobTitles"),
        seniorities=texts("seniorities"),
        regions=texts("regions"),
    )


def score_persona(lead: LeadAttributes, profile: PersonaProfile) -> PersonaFit:
    """Which criteria of ``profile`` the lead matches (explains a match)."""
    return _fit(_read_lead(lead), _compile(profile))


def match_persona(
    lead: LeadAttributes, profiles: Iterable[PersonaProfile]
) -> int | None:
    """The ID of the persona the lead fits best, or None when none matches."""
    return _best(_read_lead(lead), [_compile(p) for p in profiles])


def match_many(
    leads: Mapping[K, LeadAttributes], profiles: Iterable[PersonaProfile]
) -> dict[K, int | None]:
    """`match_persona` for many leads, reading the profiles once.

    A criterion depends on one of the lead's values only, so each distinct
    value of a field is judged once against every profile (`_Criteria`); a
    lead's match is then its fields' points added up per profile and ranked
    as `_best` ranks them. Leads alike in every compared field are matched
    once."""
    criteria = _Criteria([_compile(p) for p in profiles])
    judged: dict[tuple[Any, ...], int | None] = {}
    found: dict[K, int | None] = {}
    for key, lead in leads.items():
        alike = (
            lead.industry,
            lead.company_size,
            lead.job_title,
            lead.seniority,
            lead.country,
        )
        if alike not in judged:
            judged[alike] = criteria.best(alike)
        found[key] = judged[alike]
    return found


class _Criteria:
    """The profiles' criteria judged value by value: for each compared field
    (in ``alike`` order: industry, size, title, seniority, country) and each
    distinct raw value, the points it scores with each profile (0: no hit)."""

    def __init__(self, personas: Sequence[_Persona]) -> None:
        self.personas = personas
        self.ids = [persona.persona_id for persona in personas]
        self.judged: tuple[dict[Any, tuple[int, ...]], ...] = ({}, {}, {}, {}, {})
        self.tests = (
            (FitField.industry, Criterion.INDUSTRY),
            (FitField.companySize, Criterion.COMPANY_SIZE),
            (FitField.jobTitle, Criterion.JOB_TITLE),
            (FitField.seniority, Criterion.SENIORITY),
            (FitField.country, Criterion.REGION),
        )

    def best(self, alike: tuple[Any, ...]) -> int | None:
        """`_best` of a lead with these values of the compared fields."""
        if not self.personas:
            return None
        hits = [self._points(n, raw) for n, raw in enumerate(alike)]
        ranked = None
        for n, persona_id in enumerate(self.ids):
            points = matched = 0
            for field_hits in hits:
                scored = field_hits[n]
                if scored:
                    points += scored
                    matched += 1
            if matched:
                rank = (-points, -matched, persona_id)
                if ranked is None or rank < ranked:
                    ranked = rank
        return None if ranked is None else ranked[2]

    def _points(self, field: int, raw: Any) -> tuple[int, ...]:
        key = (type(raw), raw)
        found = self.judged[field].get(key)
        if found is None:
            fit_field, criterion = self.tests[field]
            value = value_of(fit_field, raw)
            lead = _Lead(
                industry=value if field == 0 and isinstance(value, str) else None,
                size=value if field == 1 and isinstance(value, Decimal) else None,
                title=value if field == 2 and isinstance(value, str) else None,
                seniority=value if field == 3 and isinstance(value, str) else None,
                country=value if field == 4 and isinstance(value, str) else None,
            )
            found = tuple(
                POINTS[criterion] if criterion in _fit(lead, persona).matched else 0
                for persona in self.personas
            )
            self.judged[field][key] = found
        return found


def _best(lead: _Lead, personas: Sequence[_Persona]) -> int | None:
    fits = (_fit(lead, persona) for persona in personas)
    ranked = (
        (-fit.points, -len(fit.matched), fit.persona_id) for fit in fits if fit.matched
    )
    best = min(ranked, default=None)
    return None if best is None else best[2]


def _fit(lead: _Lead, persona: _Persona) -> PersonaFit:
    title = lead.title
    tests = (
        (Criterion.INDUSTRY, lead.industry in persona.industries),
        (Criterion.COMPANY_SIZE, _within(lead.size, persona)),
        (
            Criterion.JOB_TITLE,
            title is not None and any(k in title for k in persona.keywords),
        ),
        (Criterion.SENIORITY, lead.seniority in persona.seniorities),
        (Criterion.REGION, lead.country in persona.regions),
    )
    return PersonaFit(persona.persona_id, tuple(c for c, hit in tests if hit))


def _within(size: Decimal | None, persona: _Persona) -> bool:
    if size is None or not persona.sized:
        return False
    low, high = persona.size_min, persona.size_max
    return (low is None or size >= low) and (high is None or size <= high)


def _compile(profile: PersonaProfile) -> _Persona:
    return _Persona(
        persona_id=profile.persona_id,
        industries=frozenset(_comparable(profile.industries)),
        sized=profile.company_size_min is not None
        or profile.company_size_max is not None,
        size_min=profile.company_size_min,
        size_max=profile.company_size_max,
        keywords=tuple(_comparable(profile.job_titles)),
        seniorities=frozenset(_comparable(profile.seniorities)),
        regions=frozenset(_comparable(profile.regions)),
    )


def _comparable(texts: Iterable[str]) -> list[str]:
    # A blank keyword would be a substring of every title: drop blanks.
    return [text for text in map(comparable_text, texts) if text]


def _read_lead(lead: LeadAttributes) -> _Lead:
    size = lead_value(lead, FitField.companySize)
    return _Lead(
        industry=_text(lead, FitField.industry),
        size=size if isinstance(size, Decimal) else None,
        title=_text(lead, FitField.jobTitle),
        seniority=_text(lead, FitField.seniority),
        country=_text(lead, FitField.country),
    )


def _text(lead: LeadAttributes, fit_field: FitField) -> str | None:
    value = lead_value(lead, fit_field)
    return value if isinstance(value, str) else None
