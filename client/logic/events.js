// Pure logic for notifications: where a link leads inside the client.

/** A notification's or e-mail's link (`/#/leads/…`, an absolute URL under our
 *  public address, or a bare `#/…`) as the client path to open, or null when it
 *  leads elsewhere. */
export function notificationPath(link, origin = '') {
  let text = String(link ?? '').trim();
  if (origin && text.startsWith(origin)) text = text.slice(origin.length);
  const m = /^\/?#(\/[^#]*)$/.exec(text);
  if (!m) return null;
  const path = m[1];
  return path.startsWith('//') ? null : path;
}

/** The unread count as the bell shows it: "99+" above 99, nothing at 0. */
export function unreadBadge(count) {
  if (!count || count < 0) return '';
  return count > 99 ? '99+' : String(count);
}

// ---- webhooks ------------------------------------------------------------------

/** The event kinds a webhook may hear (the server's EventKind), by family. */
export const EVENT_KIND_GROUPS = [
  ['Leads', ['LEAD_CREATED', 'LEAD_UPDATED', 'LEAD_QUALIFIED', 'LEAD_STAGE_CHANGED',
    'LEAD_MERGED', 'LEAD_ERASED']],
  ['Handoffs', ['HANDOFF_CREATED', 'HANDOFF_ACCEPTED', 'HANDOFF_REJECTED',
    'HANDOFF_REASSIGNED', 'HANDOFF_WITHDRAWN', 'HANDOFF_ESCALATED', 'FOLLOW_UP_RECORDED',
    'SLA_AT_RISK', 'SLA_BREACHED']],
  ['Agreements', ['AGREEMENT_PROPOSED', 'AGREEMENT_SIGNED', 'AGREEMENT_REJECTED',
    'AGREEMENT_ACTIVATED', 'AGREEMENT_RETIRED']],
  ['Content and meetings', ['CONTENT_REQUEST_CHANGED', 'MEETING_COMPLETED', 'ACTION_ITEM_OVERDUE']],
];

export const EVENT_KINDS = EVENT_KIND_GROUPS.flatMap(([, kinds]) => kinds);

/** "HANDOFF_CREATED" as "Handoff created", "SLA_AT_RISK" as "SLA at risk". */
export function eventKindLabel(kind) {
  const words = String(kind ?? '').toLowerCase().split('_').filter(Boolean);
  if (!words.length) return '';
  const text = words.map((w) => (w === 'sla' ? 'SLA' : w)).join(' ').replace('follow up', 'follow-up');
  return text[0].toUpperCase() + text.slice(1);
}

/** The createWebhook / updateWebhook input from the form's values. */
export function webhookInput(values) {
  return {
    url: String(values.url ?? '').trim(),
    events: (values.events ?? []).filter((k) => EVENT_KINDS.includes(k)),
  };
}

/** Problems the form can tell before asking the server (it checks again). */
export function webhookProblems(input) {
  const fields = {};
  if (!input.url) fields.url = ['Give the receiver’s URL.'];
  else if (!/^https?:\/\/[^\s/?#]+/i.test(input.url)) {
    fields.url = ['Give an absolute http:// or https:// URL.'];
  }
  if (!input.events.length) fields.events = ['Choose at least one event kind.'];
  return fields;
}

/** How a delivery stands, in words, with the status class it is shown with. */
export function deliveryState(delivery) {
  const { status, attempts } = delivery;
  if (status === 'SUCCEEDED') {
    return { text: attempts > 1 ? `Delivered after ${attempts} attempts` : 'Delivered', tone: 'ok' };
  }
  if (status === 'FAILED') return { text: `Gave up after ${attempts} attempts`, tone: 'bad' };
  if (!attempts) return { text: 'Waiting to be sent', tone: 'wait' };
  return { text: `Retrying (attempt ${attempts} failed)`, tone: 'warn' };
}

/** "412 ms" or "3.2 s". */
export function formatDuration(ms) {
  if (ms === null || ms === undefined) return '—';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A summary of the kinds a webhook hears: all of them, or the first few. */
export function eventsSummary(events, shown = 3) {
  if (events.length === EVENT_KINDS.length) return 'All events';
  const names = events.slice(0, shown).map(eventKindLabel);
  const more = events.length - names.length;
  return more > 0 ? `${names.join(', ')} and ${more} more` : names.join(', ');
}
