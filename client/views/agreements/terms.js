// Terms on screen: each kind's terms as a readable list, the field-level diff as
// a table (added, removed, changed), and both side by side.

import { html } from '../../dom.js';
import { label } from '../../logic.js';
import { diffCounts, pathText, valueText } from '../../logic/agreements.js';

const WORDS = {
  INCREASE: 'Increase', DECREASE: 'Decrease', NOTIFY: 'Notify the managers',
  AUTO_ACCEPT: 'Accept automatically', REASSIGN: 'Reassign', ROUND_ROBIN: 'Round robin',
  LEAST_LOADED: 'Least loaded', EQ: 'is', IN: 'is one of', GTE: 'at least', LTE: 'at most',
  BETWEEN: 'between', CONTAINS: 'contains',
};

/** An enum value in words: NET_NEW_ACQUISITION → "Net new acquisition". */
export function words(value) {
  if (value === null || value === undefined) return '—';
  if (WORDS[value]) return WORDS[value];
  const known = label(value);
  if (known !== String(value)) return known;
  if (!/^[A-Z_]+$/.test(String(value))) return String(value);
  const text = String(value).toLowerCase().replaceAll('_', ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function list(values) {
  return values?.length ? values.join(', ') : html`<span class="muted">none</span>`;
}

function dash(value) {
  return value === null || value === undefined || value === '' ? html`<span class="muted">—</span>` : value;
}

/** The keys of a diff's top-level fields and of rules (`fitRules.Manager`). */
export function changedKeys(changes) {
  const keys = new Set();
  for (const c of changes) {
    keys.add(c.path[0]);
    if (c.path.length > 1) keys.add(`${c.path[0]}.${c.path[1]}`);
  }
  return keys;
}

function mark(keys, key) {
  return keys.has(key) ? 'changed' : '';
}

function rows(pairs, keys) {
  return html`<dl class="details terms">${pairs.map(([key, name, value]) => html`
    <dt class="${mark(keys, key)}">${name}</dt><dd class="${mark(keys, key)}">${value}</dd>`)}</dl>`;
}

/** A kind's terms as a list; fields in `keys` are highlighted as changed.
 *  `personas` maps persona IDs to names (fit rules on the persona field). */
export function termsView(kind, terms, { keys = new Set(), personas = {}, app } = {}) {
  if (!terms) return html`<p class="muted">None.</p>`;
  if (kind === 'GOAL') {
    return rows([
      ['title', 'Title', terms.title],
      ['kind', 'Kind', words(terms.kind)],
      ['description', 'Description', dash(terms.description)],
      ['metric', 'Metric', words(terms.metric)],
      ['direction', 'Direction', words(terms.direction)],
      ['target', 'Target', `${terms.target}${terms.unit ? ` ${terms.unit}` : ''}`],
      ['periodStart', 'Period', `${terms.periodStart} to ${terms.periodEnd}`],
    ], keys);
  }
  if (kind === 'PERSONA') {
    const size = terms.companySizeMin === null && terms.companySizeMax === null
      ? html`<span class="muted">any</span>`
      : `${terms.companySizeMin ?? 'any'} to ${terms.companySizeMax ?? 'any'} employees`;
    return rows([
      ['name', 'Name', terms.name],
      ['summary', 'Summary', dash(terms.summary)],
      ['industries', 'Industries', list(terms.industries)],
      ['companySizeMin', 'Company size', size],
      ['regions', 'Regions', list(terms.regions)],
      ['jobTitles', 'Job title keywords', list(terms.jobTitles)],
      ['seniorities', 'Seniorities', list(terms.seniorities)],
      ['painPoints', 'Pain points', list(terms.painPoints)],
      ['buyingTriggers', 'Buying triggers', list(terms.buyingTriggers)],
      ['objections', 'Objections', list(terms.objections)],
      ['channels', 'Channels', list(terms.channels)],
    ], keys);
  }
  if (kind === 'QUALIFICATION_MODEL') {
    const values = (rule) => (rule.field === 'persona'
      ? rule.values.map((id) => personas[id] ?? id)
      : rule.values).join(rule.operator === 'BETWEEN' ? ' and ' : ', ');
    return html`
      <h4 class="${mark(keys, 'fitRules')}">Fit rules</h4>
      ${terms.fitRules.length ? html`<div class="table-wrap"><table>
        <thead><tr><th scope="col">Label</th><th scope="col">Rule</th><th scope="col">Points</th></tr></thead>
        <tbody>${terms.fitRules.map((r) => html`<tr class="${mark(keys, `fitRules.${r.label}`)}">
          <th scope="row">${r.label}</th><td>${r.field} ${words(r.operator)} ${values(r)}</td><td>${r.points}</td></tr>`)}</tbody>
      </table></div>` : html`<p class="muted">No fit rules.</p>`}
      <h4 class="${mark(keys, 'engagementRules')}">Engagement rules</h4>
      ${terms.engagementRules.length ? html`<div class="table-wrap"><table>
        <thead><tr><th scope="col">Activity</th><th scope="col">Points</th><th scope="col">Cap</th><th scope="col">Half-life</th></tr></thead>
        <tbody>${terms.engagementRules.map((r) => html`<tr class="${mark(keys, `engagementRules.${r.activityKind}`)}">
          <th scope="row">${words(r.activityKind)}</th><td>${r.points}</td><td>${r.maxPoints}</td>
          <td>${r.halfLifeDays === null ? 'no decay' : `${r.halfLifeDays} days`}</td></tr>`)}</tbody>
      </table></div>` : html`<p class="muted">No engagement rules.</p>`}
      ${rows([
        ['mqlThreshold', 'MQL threshold', terms.mqlThreshold],
        ['minFitScore', 'Minimum fit score', dash(terms.minFitScore)],
        ['handRaiseKinds', 'Hand-raise kinds', list(terms.handRaiseKinds.map(words))],
        ['handRaiseWindowDays', 'Hand-raise window', `${terms.handRaiseWindowDays} days`],
      ], keys)}`;
  }
  const cal = terms.businessCalendar;
  const when = (iso) => (iso ? (app ? app.time(iso) : iso) : html`<span class="muted">open</span>`);
  return rows([
    ['qualifiedLeadsPerMonth', 'Qualified leads per month (marketing)', terms.qualifiedLeadsPerMonth],
    ['acceptWithinHours', 'Accept within (sales)', `${terms.acceptWithinHours} business hours`],
    ['firstTouchWithinHours', 'First touch within (sales)', `${terms.firstTouchWithinHours} business hours`],
    ['minTouchAttempts', 'Touch attempts (sales)', `${terms.minTouchAttempts} within ${terms.touchWindowDays} days`],
    ['acceptTimeoutAction', 'When acceptance times out', words(terms.acceptTimeoutAction)],
    ['routing', 'Routing', words(terms.routing)],
    ['businessCalendar', 'Business calendar', cal
      ? html`${cal.timezone}; ${cal.workingDays.map(words).join(', ')}; ${cal.dayStart}–${cal.dayEnd}
        <br><span class="small">Holidays: ${list(cal.holidays)}</span>`
      : 'round the clock'],
    ['reviewCadenceDays', 'Lead review every', `${terms.reviewCadenceDays} days`],
    ['effectiveFrom', 'Effective', html`from ${when(terms.effectiveFrom)} until ${when(terms.effectiveUntil)}`],
  ], keys);
}

const CHANGE_WORDS = { added: 'Added', removed: 'Removed', changed: 'Changed' };

/** The diff as a table: where, what happened, before and after. */
export function diffTable(changes, { caption, beforeName = 'In force', afterName = 'Pending' }) {
  if (!changes.length) return html`<p class="muted">No differences.</p>`;
  const counts = diffCounts(changes);
  return html`<p class="small muted">${counts.changed} changed, ${counts.added} added,
    ${counts.removed} removed.</p>
    <div class="table-wrap"><table class="cards diff">
    <caption class="visually-hidden">${caption}</caption>
    <thead><tr><th scope="col">Field</th><th scope="col">Change</th>
      <th scope="col">${beforeName}</th><th scope="col">${afterName}</th></tr></thead>
    <tbody>${changes.map((c) => html`<tr class="diff-${c.change}">
      <th scope="row" data-label="Field">${pathText(c.path) || 'Terms'}</th>
      <td data-label="Change"><span class="change ${c.change}">${CHANGE_WORDS[c.change]}</span></td>
      <td data-label="${beforeName}">${c.before === null ? html`<span class="muted">—</span>` : html`<del>${valueText(c.before)}</del>`}</td>
      <td data-label="${afterName}">${c.after === null ? html`<span class="muted">—</span>` : html`<ins>${valueText(c.after)}</ins>`}</td>
    </tr>`)}</tbody>
  </table></div>`;
}
