// The dashboard's GraphQL documents.

const FIGURE = '{ count leads handoffs }';

export const DASHBOARD = `query Dashboard($period: PeriodInput!, $personaId: ID) {
  dashboard(period: $period, personaId: $personaId) {
    period { from to timezone }
    qualifiedLeads { count leads byQualifiedBy { qualifiedBy count leads } }
    delivered ${FIGURE} deliveredManual ${FIGURE} handoffs ${FIGURE}
    accepted ${FIGURE} rejected ${FIGURE} autoAccepted ${FIGURE} acceptanceRate
    rejectionReasons { reason count handoffs }
    timeToFirstTouch { medianHours p90Hours medianBusinessHours untouched ${FIGURE} }
    slaCompliance {
      marketing { committed delivered ${FIGURE} ratio }
      sales {
        due ${FIGURE} met ${FIGURE} breached ${FIGURE} ratio
        acceptDue ${FIGURE} acceptOnTime ${FIGURE} acceptOnTimeRatio
        touchAttemptsDue ${FIGURE} touchAttemptsMet ${FIGURE} touchAttemptsMetRatio
      }
      breaches { accept ${FIGURE} firstTouch ${FIGURE} total }
    }
    funnel { stage count leads }
    conversion { stage nextStage entered ${FIGURE} advanced ${FIGURE} rate }
    goals {
      metric goal { id title terms { unit periodStart periodEnd } }
      progress {
        current target ratio expectedRatio status ended
        currentMoney { amount currency } targetMoney { amount currency }
      }
    }
    reviewOverdue
    reviewCadence { cadenceDays lastReviewAt countedFrom }
  }
}`;

export const PERSONAS_IN_FORCE = `query PersonasInForce {
  personas(first: 100) { edges { node { id title status } } }
}`;

// ---- the goal planner, the model report and the simulator (under Agreements)

const PLAN_FIELDS = `steps { name divisor exact value }
    months qualifiedLeadsPerMonth mqlToSal salToSql sqlToWon averageDealSize
    observed { from to mqlToSal salToSql sqlToWon averageDealSize }`;

export const GOAL_PLAN = `query GoalPlan($input: GoalPlanInput!) {
  goalPlan(input: $input) { ${PLAN_FIELDS} }
}`;

export const APPLY_GOAL_PLAN = `mutation ApplyGoalPlan($input: ApplyGoalPlanInput!) {
  applyGoalPlan(input: $input) {
    serviceLevelAgreement { id title version pending pendingTerms { qualifiedLeadsPerMonth } }
    goalPlan { qualifiedLeadsPerMonth }
    userErrors { field message code }
  }
}`;

export const DRAFT_SLAS = `query DraftSlas {
  agreements(first: 100, filter: {kind: [SERVICE_LEVEL_AGREEMENT], pending: [DRAFT]}) {
    edges { node { id title status version revision
      ... on ServiceLevelAgreement {
        terms { qualifiedLeadsPerMonth effectiveFrom }
        pendingTerms { qualifiedLeadsPerMonth effectiveFrom }
      } } }
  }
}`;

const ROW = `leads { count leads } accepted { count leads } rejected { count leads }
      won { count leads } acceptanceRate winRate`;

export const MODEL_REPORT = `query ModelReport($period: PeriodInput!, $personaId: ID) {
  qualificationModelReport(period: $period, personaId: $personaId) {
    period { from to timezone }
    total { ${ROW} }
    byBand { label scoreMin scoreMax ${ROW} }
    byGrade { grade ${ROW} }
    ungraded
  }
}`;

export const MODELS = `query SimulatorModels {
  activeQualificationModel { id revision }
  agreements(first: 100, filter: {kind: [QUALIFICATION_MODEL], pending: [DRAFT, PROPOSED]}) {
    edges { node { id title status revision pending version } }
  }
}`;

const VERDICTS = `{ qualifyNow truePositives falsePositives falseNegatives trueNegatives
      precision recall }`;

export const SIMULATE = `query SimulateModel($terms: QualificationModelTermsInput, $id: ID) {
  simulateQualificationModel(terms: $terms, qualificationModelId: $id) {
    simulation {
      at leads withOutcome goodLeads inForceRevision
      draft ${VERDICTS}
      inForce ${VERDICTS}
    }
    userErrors { field message code }
  }
}`;
