"""The vocabulary of qualification-model terms (SPEC §2.2), shared by the terms
reader (`read_model_terms`) and scoring: the lead fields a fit rule may test,
its operators, which operators suit which field, how many values each operator
takes, and the limits on points and thresholds.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum

MAX_VALUES = 100
MAX_POINTS = Decimal(10) ** 6
MAX_THRESHOLD = Decimal(10) ** 8


class FitField(StrEnum):
    """The lead fields a fit rule may test, spelt as in the API."""

    companySize = "companySize"
    industry = "industry"
    jobTitle = "jobTitle"
    seniority = "seniority"
    country = "country"
    source = "source"
    persona = "persona"
    isCustomer = "isCustomer"


class FitOperator(StrEnum):
    EQ = "EQ"
    IN = "IN"
    GTE = "GTE"
    LTE = "LTE"
    BETWEEN = "BETWEEN"
    CONTAINS = "CONTAINS"


_EQUALITY = frozenset({FitOperator.EQ, FitOperator.IN})
NUMBER_FIELDS = frozenset({FitField.companySize})
FLAG_FIELDS = frozenset({FitField.isCustomer})
ID_FIELDS = frozenset({FitField.persona})
OPERATORS: Mapping[FitField, frozenset[FitOperator]] = {
    fit_field: (
        _EQUALITY | {FitOperator.GTE, FitOperator.LTE, FitOperator.BETWEEN}
        if fit_field in NUMBER_FIELDS
        else _EQUALITY
        if fit_field in FLAG_FIELDS | ID_FIELDS
        else _EQUALITY | {FitOperator.CONTAINS}
    )
    for fit_field in FitField
}


# How many values each operator takes: (fewest, most).
ARITY: Mapping[FitOperator, tuple[int, int]] = {
    operator: (
        (2, 2)
        if operator is FitOperator.BETWEEN
        else (1, MAX_VALUES)
        if operator is FitOperator.IN
        else (1, 1)
    )
    for operator in FitOperator
}
