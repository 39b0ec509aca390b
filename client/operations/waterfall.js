// GraphQL documents of handoffs, follow-ups and the queue.

import { HANDOFF_FIELDS } from './leads.js';

const USER_ERRORS = 'userErrors { field message code }';
const PAGE_INFO = 'totalCount pageInfo { hasNextPage hasPreviousPage endCursor }';

const QUEUE_HANDOFF = `
fragment QueueHandoff on Handoff {
  ...HandoffFields
  lead { id fullName email company jobTitle stage score grade }
}${HANDOFF_FIELDS}`;

/** A sales user's queue: pending handoffs soonest deadline first, and the ones
 *  decided lately (one request). */
export const MY_QUEUE = `query MyQueue($first: Int, $after: String, $me: [ID!], $since: DateTime) {
  myQueue(first: $first, after: $after) { ${PAGE_INFO} edges { node { ...QueueHandoff } } }
  recent: handoffs(first: 20, filter: {assigneeIds: $me, status: [ACCEPTED, REJECTED, REASSIGNED, WITHDRAWN], createdFrom: $since}, orderBy: {field: CREATED_AT, direction: DESC}) {
    edges { node { ...QueueHandoff } }
  }
}${QUEUE_HANDOFF}`;

/** A sales manager's view: the team's pending handoffs, the team to reassign
 *  to, and what was decided lately (one request). */
export const TEAM_QUEUE = `query TeamQueue($first: Int, $after: String, $since: DateTime) {
  myQueue: handoffs(first: $first, after: $after, filter: {status: [PENDING]}, orderBy: {field: DUE, direction: ASC}) {
    ${PAGE_INFO} edges { node { ...QueueHandoff } }
  }
  recent: handoffs(first: 20, filter: {status: [ACCEPTED, REJECTED, REASSIGNED, WITHDRAWN], createdFrom: $since}, orderBy: {field: CREATED_AT, direction: DESC}) {
    edges { node { ...QueueHandoff } }
  }
  users(first: 100, filter: {active: true, team: [SALES]}) {
    edges { node { id name role acceptsLeads outOfOffice } }
  }
}${QUEUE_HANDOFF}`;

export const HANDOFF_PAGE = `query HandoffPage($id: ID!) {
  node(id: $id) { ... on Handoff { id lead { id } } }
}`;

export const HANDOFF_LEAD_MUTATION = `mutation HandoffLead($input: HandoffLeadInput!) {
  handoffLead(input: $input) { handoff { ...HandoffFields lead { id fullName } } ${USER_ERRORS} }
}${HANDOFF_FIELDS}`;

export const ACCEPT_HANDOFF = `mutation AcceptHandoff($input: AcceptHandoffInput!) {
  acceptHandoff(input: $input) { handoff { ...HandoffFields } ${USER_ERRORS} }
}${HANDOFF_FIELDS}`;

export const REJECT_HANDOFF = `mutation RejectHandoff($input: RejectHandoffInput!) {
  rejectHandoff(input: $input) { handoff { ...HandoffFields } ${USER_ERRORS} }
}${HANDOFF_FIELDS}`;

export const REASSIGN_HANDOFF = `mutation ReassignHandoff($input: ReassignHandoffInput!) {
  reassignHandoff(input: $input) { handoff { ...HandoffFields lead { id fullName } } ${USER_ERRORS} }
}${HANDOFF_FIELDS}`;

export const RECORD_FOLLOW_UP = `mutation RecordFollowUp($input: RecordFollowUpInput!) {
  recordFollowUp(input: $input) { followUp { id } ${USER_ERRORS} }
}`;

/** The handoffs list (the dashboard's drill-down): a page of handoffs with
 *  their lead, and the people and personas to name the filter's ids. */
export const HANDOFF_LIST = `query HandoffList(
  $first: Int, $after: String, $filter: HandoffFilter, $orderBy: HandoffOrder
) {
  handoffs(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    ${PAGE_INFO} edges { node { ...HandoffFields lead { id fullName company stage } } }
  }
}${HANDOFF_FIELDS}`;

export const HANDOFF_LIST_NAMES = `query HandoffListNames {
  personas(first: 100) { edges { node { id name } } }
  users(first: 100) { edges { node { id name } } }
}`;
