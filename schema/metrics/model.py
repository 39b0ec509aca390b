"""The qualification model's report and simulator (SPEC §2.2):
`qualificationModelReport(period)` and `simulateQualificationModel(terms)`."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.agreements.inputs import QualificationModelTermsInput, as_mapping
from schema.context import Info
from schema.core.errors import UserError, user_errors
from schema.core.periods import PeriodInput
from schema.core.permissions import require
from schema.leads.types import LeadGrade
from schema.metrics.queries import leads
from schema.metrics.types import CountFigure, ReportPeriod, as_float
from server.domain.core.errors import UserErrors
from server.domain.metrics.model_report import Band, Outcomes
from server.services.core import ids
from server.services.metrics import model_report, request, simulation
from server.services.metrics.drill import Drills, Filter
from server.services.metrics.scope import Scope

# Static cost of each field beyond 1 point (`schema.core.limits`): a
# simulation scores every lead twice, a report groups every lead handed off.
FIELD_COSTS = {
    "Query.simulateQualificationModel": 20_000,
    "Query.qualificationModelReport": 200,
}


@strawberry.type(
    description="Leads handed to sales in a group and what became of them; "
    "each count opens onto its leads."
)
class ModelReportRow:
    leads: CountFigure
    accepted: CountFigure = strawberry.field(
        description="Leads with a handoff of the period accepted."
    )
    rejected: CountFigure = strawberry.field(
        description="Leads with a handoff of the period rejected."
    )
    won: CountFigure = strawberry.field(description="Leads now WON.")
    acceptance_rate: float | None = strawberry.field(
        description="accepted ÷ (accepted + rejected); null without decisions."
    )
    win_rate: float | None = strawberry.field(description="won ÷ leads.")


@strawberry.type(description="Scores from `scoreMin` to `scoreMax`, both included.")
class ScoreBandRow(ModelReportRow):
    label: str
    score_min: int | None
    score_max: int | None


@strawberry.type
class GradeRow(ModelReportRow):
    grade: LeadGrade


@strawberry.type(
    description="Acceptance and win rates of the leads handed to sales in the "
    "period, by their current score band and grade."
)
class QualificationModelReport:
    period: ReportPeriod
    persona_id: strawberry.ID | None
    total: ModelReportRow
    by_band: list[ScoreBandRow]
    by_grade: list[GradeRow]
    ungraded: int = strawberry.field(
        description="Leads never scored (no grade): in the total and the bands only."
    )


@strawberry.type(description="One model's verdicts on every lead, now.")
class ModelVerdicts:
    qualify_now: int = strawberry.field(
        description="Leads whose score meets the definition now."
    )
    true_positives: int = strawberry.field(
        description="Would qualify, and were accepted or won."
    )
    false_positives: int = strawberry.field(
        description="Would qualify, and were only rejected."
    )
    false_negatives: int = strawberry.field(
        description="Would not qualify, yet were accepted or won."
    )
    true_negatives: int
    precision: float | None
    recall: float | None


@strawberry.type
class QualificationModelSimulation:
    at: datetime
    leads: int = strawberry.field(description="Leads scored.")
    with_outcome: int = strawberry.field(
        description="Leads accepted, won or rejected: what precision and recall read."
    )
    good_leads: int = strawberry.field(description="Of those, accepted or won.")
    draft: ModelVerdicts
    in_force: ModelVerdicts | None = strawberry.field(
        description="The model in force, the same way (null without one)."
    )
    in_force_revision: int | None


@strawberry.type
class SimulateQualificationModelResult:
    simulation: QualificationModelSimulation | None
    user_errors: list[UserError] = strawberry.field(
        description="INVALID_INPUT for terms that do not read; LIMIT_EXCEEDED "
        "while another simulation of yours runs."
    )


def _row(found: Outcomes, drill: Filter, drills: Drills) -> dict[str, object]:
    def figure(n: int, **extra: object) -> CountFigure:
        return leads(n, drills.handed(**drill, **extra))

    return {
        "leads": figure(found.leads),
        "accepted": figure(found.accepted, deliveredDecision="ACCEPTED"),
        "rejected": figure(found.rejected, deliveredDecision="REJECTED"),
        "won": figure(found.won, stages=["WON"]),
        "acceptance_rate": as_float(found.acceptance_rate),
        "win_rate": as_float(found.win_rate),
    }


def _band_drill(band: Band) -> Filter:
    drill: Filter = {}
    if band.score_min is not None:
        drill["scoreMin"] = band.score_min
    if band.score_max is not None:
        drill["scoreMax"] = band.score_max
    return drill


def report_type(found: model_report.ModelReport) -> QualificationModelReport:
    scope: Scope = found.scope
    drills = Drills(scope)
    return QualificationModelReport(
        period=ReportPeriod(
            from_=scope.opens, to=scope.closes, timezone=scope.zone.key
        ),
        persona_id=strawberry.ID(ids.encode("Persona", scope.persona_id))
        if scope.persona_id is not None
        else None,
        total=ModelReportRow(**_row(found.total, {}, drills)),  # type: ignore[arg-type]
        by_band=[
            ScoreBandRow(
                label=band.label,
                score_min=band.score_min,
                score_max=band.score_max,
                **_row(outcomes, _band_drill(band), drills),  # type: ignore[arg-type]
            )
            for band, outcomes in found.by_band
        ],
        by_grade=[
            GradeRow(
                grade=grade,
                **_row(outcomes, {"grades": [grade.value]}, drills),  # type: ignore[arg-type]
            )
            for grade, outcomes in found.by_grade
        ],
        ungraded=found.ungraded,
    )


def _verdicts(tally: simulation.Tally) -> ModelVerdicts:
    confusion = tally.confusion
    return ModelVerdicts(
        qualify_now=tally.qualify_now,
        true_positives=tally.tp,
        false_positives=tally.fp,
        false_negatives=tally.fn,
        true_negatives=tally.tn,
        precision=as_float(confusion.precision),
        recall=as_float(confusion.recall),
    )


@strawberry.type
class ModelQueries:
    @strawberry.field(
        description="Acceptance and win rates by score band and grade of the "
        "leads handed to sales in a half-open period (SPEC §2.2)."
    )
    async def qualification_model_report(
        self,
        info: Info,
        period: PeriodInput,
        persona_id: strawberry.ID | None = None,
        timezone: str | None = None,
    ) -> QualificationModelReport:
        require(info, "qualificationModelReport")
        zone = request.reporting_zone(
            timezone, info.context.settings.reporting_timezone
        )
        found = await model_report.model_report(
            request.period(period.from_, period.to, zone),
            request.persona(persona_id),
            zone,
        )
        return report_type(found)

    @strawberry.field(
        description="What draft model terms (or a model's pending draft) would "
        "do now: leads qualifying, and precision and recall against past "
        "accepts, rejects and wins, beside the model in force. One at a time "
        "per user; reads only."
    )
    async def simulate_qualification_model(
        self,
        info: Info,
        terms: QualificationModelTermsInput | None = None,
        qualification_model_id: strawberry.ID | None = None,
    ) -> SimulateQualificationModelResult:
        actor = require(info, "simulateQualificationModel")
        try:
            found = await simulation.simulate(
                actor,
                simulation.SimulationRequest(
                    terms=as_mapping(terms) if terms is not None else None,
                    qualification_model_id=str(qualification_model_id)
                    if qualification_model_id is not None
                    else None,
                ),
            )
        except UserErrors as refused:
            return SimulateQualificationModelResult(
                simulation=None, user_errors=user_errors(refused.errors)
            )
        return SimulateQualificationModelResult(
            simulation=QualificationModelSimulation(
                at=found.at,
                leads=found.leads,
                with_outcome=found.with_outcome,
                good_leads=found.good,
                draft=_verdicts(found.draft),
                in_force=_verdicts(found.in_force) if found.in_force else None,
                in_force_revision=found.in_force_revision,
            ),
            user_errors=[],
        )
