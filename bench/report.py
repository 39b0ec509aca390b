"""The run's files: ``<stamp>-<db>.json`` and ``.md``, and ``latest-<db>.md``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

PEER_QUERIES = {
    "Q1": "lead list page",
    "Q2": "lead detail",
    "Q3": "funnel",
}
PEER_SYSTEMS = (
    "postgraphile",
    "peer_b_pg",
    "peer_b_pg_caches",
    "peer_b_pg_w2",
    "peer_b_sqlite",
    "raw_asyncpg",
    "pgbench",
)


def rate(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "—"
    return f"{a / b:.3f}" if a / b < 1 else f"{a / b:.2f}"


def per_request(seconds: float | None, requests: int) -> str:
    if seconds is None or not requests:
        return "—"
    return f"{seconds * 1000 / requests:.2f}"


def write(result: dict[str, Any], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    base = out / f"{result['stamp']}-{result['database']['kind']}"
    Path(f"{base}.json").write_bytes(
        orjson.dumps(result, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
    )
    text = markdown(result)
    Path(f"{base}.md").write_text(text)
    (out / f"latest-{result['database']['kind']}.md").write_text(text)
    return Path(f"{base}.json")


def rerender(json_path: Path) -> Path:
    """Write a run's Markdown again from its JSON (after the report's format moved)."""
    result = orjson.loads(json_path.read_bytes())
    written = json_path.with_suffix(".md")
    written.write_text(markdown(result))
    return written


def markdown(r: dict[str, Any]) -> str:
    parts = [
        _heading(r),
        _accord_table(r),
        _footnotes(r),
        _noise(r),
        _checks(r),
        _targets(r),
        _scoring(r),
        _peers(r),
        _notes(r),
    ]
    return "\n".join(p for p in parts if p)


def _heading(r: dict[str, Any]) -> str:
    o, m, db = r["options"], r["machine"], r["database"]
    seeded = ", ".join(f"{s['rows']:,} {s['table']}" for s in r["seeded"])
    workers = o["workers"]
    return (
        f"# Accord benchmark, {db['kind']}, {r['started']}\n\n"
        f"- Commit `{r['commit']}`; {db['version'].split(' on ')[0]}; "
        f"`accord serve --workers {workers}` with every limit at its production "
        f"default (rate limit {r['limits']['rate_limit_per_minute']:,} cost points "
        f"per user per minute), authenticated with API tokens.\n"
        f"- Machine: {m['cpu']} × {m['cores']} cores, {m['memory_gib']} GiB, "
        f"{m['kernel']}, Python {m['python']}; load average "
        f"{_load(r['load_average_at_start'])} at the start, "
        f"{_load(m['load_average_at_end'])} at the end.\n"
        f"- Data: {seeded}. The load cycles over {r['callers']} users' tokens.\n"
        f"- Load: {r['loadgen']}, closed loop, from its own process; "
        f"{o['duration']:g} s per measurement after {o['warmup']:g} s of warm-up.\n"
    )


def _load(averages: list[float]) -> str:
    return "/".join(f"{x:.2f}" for x in averages)


def _accord_table(r: dict[str, Any]) -> str:
    rows = [
        "## Accord beside the raw floor\n",
        "| operation | conns | req/s | p50 ms | p99 ms | errors | SQL/op | "
        "floor req/s | floor p50 ms | Accord ÷ floor | "
        "server CPU ms/req | PG CPU ms/req | loadgen CPU ms/req (% of a core) | "
        "busy % | others' cores |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for op in r["operations"]:
        floors = {f["conns"]: f for f in op.get("floor", [])}
        for run in op["runs"]:
            if r["database"]["kind"] != "postgres":
                run = {**run, "postgres_cpu_s": None}  # PostgreSQL is not in play
            rows.append(_accord_row(op, run, floors.get(run["conns"])))
        if not op["runs"]:
            rows.append(
                f"| {op['name']} | — | not timed: the check failed |" + " |" * 12
            )
    return "\n".join(rows) + "\n"


def _accord_row(
    op: dict[str, Any], run: dict[str, Any], floor: dict[str, Any] | None
) -> str:
    f = floor or {}
    sql = f"{op['statements']} (floor {op['floor_statements']})"
    cells = [
        op["name"],
        str(run["conns"]),
        rate(run["rps"]),
        ms(run["p50_ms"]),
        ms(run["p99_ms"]),
        str(run["errors"]),
        sql,
        rate(f.get("rps")),
        ms(f.get("p50_ms")),
        ratio(run["rps"], f.get("rps")),
        per_request(run["server_cpu_s"], run["requests"]),
        per_request(run["postgres_cpu_s"], run["requests"]),
        f"{per_request(run['loadgen_cpu_s'], run['requests'])} "
        f"({100 * run['loadgen_cpu_s'] / run['seconds']:.0f} %)",
        f"{run['machine_busy_pct']:.0f}",
        f"{run['other_cores']:.2f}" if "other_cores" in run else "—",
    ]
    return "| " + " | ".join(cells) + " |"


def _per_process(s: dict[str, Any]) -> str:
    peaks = s.get("peak_rss_per_process_mib")
    if not peaks or len(peaks) < 2:
        return ""
    listed = ", ".join(f"{p:.0f}" for p in peaks)
    return f"; peak per process (supervisor first, then each worker): {listed} MiB"


def _footnotes(r: dict[str, Any]) -> str:
    s = r["server"]
    peak = "peak under load" if s.get("peak_reset") else "peak since start"
    costs = ", ".join(
        f"{op['name']} {op['cost']:,}" for op in r["operations"] if op.get("cost")
    )
    return (
        f"Server memory (RSS of the whole process tree): {s['idle_rss_mib']:.0f} MiB "
        f"idle after start, {s['peak_rss_mib']:.0f} MiB {peak} (VmHWM), "
        f"{s['end_rss_mib']:.0f} MiB at the end; start-up alone peaked at "
        f"{s['startup_peak_rss_mib']:.0f} MiB{_per_process(s)}.\n\n"
        "SQL/op: statements Accord runs per request, authentication included "
        "(counted in-process); the floor runs only the operation's own statements. "
        "The floor fetches the same rows by raw SQL and serialises them with orjson, "
        "with as many concurrent clients as the server had connections and no HTTP. "
        "Accord ÷ floor is the ratio of req/s: the share of the floor's throughput "
        "left after HTTP, authentication, GraphQL and the ORM. CPU columns are "
        "CPU-milliseconds per request; PG CPU counts every PostgreSQL process on "
        "the machine; busy % is the whole machine (100 % = every core); others' "
        "cores is the CPU taken meanwhile by processes outside the run (noise). "
        f"Static cost per request: {costs or '—'} points.\n"
    )


def _noise(r: dict[str, Any]) -> str:
    runs = [x for op in r["operations"] for x in [*op["runs"], *op.get("floor", [])]]
    busy = [x for x in runs if not x.get("started_quiet", True)]
    wait = r["options"].get("wait_quiet", 0)
    if not wait:
        return "Measurements started without waiting for a quiet machine.\n"
    if not busy:
        return (
            f"Every measurement started on a quiet machine (under 20 % busy; "
            f"the harness waits up to {wait:g} s for one).\n"
        )
    return (
        f"{len(busy)} of {len(runs)} measurements started while other processes "
        f"kept the machine over 20 % busy after {wait:g} s of waiting; their "
        "figures carry that noise (see others' cores).\n"
    )


def _checks(r: dict[str, Any]) -> str:
    lines = ["## Answers checked against raw SQL before timing\n"]
    for op in r["operations"]:
        c = op["check"]
        verdict = "passed" if c["passed"] else f"**failed**: {c['problem']}"
        lines.append(f"- {op['name']}: {c['checked']} requests compared, {verdict}")
    return "\n".join(lines) + "\n"


def _notes(r: dict[str, Any]) -> str:
    if not r["notes"]:
        return ""
    return "## Notes\n\n" + "\n".join(f"- {n}" for n in r["notes"]) + "\n"


def _peers(r: dict[str, Any]) -> str:
    run = r.get("peers")
    if not run:
        return "## Peers\n\nNot run (add `--peers` to measure them in the same run).\n"
    by_key = {(x["system"], x["query"].upper(), x["conns"]): x for x in run["results"]}
    systems = [s for s in PEER_SYSTEMS if any(k[0] == s for k in by_key)]
    accord = _accord_by_peer(r)
    when = "measured in this run" if run["fresh"] else f"read from {run['source']}"
    rows = [
        f"## Peers ({when}: {run['started']} to {run['finished']})\n",
        "Peer cells are req/s (p50 / p99 ms). Ratios are Accord's req/s ÷ the peer's, "
        "from this one run (each figure is ±25 %).\n",
        "| query | conns | "
        + " | ".join(systems)
        + " | Accord | "
        + " | ".join(f"Accord ÷ {s}" for s in systems)
        + " |",
        "|---|---:|" + "---:|" * (2 * len(systems) + 1),
    ]
    for query, label in PEER_QUERIES.items():
        for conns in sorted({k[2] for k in by_key if k[1] == query}):
            mine = accord.get((query, conns))
            rows.append(_peer_row(f"{query} {label}", conns, systems, by_key, mine))
    tail = _peer_busy(run) + _peer_memory(run) + _unmatched(r)
    return "\n".join(rows) + "\n" + tail


def _peer_row(
    label: str,
    conns: int,
    systems: list[str],
    by_key: dict[tuple[str, str, int], dict[str, Any]],
    mine: tuple[str, float] | None,
) -> str:
    query = label.split()[0]
    found = [by_key.get((s, query, conns)) for s in systems]
    cells = [_peer_cell(x) for x in found]
    cells.append(f"{mine[0]}: {rate(mine[1])}" if mine else "no equivalent yet")
    cells += [ratio(mine[1], x["rps"]) if mine and x else "—" for x in found]
    return f"| {label} | {conns} | " + " | ".join(cells) + " |"


def _peer_cell(x: dict[str, Any] | None) -> str:
    if x is None:
        return "—"
    return f"{rate(x['rps'])} ({ms(x['p50_us'] / 1000)} / {ms(x['p99_us'] / 1000)})"


def _accord_by_peer(r: dict[str, Any]) -> dict[tuple[str, int], tuple[str, float]]:
    found = {}
    for op in r["operations"]:
        if op["peer_equivalent"]:
            for run in op["runs"]:
                found[(op["peer_equivalent"], run["conns"])] = (op["name"], run["rps"])
    return found


def _peer_busy(run: dict[str, Any]) -> str:
    busy = sorted(
        x["machine_busy_pct"] for x in run["results"] if "machine_busy_pct" in x
    )
    if not busy:
        return ""
    return (
        f"\nThe whole machine was {busy[0]:.0f}–{busy[-1]:.0f} % busy (median "
        f"{busy[len(busy) // 2]:.0f} %) during the peers' measurements, their own "
        "load included. Their script does not wait for a quiet machine, so "
        "neighbours' work may be in their figures.\n"
    )


def _peer_memory(run: dict[str, Any]) -> str:
    peaks: dict[str, Any] = {}
    for x in run["results"]:
        if x.get("server_peak_rss_mib") is not None:
            peaks[x["system"]] = x["server_peak_rss_mib"]
    if not peaks:
        return ""
    listed = ", ".join(f"{s} {v} MiB" for s, v in peaks.items())
    return f"\nPeer servers' peak RSS (VmHWM): {listed}.\n"


def _unmatched(r: dict[str, Any]) -> str:
    lone = [op["name"] for op in r["operations"] if not op["peer_equivalent"]]
    if not lone:
        return ""
    return (
        f"\nAccord operations without a peer equivalent (no ratio): "
        f"{', '.join(lone)}.\n"
    )


RSS_TARGET_MIB = 300.0  # issue 22: worker RSS throughout the metrics operations


def _targets(r: dict[str, Any]) -> str:
    """The operations' latency targets (p50 at their lowest connection count)
    and, with them, the worker RSS target, each met or not."""
    aimed = [op for op in r["operations"] if op.get("p50_target_ms")]
    if not aimed:
        return ""
    rows = [
        "## Targets\n",
        "| figure | value | target | met |",
        "|---|---:|---:|---|",
    ]
    for op in aimed:
        target = op["p50_target_ms"]
        runs = sorted(op["runs"], key=lambda run: run["conns"])
        if not runs:
            rows.append(f"| {op['name']} p50 | not timed | ≤ {target:,g} ms | **no** |")
            continue
        run = runs[0]
        met = "yes" if run["p50_ms"] <= target and not run["errors"] else "**no**"
        rows.append(
            f"| {op['name']} p50 at {run['conns']} conns | {run['p50_ms']:,.1f} ms "
            f"| ≤ {target:,g} ms | {met} |"
        )
    peaks = r["server"].get("peak_rss_per_process_mib") or [r["server"]["peak_rss_mib"]]
    peak = max(peaks)
    met = "yes" if peak <= RSS_TARGET_MIB else "**no**"
    rows.append(
        f"| worker RSS peak (VmHWM, per process) | {peak:,.0f} MiB "
        f"| ≤ {RSS_TARGET_MIB:,g} MiB | {met} |"
    )
    return "\n".join(rows) + "\n"


def _figure(value: float | None, unit: str) -> str:
    if value is None:
        return "not reached"
    return f"{value:,.0f}" if unit in ("/s", "ms", "MiB") else f"{value:,.2f}"


def _scoring(r: dict[str, Any]) -> str:
    """The scoring scenarios (bench.scoring): each figure beside its target."""
    sc = r.get("scoring")
    if not sc:
        return ""
    ing, res, dec = sc["ingestion"], sc["rescoring"], sc["decay"]
    units = ("/s", "ms", "s", "ms", "s", "MiB")
    rows = [
        "## Scoring at scale: ingestion, rescoring, decay\n",
        f"`accord serve --workers {sc['workers']}`, every limit on; "
        f"{res['leads']:,} leads.\n",
        "| figure | value | target | met |",
        "|---|---:|---:|---|",
    ]
    for v, unit in zip(sc["verdicts"], units, strict=True):
        target = f"{v['op'].replace('>=', '≥').replace('<=', '≤')} {v['target']:,g}"
        met = "yes" if v["met"] else "**no**"
        rows.append(
            f"| {v['figure']} | {_figure(v['value'], unit)} | {target} | {met} |"
        )
    job = res["job"]
    base = res["reader_baseline"]
    rows += [
        "",
        f"- Ingestion: {ing['clients']} clients × {ing['calls'] // ing['clients']} "
        f"calls of {ing['batch']:,} new activities (INGEST tokens, "
        f"`summaryOnly`), {ing['created']:,} created in {ing['seconds']:.1f} s, "
        f"{ing['qualified']:,} leads qualified; per call p50 {ing['p50_ms']:,.0f} ms, "
        f"p99 {ing['p99_ms']:,.0f} ms, max {ing['max_ms']:,.0f} ms; "
        f"{ing['errors']} errors.",
        f"- Rescoring (model revision 2 in force, job run by the server's "
        f"workers): {job['done']:,} of {job['total']:,} leads, {job['promoted']:,} "
        f"promoted, {_figure(res['seconds'], 's')} s seen by the poller "
        f"({_figure(res['server_seconds'], 's')} s requested → finished). "
        f"Reader (`leads(first: 50)`, one client): {res['reader']['requests']} pages, "
        f"p50 {res['reader']['p50_ms']:.0f} / p99 {res['reader']['p99_ms']:.0f} ms "
        f"during, p50 {base['p50_ms']:.0f} / p99 {base['p99_ms']:.0f} ms with no "
        f"job running; {res['reader_errors']} errors.",
        "- Decay (`decay_pass` in a child process, server stopped): "
        + (
            f"{dec['leads']:,} leads, {dec['changed']:,} rewritten in "
            f"{dec['seconds']:.2f} s; child RSS peak {dec['rss_peak_mib']:.0f} MiB."
            if "error" not in dec
            else f"failed: {dec['error'][-300:]}"
        ),
        f"- Worker RSS: peak {sc['rss_peak_worker_mib']:.0f} MiB per process, "
        f"{sc['rss_peak_total_mib']:.0f} MiB for the whole tree (sampled every "
        f"0.25 s during ingestion and rescoring).",
        f"- After the run: {sc['checks']['activities']:,} activities, "
        f"{sc['checks']['qualified_leads']:,} qualified leads, "
        f"{sc['checks']['leads_not_under_revision_2']} leads not rescored.",
    ]
    if sc["server_log_problems"]:
        rows.append(f"- Server log problems: {len(sc['server_log_problems'])}")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    import sys

    for name in sys.argv[1:]:
        print(f"wrote {rerender(Path(name))}")
