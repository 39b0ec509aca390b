// The dashboard (SPEC §4): goals with pace, the funnel and conversion, both
// sides of the SLA with breaches, time to first touch, rejection reasons and the
// review flag, for a period and persona held in the URL. Every number links to
// the list of the records behind it.

import { formValues, html, region, render } from '../../dom.js';
import { formatMoney } from '../../logic.js';
import {
  PACE_LABELS, PERIODS, STAGE_LABELS, drillHref, funnelBars, hours, lastDay, percent,
  periodFor, reasonLabel,
} from '../../logic/metrics.js';
import { DASHBOARD, PERSONAS_IN_FORCE } from '../../operations/metrics.js';
import { inputField, selectField } from '../core/fields.js';

export function mount(root, app, { query }) {
  const tz = app.viewer.timezone;
  const preset = PERIODS.some((p) => p.value === query.period) ? query.period : 'quarter';
  const period = periodFor(preset, new Date(), tz, query);
  render(root, html`<div class="page dashboard">
    <h1>Dashboard</h1>
    <form class="card filters" role="search" aria-label="Period and persona">
      ${selectField('dashboard', { name: 'period', label: 'Period', value: preset, options: PERIODS.map((p) => [p.value, p.label]) })}
      ${inputField('dashboard', { name: 'from', label: 'From', type: 'date', value: period.from })}
      ${inputField('dashboard', { name: 'to', label: 'Until (excluded)', type: 'date', value: period.to })}
      <div data-region="personas">${personaSelect([], query.persona)}</div>
      <div class="actions"><button type="submit" class="primary">Show</button></div>
    </form>
    <div data-region="figures" aria-live="polite"><p class="muted">Loading the figures…</p></div>
  </div>`);
  const form = root.querySelector('form');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = formValues(form);
    const custom = values.period === 'custom';
    app.navigate('/dashboard', {
      period: values.period,
      from: custom ? values.from : '',
      to: custom ? values.to : '',
      persona: values.persona,
    });
  });
  form.elements.period.addEventListener('change', () => {
    if (form.elements.period.value === 'custom') return;
    const chosen = periodFor(form.elements.period.value, new Date(), tz);
    form.elements.from.value = chosen.from;
    form.elements.to.value = chosen.to;
  });
  load(root, app, period, query.persona || null);
  return {};
}

async function load(root, app, period, persona) {
  try {
    const [data, personas] = await Promise.all([
      app.request(DASHBOARD, { period, personaId: persona }),
      app.request(PERSONAS_IN_FORCE),
    ]);
    render(region(root, 'personas'), personaSelect(personas.personas.edges.map((e) => e.node), persona));
    render(region(root, 'figures'), figures(data.dashboard, period, app));
  } catch (error) {
    if (error.handled) return;
    render(region(root, 'figures'), html`<p class="notice error" role="alert">The figures could not be loaded: ${error.message}</p>`);
  }
}

function personaSelect(personas, chosen) {
  const options = [['', 'Every persona'], ...personas
    .filter((p) => p.status === 'ACTIVE' || p.id === chosen)
    .map((p) => [p.id, p.title])];
  return selectField('dashboard', { name: 'persona', label: 'Persona', value: chosen ?? '', options });
}

/** A number that opens the records behind it. */
function figure(f, text = f.count) {
  const href = drillHref(f);
  const what = f.leads ? 'leads' : 'handoffs';
  return href ? html`<a class="figure" href="${href}" title="List these ${what}">${text}</a>` : html`${text}`;
}

function figures(d, period, app) {
  return html`
    <p class="muted">From ${period.from} to ${lastDay(period.to)} inclusive, dates in ${d.period.timezone}.</p>
    ${d.reviewOverdue ? html`<p class="notice error review" role="status"><strong>Lead review overdue.</strong>
      The last one (or the SLA's start) was ${app.time(d.reviewCadence.countedFrom)};
      the SLA asks for one every ${d.reviewCadence.cadenceDays} days.</p>` : ''}
    <section aria-labelledby="goals-title"><h2 id="goals-title">Goals</h2>${goals(d.goals)}</section>
    <section aria-labelledby="sla-title"><h2 id="sla-title">Service-level agreement</h2>
      <div class="sides">${marketing(d.slaCompliance.marketing)}${sales(d.slaCompliance)}</div></section>
    <section aria-labelledby="funnel-title"><h2 id="funnel-title">Funnel and conversion</h2>
      <div class="sides">${funnelChart(d.funnel)}${conversionTable(d.conversion)}</div></section>
    <section aria-labelledby="handoffs-title"><h2 id="handoffs-title">Handoffs</h2>
      <div class="sides">${handoffCard(d)}${reasons(d.rejectionReasons)}</div></section>`;
}

// Decimals arrive as strings ("2.799E+5", "6.900000"): shown as people write them.
const AMOUNT = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 });
function amount(value) {
  const n = Number(value);
  return value === null || value === undefined || Number.isNaN(n) ? String(value ?? '—') : AMOUNT.format(n);
}

function goals(list) {
  if (!list.length) return html`<p class="muted">No goal is in force.</p>`;
  return html`<ul class="goals">${list.map((g) => {
    const p = g.progress;
    const unit = g.goal?.terms?.unit ?? '';
    return html`<li class="card goal">
      <h3>${g.goal?.title ?? g.metric}</h3>
      <p>${p.currentMoney
    ? html`<strong>${formatMoney(p.currentMoney)}</strong> of ${formatMoney(p.targetMoney)}`
    : html`<strong>${amount(p.current)}</strong> of ${amount(p.target)} ${unit}`}
        <span class="status pace-${p.status.toLowerCase()}">${PACE_LABELS[p.status]}</span>
        ${p.ended ? html`<span class="muted">(ended)</span>` : ''}</p>
      ${paceBar(p)}
      <p class="muted small">${percent(p.ratio)} reached; ${percent(p.expectedRatio)} of the period elapsed.</p>
    </li>`;
  })}</ul>`;
}

/** Progress against the elapsed time: a bar and a mark where the pace is. */
function paceBar(p) {
  const done = Math.min(100, p.ratio * 100).toFixed(1);
  const pace = Math.min(100, p.expectedRatio * 100).toFixed(1);
  return html`<svg class="pace-bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img"
    aria-label="${percent(p.ratio)} reached, ${percent(p.expectedRatio)} of the time elapsed">
    <rect class="track" x="0" y="2" width="100" height="6" rx="3"></rect>
    <rect class="done" x="0" y="2" width="${done}" height="6" rx="3"></rect>
    <rect class="mark" x="${pace}" y="0" width="0.8" height="10"></rect>
  </svg>`;
}

function marketing(m) {
  return html`<div class="card side"><h3>Marketing delivered</h3>
    <p class="big">${figure(m.delivered)} <span class="muted">of ${amount(m.committed)} committed</span></p>
    <p>${percent(m.ratio)} of the commitment (qualified automatically, not withdrawn).</p></div>`;
}

function sales(c) {
  const s = c.sales;
  return html`<div class="card side"><h3>Sales on time</h3>
    <dl class="figures">
      <dt>First touch on time</dt><dd>${figure(s.met)} of ${figure(s.due)} (${percent(s.ratio)})</dd>
      <dt>Decided on time</dt><dd>${figure(s.acceptOnTime)} of ${figure(s.acceptDue)} (${percent(s.acceptOnTimeRatio)})</dd>
      <dt>Touch attempts met</dt><dd>${figure(s.touchAttemptsMet)} of ${figure(s.touchAttemptsDue)} (${percent(s.touchAttemptsMetRatio)})</dd>
      <dt>Breaches</dt><dd>${c.breaches.total}: ${figure(c.breaches.accept)} to decide, ${figure(c.breaches.firstTouch)} to touch</dd>
    </dl></div>`;
}

function funnelChart(stages) {
  const bars = funnelBars(stages);
  const row = 22;
  const width = 320;
  return html`<figure class="card side chart">
    <figcaption id="funnel-caption">Leads per stage at the end of the period</figcaption>
    <svg viewBox="0 0 ${width + 150} ${bars.length * row}" role="img" aria-labelledby="funnel-caption" focusable="false">
      ${bars.map((b, i) => html`<g transform="translate(0 ${i * row})">
        <text x="110" y="15" text-anchor="end" class="axis">${STAGE_LABELS[b.stage]}</text>
        <rect x="118" y="3" height="${row - 6}" width="${(b.share * width).toFixed(1)}" class="bar-fill"></rect>
        <text x="${(124 + b.share * width).toFixed(1)}" y="15" class="value">${b.count}</text>
      </g>`)}
    </svg>
    <details><summary>Table view</summary>
      <table><thead><tr><th scope="col">Stage</th><th scope="col">Leads</th></tr></thead>
      <tbody>${stages.map((s) => html`<tr><th scope="row">${STAGE_LABELS[s.stage]}</th><td>${figure(s)}</td></tr>`)}</tbody></table>
    </details>
  </figure>`;
}

function conversionTable(steps) {
  return html`<div class="card side table-wrap"><table>
    <caption>Of the leads entering a stage in the period, those that went on</caption>
    <thead><tr><th scope="col">Stage</th><th scope="col">Entered</th><th scope="col">Went on</th><th scope="col">Rate</th></tr></thead>
    <tbody>${steps.map((s) => html`<tr>
      <th scope="row">${STAGE_LABELS[s.stage]} → ${STAGE_LABELS[s.nextStage]}</th>
      <td>${figure(s.entered)}</td><td>${figure(s.advanced)}</td><td>${percent(s.rate)}</td></tr>`)}</tbody>
  </table></div>`;
}

function handoffCard(d) {
  const t = d.timeToFirstTouch;
  const by = Object.fromEntries(d.qualifiedLeads.byQualifiedBy.map((g) => [g.qualifiedBy, g]));
  return html`<div class="card side"><dl class="figures">
    <dt>Qualified leads</dt><dd>${figure(d.qualifiedLeads)} (${figure(by.ACTIVITY)} by activity, ${figure(by.MODEL_CHANGE)} by model change, ${figure(by.MANUAL)} by hand)</dd>
    <dt>Delivered by hand or override</dt><dd>${figure(d.deliveredManual)}</dd>
    <dt>Handoffs</dt><dd>${figure(d.handoffs)}</dd>
    <dt>Accepted</dt><dd>${figure(d.accepted)} (${figure(d.autoAccepted)} automatically)</dd>
    <dt>Rejected</dt><dd>${figure(d.rejected)}</dd>
    <dt>Acceptance rate</dt><dd>${percent(d.acceptanceRate)}</dd>
    <dt>Time to first touch</dt><dd>median ${hours(t.medianHours)} (${hours(t.medianBusinessHours)} business), 90 % within ${hours(t.p90Hours)}; ${figure(t.untouched)} untouched</dd>
  </dl></div>`;
}

function reasons(list) {
  if (!list.length) return html`<div class="card side"><h3>Rejection reasons</h3><p class="muted">No rejection in the period.</p></div>`;
  return html`<div class="card side table-wrap"><table>
    <caption>Rejection reasons</caption>
    <thead><tr><th scope="col">Reason</th><th scope="col">Handoffs</th></tr></thead>
    <tbody>${list.map((r) => html`<tr><th scope="row">${reasonLabel(r.reason)}</th><td>${figure(r)}</td></tr>`)}</tbody>
  </table></div>`;
}
