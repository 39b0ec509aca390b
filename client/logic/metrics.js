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

// ---- the goal planner --------------------------------------------------------

export const PLAN_STEPS = {
  revenue: { label: 'Revenue target', divisor: null },
  deals: { label: 'Deals won', divisor: 'average deal size' },
  sqls: { label: 'Sales-qualified leads (SQL)', divisor: 'SQL → won' },
  sals: { label: 'Sales-accepted leads (SAL)', divisor: 'SAL → SQL' },
  mqls: { label: 'Marketing-qualified leads (MQL)', divisor: 'MQL → SAL' },
};

const DECIMAL = /^\d+(\.\d+)?$/;

/** The planner form's values as a `GoalPlanInput`, or the problems by field.
 *  Rates are typed as percentages (25 for 0.25); a blank rate or deal size
 *  is left out, so the server uses the one observed over the look-back. */
export function planInput(values) {
  const errors = {};
  const input = {};
  const revenue = String(values.revenue ?? '').trim().replaceAll(',', '');
  if (!DECIMAL.test(revenue) || Number(revenue) <= 0) errors.revenue = 'Give a revenue target above zero.';
  else input.revenue = revenue;
  const months = Number(values.months);
  if (!Number.isInteger(months) || months < 1 || months > 120) errors.months = 'Plan over 1 to 120 months.';
  else input.months = months;
  const lookBack = Number(values.lookBackDays || 180);
  if (!Number.isInteger(lookBack) || lookBack < 1 || lookBack > 3660) errors.lookBackDays = 'Look back 1 to 3660 days.';
  else input.lookBackDays = lookBack;
  const deal = String(values.averageDealSize ?? '').trim().replaceAll(',', '');
  if (deal) {
    if (!DECIMAL.test(deal) || Number(deal) <= 0) errors.averageDealSize = 'Give a deal size above zero, or leave it blank.';
    else input.averageDealSize = deal;
  }
  for (const name of ['mqlToSal', 'salToSql', 'sqlToWon']) {
    const text = String(values[name] ?? '').trim();
    if (!text) continue;
    const share = Number(text);
    if (!DECIMAL.test(text) || share <= 0 || share > 100) {
      errors[name] = 'A percentage above 0 and up to 100, or blank for the observed one.';
    } else {
      input[name] = String(Number((share / 100).toFixed(6)));
    }
  }
  return { input, errors };
}

/** Whole numbers with thousands separators (1,000,000). */
export function count(value) {
  return Number(value).toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** Each step of a plan with what it was divided by, as the screen shows it. */
export function planRows(plan) {
  const by = {
    deals: plan.averageDealSize, sqls: plan.sqlToWon, sals: plan.salToSql, mqls: plan.mqlToSal,
  };
  return plan.steps.map((step) => {
    const info = PLAN_STEPS[step.name] ?? { label: step.name, divisor: null };
    const divisor = by[step.name];
    let how = '';
    if (step.name === 'deals') how = `÷ ${count(divisor)} average deal size`;
    else if (info.divisor) how = `÷ ${percent(Number(divisor))} ${info.divisor}`;
    return { name: step.name, label: info.label, how, value: step.value, exact: step.exact };
  });
}

// ---- the model simulator -----------------------------------------------------

/** The simulator's comparison rows: the draft beside the model in force. */
export function verdictRows(simulation) {
  const draft = simulation.draft;
  const current = simulation.inForce;
  const show = (v, f) => (v ? f(v) : '—');
  return [
    ['Would qualify now', draft.qualifyNow, show(current, (v) => v.qualifyNow)],
    ['Precision (qualified that sales accepted or won)', percent(draft.precision), show(current, (v) => percent(v.precision))],
    ['Recall (accepted or won leads it qualifies)', percent(draft.recall), show(current, (v) => percent(v.recall))],
    ['Qualified, accepted or won', draft.truePositives, show(current, (v) => v.truePositives)],
    ['Qualified, only rejected', draft.falsePositives, show(current, (v) => v.falsePositives)],
    ['Not qualified, yet accepted or won', draft.falseNegatives, show(current, (v) => v.falseNegatives)],
  ];
}
