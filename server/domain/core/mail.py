"""When an e-mail that could not be sent is tried again."""

from __future__ import annotations


def mail_retry_seconds(attempts: int) -> float:
    """How long an e-mail waits before its next try after `attempts` tries:
    one minute, doubling, at most an hour (also the lease of a send)."""
    return float(min(60 * 2 ** max(attempts - 1, 0), 3600))
