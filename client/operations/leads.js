// GraphQL documents of the lead screens. Each names its operation first.

const USER_ERRORS = 'userErrors { field message code }';
const PAGE_INFO = 'totalCount pageInfo { hasNextPage hasPreviousPage endCursor }';

const LEAD_ROW = `
fragment LeadRow on Lead {
  id email fullName firstName lastName company jobTitle country stage stageEnteredAt
  score grade qualified isCustomer createdAt updatedAt
  persona { id name }
  owner { id name }
  handoffs { id status assignee { id name } }
}`;

export const LEADS = `query Leads(
  $first: Int, $after: String, $filter: LeadFilter, $orderBy: LeadOrder
) {
  leads(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    ${PAGE_INFO}
    edges { node { ...LeadRow } }
  }
}${LEAD_ROW}`;

/** The list screen's first render: the first page, the choices its filters
 *  offer (personas, owners) and the viewer's saved filters, in one request. */
export const LEAD_LIST_SCREEN = `query LeadListScreen(
  $first: Int, $after: String, $filter: LeadFilter, $orderBy: LeadOrder, $screen: String!
) {
  leads(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    ${PAGE_INFO}
    edges { node { ...LeadRow } }
  }
  personas(first: 100) { edges { node { id name status } } }
  users(first: 100, filter: {active: true, team: [SALES, MARKETING]}) {
    edges { node { id name team role acceptsLeads outOfOffice } }
  }
  savedFilters(screen: $screen) { id name filter createdAt }
}${LEAD_ROW}`;

export const HANDOFF_FIELDS = `
fragment HandoffFields on Handoff {
  id status handedOffAt note overrideReason reassignCause decidedAt chainStartedAt
  acceptDueAt acceptAtRiskAt firstTouchDueAt firstTouchAtRiskAt autoAccepted firstTouchAt
  touchAttempts acceptBusinessHours firstTouchBusinessHours
  acceptStatus firstTouchStatus slaStatus slaRevision
  rejection { reason comment disposition }
  fromUser { id name }
  assignee { id name }
  decidedBy { id name }
}`;

const LEAD_FIELDS = `
fragment LeadFields on Lead {
  id email erased firstName lastName fullName company companySize industry jobTitle seniority
  country source campaign isCustomer products doNotContact personaSetByHand
  stage stageEnteredAt score fitScore engagementScore rawScore grade scoredUnder scoredAt
  qualified qualifiedAt qualifiedUnder qualifiedBy amount amountMoney { amount currency } recurring version createdAt updatedAt
  scoreBreakdown { label kind points detail }
  persona { id name }
  owner { id name }
  externalIds { system id }
  stageHistory { from to at via reason actor { id name } }
  handoffs { ...HandoffFields }
  followUps { id channel outcome occurredAt recordedAt note user { id name } }
  feedback { id rating reasons comment updatedAt version user { id name }
    rejection { reason comment disposition } }
}${HANDOFF_FIELDS}`;

const ACTIVITY_PAGE = `${PAGE_INFO}
    edges { node { id kind occurredAt source metadata recordedAt imported } }`;

/** Everything the lead page shows, in one request: the lead, its first page of
 *  activities, and the choices its forms offer (sales people, personas). */
export const LEAD_PAGE = `query LeadPage($id: ID!, $activities: Int) {
  node(id: $id) {
    ... on Lead {
      ...LeadFields
      activities(first: $activities) { ${ACTIVITY_PAGE} }
    }
  }
  users(first: 100, filter: {active: true, team: [SALES]}) {
    edges { node { id name role acceptsLeads outOfOffice } }
  }
  personas(first: 100) { edges { node { id name status } } }
}${LEAD_FIELDS}`;

export const LEAD_ACTIVITIES = `query LeadActivities($id: ID!, $first: Int, $after: String) {
  node(id: $id) { ... on Lead { id activities(first: $first, after: $after) { ${ACTIVITY_PAGE} } } }
}`;

export const UPDATE_LEAD = `mutation UpdateLead($input: UpdateLeadInput!) {
  updateLead(input: $input) { lead { ...LeadFields } ${USER_ERRORS} }
}${LEAD_FIELDS}`;

/** The lead as it is now, for showing a conflict beside one's own edit. */
export const LEAD_NOW = `query LeadNow($id: ID!) {
  node(id: $id) { ... on Lead { ...LeadFields } }
}${LEAD_FIELDS}`;

export const MOVE_LEAD_STAGE = `mutation MoveLeadStage($input: MoveLeadStageInput!) {
  moveLeadStage(input: $input) { lead { ...LeadFields } ${USER_ERRORS} }
}${LEAD_FIELDS}`;

export const CLOSE_LEAD = `mutation CloseLead($input: CloseLeadInput!) {
  closeLead(input: $input) { lead { ...LeadFields } ${USER_ERRORS} }
}${LEAD_FIELDS}`;

export const SUBMIT_LEAD_FEEDBACK = `mutation SubmitLeadFeedback($input: SubmitLeadFeedbackInput!) {
  submitLeadFeedback(input: $input) { lead { ...LeadFields } ${USER_ERRORS} }
}${LEAD_FIELDS}`;

export const UPSERT_LEADS = `mutation UpsertLeads($input: UpsertLeadsInput!) {
  upsertLeads(input: $input) {
    results { index outcome created lead { id } ${USER_ERRORS} }
    summary { received created updated unchanged stale failed }
    ${USER_ERRORS}
  }
}`;

// ---- lead hygiene: duplicates, merge, erasure --------------------------------

const SIDE = 'id email fullName company jobTitle country stage score isCustomer version createdAt';

export const DUPLICATE_CANDIDATES = `query DuplicateCandidates($first: Int, $after: String) {
  duplicateLeadCandidates(first: $first, after: $after) {
    ${PAGE_INFO}
    edges { node { reasons survivor { ${SIDE} } duplicate { ${SIDE} } } }
  }
}`;

export const MERGE_LEADS = `mutation MergeLeads($input: MergeLeadsInput!) {
  mergeLeads(input: $input) { lead { id version } ${USER_ERRORS} }
}`;

export const ERASE_LEAD = `mutation EraseLead($input: EraseLeadInput!) {
  eraseLead(input: $input) { lead { id email erased } ${USER_ERRORS} }
}`;

export const LEAD_TO_ERASE = `query LeadToErase($id: ID!) {
  node(id: $id) { ... on Lead { id email fullName company erased } }
}`;
