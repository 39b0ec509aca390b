"""The historical import step of `upsertLeads` (``backfill: true``; SPEC §2.3).

Not a use case: the upsert calls it inside its transaction. Rows are read by
`server.domain.leads.backfill`; here they are checked against what is stored
and written:

- only admins (in a session) and tokens with the ``WRITE`` scope may import;
  anyone else is refused with FORBIDDEN before a row is read;
- a stage history is imported with the lead's creation only: an existing lead
  keeps the history Accord recorded (CONFLICT), except one whose history was
  imported before, where the row's history is skipped so a re-run import is
  harmless; the owner must be an existing user;
- imported moves are `StageChange` rows with ``via`` ``IMPORTED`` (the funnel,
  conversion and goals count them; the qualification counts, which take
  ``QUALIFICATION`` and ``MANUAL_QUALIFICATION`` moves, do not); imported
  activities are flagged ``imported`` and scored like any other, so old ones
  weigh what their decay leaves. No handoff, chain or SLA clock is created:
  delivered volume, SLA compliance and breaches, which count handoff chains,
  never see imported history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from server import db
from server.domain.core.errors import ErrorCode, UserError, UserErrors, refuse
from server.domain.core.outbox import EventKind
from server.domain.core.roles import Scope
from server.domain.leads import backfill as rules
from server.domain.leads.activity_intake import ActivityRow, activity_dedupe_key
from server.domain.leads.intake import IncomingLead
from server.domain.leads.qualification import QualifiedBy
from server.domain.leads.stages import LeadStage, Via, sets_customer
from server.services.core import bulk, ids, mutations
from server.services.core.actors import Actor
from server.services.leads import activity_store
from server.services.leads import store as lead_store

Key = int | tuple[str, int]
MAX_ACTIVITIES_PER_CALL = 20_000
CENT = Decimal("0.01")
WHO = "admins and tokens with the WRITE scope"


def may_backfill(actor: Actor | None) -> bool:
    if actor is None:
        return False
    if actor.in_session:
        return actor.is_admin
    return Scope.WRITE in actor.scopes


def check_caller(actor: Actor | None, raw_rows: Sequence[Mapping[str, Any]]) -> None:
    if not may_backfill(actor):
        message = f"a historical import (backfill) is for {WHO} only"
        raise refuse(ErrorCode.FORBIDDEN, message, "backfill")
    total = sum(len(r.get("activities") or ()) for r in raw_rows)
    if total > MAX_ACTIVITIES_PER_CALL:
        message = f"import at most {MAX_ACTIVITIES_PER_CALL} activities per call"
        raise refuse(ErrorCode.LIMIT_EXCEEDED, message, "leads")


def read_row(
    raw: Mapping[str, Any], index: int, backfilling: bool, now: datetime
) -> rules.Backfill | None:
    """A row's import part; without ``backfill`` its import fields are refused."""
    if not backfilling:
        named = rules.backfill_fields(raw)
        if named:
            errors = [
                UserError(
                    ErrorCode.INVALID_INPUT,
                    f"{key} is imported only with backfill: true",
                    ("leads", str(index), key),
                )
                for key in named
            ]
            raise UserErrors(errors)
        return None
    return rules.read_backfill(raw, ("leads", index), now)


@dataclass
class Imports:
    """What the call imports: users and leads it needs to know, then the
    histories and activities to write, by lead key."""

    users: set[int] = field(default_factory=set)
    had_history: set[int] = field(default_factory=set)
    histories: dict[Key, tuple[rules.ImportedMove, ...]] = field(default_factory=dict)
    activities: list[tuple[Key, ActivityRow]] = field(default_factory=list)
    written: dict[str, int] = field(default_factory=dict)

    @classmethod
    async def load(cls, rows: Sequence[IncomingLead], stored: Sequence[Key]) -> Imports:
        """Two statements: the owners named, and which stored leads already
        have an imported history."""
        owners = set()
        for row in rows:
            owner = row.backfill.changes.get("owner") if row.backfill else None
            found = ids.decode_any(owner) if isinstance(owner, str) else None
            if found is not None and found[0] == "User":
                owners.add(found[1])
        leads = sorted(k for k in stored if isinstance(k, int))
        return cls(
            users=await _existing("app_user", "id", owners),
            had_history=await _imported(leads),
        )

    def refusals(
        self,
        index: int,
        key: Key | None,
        lead: lead_store.LeadRecord,
        fill: rules.Backfill,
    ) -> list[UserError]:
        """Why a row's import cannot apply to its lead (None: a new lead)."""
        path = ("leads", str(index))
        errors = []
        if fill.history and key is not None and not self._has_history(key):
            message = (
                "a stage history is imported only with the lead's creation: "
                "this lead already has its history in Accord"
            )
            errors.append(UserError(ErrorCode.CONFLICT, message, (*path, "stage")))
        owner = fill.changes.get("owner")
        if owner is not None and self._user(owner) is None:
            message = "no such user"
            errors.append(UserError(ErrorCode.NOT_FOUND, message, (*path, "owner")))
        stage = fill.stage if key is None and fill.stage else LeadStage(lead["stage"])
        refused = rules.money_refusal(stage, fill.changes)
        if refused is not None:
            message = "amount and recurring need a stage from OPPORTUNITY on"
            errors.append(UserError(ErrorCode.INVALID_INPUT, message, (*path, refused)))
        return errors

    def apply(
        self,
        key: Key,
        lead: lead_store.LeadRecord,
        fill: rules.Backfill,
        now: datetime,
    ) -> bool:
        """Apply a checked row to its lead; whether the lead changed (its
        activities, recorded once each, are not a change of the lead)."""
        columns: dict[str, Any] = dict(lead)
        if fill.history and not self._has_history(key):
            self._begin(key, lead, fill.history, now)
        if "owner" in fill.changes:
            owner = fill.changes["owner"]
            lead["owner_id"] = None if owner is None else self._user(owner)
        if "amount" in fill.changes:
            amount = fill.changes["amount"]
            lead["amount"] = None if amount is None else amount.quantize(CENT)
        if "recurring" in fill.changes:
            lead["recurring"] = fill.changes["recurring"]
        self.activities += [(key, a) for a in fill.activities]
        return columns != dict(lead)

    def _begin(
        self,
        key: Key,
        lead: lead_store.LeadRecord,
        history: tuple[rules.ImportedMove, ...],
        now: datetime,
    ) -> None:
        """A new lead as its history left it."""
        self.histories[key] = history
        last = history[-1]
        lead["stage"], lead["stage_entered_at"] = last.stage.value, last.at
        started, counts_after = rules.cycle_start(history)
        lead["cycle_started_at"], lead["cycle_counts_after"] = started, counts_after
        lead["created_at"] = min(history[0].at, now)
        if any(sets_customer(m.stage) for m in history):
            lead["is_customer"] = True
        qualified = rules.qualified_at(history)
        if qualified is not None:
            lead["qualified"], lead["qualified_at"] = True, qualified
            lead["qualified_by"] = QualifiedBy.MANUAL.value

    def _has_history(self, key: Key) -> bool:
        return key in self.histories or key in self.had_history

    def _user(self, owner: str) -> int | None:
        found = ids.decode_any(owner)
        if found is None or found[0] != "User" or found[1] not in self.users:
            return None
        return found[1]

    def created(self, tx: mutations.Tx, key: Key, lead: lead_store.LeadRecord) -> bool:
        """Announce a new lead whose history is imported (its first history
        row is the history's); False for any other new lead."""
        if key not in self.histories:
            return False
        payload = {"email": lead["email"], "imported": True}
        tx.emit(EventKind.LEAD_CREATED, "Lead", lead["id"], payload)
        return True

    async def write_activities(
        self, tx: mutations.Tx, keys: Mapping[Key, int]
    ) -> set[int]:
        """Insert the imported activities; the leads that got new ones."""
        rows = []
        for key, activity in self.activities:
            lead_id = keys[key]
            rows.append(
                (
                    lead_id,
                    activity.kind.value,
                    activity.occurred_at,
                    activity_dedupe_key(lead_id, activity),
                    activity.external_id,
                    activity.source,
                    bulk.json_param(activity.metadata) if activity.metadata else None,
                    tx.now,
                )
            )
        created = (
            await activity_store.insert_new(rows, imported=True) if rows else set()
        )
        self.written["activities"] = len(created)
        return {lead_id for lead_id, _ in created}

    async def write_history(
        self,
        tx: mutations.Tx,
        keys: Mapping[Key, int],
        leads: Mapping[Key, lead_store.LeadRecord],
    ) -> None:
        """Record the imported histories, after the leads were scored (so the
        persona is the one matched)."""
        actor = tx.actor.user_id if tx.actor else None
        rows: list[lead_store.StageChangeRow] = []
        for key, history in self.histories.items():
            lead_id, persona = keys[key], leads[key]["persona_id"]
            before: str | None = None
            for move in history:
                rows.append(
                    (
                        lead_id,
                        before,
                        move.stage.value,
                        move.at,
                        actor,
                        Via.IMPORTED.value,
                        move.reason,
                        persona,
                        None,
                    )
                )
                before = move.stage.value
        self.written["moves"] = len(rows)
        if rows:
            await lead_store.record_stage_changes(rows)

    def summary(self, keys: Mapping[Key, int]) -> dict[str, Any]:
        """What the call imported, for its audit entry."""
        return {
            "backfill": True,
            "importedHistories": sorted(keys[k] for k in self.histories),
            "importedMoves": self.written.get("moves", 0),
            "importedActivities": self.written.get("activities", 0),
        }


async def _existing(table: str, column: str, keys: set[int]) -> set[int]:
    if not keys:
        return set()
    found = sorted(keys)
    marks = ", ".join("?" for _ in found)
    rows = await db.fetch(
        f"SELECT {column} AS k FROM {table} WHERE {column} IN ({marks})", *found
    )
    return {int(r["k"]) for r in rows}


async def _imported(lead_ids: list[int]) -> set[int]:
    if not lead_ids:
        return set()
    marks = ", ".join("?" for _ in lead_ids)
    rows = await db.fetch(
        "SELECT DISTINCT lead_id FROM stage_change WHERE via = ? "
        f"AND lead_id IN ({marks})",
        Via.IMPORTED.value,
        *lead_ids,
    )
    return {int(r["lead_id"]) for r in rows}
