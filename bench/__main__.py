"""`python -m bench`: run the benchmark and write its results (see README.md)."""

from __future__ import annotations

import signal
import sys

from bench import report, run
from bench.options import parse


def _stop_on_sigterm(signum: int, frame: object) -> None:
    # Unwind normally, so the server this run started is stopped and its
    # database dropped before the process ends.
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    options = parse(argv)
    result = run.execute(options)
    written = report.write(result, options.out)
    print(report.markdown(result))
    print(f"wrote {written} and {written.with_suffix('.md')}")
    return 0 if passed(result) else 1


def passed(result: dict[str, object]) -> bool:
    """Every operation's answers checked and timed without one error."""
    operations = result["operations"]
    assert isinstance(operations, list)
    for op in operations:
        if not op["check"]["passed"] or any(r["errors"] for r in op["runs"]):
            return False
    if not scoring_passed(result.get("scoring")):
        return False
    return not any("peers failed" in str(n) for n in result["notes"])  # type: ignore[attr-defined]


def scoring_passed(scored: object) -> bool:
    """The scoring scenarios ran without an error (their targets are reported,
    met or not, in the tables; they do not fail the run)."""
    if scored is None:
        return True
    assert isinstance(scored, dict)
    ingestion, rescoring = scored["ingestion"], scored["rescoring"]
    return (
        not ingestion["errors"]
        and ingestion["rows_written"] == ingestion["created"] == ingestion["received"]
        and rescoring["seconds"] is not None
        and not rescoring["reader_errors"]
        and "error" not in scored["decay"]
        and scored["checks"]["leads_not_under_revision_2"] == 0
    )


if __name__ == "__main__":
    sys.exit(main())
