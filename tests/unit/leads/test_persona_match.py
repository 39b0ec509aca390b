"""Matching leads to the best-fitting persona in force."""

from __future__ import annotations

from decimal import Decimal
from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain.agreements.personas import read_persona_terms
from server.domain.leads.attributes import LeadAttributes
from server.domain.leads.persona_match import (
    Criterion,
    PersonaFit,
    PersonaProfile,
    match_many,
    match_persona,
    profile_from_terms,
    score_persona,
)

C = Criterion
SAAS = PersonaProfile(1, industries=("Software",))
MID_SIZE = PersonaProfile(2, company_size_min=50, company_size_max=500)
VP = PersonaProfile(3, job_titles=("VP", "Head of"))
SENIOR = PersonaProfile(4, seniorities=("Director",))
DACH = PersonaProfile(5, regions=("DE", "AT", "CH"))


def matched(lead: LeadAttributes, profile: PersonaProfile) -> tuple[Criterion, ...]:
    return score_persona(lead, profile).matched


@pytest.mark.parametrize(
    ("lead", "profile", "criteria"),
    [
        (LeadAttributes(industry="  SOFTWARE "), SAAS, (C.INDUSTRY,)),
        (LeadAttributes(industry="Hardware"), SAAS, ()),
        (LeadAttributes(company_size=50), MID_SIZE, (C.COMPANY_SIZE,)),
        (LeadAttributes(company_size=500), MID_SIZE, (C.COMPANY_SIZE,)),
        (LeadAttributes(company_size=Decimal("49.5")), MID_SIZE, ()),
        (LeadAttributes(company_size=501), MID_SIZE, ()),
        (LeadAttributes(job_title="SVP Sales"), VP, (C.JOB_TITLE,)),
        (LeadAttributes(job_title="head of growth"), VP, (C.JOB_TITLE,)),
        (LeadAttributes(job_title="Account Executive"), VP, ()),
        (LeadAttributes(seniority="director"), SENIOR, (C.SENIORITY,)),
        (LeadAttributes(seniority="Director of Sales"), SENIOR, ()),
        (LeadAttributes(country="de"), DACH, (C.REGION,)),
        (LeadAttributes(country="Germany"), DACH, ()),
    ],
)
def test_each_criterion_matches_as_the_rule_says(
    lead: LeadAttributes, profile: PersonaProfile, criteria: tuple[Criterion, ...]
) -> None:
    assert matched(lead, profile) == criteria


def test_industry_compares_after_unicode_normalisation() -> None:
    decomposed = "Be\u0301ton"  # "Béton" with a combining accent
    profile = PersonaProfile(9, industries=("B\u00e9ton",))
    assert matched(LeadAttributes(industry=decomposed), profile) == (C.INDUSTRY,)


def test_an_open_size_end_is_unbounded() -> None:
    large = PersonaProfile(6, company_size_min=1000)
    small = PersonaProfile(7, company_size_max=49)
    assert matched(LeadAttributes(company_size=9_000_000), large) == (C.COMPANY_SIZE,)
    assert matched(LeadAttributes(company_size=0), small) == (C.COMPANY_SIZE,)
    assert matched(LeadAttributes(company_size=999), large) == ()


def test_a_persona_without_size_bounds_has_no_size_criterion() -> None:
    assert matched(LeadAttributes(company_size=10), SAAS) == ()


def test_points_add_up_over_every_matched_criterion() -> None:
    profile = PersonaProfile(8, ("Software",), 10, 100, ("CTO",), ("C-level",), ("FR",))
    lead = LeadAttributes(
        company_size=20,
        industry="software",
        job_title="Acting CTO",
        seniority="c-level",
        country="fr",
    )
    assert score_persona(lead, profile) == PersonaFit(8, tuple(Criterion))
    assert score_persona(lead, profile).points == 9


def test_unknown_lead_values_score_nothing_but_take_nothing_away() -> None:
    profile = PersonaProfile(8, ("Software",), 10, 100, ("CTO",), ("C-level",))
    lead = LeadAttributes(industry="Software", job_title="  ", seniority=None)
    assert score_persona(lead, profile) == PersonaFit(8, (C.INDUSTRY,))


def test_a_lead_contradicting_a_criterion_still_matches_on_the_others() -> None:
    profile = PersonaProfile(8, ("Software",), company_size_max=100)
    lead = LeadAttributes(industry="Software", company_size=5000)
    assert match_persona(lead, [profile]) == 8


def test_blank_keywords_in_a_profile_match_nothing() -> None:
    profile = PersonaProfile(8, job_titles=("", "  "), regions=(" ",))
    assert (
        match_persona(LeadAttributes(job_title="CEO", country="US"), [profile]) is None
    )


def test_no_profiles_means_no_persona() -> None:
    assert match_persona(LeadAttributes(industry="Software"), []) is None


def test_a_lead_matching_no_criterion_gets_no_persona() -> None:
    lead = LeadAttributes(industry="Mining", country="BR")
    assert match_persona(lead, [SAAS, MID_SIZE, VP, SENIOR, DACH]) is None


def test_the_persona_with_the_most_points_wins() -> None:
    lead = LeadAttributes(industry="Software", job_title="VP Sales", country="DE")
    assert match_persona(lead, [DACH, VP, SAAS]) == SAAS.persona_id


def test_on_equal_points_more_matched_criteria_win() -> None:
    two_small = PersonaProfile(20, seniorities=("Director",), regions=("DE",))
    one_large = PersonaProfile(10, company_size_min=1)
    lead = LeadAttributes(company_size=10, seniority="Director", country="DE")
    assert score_persona(lead, two_small).points == 2
    assert score_persona(lead, one_large).points == 2
    assert match_persona(lead, [one_large, two_small]) == 20
    assert match_many({1: lead}, [one_large, two_small]) == {1: 20}


def test_on_a_full_tie_the_lower_persona_id_wins() -> None:
    lead = LeadAttributes(industry="Software")
    twin = PersonaProfile(0, industries=("software",))
    assert match_persona(lead, [SAAS, twin]) == 0
    assert match_persona(lead, [twin, SAAS]) == 0
    assert match_many({1: lead}, [SAAS, twin]) == {1: 0}


def test_profiles_read_the_terms_as_stored() -> None:
    terms = read_persona_terms(
        {
            "name": "Ops leader",
            "industries": ["Logistics"],
            "companySizeMin": 200,
            "jobTitles": ["Operations", "COO"],
            "seniorities": ["VP"],
            "regions": ["NL"],
        }
    )
    assert profile_from_terms(42, terms) == PersonaProfile(
        42, ("Logistics",), 200, None, ("Operations", "COO"), ("VP",), ("NL",)
    )


def test_profiles_from_sparse_terms_have_no_criteria() -> None:
    assert profile_from_terms(1, {"name": "Anyone"}) == PersonaProfile(1)


def test_bulk_matching_answers_each_lead_as_matching_one_would() -> None:
    leads = {
        "a": LeadAttributes(industry="Software"),
        "b": LeadAttributes(country="AT"),
        "c": LeadAttributes(),
    }
    profiles = [SAAS, DACH]
    assert match_many(leads, profiles) == {"a": 1, "b": 5, "c": None}
    assert match_many({}, profiles) == {}


def test_bulk_matching_reads_a_one_shot_iterable_of_profiles_once() -> None:
    leads = {1: LeadAttributes(industry="Software"), 2: LeadAttributes(country="CH")}
    assert match_many(leads, iter([SAAS, DACH])) == {1: 1, 2: 5}


WORDS = st.sampled_from(["Software", "software ", "Retail", "VP", "Director", "DE"])
SIZES = st.none() | st.integers(min_value=0, max_value=1000)
PROFILES = st.builds(
    PersonaProfile,
    persona_id=st.integers(min_value=1, max_value=30),
    industries=st.tuples(WORDS) | st.just(()),
    company_size_min=SIZES,
    company_size_max=SIZES,
    job_titles=st.lists(WORDS, max_size=2).map(tuple),
    seniorities=st.lists(WORDS, max_size=2).map(tuple),
    regions=st.lists(WORDS, max_size=2).map(tuple),
)
LEADS = st.builds(
    LeadAttributes,
    company_size=SIZES,
    industry=st.none() | WORDS,
    job_title=st.none() | WORDS.map(lambda w: f"Senior {w} lead"),
    seniority=st.none() | WORDS,
    country=st.none() | WORDS,
)


@given(LEADS, st.lists(PROFILES, max_size=8), st.randoms())
def test_the_order_of_the_profiles_never_changes_the_match(
    lead: LeadAttributes, profiles: list[PersonaProfile], rng: Random
) -> None:
    shuffled = list(profiles)
    rng.shuffle(shuffled)
    assert match_persona(lead, shuffled) == match_persona(lead, profiles)


@given(LEADS, st.lists(PROFILES, max_size=8))
def test_the_match_never_loses_to_a_persona_with_more_points(
    lead: LeadAttributes, profiles: list[PersonaProfile]
) -> None:
    fits = [score_persona(lead, profile) for profile in profiles]
    best = match_persona(lead, profiles)
    if best is None:
        assert all(fit.matched == () for fit in fits)
        return
    winner = max(fit.points for fit in fits if fit.persona_id == best)
    assert winner > 0
    assert all(fit.points <= winner for fit in fits)


@settings(max_examples=300)
@given(
    st.dictionaries(st.integers(), LEADS, max_size=30), st.lists(PROFILES, max_size=6)
)
def test_bulk_matching_agrees_with_matching_one_by_one(
    leads: dict[int, LeadAttributes], profiles: list[PersonaProfile]
) -> None:
    expected = {key: match_persona(lead, profiles) for key, lead in leads.items()}
    assert match_many(leads, profiles) == expected
