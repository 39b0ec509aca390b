"""Qualification cycles: when a lead becomes qualified, and when it stops being so.

SPEC §2.2: a cycle starts when a lead is created and whenever it enters
``NURTURING`` or ``RECYCLED``; entering clears ``qualified``. Within a cycle
qualification is sticky: once qualified (``qualifiedAt``, ``qualifiedUnder`` the
model revision, ``qualifiedBy``) no later score, decay included, takes it away.
A re-entered cycle qualifies only on activities that occurred after it began
(its engagement state starts empty with ``counts_after`` = the cycle's start;
activities exactly at that instant do not count). The cycle that begins with
the lead's creation counts every activity, also those that occurred before the
lead reached Accord (history pushed by an integration).

Callers:
- after rescoring on an arriving activity or a change of the lead's fields, call
  `apply_score` with ``Trigger.ACTIVITY`` (ingestion is marketing's work); after
  a new model revision came into force, with ``Trigger.MODEL_CHANGE``;
- with no model in force, pass ``score=None``: stored scores stay frozen and
  nothing qualifies automatically, while `qualify_manually` still works;
- on a move into ``NURTURING`` or ``RECYCLED`` (`starts_cycle`), replace the
  cycle with `begin_cycle` and the engagement with
  ``empty_engagement(cycle.counts_after)``.
- ``qualifiedAt`` is the instant of the decision (``now``), not of the activity.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from server.domain.leads.scoring import Score

CYCLE_STAGES = frozenset({"NURTURING", "RECYCLED"})


class Trigger(StrEnum):
    """What caused a rescoring that may qualify a lead."""

    ACTIVITY = "ACTIVITY"
    MODEL_CHANGE = "MODEL_CHANGE"


class QualifiedBy(StrEnum):
    ACTIVITY = "ACTIVITY"
    MODEL_CHANGE = "MODEL_CHANGE"
    MANUAL = "MANUAL"


@dataclass(frozen=True)
class Qualification:
    """``under`` is the model revision in force (None for a manual
    qualification with no model in force)."""

    at: datetime
    under: int | None
    by: QualifiedBy


@dataclass(frozen=True)
class Cycle:
    """A lead's current qualification cycle.

    ``counts_after`` is None for the cycle begun at creation, else the start.
    """

    started_at: datetime
    counts_after: datetime | None
    qualification: Qualification | None = None

    @property
    def qualified(self) -> bool:
        return self.qualification is not None


@dataclass(frozen=True)
class Step:
    """The cycle after a decision, and whether the decision qualified the lead."""

    cycle: Cycle
    promoted: bool


def begin_lead(created_at: datetime) -> Cycle:
    """The cycle of a new lead: every activity counts."""
    return Cycle(started_at=created_at, counts_after=None)


def starts_cycle(from_stage: str, to_stage: str) -> bool:
    """Whether a stage move begins a new cycle (staying put does not)."""
    return to_stage in CYCLE_STAGES and from_stage != to_stage


def begin_cycle(at: datetime) -> Cycle:
    """The cycle a lead enters at ``at`` by moving into NURTURING or RECYCLED:
    not qualified, counting only activities after ``at``."""
    return Cycle(started_at=at, counts_after=at)


def apply_score(
    cycle: Cycle, score: Score | None, trigger: Trigger, now: datetime
) -> Step:
    """Qualify the lead if the score meets the definition and it is not
    qualified yet in this cycle; never unqualify it."""
    if score is not None and score.counts_after != cycle.counts_after:
        raise ValueError("the score counted another cycle's activities")
    if score is None or cycle.qualified or not score.qualifies:
        return Step(cycle, promoted=False)
    qualification = Qualification(now, score.model_revision, QualifiedBy(trigger))
    return Step(replace(cycle, qualification=qualification), promoted=True)


def qualify_manually(cycle: Cycle, revision: int | None, now: datetime) -> Step:
    """A marketing manager qualifies the lead by hand (``qualifiedBy: MANUAL``);
    a lead already qualified in this cycle keeps its qualification."""
    if cycle.qualified:
        return Step(cycle, promoted=False)
    qualification = Qualification(now, revision, QualifiedBy.MANUAL)
    return Step(replace(cycle, qualification=qualification), promoted=True)
