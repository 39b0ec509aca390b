// The content board's GraphQL documents. Each names its operation first.

import { COLUMNS } from '../logic/content.js';

const ERRORS = 'userErrors { field message code }';

const CARD = `
fragment ContentCard on ContentRequest {
  id title contentType priority status votes commentCount viewerHasVoted viewerActions
  requestedDueDate committedDueDate deliveredAt rating version
  requester { id name } assignee { id name } persona { id title }
}`;

const DETAIL = `
fragment ContentDetail on ContentRequest {
  ...ContentCard
  description leadStage declineReason createdAt updatedAt
  requestedDueState committedDueState
  ratedBy { id name }
  voters { id name }
  comments { id body createdAt author { id name } }
  history { action from to comment at actor { id name } }
  deliverable { id title url contentType ratings { average count viewerRating } }
}`;

const columns = COLUMNS.map((status) => `
  ${status.toLowerCase()}: contentRequests(first: $first, orderBy: $orderBy,
    filter: {statuses: [${status}], text: $text, contentTypes: $contentTypes,
      personaIds: $personaIds, leadStages: $leadStages, requesterIds: $requesterIds,
      assigneeIds: $assigneeIds, overdue: $overdue}) {
    edges { node { ...ContentCard } }
    pageInfo { hasNextPage }
  }`).join('');

// One request for the whole board: the counts and the first cards of each column.
export const CONTENT_BOARD = `query ContentBoard($first: Int, $orderBy: ContentRequestOrder,
  $filter: ContentRequestFilter, $text: String, $contentTypes: [ContentType!],
  $personaIds: [ID!], $leadStages: [LeadStage!], $requesterIds: [ID!],
  $assigneeIds: [ID!], $overdue: Boolean) {
  counts: contentRequestCounts(filter: $filter) { status count }
  ${columns}
}${CARD}`;

export const CONTENT_REQUEST = `query ContentRequest($id: ID!) {
  node(id: $id) { ... on ContentRequest { ...ContentDetail } }
}${DETAIL}${CARD}`;

export const CONTENT_CHOICES = `query ContentChoices {
  personas(first: 50) { edges { node { id title } } }
  users(first: 100, filter: {team: [MARKETING], active: true}) {
    edges { node { id name role } }
  }
}`;

const mutation = (name, input, extra = '') => `mutation ${name}($input: ${input}!) {
  ${name[0].toLowerCase()}${name.slice(1)}(input: $input) {
    contentRequest { ...ContentDetail } ${extra} ${ERRORS}
  }
}${DETAIL}${CARD}`;

export const REQUEST_CONTENT = mutation('RequestContent', 'RequestContentInput');
export const UPDATE_CONTENT_REQUEST = mutation('UpdateContentRequest', 'UpdateContentRequestInput');
export const TRIAGE_CONTENT_REQUEST = mutation('TriageContentRequest', 'TriageContentRequestInput');
export const MOVE_CONTENT_REQUEST = mutation('MoveContentRequest', 'MoveContentRequestInput');
export const DELIVER_CONTENT_REQUEST = mutation(
  'DeliverContentRequest', 'DeliverContentRequestInput', 'asset { id }',
);
export const REOPEN_CONTENT_REQUEST = mutation('ReopenContentRequest', 'ReopenContentRequestInput');
export const CANCEL_CONTENT_REQUEST = mutation('CancelContentRequest', 'CancelContentRequestInput');
export const COMMENT_ON_CONTENT_REQUEST = mutation(
  'CommentOnContentRequest', 'CommentOnContentRequestInput', 'comment { id }',
);
export const VOTE_CONTENT_REQUEST = mutation('VoteContentRequest', 'VoteContentRequestInput');
export const RATE_CONTENT_REQUEST = mutation('RateContentRequest', 'RateContentRequestInput');

export const CONTENT_ASSETS = `query ContentAssets($first: Int, $after: String,
  $filter: ContentAssetFilter, $orderBy: ContentAssetOrder) {
  contentAssets(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { node {
      id title url contentType leadStages createdAt
      personas { id title }
      ratings { average count viewerRating }
    } }
  }
}`;

export const RATE_CONTENT_ASSET = `mutation RateContentAsset($input: RateContentAssetInput!) {
  rateContentAsset(input: $input) {
    asset { id ratings { average count viewerRating } }
    ${ERRORS}
  }
}`;
