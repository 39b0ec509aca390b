// The GraphQL documents of the agreements screens. Each names its operation
// first (api.js sends that name); fragments follow it.

const USER_ERRORS = 'userErrors { field message code }';

const TERMS = `
fragment TermsFields on AgreementTerms {
  __typename
  ... on GoalTerms {
    title kind description metric direction target unit periodStart periodEnd
  }
  ... on PersonaTerms {
    name summary industries companySizeMin companySizeMax regions jobTitles seniorities
    painPoints buyingTriggers objections channels
  }
  ... on QualificationModelTerms {
    fitRules { field operator values points label }
    engagementRules { activityKind points maxPoints halfLifeDays }
    mqlThreshold minFitScore handRaiseKinds handRaiseWindowDays
  }
  ... on ServiceLevelAgreementTerms {
    qualifiedLeadsPerMonth acceptWithinHours firstTouchWithinHours minTouchAttempts
    touchWindowDays acceptTimeoutAction routing reviewCadenceDays effectiveFrom effectiveUntil
    businessCalendar { timezone workingDays dayStart dayEnd holidays }
  }
}`;

const SIGN_OFF_FIELDS = `
fragment SignOffFields on SignOff {
  team role action signedAt contentHash roleGrantedAt voidedAt voidReason
  user { id name }
  roleGrantedBy { id name }
}`;

// What a list row shows: state, the revision in force, who signed what is pending.
const SUMMARY = `
fragment AgreementSummary on Agreement {
  id kind title status pending revision version contentHash proposedAt activatedAt
  retiredAt updatedAt
  proposedBy { id name }
  signOffs { team voidedAt signedAt user { id name } }
  lastRejection { reason rejectedAt rejectedBy { id name } }
}`;

const FIELDS = `
fragment AgreementFields on Agreement {
  id kind title status pending revision version contentHash proposedAt activatedAt
  retiredAt createdAt updatedAt
  proposedBy { id name }
  createdBy { id name }
  lastRejection { reason rejectedAt rejectedBy { id name } }
  terms { ...TermsFields }
  pendingTerms { ...TermsFields }
  signOffs { ...SignOffFields }
  signOffHistory { ...SignOffFields }
  revisions {
    number contentHash activatedAt supersededAt
    terms { ...TermsFields }
    signOffs { ...SignOffFields }
  }
  ... on Persona {
    evidence { source note addedAt addedBy { id name } }
  }
  ... on Goal {
    progress {
      current target ratio expectedRatio status ended measuredAt
      currentMoney { amount currency } targetMoney { amount currency }
    }
  }
}${TERMS}${SIGN_OFF_FIELDS}`;

export const AGREEMENT_LIST = `query AgreementList($first: Int, $after: String, $filter: AgreementFilter) {
  agreements(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { node { ...AgreementSummary } }
  }
}${SUMMARY}`;

export const AGREEMENT = `query Agreement($id: ID!) {
  node(id: $id) { __typename ...AgreementFields }
}${FIELDS}`;

// Personas in force, for fit rules on the persona field.
export const PERSONA_CHOICES = `query PersonaChoices {
  personas(first: 100, filter: {status: [ACTIVE, DRAFT]}) {
    edges { node { id name status } }
  }
}`;

const PAYLOAD = (field) => `${field} { ...AgreementFields } ${USER_ERRORS}`;

export const CREATE = {
  GOAL: `mutation CreateGoal($input: CreateGoalInput!) {
    createGoal(input: $input) { ${PAYLOAD('goal')} } }${FIELDS}`,
  PERSONA: `mutation CreatePersona($input: CreatePersonaInput!) {
    createPersona(input: $input) { ${PAYLOAD('persona')} } }${FIELDS}`,
  QUALIFICATION_MODEL: `mutation CreateQualificationModel($input: CreateQualificationModelInput!) {
    createQualificationModel(input: $input) { ${PAYLOAD('qualificationModel')} } }${FIELDS}`,
  SERVICE_LEVEL_AGREEMENT: `mutation CreateServiceLevelAgreement($input: CreateServiceLevelAgreementInput!) {
    createServiceLevelAgreement(input: $input) { ${PAYLOAD('serviceLevelAgreement')} } }${FIELDS}`,
};

export const UPDATE = {
  GOAL: `mutation UpdateGoal($input: UpdateGoalInput!) {
    updateGoal(input: $input) { ${PAYLOAD('goal')} } }${FIELDS}`,
  PERSONA: `mutation UpdatePersona($input: UpdatePersonaInput!) {
    updatePersona(input: $input) { ${PAYLOAD('persona')} } }${FIELDS}`,
  QUALIFICATION_MODEL: `mutation UpdateQualificationModel($input: UpdateQualificationModelInput!) {
    updateQualificationModel(input: $input) { ${PAYLOAD('qualificationModel')} } }${FIELDS}`,
  SERVICE_LEVEL_AGREEMENT: `mutation UpdateServiceLevelAgreement($input: UpdateServiceLevelAgreementInput!) {
    updateServiceLevelAgreement(input: $input) { ${PAYLOAD('serviceLevelAgreement')} } }${FIELDS}`,
};

const shared = (name, field, inputType) => `mutation ${name}($input: ${inputType}!) {
  ${field}(input: $input) { ${PAYLOAD('agreement')} } }${FIELDS}`;

export const PROPOSE = shared('ProposeAgreement', 'proposeAgreement', 'ProposeAgreementInput');
export const PROPOSE_RETIREMENT = shared('ProposeRetirement', 'proposeRetirement', 'ProposeRetirementInput');
export const SIGN_OFF = shared('SignOff', 'signOff', 'SignOffInput');
export const REJECT = shared('RejectProposal', 'rejectProposal', 'RejectProposalInput');
export const WITHDRAW = shared('WithdrawSignOff', 'withdrawSignOff', 'WithdrawSignOffInput');
export const DISCARD = shared('DiscardDraft', 'discardDraft', 'DiscardDraftInput');

export const ADD_EVIDENCE = `mutation AddPersonaEvidence($input: AddPersonaEvidenceInput!) {
  addPersonaEvidence(input: $input) { ${PAYLOAD('agreement')} } }${FIELDS}`;
