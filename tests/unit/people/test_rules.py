"""E-mail normalisation and password strength."""

from __future__ import annotations

import pytest

from server.domain.people.users import normalise_email, password_problem


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Ann@Example.COM ", "ann@example.com"),
        ("ann+news@example.com", "ann+news@example.com"),
        ("bob@Bücher.example", "bob@xn--bcher-kva.example"),
    ],
)
def test_emails_are_trimmed_lowercased_and_idna_encoded(
    raw: str, expected: str
) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "no-at-sign", "a@b", "a b@example.com", "x@-bad-.com"]
)
def test_malformed_emails_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        normalise_email(raw)


def test_weak_passwords_are_explained() -> None:
    assert password_problem("short") == "use at least 12 characters"
    assert password_problem("aaaaaaaaaaaaaa") == "use more different characters"
    assert "name" in (
        password_problem("annsmith-is-great", email="annsmith@x.com") or ""
    )
    assert password_problem("correct horse battery staple") is None
