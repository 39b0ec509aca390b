// The goal planner (SPEC §2.2, §4 under Agreements): a revenue target worked
// back to the MQLs marketing must deliver each month, every step shown, from
// rates given or those observed over a look-back; then written into a draft
// SLA's volume term in one click (after a confirmation).

import {
  clearErrors, confirmDialog, errorFields, formValues, html, region, render, setBusy, showErrors,
} from '../../dom.js';
import { describeApiError, groupUserErrors, hashFor, sentence } from '../../logic.js';
import { mayNegotiate } from '../../logic/agreements.js';
import { count, percent, planInput, planRows } from '../../logic/metrics.js';
import { APPLY_GOAL_PLAN, DRAFT_SLAS, GOAL_PLAN } from '../../operations/metrics.js';
import { formError, inputField, selectField, submitButton } from '../core/fields.js';

export function mount(root, app, { query }) {
  render(root, html`<div class="page planner">
    <p class="breadcrumb"><a href="${hashFor('/agreements')}">← All agreements</a></p>
    <h1>Goal planner</h1>
    <p class="subtitle">From a revenue target back to the qualified leads marketing must deliver
      each month: revenue ÷ average deal size = deals; ÷ SQL → won = SQLs; ÷ SAL → SQL = SALs;
      ÷ MQL → SAL = MQLs. Leave a rate or the deal size blank to use the one observed.</p>
    <form class="card plan-form" aria-label="Plan inputs" novalidate>
      <div class="grid">
        ${inputField('plan', { name: 'revenue', label: 'Revenue target', value: query.revenue ?? '1000000', required: true, hint: 'In the reporting currency.' })}
        ${inputField('plan', { name: 'months', label: 'Months to reach it', type: 'number', min: '1', value: query.months ?? '12', required: true })}
        ${inputField('plan', { name: 'averageDealSize', label: 'Average deal size', value: query.deal ?? '', hint: 'Blank: the average of the deals won over the look-back.' })}
        ${inputField('plan', { name: 'lookBackDays', label: 'Look-back (days)', type: 'number', min: '1', value: query.lookBack ?? '180', hint: 'How far back rates and deal size are observed.' })}
        ${inputField('plan', { name: 'mqlToSal', label: 'MQL → SAL (%)', value: query.mqlToSal ?? '', hint: 'Blank: observed.' })}
        ${inputField('plan', { name: 'salToSql', label: 'SAL → SQL (%)', value: query.salToSql ?? '', hint: 'Blank: observed.' })}
        ${inputField('plan', { name: 'sqlToWon', label: 'SQL → won (%)', value: query.sqlToWon ?? '', hint: 'Blank: observed.' })}
      </div>
      ${formError()}
      <div class="actions">${submitButton('Work out the plan')}</div>
    </form>
    <div data-region="plan" aria-live="polite"></div>
  </div>`);
  const own = root.firstElementChild;
  const view = { app, own, plan: null, input: null, slas: [] };
  const form = own.querySelector('form');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    work(view, form);
  });
  own.addEventListener('submit', (event) => {
    if (event.target.matches('form.apply-form')) {
      event.preventDefault();
      apply(view, event.target);
    }
  });
  work(view, form);
  return {};
}

async function work(view, form) {
  const { input, errors } = planInput(formValues(form));
  if (Object.keys(errors).length) {
    showErrors(form, { fields: Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, [v]])) });
    return;
  }
  clearErrors(form);
  setBusy(form, true);
  try {
    const negotiate = mayNegotiate(view.app.viewer);
    const [{ goalPlan }, slas] = await Promise.all([
      view.app.request(GOAL_PLAN, { input }),
      negotiate ? view.app.request(DRAFT_SLAS) : Promise.resolve(null),
    ]);
    view.plan = goalPlan;
    view.input = input;
    view.slas = slas ? slas.agreements.edges.map((e) => e.node) : [];
    render(region(view.own, 'plan'), planPart(view));
  } catch (error) {
    if (error.handled) return;
    // A plan that cannot be worked out (no data observed, a zero rate) comes
    // back as a top-level INVALID_INPUT whose message names the field.
    const message = describeApiError(error);
    const field = /^(\w+):/.exec(error.message ?? '')?.[1];
    const known = errorFields(form).includes(field);
    showErrors(form, known ? { fields: { [field]: [sentence(error.message.replace(/^\w+:\s*/, ''))] } } : { general: [message] });
    render(region(view.own, 'plan'), html``);
  } finally {
    setBusy(form, false);
  }
}

function planPart(view) {
  const plan = view.plan;
  const seen = plan.observed;
  return html`<section class="card" aria-labelledby="plan-title">
    <h2 id="plan-title">The plan: <span data-testid="per-month">${count(plan.qualifiedLeadsPerMonth)}</span> MQLs a month</h2>
    <div class="table-wrap"><table class="plan-steps">
      <caption class="visually-hidden">Each step of the reverse funnel</caption>
      <thead><tr><th scope="col">Step</th><th scope="col">Worked out as</th><th scope="col" class="num">Needed</th></tr></thead>
      <tbody>${planRows(plan).map((r) => html`<tr data-step="${r.name}">
        <th scope="row">${r.label}</th><td>${r.how || 'the target'}</td>
        <td class="num">${count(r.value)}</td></tr>`)}
        <tr class="total"><th scope="row">MQLs a month</th><td>÷ ${plan.months} month${plan.months === 1 ? '' : 's'}, rounded up</td>
          <td class="num">${count(plan.qualifiedLeadsPerMonth)}</td></tr>
      </tbody>
    </table></div>
    <p class="muted small">Observed from ${view.app.time(seen.from)} to ${view.app.time(seen.to)}:
      MQL → SAL ${percent(seen.mqlToSal)}, SAL → SQL ${percent(seen.salToSql)},
      SQL → won ${percent(seen.sqlToWon)}, average deal ${seen.averageDealSize ? count(seen.averageDealSize) : '—'}.</p>
  </section>
  ${applyPart(view)}`;
}

function applyPart(view) {
  if (!mayNegotiate(view.app.viewer)) {
    return html`<p class="muted">Managers of marketing or sales, and admins, apply a plan to a draft SLA.</p>`;
  }
  if (!view.slas.length) {
    return html`<section class="card"><h2>Apply to a draft SLA</h2>
      <p class="empty">No service-level agreement has a draft to apply the plan to.
        <a href="${hashFor('/agreements/new/sla')}">Draft a new SLA</a>, or edit the one in force to start a draft.</p></section>`;
  }
  const options = view.slas.map((s) => [s.id, `${s.title} — ${s.revision ? `draft of revision ${s.revision + 1}` : 'new draft'}, now ${s.pendingTerms?.qualifiedLeadsPerMonth ?? '—'} a month`]);
  return html`<section class="card" aria-labelledby="apply-title">
    <h2 id="apply-title">Apply to a draft SLA</h2>
    <form class="apply-form" novalidate>
      ${selectField('apply', { name: 'sla', label: 'Draft SLA', value: options[0][0], options, hint: 'The plan replaces its qualified leads per month; nothing applies until both teams sign.' })}
      ${formError()}
      <div class="actions">${submitButton('Apply to draft SLA')}</div>
    </form>
  </section>`;
}

async function apply(view, form) {
  const chosen = view.slas.find((s) => s.id === formValues(form).sla);
  if (!chosen) return;
  const perMonth = view.plan.qualifiedLeadsPerMonth;
  const ok = await confirmDialog({
    title: 'Apply the plan?',
    message: `“${chosen.title}” will commit marketing to ${count(perMonth)} qualified leads a month (now ${chosen.pendingTerms?.qualifiedLeadsPerMonth ?? '—'}) once both teams sign it.`,
    confirm: 'Apply to draft',
    danger: false,
  });
  if (!ok) return;
  clearErrors(form);
  setBusy(form, true);
  try {
    const { applyGoalPlan: result } = await view.app.request(APPLY_GOAL_PLAN, {
      input: {
        serviceLevelAgreementId: chosen.id,
        expectedVersion: chosen.version,
        plan: view.input,
        expectedQualifiedLeadsPerMonth: perMonth,
      },
    });
    if (result.userErrors.length) {
      showErrors(form, groupUserErrors(result.userErrors, []));
      return;
    }
    const sla = result.serviceLevelAgreement;
    Object.assign(chosen, { version: sla.version, pendingTerms: sla.pendingTerms });
    view.app.notify(`Applied: the draft SLA now asks for ${count(sla.pendingTerms.qualifiedLeadsPerMonth)} qualified leads a month. Propose it when both teams should sign.`, 'success');
    render(region(view.own, 'plan'), html`${planPart(view)}
      <p class="notice success" role="status"><span>Applied to <a href="${hashFor(`/agreements/${sla.id}`)}">${sla.title}</a>:
        ${count(sla.pendingTerms.qualifiedLeadsPerMonth)} qualified leads a month in its draft.</span></p>`);
  } catch (error) {
    if (!error.handled) showErrors(form, { general: [describeApiError(error)] });
  } finally {
    if (form.isConnected) setBusy(form, false);
  }
}
