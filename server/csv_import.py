"""`accord import-csv`: a historical import from CSV files, through `upsertLeads`
with ``backfill`` (docs/operations.md has the columns).

The files are read whole first (`server.domain.leads.csv_rows`); the leads are
then sent in chunks, each one `upsertLeads` call and so one transaction, as the
admin named by ``--as`` (audited as such, credential ``cli``). A bad row is
reported with its file and line and never stops the others; a chunk refused
whole (a limit) stops the import with what was done so far.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from server.domain.core.roles import Role, Team
from server.domain.leads import csv_rows
from server.domain.leads.csv_rows import LeadRow, Problem
from server.domain.leads.intake import MAX_UPSERT_ROWS
from server.models.people import User
from server.services.core import ids
from server.services.core.actors import Actor
from server.services.leads import backfill, intake

DEFAULT_CHUNK = 200


class ImportError_(Exception):
    """A one-line reason the import cannot go on."""


@dataclass
class Summary:
    total: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def describe(self) -> str:
        counted = ", ".join(
            f"{self.outcomes.get(o.value, 0)} {o.value.lower()}"
            for o in intake.RowOutcome
        )
        return f"{self.total} lead row(s): {counted}; {len(self.problems)} problem(s)"


def _lines(path: Path | None) -> list[str]:
    if path is None:
        return []
    try:
        return path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportError_(f"cannot read {path}: {exc}") from None


async def _actor(email: str) -> Actor:
    user = await User.get_or_none(email=email.strip().lower())
    if user is None or not user.active or user.role != Role.ADMIN.value:
        raise ImportError_(f"--as {email}: give the e-mail of an active admin")
    return Actor(user.id, Team(user.team), Role(user.role), "cli", 0)


async def _owners(rows: list[LeadRow], names: tuple[str, str, str]) -> list[Problem]:
    """Set each row's owner by the user's e-mail; rows naming nobody known
    are left out, as problems."""
    emails = {r.owner_email.lower() for r in rows if r.owner_email}
    users = await User.filter(email__in=sorted(emails)) if emails else []
    known = {u.email: ids.encode("User", u.id) for u in users}
    problems = []
    for row in rows:
        if row.owner_email is None:
            continue
        found = known.get(row.owner_email.lower())
        if found is None:
            message = f"owner_email: no user has the address {row.owner_email}"
            problems.append(Problem(names[0], row.line, message))
        else:
            row.row["owner"] = found
    return problems


async def import_files(
    leads: Path,
    history: Path | None,
    activities: Path | None,
    admin_email: str,
    chunk: int = DEFAULT_CHUNK,
    progress: Callable[[str], None] = lambda message: None,
) -> Summary:
    names = (
        leads.name,
        history.name if history else "history.csv",
        activities.name if activities else "activities.csv",
    )
    actor = await _actor(admin_email)
    read = csv_rows.read_files(
        _lines(leads), _lines(history), _lines(activities), names
    )
    owner_problems = await _owners(read.leads, names)
    left_out = {p.line for p in owner_problems}
    rows = [r for r in read.leads if r.line not in left_out]
    summary = Summary(total=len(read.leads) + read.refused_leads)
    summary.problems = [str(p) for p in read.problems + owner_problems]
    summary.outcomes["FAILED"] = read.refused_leads + len(owner_problems)
    done = 0
    limit = min(chunk, MAX_UPSERT_ROWS)
    for part in csv_rows.chunks(rows, limit, backfill.MAX_ACTIVITIES_PER_CALL):
        outcome = await intake.upsert_leads(actor, [r.row for r in part], backfill=True)
        if outcome.result is None:
            reasons = "; ".join(e.message for e in outcome.errors)
            raise ImportError_(f"refused after {done} lead row(s): {reasons}")
        for result in outcome.result.rows:
            name = result.outcome.value
            summary.outcomes[name] = summary.outcomes.get(name, 0) + 1
            row = part[result.index]
            for error in result.errors:
                path = tuple(error.field[2:])
                place = csv_rows.where(row, path, names)
                named = ".".join(path) or "row"
                summary.problems.append(f"{place}: {named}: {error.message}")
        done += len(part)
        progress(f"imported {done} of {len(rows)} lead row(s)")
    return summary
