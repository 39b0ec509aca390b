// The qualification model under Agreements (SPEC §2.2, §4): its report —
// acceptance and win rates of the leads handed to sales, by score band and
// grade, every count opening onto its leads — and the simulator: draft terms
// (typed here, or a model's pending draft) scored against every lead beside
// the model in force, with precision and recall against sales' decisions.

import { formValues, html, region, render } from '../../dom.js';
import { describeApiError, groupUserErrors, hashFor } from '../../logic.js';
import { draftKey, formModel, plainTerms } from '../../logic/agreements.js';
import {
  PERIODS, drillHref, lastDay, percent, periodFor, verdictRows,
} from '../../logic/metrics.js';
import { AGREEMENT, PERSONA_CHOICES } from '../../operations/agreements.js';
import { MODEL_REPORT, MODELS, SIMULATE } from '../../operations/metrics.js';
import { mountEditor } from '../agreements/editor.js';
import { inputField, selectField } from '../core/fields.js';

const KIND = 'QUALIFICATION_MODEL';

export function mount(root, app, { query }) {
  const tz = app.viewer.timezone;
  const preset = PERIODS.some((p) => p.value === query.period) ? query.period : 'quarter';
  const period = periodFor(preset, new Date(), tz, query);
  render(root, html`<div class="page model-screen">
    <p class="breadcrumb"><a href="${hashFor('/agreements')}">← All agreements</a></p>
    <h1>Qualification model: report and simulator</h1>
    <p class="subtitle">How the leads handed to sales fared by score band and grade, and what
      draft terms would do to every lead now, beside the model in force.</p>
    <section class="card" aria-labelledby="report-title">
      <h2 id="report-title">Model report</h2>
      <form class="filters" role="search" aria-label="Report period">
        ${selectField('report', { name: 'period', label: 'Period', value: preset, options: PERIODS.map((p) => [p.value, p.label]) })}
        ${inputField('report', { name: 'from', label: 'From', type: 'date', value: period.from })}
        ${inputField('report', { name: 'to', label: 'Until (excluded)', type: 'date', value: period.to })}
        <div class="actions"><button type="submit" class="primary">Show</button></div>
      </form>
      <div data-region="report" aria-live="polite"><p class="loading">Loading the report…</p></div>
    </section>
    <section class="card" aria-labelledby="simulator-title">
      <h2 id="simulator-title">Simulator</h2>
      <div data-region="source"><p class="loading">Loading the models…</p></div>
      <div data-region="result" aria-live="polite"></div>
      <div data-region="editor"></div>
    </section>
  </div>`);
  const own = root.firstElementChild;
  const view = { app, own, drafts: [], inForce: null, personas: [], editor: null };
  const form = own.querySelector('form');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = formValues(form);
    const custom = values.period === 'custom';
    app.navigate('/agreements/model', {
      period: values.period, from: custom ? values.from : '', to: custom ? values.to : '',
    });
  });
  form.elements.period.addEventListener('change', () => {
    if (form.elements.period.value === 'custom') return;
    const chosen = periodFor(form.elements.period.value, new Date(), tz);
    form.elements.from.value = chosen.from;
    form.elements.to.value = chosen.to;
  });
  own.addEventListener('change', (event) => {
    if (event.target.name === 'source') showSource(view, event.target.value);
  });
  own.addEventListener('click', (event) => {
    const button = event.target.closest('[data-action="simulate-draft"]');
    if (button) simulate(view, { id: region(own, 'source').querySelector('select').value });
  });
  loadReport(view, period);
  loadModels(view);
  return {};
}

// ---- the report ---------------------------------------------------------------

async function loadReport(view, period) {
  const slot = region(view.own, 'report');
  try {
    const { qualificationModelReport: r } = await view.app.request(MODEL_REPORT, { period });
    render(slot, reportPart(r, period));
  } catch (error) {
    if (!error.handled) render(slot, html`<p class="notice error" role="alert">The report could not be loaded: ${describeApiError(error)}</p>`);
  }
}

function figure(f) {
  const href = drillHref(f);
  return href ? html`<a class="figure" href="${href}" title="List these leads">${f.count}</a>` : html`${f.count}`;
}

function reportRows(rows, head) {
  return rows.map((row) => html`<tr>
    <th scope="row">${head(row)}</th>
    <td class="num">${figure(row.leads)}</td><td class="num">${figure(row.accepted)}</td>
    <td class="num">${figure(row.rejected)}</td><td class="num">${figure(row.won)}</td>
    <td class="num">${percent(row.acceptanceRate)}</td><td class="num">${percent(row.winRate)}</td>
  </tr>`);
}

function reportTable(caption, first, rows, head, total) {
  return html`<div class="table-wrap"><table class="model-report">
    <caption>${caption}</caption>
    <thead><tr><th scope="col">${first}</th><th scope="col" class="num">Handed off</th>
      <th scope="col" class="num">Accepted</th><th scope="col" class="num">Rejected</th>
      <th scope="col" class="num">Won</th><th scope="col" class="num">Acceptance rate</th>
      <th scope="col" class="num">Win rate</th></tr></thead>
    <tbody>${reportRows(rows, head)}</tbody>
    <tfoot>${reportRows([total], () => 'All')}</tfoot>
  </table></div>`;
}

function reportPart(r, period) {
  if (!r.total.leads.count) {
    return html`<p class="empty">No lead was handed to sales from ${period.from} to ${lastDay(period.to)}.</p>`;
  }
  return html`<p class="muted small">Leads handed to sales from ${period.from} to ${lastDay(period.to)} inclusive
    (${r.period.timezone}), placed by their current score and grade. Acceptance rate: accepted ÷ decided;
    win rate: won ÷ handed off.</p>
    ${reportTable('By score band', 'Score', r.byBand.filter((b) => b.leads.count || b.scoreMin !== null), (b) => b.label, r.total)}
    ${reportTable('By grade', 'Grade', r.byGrade, (g) => g.grade, r.total)}
    ${r.ungraded ? html`<p class="muted small">${r.ungraded} lead${r.ungraded === 1 ? '' : 's'} never scored (no grade) count in the bands only.</p>` : ''}`;
}

// ---- the simulator ------------------------------------------------------------

async function loadModels(view) {
  const slot = region(view.own, 'source');
  try {
    const [models, personas] = await Promise.all([
      view.app.request(MODELS),
      view.app.request(PERSONA_CHOICES),
    ]);
    view.drafts = models.agreements.edges.map((e) => e.node);
    view.personas = personas.personas.edges.map((e) => e.node);
    const active = models.activeQualificationModel;
    if (active) {
      const { node } = await view.app.request(AGREEMENT, { id: active.id });
      view.inForce = node;
    }
    const options = [['edit', view.inForce ? 'Edit terms, starting from the model in force' : 'Edit terms'],
      ...view.drafts.map((d) => [d.id, `The pending draft of “${d.title}”${d.revision ? ` (after revision ${d.revision})` : ''}`])];
    render(slot, html`
      <p class="muted small">${view.inForce ? `Beside the model in force (revision ${view.inForce.revision}).` : 'No model is in force: the draft is shown alone.'}</p>
      ${selectField('simulate', { name: 'source', label: 'Terms to try', value: 'edit', options })}
      <div data-region="draft-action"></div>`);
    showSource(view, 'edit');
  } catch (error) {
    if (!error.handled) render(slot, html`<p class="notice error" role="alert">The models could not be loaded: ${describeApiError(error)}</p>`);
  }
}

function showSource(view, source) {
  const editorSlot = region(view.own, 'editor');
  const action = region(view.own, 'draft-action');
  render(region(view.own, 'result'), html``);
  if (source !== 'edit') {
    render(editorSlot, html``);
    render(action, html`<div class="actions"><button type="button" class="primary" data-action="simulate-draft">Simulate this draft</button></div>`);
    return;
  }
  render(action, html``);
  const tz = view.app.viewer.timezone;
  const start = view.inForce?.terms ? plainTerms(view.inForce.terms) : null;
  editorSlot.replaceWith(editorSlot.cloneNode(false)); // drop an earlier editor's listeners
  view.editor = mountEditor(region(view.own, 'editor'), {
    kind: KIND,
    model: formModel(KIND, start, tz),
    personas: view.personas,
    storageKey: draftKey(view.app.viewer.id, 'simulator'),
    timeZone: tz,
    submit: 'Simulate these terms',
    cancel: 'Start again from the model in force',
    onSubmit: (terms) => simulate(view, { terms }),
    onCancel: () => {
      view.editor.forget();
      showSource(view, 'edit');
    },
  });
}

async function simulate(view, variables) {
  const slot = region(view.own, 'result');
  render(slot, html`<p class="loading">Scoring every lead under both models…</p>`);
  try {
    const { simulateQualificationModel: result } = await view.app.request(SIMULATE, variables);
    if (result.userErrors.length) {
      if (variables.terms && view.editor) view.editor.showUserErrors(result.userErrors);
      const { fields, general } = groupUserErrors(result.userErrors, []);
      const messages = [...general, ...Object.values(fields).flat()];
      render(slot, html`<p class="notice error" role="alert">${messages.join(' ')}</p>`);
      return false;
    }
    render(slot, resultPart(view, result.simulation));
    return false; // the typed terms stay in the editor (and this browser)
  } catch (error) {
    if (!error.handled) render(slot, html`<p class="notice error" role="alert">The simulation failed: ${describeApiError(error)}</p>`);
    return false;
  }
}

function resultPart(view, s) {
  const current = s.inForce ? `In force (revision ${s.inForceRevision})` : 'In force';
  return html`<div class="table-wrap"><table class="simulation">
    <caption>Over ${s.leads} leads, ${s.withOutcome} with a decision (${s.goodLeads} accepted or won), at ${view.app.time(s.at)}</caption>
    <thead><tr><th scope="col">Measure</th><th scope="col" class="num">Draft</th>
      <th scope="col" class="num">${current}</th></tr></thead>
    <tbody>${verdictRows(s).map(([label, draft, inForce]) => html`<tr>
      <th scope="row">${label}</th><td class="num">${draft}</td><td class="num">${inForce}</td></tr>`)}</tbody>
  </table></div>`;
}
