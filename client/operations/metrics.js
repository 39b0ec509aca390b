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
