"""Each figure's drill-down (SPEC §2.6): the `filter` argument of the `leads` or
`handoffs` list that shows exactly the records the figure counts, written as
the API takes it (field names, global IDs, ISO instants) so a client passes it
on as it is. A test proves every count equals its list's `totalCount`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from server.services.core import ids
from server.services.metrics.scope import Scope

Filter = dict[str, Any]


def _at(instant: datetime) -> str:
    return instant.isoformat()


class Drills:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        persona = scope.persona_id
        self.persona = [ids.encode("Persona", persona)] if persona is not None else None

    def _with_persona(self, found: Filter, field: str) -> Filter:
        if self.persona is not None:
            found[field] = self.persona
        return found

    # ---- leads -------------------------------------------------------------

    def qualified(self, by: str | None = None) -> Filter:
        s = self.scope
        found: Filter = {"qualifiedFrom": _at(s.opens), "qualifiedTo": _at(s.closes)}
        if by is not None:
            found["qualifiedBy"] = [by]
        return self._with_persona(found, "qualifiedPersonaIds")

    def delivered(self, manually: bool) -> Filter:
        s = self.scope
        found: Filter = {
            "deliveredFrom": _at(s.opens),
            "deliveredTo": _at(s.closes),
            "deliveredManually": manually,
        }
        return self._with_persona(found, "deliveredPersonaIds")

    def handed(self, **extra: Any) -> Filter:
        """Leads handed to sales in the period however they qualified (the
        model report's population), narrowed by ``extra``."""
        s = self.scope
        found: Filter = {
            "deliveredFrom": _at(s.opens),
            "deliveredTo": _at(s.closes),
            **extra,
        }
        return self._with_persona(found, "deliveredPersonaIds")

    def funnel(self, stage: str) -> Filter:
        found: Filter = {"stages": [stage], "stageAt": _at(self.scope.closes)}
        return self._with_persona(found, "personaIds")

    def entered(self, stage: str, advanced: bool | None = None) -> Filter:
        s = self.scope
        found: Filter = {
            "enteredStage": stage,
            "enteredFrom": _at(s.opens),
            "enteredTo": _at(s.closes),
        }
        if advanced is not None:
            found["advanced"] = advanced
        return self._with_persona(found, "personaIds")

    # ---- handoffs (one row per chain) -------------------------------------

    def chains(self, **extra: Any) -> Filter:
        s = self.scope
        found: Filter = {
            "latestInChain": True,
            "chainStartedFrom": _at(s.opens),
            "chainStartedTo": _at(s.closes),
            **extra,
        }
        return self._with_persona(found, "chainPersonaIds")

    def untouched(self) -> Filter:
        return self.chains(touched=False, chainOutcomes=["PENDING", "ACCEPTED"])

    def accept_clock(self, *statuses: str) -> Filter:
        s = self.scope
        found: Filter = {
            "latestInChain": True,
            "dueFrom": _at(s.opens),
            "dueTo": _at(s.due_until),
            "acceptStatus": list(statuses),
        }
        return self._with_persona(found, "chainPersonaIds")

    def touch_clock(self, *statuses: str) -> Filter:
        s = self.scope
        found: Filter = {
            "latestInChain": True,
            "firstTouchDueFrom": _at(s.opens),
            "firstTouchDueTo": _at(s.due_until),
            "firstTouchStatus": list(statuses),
        }
        return self._with_persona(found, "chainPersonaIds")

    def attempts(self, met: bool | None = None) -> Filter:
        s = self.scope
        found: Filter = {
            "latestInChain": True,
            "touchWindowEndsFrom": _at(s.opens),
            "touchWindowEndsTo": _at(s.due_until),
            "chainOutcomes": ["ACCEPTED"],
        }
        if met is not None:
            found["touchAttemptsMet"] = met
        return self._with_persona(found, "chainPersonaIds")
