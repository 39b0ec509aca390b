// Pure logic for handoffs and the queue: which clock runs, countdowns to the
// server's instants and the queue's order. The client never computes business
// time: it counts wall-clock time down to instants the server computed.

/** The clock a handoff is on: deciding (accept) while PENDING, then the first
 *  touch until one happens; null when neither runs. */
export function runningClock(handoff) {
  if (handoff.status === 'PENDING') {
    return { name: 'accept', label: 'Decide', atRiskAt: handoff.acceptAtRiskAt,
      dueAt: handoff.acceptDueAt, status: handoff.acceptStatus };
  }
  if (handoff.status === 'ACCEPTED' && !handoff.firstTouchAt && handoff.firstTouchDueAt) {
    return { name: 'firstTouch', label: 'First touch', atRiskAt: handoff.firstTouchAtRiskAt,
      dueAt: handoff.firstTouchDueAt, status: handoff.firstTouchStatus };
  }
  return null;
}

/** "2 d 4 h", "3 h 05 min", "12 min 09 s", "45 s" for a positive span in ms. */
export function formatSpan(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n) => String(n).padStart(2, '0');
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${two(m)} min`;
  if (m > 0) return `${m} min ${two(s)} s`;
  return `${s} s`;
}

/** Where a running clock stands at `now`: 'on-track' before its at-risk instant,
 *  'at-risk' before its due instant, 'overdue' after; with the words to show. */
export function countdown(clock, now) {
  if (!clock || !clock.dueAt) return { phase: 'none', text: 'No deadline' };
  const t = now.getTime();
  const due = Date.parse(clock.dueAt);
  const atRisk = clock.atRiskAt ? Date.parse(clock.atRiskAt) : null;
  if (t >= due) return { phase: 'overdue', text: `Overdue by ${formatSpan(t - due)}` };
  if (atRisk !== null && t < atRisk) {
    return { phase: 'on-track', text: `At risk in ${formatSpan(atRisk - t)}, due in ${formatSpan(due - t)}` };
  }
  return { phase: 'at-risk', text: `Due in ${formatSpan(due - t)}` };
}

function deadlineOf(handoff) {
  const clock = runningClock(handoff);
  const at = clock?.dueAt ? Date.parse(clock.dueAt) : Infinity;
  return Number.isNaN(at) ? Infinity : at;
}

/** Handoffs with the soonest running deadline first; those without one last. */
export function soonestFirst(handoffs) {
  return [...handoffs].sort((a, b) => deadlineOf(a) - deadlineOf(b)
    || String(a.handedOffAt).localeCompare(String(b.handedOffAt)));
}

/** A week back from `now`: how far "recently decided" reaches. */
export function recentSince(now, days = 7) {
  return new Date(now.getTime() - days * 86_400_000).toISOString();
}

/** Business hours used, as the server stored them ("3.5 business hours"). */
export function businessHours(value) {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  return `${Number.isInteger(n) ? n : n.toFixed(1)} business hour${n === 1 ? '' : 's'}`;
}

// ---- the handoffs list: `HandoffFilter` as the URL gives it ------------------

const HANDOFF_STATUSES = ['PENDING', 'ACCEPTED', 'REJECTED', 'REASSIGNED', 'WITHDRAWN'];
const CLOCK_STATUSES = ['NO_SLA', 'ON_TRACK', 'AT_RISK', 'MET', 'BREACHED'];
const REJECTIONS = ['NOT_A_FIT', 'WRONG_PERSONA', 'BAD_CONTACT_DATA', 'NO_BUDGET', 'NOT_READY',
  'EXISTING_CUSTOMER', 'DUPLICATE', 'COMPETITOR', 'OTHER'];

/** Every `HandoffFilter` field (schema/schema.graphql) with its type. */
export const HANDOFF_FILTER_FIELDS = {
  status: { type: HANDOFF_STATUSES, list: true, label: 'Status' },
  assigneeIds: { type: 'ID', list: true, label: 'Assignee' },
  acceptStatus: { type: CLOCK_STATUSES, list: true, label: 'Accept clock' },
  firstTouchStatus: { type: CLOCK_STATUSES, list: true, label: 'First-touch clock' },
  slaStatus: { type: CLOCK_STATUSES, list: true, label: 'SLA' },
  createdFrom: { type: 'DateTime', label: 'Handed off from' },
  createdTo: { type: 'DateTime', label: 'Handed off before' },
  dueFrom: { type: 'DateTime', label: 'Decision due from' },
  dueTo: { type: 'DateTime', label: 'Decision due before' },
  latestInChain: { type: 'Boolean', label: 'Only the latest handoff of each chain' },
  chainStartedFrom: { type: 'DateTime', label: 'Chain started from' },
  chainStartedTo: { type: 'DateTime', label: 'Chain started before' },
  chainPersonaIds: { type: 'ID', list: true, label: 'Persona when the chain began' },
  chainOutcomes: { type: ['PENDING', 'ACCEPTED', 'REJECTED', 'WITHDRAWN'], list: true, label: 'Chain outcome' },
  autoAccepted: { type: 'Boolean', label: 'Accepted automatically' },
  touched: { type: 'Boolean', label: 'First touch made' },
  rejectionReasons: { type: REJECTIONS, list: true, label: 'Rejection reason' },
  firstTouchDueFrom: { type: 'DateTime', label: 'First touch due from' },
  firstTouchDueTo: { type: 'DateTime', label: 'First touch due before' },
  touchWindowEndsFrom: { type: 'DateTime', label: 'Touch window ends from' },
  touchWindowEndsTo: { type: 'DateTime', label: 'Touch window ends before' },
  touchAttemptsMet: { type: 'Boolean', label: 'Touch attempts met' },
};

export const HANDOFF_ORDERS = {
  CREATED_AT_DESC: { field: 'CREATED_AT', direction: 'DESC', label: 'Newest first' },
  CREATED_AT_ASC: { field: 'CREATED_AT', direction: 'ASC', label: 'Oldest first' },
  DUE_ASC: { field: 'DUE', direction: 'ASC', label: 'Soonest deadline first' },
  DUE_DESC: { field: 'DUE', direction: 'DESC', label: 'Latest deadline first' },
};
