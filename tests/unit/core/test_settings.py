"""Settings are read from the environment and every bad value is named."""

from __future__ import annotations

import pytest

from server.settings import DEFAULT_DATABASE_URL, SettingsError, load_settings

SECRET = "s" * 40


def test_defaults_give_an_sqlite_file_under_data() -> None:
    settings = load_settings({"ACCORD_SECRET_KEY": SECRET})
    assert settings.database_url == DEFAULT_DATABASE_URL == "sqlite://data/accord.db"
    assert settings.limits.max_depth == 12 and settings.limits.max_aliases == 30
    assert settings.limits.max_tokens == 5000 and settings.limits.max_cost == 50_000
    assert settings.limits.max_body_bytes == 2 * 1024 * 1024
    assert settings.retention_days == 90 and not settings.debug


def test_the_secret_key_is_required_outside_demo_mode() -> None:
    with pytest.raises(SettingsError, match="ACCORD_SECRET_KEY is required"):
        load_settings({})
    assert load_settings({"ACCORD_DEMO": "1"}).demo


def test_every_bad_value_is_reported_at_once_with_its_name() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(
            {
                "ACCORD_SECRET_KEY": "short",
                "ACCORD_DATABASE_URL": "mysql://x",
                "ACCORD_REPORTING_TIMEZONE": "Mars/Olympus",
                "ACCORD_MAX_DEPTH": "0",
                "ACCORD_DEBUG": "maybe",
                "ACCORD_PUBLIC_URL": "ftp://x",
            }
        )
    text = str(caught.value)
    for name in (
        "ACCORD_SECRET_KEY",
        "ACCORD_DATABASE_URL",
        "ACCORD_REPORTING_TIMEZONE",
        "ACCORD_MAX_DEPTH",
        "ACCORD_DEBUG",
        "ACCORD_PUBLIC_URL",
    ):
        assert name in text
    assert len(caught.value.problems) == 6


def test_postgres_urls_and_limits_are_accepted() -> None:
    settings = load_settings(
        {
            "ACCORD_SECRET_KEY": SECRET,
            "ACCORD_DATABASE_URL": "postgres://u@127.0.0.1:5432/accord",
            "ACCORD_MAX_COST": "1000",
            "ACCORD_PUBLIC_URL": "https://accord.example.com/",
        }
    )
    assert not settings.is_sqlite
    assert settings.limits.max_cost == 1000
    assert settings.public_url == "https://accord.example.com"


def test_sqlite_read_connections_must_be_a_count() -> None:
    url = "sqlite://data/accord.db?read_connections="
    for bad in ("-1", "two", "1.5"):
        with pytest.raises(SettingsError, match="ACCORD_DATABASE_URL"):
            load_settings(
                {"ACCORD_SECRET_KEY": SECRET, "ACCORD_DATABASE_URL": url + bad}
            )
    for good in ("0", "4"):
        settings = load_settings(
            {"ACCORD_SECRET_KEY": SECRET, "ACCORD_DATABASE_URL": url + good}
        )
        assert settings.database_url == url + good
