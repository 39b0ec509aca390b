"""Stored qualification-model terms, read back for scoring: a thin adapter over
`read_model_terms`, the one reader of these terms (SPEC §2.2).

Stored terms are what `read_model_terms` returned when a draft was written: persona
values are already persona keys and the paths of problems start at the terms
(``("fitRules", "2", "values")``), not at a mutation's input. Reading them again
gives the same terms, so scoring accepts exactly what an agreement could sign.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.domain.agreements.model_terms import read_model_terms
from server.domain.core.errors import UserErrors

Problem = tuple[tuple[str, ...], str]


class InvalidTerms(ValueError):
    """Stored terms no agreement could have signed; ``problems`` lists why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{'.'.join(p)}: {m}" for p, m in problems))
        self.problems = problems


def read_stored_terms(terms: Mapping[str, Any]) -> dict[str, Any]:
    """The stored terms as `read_model_terms` reads them, or `InvalidTerms`."""
    try:
        return read_model_terms(terms, _persona_key, path=())
    except UserErrors as refused:
        problems = [(tuple(e.field), e.message) for e in refused.errors]
        raise InvalidTerms(problems) from None


def _persona_key(value: str) -> str | None:
    """A persona key as stored: a positive whole number in plain digits."""
    plain = value.isascii() and value.isdigit() and not value.startswith("0")
    return value if plain else None
