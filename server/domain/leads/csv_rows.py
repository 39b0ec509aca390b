"""CSV files of a historical import (`accord import-csv`, docs/operations.md)
read into `upsertLeads` backfill rows, each remembering the file line it came
from so a refusal can name it.

Three files, each with a header row naming its columns (in any order, unknown
ones refused): the leads (one row per lead, keyed by ``email``), their stage
history and their activities (rows naming the lead by ``email``; a lead's
history rows in time order, oldest first — the upsert checks it). An empty cell
leaves the field out: an import never clears anything. Problems a file alone
shows (an unknown column, a number that is not one, metadata that is not a
JSON object, a history row for a lead the leads file lacks) are reported
with the line and the row is left out; everything else is the upsert's to
check, row by row.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

LEAD_TEXT = {
    "first_name": "firstName",
    "last_name": "lastName",
    "company": "company",
    "industry": "industry",
    "job_title": "jobTitle",
    "seniority": "seniority",
    "country": "country",
    "source": "source",
    "campaign": "campaign",
    "source_updated_at": "sourceUpdatedAt",
    "stage": "stage",
    "amount": "amount",
}
LEAD_FLAGS = {
    "is_customer": "isCustomer",
    "do_not_contact": "doNotContact",
    "recurring": "recurring",
}
LEAD_COLUMNS = frozenset(
    {
        "email",
        "external_ids",
        "company_size",
        "products",
        "owner_email",
        *LEAD_TEXT,
        *LEAD_FLAGS,
    }
)
HISTORY_COLUMNS = frozenset({"email", "stage", "at", "reason"})
ACTIVITY_COLUMNS = frozenset(
    {"email", "kind", "occurred_at", "external_id", "source", "metadata"}
)
TRUE = frozenset({"true", "yes", "1", "y"})
FALSE = frozenset({"false", "no", "0", "n"})


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class LeadRow:
    """One lead row as `upsertLeads` takes it, with where its parts came from."""

    line: int
    row: dict[str, Any]
    owner_email: str | None = None
    history_lines: list[int] = field(default_factory=list)
    activity_lines: list[int] = field(default_factory=list)

    @property
    def activities(self) -> int:
        return len(self.activity_lines)


@dataclass
class ReadFiles:
    leads: list[LeadRow]
    problems: list[Problem]
    leads_file: str = "leads.csv"

    @property
    def refused_leads(self) -> int:
        """Rows of the leads file left out for what the file shows."""
        return len({p.line for p in self.problems if p.file == self.leads_file})


def _records(
    name: str, lines: Iterable[str], allowed: frozenset[str], problems: list[Problem]
) -> Iterator[tuple[int, dict[str, str]]]:
    """Each data row with its line number (the header is line 1); nothing when
    the header names an unknown or no ``email`` column."""
    reader = csv.DictReader(lines)
    header = [h.strip() for h in reader.fieldnames or []]
    unknown = sorted(set(header) - allowed)
    if unknown or "email" not in header:
        message = (
            f"unknown column(s) {', '.join(unknown)}; use {', '.join(sorted(allowed))}"
            if unknown
            else "the header must name an email column"
        )
        problems.append(Problem(name, 1, message))
        return
    reader.fieldnames = header
    for record in reader:
        if None in record:
            problems.append(Problem(name, reader.line_num, "more cells than columns"))
            continue
        yield reader.line_num, {k: (v or "").strip() for k, v in record.items()}


def read_files(
    leads: Iterable[str],
    history: Iterable[str] = (),
    activities: Iterable[str] = (),
    names: tuple[str, str, str] = ("leads.csv", "history.csv", "activities.csv"),
) -> ReadFiles:
    problems: list[Problem] = []
    rows: list[LeadRow] = []
    by_email: dict[str, LeadRow] = {}
    refused: dict[str, int] = {}
    for line, record in _records(names[0], leads, LEAD_COLUMNS, problems):
        found = _lead(names[0], line, record, problems)
        if found is None:
            refused.setdefault(record.get("email", "").lower(), line)
            continue
        key = record["email"].lower()
        if key in by_email:
            first = by_email[key].line
            problems.append(
                Problem(names[0], line, f"the email is on line {first} too")
            )
            continue
        by_email[key] = found
        rows.append(found)
    for line, record in _records(names[1], history, HISTORY_COLUMNS, problems):
        lead = _owner(names[1], line, record, by_email, refused, problems)
        if lead is None:
            continue
        move = {"stage": record.get("stage", "").upper(), "at": record.get("at", "")}
        if record.get("reason"):
            move["reason"] = record["reason"]
        lead.row.setdefault("stageHistory", []).append(move)
        lead.history_lines.append(line)
    for line, record in _records(names[2], activities, ACTIVITY_COLUMNS, problems):
        lead = _owner(names[2], line, record, by_email, refused, problems)
        if lead is None:
            continue
        activity = _activity(names[2], line, record, problems)
        if activity is not None:
            lead.row.setdefault("activities", []).append(activity)
            lead.activity_lines.append(line)
    return ReadFiles(rows, problems, names[0])


def _owner(
    name: str,
    line: int,
    record: dict[str, str],
    by_email: dict[str, LeadRow],
    refused: dict[str, int],
    problems: list[Problem],
) -> LeadRow | None:
    email = record.get("email", "").lower()
    lead = by_email.get(email)
    if lead is None and email in refused:
        message = f"left out with its lead's row (line {refused[email]})"
        problems.append(Problem(name, line, message))
    elif lead is None:
        message = "no row of the leads file has this email"
        problems.append(Problem(name, line, message))
    return lead


def _lead(
    name: str, line: int, record: dict[str, str], problems: list[Problem]
) -> LeadRow | None:
    row: dict[str, Any] = {}
    bad: list[str] = []
    if not record.get("email"):
        bad.append("email: give the lead's e-mail address")
    row["email"] = record.get("email", "")
    for column, key in LEAD_TEXT.items():
        if record.get(column):
            row[key] = record[column]
    if "stage" in row:
        row["stage"] = row["stage"].upper()
    for column, key in LEAD_FLAGS.items():
        value = record.get(column, "").lower()
        if value in TRUE | FALSE:
            row[key] = value in TRUE
        elif value:
            bad.append(f"{column}: write true or false")
    if record.get("company_size"):
        try:
            row["companySize"] = int(record["company_size"])
        except ValueError:
            bad.append("company_size: write a whole number")
    if record.get("products"):
        row["products"] = [
            p.strip() for p in record["products"].split(";") if p.strip()
        ]
    if record.get("external_ids"):
        pairs = _external_ids(record["external_ids"])
        if pairs is None:
            bad.append("external_ids: write system:id pairs separated by ;")
        else:
            row["externalIds"] = pairs
    if bad:
        problems.extend(Problem(name, line, message) for message in bad)
        return None
    return LeadRow(line, row, record.get("owner_email") or None)


def _external_ids(text: str) -> list[dict[str, str]] | None:
    pairs = []
    for part in text.split(";"):
        system, colon, value = part.strip().partition(":")
        if not colon or not system.strip() or not value.strip():
            return None
        pairs.append({"system": system.strip(), "id": value.strip()})
    return pairs


def _activity(
    name: str, line: int, record: dict[str, str], problems: list[Problem]
) -> dict[str, Any] | None:
    activity: dict[str, Any] = {
        "kind": record.get("kind", "").upper(),
        "occurredAt": record.get("occurred_at", ""),
    }
    for column, key in (("external_id", "externalId"), ("source", "source")):
        if record.get(column):
            activity[key] = record[column]
    if record.get("metadata"):
        try:
            metadata = orjson.loads(record["metadata"])
        except orjson.JSONDecodeError:
            metadata = None
        if not isinstance(metadata, dict):
            problems.append(Problem(name, line, "metadata: write a JSON object"))
            return None
        activity["metadata"] = metadata
    return activity


def chunks(
    rows: list[LeadRow], size: int, max_activities: int
) -> Iterator[list[LeadRow]]:
    """Rows in calls of at most ``size`` leads and ``max_activities`` activities
    (a lead with more activities than that goes alone, and is refused)."""
    chunk: list[LeadRow] = []
    activities = 0
    for row in rows:
        if chunk and (
            len(chunk) >= size or activities + row.activities > max_activities
        ):
            yield chunk
            chunk, activities = [], 0
        chunk.append(row)
        activities += row.activities
    if chunk:
        yield chunk


def where(row: LeadRow, path: tuple[str, ...], names: tuple[str, str, str]) -> str:
    """The file and line a user error's path (after ``leads.N``) points at."""
    if len(path) >= 2 and path[0] == "stageHistory" and path[1].isdigit():
        index = int(path[1])
        if index < len(row.history_lines):
            return f"{names[1]}:{row.history_lines[index]}"
    if len(path) >= 2 and path[0] == "activities" and path[1].isdigit():
        index = int(path[1])
        if index < len(row.activity_lines):
            return f"{names[2]}:{row.activity_lines[index]}"
    return f"{names[0]}:{row.line}"
