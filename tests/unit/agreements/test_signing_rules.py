"""Rules of proposing, signing and retiring that need no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.domain.agreements.lifecycle import (
    SIGNING_COOLDOWN,
    check_draft_changes,
    granted_recently,
)
from server.domain.agreements.personas import check_retirable
from server.domain.core.errors import UserErrors

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
JUST_INSIDE = NOW - SIGNING_COOLDOWN + timedelta(microseconds=1)
MODEL = {
    "fitRules": [
        {"field": "industry", "operator": "EQ", "values": ["Software"]},
        {"field": "persona", "operator": "IN", "values": ["7", "9"]},
    ]
}


def code_of(refused: pytest.ExceptionInfo[UserErrors]) -> tuple[str, tuple[str, ...]]:
    [error] = refused.value.errors
    return error.code.value, error.field


def test_an_admins_grant_less_than_24_hours_old_holds_signing_back() -> None:
    assert timedelta(hours=24) == SIGNING_COOLDOWN
    assert granted_recently(NOW, (1, JUST_INSIDE))
    assert granted_recently(NOW, (None, None), (1, JUST_INSIDE))


def test_a_grant_24_hours_old_or_made_by_nobody_does_not() -> None:
    assert not granted_recently(NOW, (1, NOW - SIGNING_COOLDOWN))
    assert not granted_recently(NOW, (None, NOW), (1, None))
    assert not granted_recently(NOW)


def test_a_draft_identical_to_the_terms_in_force_cannot_be_proposed() -> None:
    with pytest.raises(UserErrors) as refused:
        check_draft_changes('{"a":1}', '{"a":1}')
    assert code_of(refused) == ("INVALID_TRANSITION", ("agreementId",))


def test_a_changed_draft_or_a_first_revision_can_be_proposed() -> None:
    check_draft_changes('{"a":1}', '{"a":2}')
    check_draft_changes(None, '{"a":1}')


def test_a_persona_the_model_in_force_names_cannot_be_retired() -> None:
    with pytest.raises(UserErrors) as refused:
        check_retirable(9, MODEL)
    assert code_of(refused) == ("CONFLICT", ("agreementId",))


def test_a_persona_no_model_in_force_names_can_be_retired() -> None:
    check_retirable(8, MODEL)
    check_retirable(9, None)
    check_retirable(9, {"fitRules": []})
