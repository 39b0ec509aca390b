// The meetings' pure logic: who may do what, the schedule form's input, the
// link of each agenda figure and record, and the words shown.

import { drillHref } from './metrics.js';

export const KINDS = ['LEAD_REVIEW', 'CONTENT_REVIEW'];
export const KIND_LABELS = { LEAD_REVIEW: 'Lead review', CONTENT_REVIEW: 'Content review' };

/** Managers schedule and complete meetings (admins take no part). */
export function mayRun(viewer) {
  return viewer?.role === 'MANAGER';
}

/** Notes, decisions, topics and action items: attendees and managers. */
export function mayEdit(viewer, meeting) {
  if (!viewer) return false;
  return mayRun(viewer) || meeting.attendees.some((a) => a.id === viewer.id);
}

/** An action item: attendees, managers and its owner. */
export function mayChangeItem(viewer, meeting, item) {
  return mayEdit(viewer, meeting) || item.owner?.id === viewer?.id;
}

/** Upcoming first (soonest first), then past (latest first), as the API sorts. */
export function splitMeetings(data) {
  const nodes = (connection) => connection?.edges.map((e) => e.node) ?? [];
  return { upcoming: nodes(data.upcoming), past: nodes(data.past) };
}

/** Open and overdue action items of a meeting, for the list's badges. */
export function itemCounts(meeting) {
  const open = meeting.actionItems.filter((i) => i.status === 'OPEN');
  return { open: open.length, overdue: open.filter((i) => i.overdue).length };
}

/** The link of an agenda figure: its leads or handoffs list, or the board. */
export function figureHref(figure) {
  if (figure.leads || figure.handoffs) return drillHref(figure);
  const filter = figure.contentRequests;
  if (!filter) return null;
  if (filter.overdue) return '#/content?overdue=1';
  if (filter.orderBy === 'VOTES') return '#/content?order=VOTES';
  return '#/content';
}

/** The page of a record an agenda item names. */
export function recordHref(record) {
  const id = encodeURIComponent(record.id);
  if (record.type === 'Lead') return `#/leads/${id}`;
  if (record.type === 'ContentRequest') return `#/content/${id}`;
  if (record.type === 'ContentAsset') return '#/content/assets';
  return null;
}

/** Text lines of a textarea: trimmed, blanks dropped. */
export function lines(text) {
  return String(text ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
}

/** The schedule form's values as ScheduleMeetingInput, or the problems with them
 *  (field → message) when the browser can see them already. */
export function scheduleInput(values, toInstant, timeZone) {
  const problems = {};
  if (!KINDS.includes(values.kind)) problems.kind = 'Choose a kind of review.';
  if (!values.title?.trim()) problems.title = 'Give a title.';
  const when = toInstant(values.scheduledFor, timeZone);
  if (!when) problems.scheduledFor = 'Pick a date and time.';
  const attendees = [].concat(values.attendeeIds ?? []).filter(Boolean);
  if (!attendees.length) problems.attendeeIds = 'Choose at least one attendee.';
  if (values.from && values.to && values.from >= values.to) {
    problems.reviewedPeriod = 'The period must end after it starts.';
  }
  if (Object.keys(problems).length) return { problems };
  const input = {
    kind: values.kind,
    title: values.title.trim(),
    scheduledFor: when,
    attendeeIds: attendees,
    timezone: timeZone,
    agendaTopics: lines(values.agendaTopics),
  };
  if (values.from && values.to) input.reviewedPeriod = { from: values.from, to: values.to };
  return { input };
}

/** The default reviewed period of a new review: the 30 days before today. */
export function defaultPeriod(today) {
  const [y, m, d] = today.split('-').map(Number);
  const start = new Date(Date.UTC(y, m - 1, d - 30));
  return { from: start.toISOString().slice(0, 10), to: today };
}

/** A period's dates as shown in its timezone; the last day is the one before `to`. */
export function periodWords(period) {
  const day = new Intl.DateTimeFormat('en-GB', {
    timeZone: period.timezone || 'UTC', day: 'numeric', month: 'short', year: 'numeric',
  });
  const last = new Date(new Date(period.to).getTime() - 1);
  return `${day.format(new Date(period.from))} – ${day.format(last)}`;
}
