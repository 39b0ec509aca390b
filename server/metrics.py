"""Process-local counters exposed at /metrics in Prometheus' text format."""

from __future__ import annotations

from collections import Counter

_counters: Counter[tuple[str, tuple[tuple[str, str], ...]]] = Counter()
_gauges: dict[str, float] = {
    "accord_subscriptions_open": 0.0,
    "accord_subscription_connections_open": 0.0,
}
_HELP = {
    "accord_graphql_requests_total": "GraphQL requests by outcome.",
    "accord_unauthenticated_total": "Requests refused for lack of credentials.",
    "accord_throttled_total": "Requests refused by a rate limit or login throttle.",
    "accord_login_failures_total": "Failed sign-in attempts.",
    "accord_graphql_seconds_total": "Time spent serving GraphQL requests.",
    "accord_events_dispatched_total": "Outbox events handed to consumers.",
    "accord_compiled_fallback_total": "Queries the compiled reads left to the "
    "executor, by reason.",
    "accord_subscriptions_open": "GraphQL subscriptions open in this worker.",
    "accord_subscription_connections_open": (
        "Authenticated graphql-transport-ws connections open in this worker."
    ),
}


def inc(name: str, amount: float = 1.0, **labels: str) -> None:
    _counters[(name, tuple(sorted(labels.items())))] += amount  # type: ignore[assignment]


def value(name: str, **labels: str) -> float:
    return float(_counters[(name, tuple(sorted(labels.items())))])


def set_gauge(name: str, amount: float) -> None:
    """A value that goes up and down (rendered as a Prometheus gauge)."""
    _gauges[name] = float(amount)


def render() -> str:
    lines: list[str] = []
    for name, amount in sorted(_gauges.items()):
        lines.append(f"# HELP {name} {_HELP.get(name, name)}")
        lines.append(f"# TYPE {name} gauge")
        lines.append(f"{name} {amount}")
    for name in sorted(({n for n, _ in _counters} | set(_HELP)) - set(_gauges)):
        lines.append(f"# HELP {name} {_HELP.get(name, name)}")
        lines.append(f"# TYPE {name} counter")
        for (metric, labels), amount in sorted(_counters.items()):
            if metric != name:
                continue
            label_text = ",".join(f'{k}="{v}"' for k, v in labels)
            lines.append(
                f"{name}{{{label_text}}} {amount}" if labels else f"{name} {amount}"
            )
    return "\n".join(lines) + "\n"
