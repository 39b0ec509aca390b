"""What content inputs may hold."""

from __future__ import annotations

import pytest

from server.domain.content.inputs import read_rating, read_text, read_title, read_url
from server.domain.core.errors import ErrorCode
from server.domain.leads.stages import Refusal


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://files.example.com/a.pdf",
        "//example.com/a",
        "https://",
        "https://exa mple.com/",
        "http://example.com/\nx",
        "",
        "https://example.com/" + "a" * 2000,
    ],
)
def test_only_http_and_https_links_with_a_host_are_taken(url: str) -> None:
    answer = read_url(url)
    assert isinstance(answer, Refusal)
    assert (answer.code, answer.field) == (ErrorCode.INVALID_INPUT, "url")


def test_an_https_link_is_kept_as_given_but_trimmed() -> None:
    assert read_url("  HTTPS://cdn.example.com/a.pdf?x=1#p2 ") == (
        "HTTPS://cdn.example.com/a.pdf?x=1#p2"
    )


def test_ratings_run_from_one_to_five() -> None:
    assert [read_rating(n) for n in (1, 5)] == [1, 5]
    for n in (0, 6, -1):
        assert isinstance(read_rating(n), Refusal)


def test_titles_are_trimmed_and_required() -> None:
    assert read_title("  Battlecard  ") == "Battlecard"
    assert isinstance(read_title("   "), Refusal)
    assert isinstance(read_title("x" * 201), Refusal)


def test_a_required_text_must_not_be_blank() -> None:
    answer = read_text("  ", "reason", required=True)
    assert isinstance(answer, Refusal) and answer.field == "reason"
    assert read_text(None, "description") == ""
