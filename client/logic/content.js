// Content requests, the pure part: columns, labels, what a viewer may do to a
// card and where a move takes it, filters <-> the URL, due-date highlights in
// the viewer's timezone, the create form's own checks. No DOM, no network, the
// clock passed in; tested with node (tests/client/content.test.mjs).

import { todayIn } from '../logic.js';

export const COLUMNS = [
  'SUBMITTED', 'ACCEPTED', 'IN_PROGRESS', 'IN_REVIEW', 'DELIVERED', 'DECLINED',
];
export const CLOSED = ['DELIVERED', 'DECLINED', 'CANCELLED'];
export const CONTENT_TYPES = [
  'BATTLECARD', 'CASE_STUDY', 'ONE_PAGER', 'EMAIL_TEMPLATE', 'PRESENTATION',
  'WHITEPAPER', 'VIDEO', 'OTHER',
];
export const PRIORITIES = ['URGENT', 'HIGH', 'MEDIUM', 'LOW'];
export const LEAD_STAGES = [
  'NEW', 'NURTURING', 'MQL', 'SAL', 'SQL', 'OPPORTUNITY', 'WON', 'LOST', 'RECYCLED',
  'DISQUALIFIED',
];
export const ORDERS = { DUE_DATE: 'Due date', PRIORITY: 'Priority', VOTES: 'Votes', CREATED: 'Newest' };
export const CARDS_PER_COLUMN = 50;
export const POLL_SECONDS = 15;

const WORDS = {
  SUBMITTED: 'Submitted', ACCEPTED: 'Accepted', DECLINED: 'Declined',
  IN_PROGRESS: 'In progress', IN_REVIEW: 'In review', DELIVERED: 'Delivered',
  CANCELLED: 'Cancelled',
  CASE_STUDY: 'Case study', BATTLECARD: 'Battlecard', ONE_PAGER: 'One-pager',
  EMAIL_TEMPLATE: 'E-mail template', PRESENTATION: 'Presentation',
  WHITEPAPER: 'Whitepaper', VIDEO: 'Video', OTHER: 'Other',
  LOW: 'Low', MEDIUM: 'Medium', HIGH: 'High', URGENT: 'Urgent',
  NEW: 'New', NURTURING: 'Nurturing', MQL: 'MQL', SAL: 'SAL', SQL: 'SQL',
  OPPORTUNITY: 'Opportunity', WON: 'Won', LOST: 'Lost', RECYCLED: 'Recycled',
  DISQUALIFIED: 'Disqualified',
};

/** A readable word for a content enum value. */
export function contentLabel(value) {
  return WORDS[value] ?? String(value ?? '');
}

// ---- what a viewer may do, and where it takes a card ------------------------

// The server answers `viewerActions` per card (SPEC §2.1 and the status
// machine); these are the ones that move a card, with where they take it and
// what they ask for first.
const MOVES = {
  ACCEPT: { to: 'ACCEPTED', label: 'Accept', needs: 'accept' },
  DECLINE: { to: 'DECLINED', label: 'Decline', needs: 'reason' },
  START: { to: 'IN_PROGRESS', label: 'Start work' },
  SUBMIT_FOR_REVIEW: { to: 'IN_REVIEW', label: 'Send to review' },
  REQUEST_CHANGES: { to: 'IN_PROGRESS', label: 'Request changes', needs: 'comment' },
  DELIVER: { to: 'DELIVERED', label: 'Deliver', needs: 'asset' },
  REOPEN: { to: null, label: 'Reopen', needs: 'comment' },
  CANCEL: { to: 'CANCELLED', label: 'Cancel request', needs: 'confirm' },
};

/** Where an action takes a request in `status` (reopening depends on why it closed). */
export function targetOf(action, status) {
  if (action === 'REOPEN') return status === 'DECLINED' ? 'SUBMITTED' : 'IN_PROGRESS';
  return MOVES[action]?.to ?? null;
}

/** The moves the viewer may make on a card: [{action, to, label, needs}]. */
export function movesFor(request) {
  return (request.viewerActions ?? [])
    .filter((action) => MOVES[action])
    .map((action) => ({ action, ...MOVES[action], to: targetOf(action, request.status) }));
}

/** The move that takes a card to a column, when the viewer may make one. */
export function moveTo(request, column) {
  return movesFor(request).find((m) => m.to === column) ?? null;
}

/** The move a key makes: Shift+ArrowRight the next column along the board,
 *  Shift+ArrowLeft the previous one (only moves the viewer may make). */
export function moveByKey(request, direction) {
  const here = COLUMNS.indexOf(request.status);
  const moves = movesFor(request).filter((m) => COLUMNS.includes(m.to));
  const ahead = moves
    .map((m) => ({ ...m, at: COLUMNS.indexOf(m.to) }))
    .filter((m) => (direction > 0 ? m.at > here : m.at < here))
    .sort((a, b) => (direction > 0 ? a.at - b.at : b.at - a.at));
  return ahead[0] ?? null;
}

export function may(request, action) {
  return (request.viewerActions ?? []).includes(action);
}

/** The card as it looks after a move, before the server answers (optimistic). */
export function moved(request, move) {
  return { ...request, status: move.to, viewerActions: [] };
}

// ---- due dates ----------------------------------------------------------------

const DAY_MS = 86400000;

function dayNumber(text) {
  return Date.UTC(+text.slice(0, 4), +text.slice(5, 7) - 1, +text.slice(8, 10)) / DAY_MS;
}

/** How a request stands against one date, today being the viewer's today:
 *  'overdue', 'this-week' (within 7 days), 'later', 'on-time', 'late' or ''. */
export function dueState(date, request, timeZone, now) {
  if (!date) return '';
  const due = dayNumber(date);
  if (request.status === 'DELIVERED' && request.deliveredAt) {
    const done = dayNumber(todayIn(timeZone, new Date(request.deliveredAt)));
    return done <= due ? 'on-time' : 'late';
  }
  if (CLOSED.includes(request.status) || request.status === 'CANCELLED') return '';
  const today = dayNumber(todayIn(timeZone, now));
  if (due < today) return 'overdue';
  return due < today + 7 ? 'this-week' : 'later';
}

/** The date a card shows first: committed once given, else requested. */
export function bindingDate(request) {
  return request.committedDueDate ?? request.requestedDueDate ?? null;
}

/** A card's highlight: the worse of its two dates. */
export function highlight(request, timeZone, now) {
  const states = [request.requestedDueDate, request.committedDueDate]
    .map((d) => dueState(d, request, timeZone, now));
  if (states.includes('overdue')) return 'overdue';
  if (states.includes('this-week')) return 'this-week';
  return '';
}

const DUE_WORDS = {
  overdue: 'overdue', 'this-week': 'due this week', later: '', 'on-time': 'on time',
  late: 'late',
};

export function dueWords(state) {
  return DUE_WORDS[state] ?? '';
}

/** `2026-12-04` as "Fri 4 Dec" (a calendar date: no timezone shift). */
export function formatDay(date, locale = 'en-GB') {
  if (!date) return '';
  return new Intl.DateTimeFormat(locale, {
    weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC',
  }).format(new Date(`${date}T00:00:00Z`));
}

// ---- filters <-> the URL ----------------------------------------------------------

const LIST_KEYS = ['type', 'persona', 'stage'];

/** The board's filter from the hash query (`?type=VIDEO&mine=requested&q=deck`). */
export function filterFromQuery(query = {}) {
  const pick = (key, allowed) => (allowed.includes(query[key]) ? query[key] : '');
  return {
    q: (query.q ?? '').slice(0, 200),
    type: pick('type', CONTENT_TYPES),
    persona: query.persona ?? '',
    stage: pick('stage', LEAD_STAGES),
    mine: pick('mine', ['requested', 'assigned']),
    overdue: query.overdue === '1' ? '1' : '',
    order: pick('order', Object.keys(ORDERS)) || 'DUE_DATE',
  };
}

/** The hash query for a filter (defaults left out, so links stay short). */
export function queryFromFilter(filter) {
  const query = {};
  for (const key of ['q', ...LIST_KEYS, 'mine', 'overdue']) {
    if (filter[key]) query[key] = filter[key];
  }
  if (filter.order && filter.order !== 'DUE_DATE') query.order = filter.order;
  return query;
}

/** The API's ContentRequestFilter for a board filter and the viewer. */
export function apiFilter(filter, viewer) {
  const api = {};
  if (filter.q?.trim()) api.text = filter.q.trim();
  if (filter.type) api.contentTypes = [filter.type];
  if (filter.persona) api.personaIds = [filter.persona];
  if (filter.stage) api.leadStages = [filter.stage];
  if (filter.mine === 'requested' && viewer) api.requesterIds = [viewer.id];
  if (filter.mine === 'assigned' && viewer) api.assigneeIds = [viewer.id];
  if (filter.overdue) api.overdue = true;
  return api;
}

/** Variables of the board query: the filter whole (for the counts) and field
 *  by field (each column adds its status to them). */
export function boardVariables(filter, viewer) {
  const api = apiFilter(filter, viewer);
  return {
    filter: api,
    text: api.text ?? null,
    contentTypes: api.contentTypes ?? null,
    personaIds: api.personaIds ?? null,
    leadStages: api.leadStages ?? null,
    requesterIds: api.requesterIds ?? null,
    assigneeIds: api.assigneeIds ?? null,
    overdue: api.overdue ?? null,
    orderBy: filter.order || 'DUE_DATE',
    first: CARDS_PER_COLUMN,
  };
}

/** The board's answer as columns: [{status, count, cards, more}]. */
export function boardColumns(data) {
  const counts = Object.fromEntries((data.counts ?? []).map((c) => [c.status, c.count]));
  return COLUMNS.map((status) => {
    const connection = data[status.toLowerCase()] ?? { edges: [], pageInfo: {} };
    return {
      status,
      count: counts[status] ?? 0,
      cards: connection.edges.map((e) => e.node),
      more: Boolean(connection.pageInfo?.hasNextPage),
    };
  });
}

/** How many requests were cancelled (shown beside the board, not as a column). */
export function cancelledCount(data) {
  return (data.counts ?? []).find((c) => c.status === 'CANCELLED')?.count ?? 0;
}

// ---- forms ----------------------------------------------------------------------

/** The create form's own checks before anything is sent: {field: [messages]}. */
export function checkNewRequest(values, today) {
  const fields = {};
  const add = (name, message) => (fields[name] ??= []).push(message);
  if (!values.title?.trim()) add('title', 'Give the request a title.');
  else if (values.title.trim().length > 200) add('title', 'Use at most 200 characters.');
  if (!CONTENT_TYPES.includes(values.contentType)) add('contentType', 'Choose a type.');
  if (values.requestedDueDate && values.requestedDueDate < today) {
    add('requestedDueDate', 'Pick today or a later day.');
  }
  if ((values.description ?? '').length > 5000) add('description', 'Use at most 5,000 characters.');
  return fields;
}

/** The requestContent input from the create form's values. */
export function newRequestInput(values, idempotencyKey) {
  return {
    title: values.title.trim(),
    contentType: values.contentType,
    priority: values.priority || 'MEDIUM',
    description: values.description?.trim() || null,
    personaId: values.personaId || null,
    leadStage: values.leadStage || null,
    requestedDueDate: values.requestedDueDate || null,
    idempotencyKey,
  };
}

/** Stars as text for a screen reader and a glance: "4 of 5". */
export function ratingWords(average, count) {
  if (!count) return 'Not rated yet';
  const shown = Math.round(average * 10) / 10;
  return `${shown} of 5 (${count} ${count === 1 ? 'rating' : 'ratings'})`;
}

/** Initials for an avatar: "Aylin Demir" -> "AD". */
export function initials(name) {
  return String(name ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0].toUpperCase())
    .join('');
}

/** What a history entry says: "Aylin Demir sent it to review". */
const HISTORY_WORDS = {
  REQUEST: 'asked for it', UPDATE: 'edited it', ACCEPT: 'accepted it',
  DECLINE: 'declined it', START: 'started work', SUBMIT_FOR_REVIEW: 'sent it to review',
  REQUEST_CHANGES: 'requested changes', DELIVER: 'delivered it', CANCEL: 'cancelled it',
  REOPEN: 'reopened it', RATE: 'rated the delivery',
};

export function historyWords(action) {
  return HISTORY_WORDS[action] ?? action.toLowerCase();
}
