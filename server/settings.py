"""Settings read from the environment once at start, each value validated.

Every bad value is reported with the variable's name and what is expected, all at
once, so an operator fixes the configuration in one go.
"""

from __future__ import annotations

import ipaddress
import os
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TypeVar
from urllib.parse import parse_qs, urlsplit

T = TypeVar("T")

DEFAULT_DATABASE_URL = "sqlite://data/accord.db"
DEMO_SECRET_KEY = "accord-demo-mode-secret-key-not-for-production-use"
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class SettingsError(ValueError):
    """Raised with one line per bad setting."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Limits:
    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 5000
    max_cost: int = 50_000
    rate_limit_per_minute: int = 500_000
    max_body_bytes: int = 2 * 1024 * 1024
    max_page_size: int = 100


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _networks(raw: str) -> tuple[Network, ...]:
    """Addresses or CIDR networks, comma-separated."""
    items = [part.strip() for part in raw.split(",") if part.strip()]
    return tuple(ipaddress.ip_network(item, strict=False) for item in items)


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = DEMO_SECRET_KEY
    public_url: str | None = None
    demo: bool = False
    debug: bool = False
    test_clock: bool = False
    reporting_timezone: str = "UTC"
    currency: str = "USD"
    smtp_url: str | None = None
    smtp_from: str | None = None
    sweep_seconds: float = 15.0
    metrics_token: str | None = None
    retention_days: int = 90
    erased_reimport: str = "refuse"
    webhook_allow_private: bool = False
    webhook_timeout_seconds: float = 10.0
    webhook_max_attempts: int = 10
    webhook_retry_base_seconds: float = 30.0
    webhook_concurrency: int = 16
    webhook_secret_overlap_hours: float = 24.0
    session_idle_hours: float = 12.0
    session_absolute_days: float = 7.0
    credential_cache_seconds: float = 1.0
    password_hash_concurrency: int = 2
    fault_exit_after_commit: bool = False
    max_subscriptions_per_connection: int = 20
    max_subscriptions_per_user: int = 100
    log_level: str = "INFO"
    trusted_proxies: tuple[Network, ...] = ()
    limits: Limits = field(default_factory=Limits)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


class _Reader:
    """Collects problems instead of stopping at the first one."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.problems: list[str] = []

    def get(self, name: str, default: T, parse: Callable[[str], T], want: str) -> T:
        raw = self.env.get(name)
        if raw is None:
            return default
        try:
            return parse(raw.strip())
        except (ValueError, zoneinfo.ZoneInfoNotFoundError):
            self.problems.append(f"{name}={raw!r} is not valid: expected {want}")
            return default


def _bool(raw: str) -> bool:
    word = raw.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(raw)


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise ValueError(raw)
    return value


def _positive_float(raw: str) -> float:
    value = float(raw)
    if not value > 0:
        raise ValueError(raw)
    return value


def _timezone(raw: str) -> str:
    if not raw:
        raise ValueError(raw)
    zoneinfo.ZoneInfo(raw)
    return raw


def _http_url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError(raw)
    return raw.rstrip("/")


def _database_url(raw: str) -> str:
    scheme = raw.split(":", 1)[0]
    if (
        scheme not in {"sqlite", "postgres", "postgresql", "asyncpg"}
        or "://" not in raw
    ):
        raise ValueError(raw)
    readers = parse_qs(urlsplit(raw).query).get("read_connections", ["0"])[-1]
    if scheme == "sqlite" and not readers.isdigit():  # `server.sqlite`
        raise ValueError(raw)
    return raw


def _smtp_url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in {"smtp", "smtps", "smtp+starttls"} or not parts.hostname:
        raise ValueError(raw)
    return raw


def _address(raw: str) -> str:
    local, _, domain = raw.rpartition("@")
    if not local or ("." not in domain and domain != "localhost") or " " in raw:
        raise ValueError(raw)
    return raw


def _currency(raw: str) -> str:
    if len(raw) != 3 or not raw.isalpha():
        raise ValueError(raw)
    return raw.upper()


def _reimport(raw: str) -> str:
    value = raw.strip().lower()
    if value not in ("refuse", "flag"):
        raise ValueError(raw)
    return value


def _log_level(raw: str) -> str:
    if raw.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ValueError(raw)
    return raw.upper()


def _read_limits(r: _Reader) -> Limits:
    d = Limits()
    return Limits(
        max_depth=r.get(
            "ACCORD_MAX_DEPTH", d.max_depth, _positive_int, "an integer ≥ 1"
        ),
        max_aliases=r.get(
            "ACCORD_MAX_ALIASES", d.max_aliases, _positive_int, "an integer ≥ 1"
        ),
        max_tokens=r.get(
            "ACCORD_MAX_TOKENS", d.max_tokens, _positive_int, "an integer ≥ 1"
        ),
        max_cost=r.get("ACCORD_MAX_COST", d.max_cost, _positive_int, "an integer ≥ 1"),
        rate_limit_per_minute=r.get(
            "ACCORD_RATE_LIMIT_PER_MINUTE",
            d.rate_limit_per_minute,
            _positive_int,
            "cost points per user per minute, an integer ≥ 1",
        ),
        max_body_bytes=r.get(
            "ACCORD_MAX_BODY_BYTES", d.max_body_bytes, _positive_int, "bytes, ≥ 1"
        ),
    )


def _seconds(raw: str) -> float:
    value = float(raw)
    if not 0 <= value <= 60:
        raise ValueError(raw)
    return value


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read and validate every ``ACCORD_*`` variable; SettingsError lists bad ones."""
    r = _Reader(os.environ if env is None else env)
    demo = r.get("ACCORD_DEMO", False, _bool, "1/0, true/false, yes/no")
    secret = r.get("ACCORD_SECRET_KEY", "", str, "a string")
    if not secret and demo:
        secret = DEMO_SECRET_KEY
    elif not secret:
        r.problems.append(
            "ACCORD_SECRET_KEY is required outside demo mode (ACCORD_DEMO=1): "
            "set it to a random string of at least 32 characters"
        )
    elif len(secret) < 32:
        r.problems.append("ACCORD_SECRET_KEY is too short: use at least 32 characters")
    settings = Settings(
        database_url=r.get(
            "ACCORD_DATABASE_URL",
            DEFAULT_DATABASE_URL,
            _database_url,
            "sqlite://PATH or postgres://USER@HOST:PORT/DB",
        ),
        secret_key=secret,
        public_url=r.get("ACCORD_PUBLIC_URL", None, _http_url, "an http(s) URL"),
        demo=demo,
        debug=r.get("ACCORD_DEBUG", False, _bool, "1/0, true/false, yes/no"),
        test_clock=r.get("ACCORD_TEST_CLOCK", False, _bool, "1/0, true/false, yes/no"),
        reporting_timezone=r.get(
            "ACCORD_REPORTING_TIMEZONE", "UTC", _timezone, "an IANA timezone name"
        ),
        currency=r.get("ACCORD_CURRENCY", "USD", _currency, "an ISO 4217 code"),
        smtp_url=r.get(
            "ACCORD_SMTP_URL", None, _smtp_url, "smtp://[user:pass@]host[:port]"
        ),
        smtp_from=r.get("ACCORD_SMTP_FROM", None, _address, "an e-mail address"),
        sweep_seconds=r.get(
            "ACCORD_SWEEP_SECONDS", 15.0, _positive_float, "seconds > 0"
        ),
        metrics_token=r.get("ACCORD_METRICS_TOKEN", None, str, "a string") or None,
        retention_days=r.get(
            "ACCORD_RETENTION_DAYS", 90, _positive_int, "a number of days ≥ 1"
        ),
        erased_reimport=r.get(
            "ACCORD_ERASED_REIMPORT", "refuse", _reimport, "refuse or flag"
        ),
        webhook_allow_private=r.get(
            "ACCORD_WEBHOOK_ALLOW_PRIVATE", False, _bool, "1/0, true/false, yes/no"
        ),
        webhook_timeout_seconds=r.get(
            "ACCORD_WEBHOOK_TIMEOUT_SECONDS", 10.0, _positive_float, "seconds > 0"
        ),
        webhook_max_attempts=r.get(
            "ACCORD_WEBHOOK_MAX_ATTEMPTS", 10, _positive_int, "an integer ≥ 1"
        ),
        webhook_retry_base_seconds=r.get(
            "ACCORD_WEBHOOK_RETRY_BASE_SECONDS", 30.0, _positive_float, "seconds > 0"
        ),
        webhook_concurrency=r.get(
            "ACCORD_WEBHOOK_CONCURRENCY", 16, _positive_int, "an integer ≥ 1"
        ),
        webhook_secret_overlap_hours=r.get(
            "ACCORD_WEBHOOK_SECRET_OVERLAP_HOURS", 24.0, _positive_float, "hours > 0"
        ),
        session_idle_hours=r.get(
            "ACCORD_SESSION_IDLE_HOURS", 12.0, _positive_float, "hours > 0"
        ),
        session_absolute_days=r.get(
            "ACCORD_SESSION_ABSOLUTE_DAYS", 7.0, _positive_float, "days > 0"
        ),
        credential_cache_seconds=r.get(
            "ACCORD_CREDENTIAL_CACHE_SECONDS", 1.0, _seconds, "seconds ≥ 0"
        ),
        password_hash_concurrency=r.get(
            "ACCORD_PASSWORD_HASH_CONCURRENCY", 2, _positive_int, "an integer ≥ 1"
        ),
        fault_exit_after_commit=r.get(
            "ACCORD_FAULT_EXIT_AFTER_COMMIT", False, _bool, "1/0 (testing only)"
        ),
        max_subscriptions_per_connection=r.get(
            "ACCORD_MAX_SUBSCRIPTIONS_PER_CONNECTION",
            20,
            _positive_int,
            "an integer ≥ 1",
        ),
        max_subscriptions_per_user=r.get(
            "ACCORD_MAX_SUBSCRIPTIONS_PER_USER", 100, _positive_int, "an integer ≥ 1"
        ),
        log_level=r.get("ACCORD_LOG_LEVEL", "INFO", _log_level, "DEBUG/INFO/WARNING"),
        trusted_proxies=r.get(
            "ACCORD_TRUSTED_PROXIES",
            (),
            _networks,
            "addresses or CIDR networks, comma-separated",
        ),
        limits=_read_limits(r),
    )
    if settings.smtp_url and not settings.public_url:
        r.problems.append(
            "ACCORD_SMTP_URL needs ACCORD_PUBLIC_URL: e-mails link to that address"
        )
    if r.problems:
        raise SettingsError(r.problems)
    return settings
