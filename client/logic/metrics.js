// Pure logic of the dashboard: period presets, the drill-down link of a figure,
// number formats and the funnel chart's geometry. The clock is passed in.

const pad = (n) => String(n).padStart(2, '0');
const iso = (y, m, d) => {
  const date = new Date(Date.UTC(y, m, d));
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
};

/** The local date parts of an instant in a timezone. */
function localParts(now, timezone) {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone, year: 'numeric', month: 'numeric', day: 'numeric',
  }).formatToParts(now);
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  return { year: get('year'), month: get('month') - 1, day: get('day') };
}

export const PERIODS = [
  { value: 'this-month', label: 'This month' },
  { value: 'last-month', label: 'Last month' },
  { value: 'quarter', label: 'This quarter' },
  { value: 'custom', label: 'Custom' },
];

/** A preset's half-open period as ISO dates {from, to} (`to` excluded), read
 *  in `timezone`; 'custom' takes `from` and `to` as given. */
export function periodFor(preset, now, timezone, custom = {}) {
  const { year, month } = localParts(now, timezone);
  if (preset === 'last-month') return { from: iso(year, month - 1, 1), to: iso(year, month, 1) };
  if (preset === 'quarter') {
    const first = month - (month % 3);
    return { from: iso(year, first, 1), to: iso(year, first + 3, 1) };
  }
  if (preset === 'custom' && custom.from && custom.to) return { from: custom.from, to: custom.to };
  return { from: iso(year, month, 1), to: iso(year, month + 1, 1) };
}

/** The inclusive last day of a half-open period ending at `to` (an ISO date). */
export function lastDay(to) {
  const [y, m, d] = to.split('-').map(Number);
  return iso(y, m - 1, d - 1);
}

/** The screen and URL a figure's drill-down opens: the leads or handoffs list
 *  with the filter's fields as query parameters (lists comma-separated). */
export function drillHref(figure) {
  const filter = figure?.leads ?? figure?.handoffs;
  if (!filter) return null;
  const path = figure.leads ? '/leads' : '/handoffs';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) {
    params.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  return `#${path}?${params.toString()}`;
}

/** A share (0–1, or null) as a percentage, '—' when there is none. */
export function percent(ratio) {
  if (ratio === null || ratio === undefined) return '—';
  return `${(ratio * 100).toFixed(ratio >= 0.1 || ratio === 0 ? 0 : 1)} %`;
}

export function hours(value) {
  if (value === null || value === undefined) return '—';
  return `${value.toFixed(value >= 10 ? 0 : 1)} h`;
}

export const STAGE_LABELS = {
  NEW: 'New', NURTURING: 'Nurturing', MQL: 'MQL', SAL: 'SAL', SQL: 'SQL',
  OPPORTUNITY: 'Opportunity', WON: 'Won', LOST: 'Lost', RECYCLED: 'Recycled',
  DISQUALIFIED: 'Disqualified',
};

export const PACE_LABELS = {
  AHEAD: 'Ahead', ON_TRACK: 'On track', BEHIND: 'Behind', AT_RISK: 'At risk',
};

/** Horizontal bars for the funnel chart: each stage's width as a share of the
 *  largest count (a bar of a non-zero count is at least 1 % wide). */
export function funnelBars(stages) {
  const top = Math.max(1, ...stages.map((s) => s.count));
  return stages.map((s) => ({
    ...s,
    share: s.count === 0 ? 0 : Math.max(0.01, s.count / top),
  }));
}

/** Sentence-case reason names (NOT_A_FIT → Not a fit). */
export function reasonLabel(reason) {
  const text = reason.toLowerCase().replaceAll('_', ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
