"""Webhooks' pure rules: the address guard, signatures, backoff, sealing."""

from __future__ import annotations

import ipaddress

import pytest

from server.domain.events.webhooks import (
    SecretBox,
    check_events,
    check_target,
    literal_refusal,
    refused_because,
    retry_delay,
    sign,
    signature_header,
    truncated,
    verify,
)

REFUSED = [
    "127.0.0.1",
    "127.8.9.10",
    "::1",
    "0.0.0.0",
    "::",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "100.100.100.200",  # Alibaba metadata (shared address space)
    "100.64.0.1",  # CGNAT
    "fd00:ec2::254",  # AWS IPv6 metadata (unique local)
    "fe80::1",
    "fc00::1",
    "224.0.0.1",
    "ff02::1",
    "240.0.0.1",
    "255.255.255.255",
    "198.18.0.1",
    "192.0.2.1",
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:169.254.169.254",
    "::ffff:10.0.0.1",
    "::127.0.0.1",  # IPv4-compatible
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
]
ALLOWED = ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"]


@pytest.mark.parametrize("address", REFUSED)
def test_the_guard_refuses_every_address_that_is_not_global(address: str) -> None:
    assert refused_because(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", ALLOWED)
def test_the_guard_lets_global_addresses_through(address: str) -> None:
    assert refused_because(ipaddress.ip_address(address)) is None


def test_reasons_name_what_the_address_is() -> None:
    reason = refused_because(ipaddress.ip_address("::ffff:169.254.169.254"))
    assert reason is not None and "link-local" in reason and "embedded" in reason
    assert "CGNAT" in (refused_because(ipaddress.ip_address("100.64.0.1")) or "")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/x",
        "example.com/hook",
        "https://user:pw@example.com/",
        "https://example.com:0/",
        "https://exa mple.com/",
        "https://example.com/#frag",
        "https://" + "a" * 2000 + ".com/",
        "http://[::1/",
    ],
)
def test_bad_targets_are_refused_on_the_url(url: str) -> None:
    problems = check_target(url)
    assert problems and all(p.field == ("url",) for p in problems)


def test_a_good_target_passes_and_literal_addresses_are_judged_at_once() -> None:
    assert check_target("https://hooks.example.com/accord?x=1") == []
    assert literal_refusal("http://169.254.169.254/latest", False)
    assert literal_refusal("http://[::ffff:7f00:1]/", False)
    assert literal_refusal("http://127.0.0.1:9000/", True) is None
    assert literal_refusal("https://hooks.example.com/", False) is None


def test_event_kinds_are_checked_against_the_outbox_kinds() -> None:
    assert check_events(["LEAD_CREATED", "HANDOFF_CREATED"]) == []
    assert check_events([])[0].field == ("events",)
    assert "NOPE" in check_events(["LEAD_CREATED", "NOPE"])[0].message


def test_a_signature_covers_timestamp_and_body_and_both_secrets_sign() -> None:
    body = b'{"id":"1"}'
    one = sign("whsec_a", 1700000000, body)
    assert one.startswith("v1=") and len(one) == 3 + 64
    assert sign("whsec_a", 1700000001, body) != one
    assert sign("whsec_a", 1700000000, body + b" ") != one
    header = signature_header(["whsec_new", "whsec_old"], 1700000000, body)
    assert verify("whsec_new", 1700000000, body, header)
    assert verify("whsec_old", 1700000000, body, header)
    assert not verify("whsec_other", 1700000000, body, header)
    assert not verify("whsec_new", 1700000001, body, header)


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    assert retry_delay(1, 10, 0.0) == 5.0
    assert retry_delay(1, 10, 1.0) == 10.0
    assert retry_delay(3, 10, 0.0) == 20.0
    assert 20.0 <= retry_delay(3, 10, 0.5) <= 40.0
    assert retry_delay(40, 10, 1.0) == 3600.0


def test_sealed_secrets_open_only_with_the_same_key_and_untouched() -> None:
    box = SecretBox("k" * 40)
    sealed = box.seal("whsec_secret")
    assert "whsec_secret" not in sealed
    assert box.seal("whsec_secret") != sealed  # a fresh nonce each time
    assert box.open(sealed) == "whsec_secret"
    with pytest.raises(ValueError):
        SecretBox("j" * 40).open(sealed)
    tampered = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    with pytest.raises(ValueError):
        box.open(tampered)


def test_long_answers_are_truncated() -> None:
    assert truncated("x" * 10, 5) == "xxxx…"
    assert truncated("short", 5) == "short"


def test_webhook_settings_are_read_and_checked() -> None:
    from server.settings import SettingsError, load_settings

    base = {"ACCORD_SECRET_KEY": "s" * 40}
    read = load_settings(
        {
            **base,
            "ACCORD_WEBHOOK_ALLOW_PRIVATE": "1",
            "ACCORD_WEBHOOK_TIMEOUT_SECONDS": "2.5",
            "ACCORD_WEBHOOK_MAX_ATTEMPTS": "3",
            "ACCORD_WEBHOOK_RETRY_BASE_SECONDS": "0.5",
            "ACCORD_WEBHOOK_CONCURRENCY": "8",
            "ACCORD_WEBHOOK_SECRET_OVERLAP_HOURS": "1",
        }
    )
    assert read.webhook_allow_private and read.webhook_timeout_seconds == 2.5
    assert (read.webhook_max_attempts, read.webhook_concurrency) == (3, 8)
    assert read.webhook_retry_base_seconds == 0.5
    assert read.webhook_secret_overlap_hours == 1.0
    defaults = load_settings(base)
    assert not defaults.webhook_allow_private and defaults.webhook_max_attempts == 10
    with pytest.raises(SettingsError) as refused:
        load_settings(
            {
                **base,
                "ACCORD_WEBHOOK_TIMEOUT_SECONDS": "0",
                "ACCORD_WEBHOOK_CONCURRENCY": "none",
            }
        )
    assert len(refused.value.problems) == 2
    assert "ACCORD_WEBHOOK_TIMEOUT_SECONDS" in refused.value.problems[0]
