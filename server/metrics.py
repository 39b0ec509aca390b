"""Process-local counters exposed at /metrics in Prometheus' text format."""

from __future__ import annotations

from collections import Counter

_counters: Counter[tuple[str, tuple[tuple[str, str], ...]]] = Counter()
_HELP = {
    "accord_graphql_requests_total": "GraphQL requests by outcome.",
    "accord_unauthenticated_total": "Requests refused for lack of credentials.",
    "accord_throttled_total": "Requests refused by a rate limit or login throttle.",
    "accord_login_failures_total": "Failed sign-in attempts.",
    "accord_graphql_seconds_total": "Time spent serving GraphQL requests.",
    "accord_events_dispatched_total": "Outbox events handed to consumers.",
    "accord_compiled_fallback_total": "Queries the compiled reads left to the "
    "executor, by reason.",
}


def inc(name: str, amount: float = 1.0, **labels: str) -> None:
    _counters[(name, tuple(sorted(labels.items())))] += amount  # type: ignore[assignment]


def value(name: str, **labels: str) -> float:
    return float(_counters[(name, tuple(sorted(labels.items())))])


def render() -> str:
    lines: list[str] = []
    for name in sorted({n for n, _ in _counters} | set(_HELP)):
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
