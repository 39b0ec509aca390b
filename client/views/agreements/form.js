// The terms forms, one per kind. Every control is named by its path in the
// terms (`fitRules.2.points`, `businessCalendar.holidays.0`), the same path the
// server's userErrors name, so each error lands beside its field. The form's
// model keeps values as typed (logic/agreements.js formModel/termsInput).

import { html } from '../../dom.js';
import {
  ACTIVITY_KINDS, FIT_FIELDS, FIT_OPERATORS, GOAL_KINDS, GOAL_METRICS, WEEKDAYS,
} from '../../logic/agreements.js';
import { formError } from '../core/fields.js';
import { words } from './terms.js';

const FORM = 'terms';

function ids(name, hint) {
  const id = `${FORM}-${name}`;
  const hintId = hint ? `${id}-hint` : '';
  const errorId = `${id}-error`;
  return { id, hintId, errorId, describedBy: [hintId, errorId].filter(Boolean).join(' ') };
}

function slots(i, name, hint) {
  return html`${hint ? html`<p class="hint" id="${i.hintId}">${hint}</p>` : ''}
    <p class="field-error" id="${i.errorId}" data-error-for="${name}" hidden></p>`;
}

function input(name, labelText, value, o = {}) {
  const i = ids(name, o.hint);
  return html`<div class="field ${o.wide ? 'wide' : ''}">
    <label for="${i.id}">${labelText}</label>
    <input id="${i.id}" name="${name}" type="${o.type ?? 'text'}" value="${value ?? ''}"
      aria-describedby="${i.describedBy}" ${o.required ? html`required` : ''}
      ${o.inputmode ? html`inputmode="${o.inputmode}"` : ''} ${o.list ? html`list="${o.list}"` : ''}
      ${o.placeholder ? html`placeholder="${o.placeholder}"` : ''} spellcheck="false">
    ${slots(i, name, o.hint)}
  </div>`;
}

function number(name, labelText, value, o = {}) {
  return input(name, labelText, value, { ...o, inputmode: o.decimal ? 'decimal' : 'numeric' });
}

function textarea(name, labelText, value, o = {}) {
  const i = ids(name, o.hint);
  return html`<div class="field ${o.wide ? 'wide' : ''}">
    <label for="${i.id}">${labelText}</label>
    <textarea id="${i.id}" name="${name}" rows="${o.rows ?? 3}" aria-describedby="${i.describedBy}">${value ?? ''}</textarea>
    ${slots(i, name, o.hint)}
  </div>`;
}

function select(name, labelText, value, options, o = {}) {
  const i = ids(name, o.hint);
  const items = options.map((option) => {
    const [v, text] = Array.isArray(option) ? option : [option, words(option)];
    const chosen = o.multiple ? (value ?? []).includes(v) : v === value;
    return html`<option value="${v}" ${chosen ? html`selected` : ''}>${text}</option>`;
  });
  return html`<div class="field">
    <label for="${i.id}">${labelText}</label>
    <select id="${i.id}" name="${name}" aria-describedby="${i.describedBy}"
      ${o.multiple ? html`multiple data-type="multi" size="${Math.max(2, Math.min(5, options.length))}"` : ''}
      ${o.rerender ? html`data-rerender` : ''}>${items}</select>
    ${slots(i, name, o.hint)}
  </div>`;
}

function checks(name, legend, chosen, options, o = {}) {
  const i = ids(name, o.hint);
  return html`<fieldset class="field checks">
    <legend>${legend}</legend>
    <div class="check-row">${options.map((v) => html`<span class="checkbox">
      <input id="${i.id}-${v}" name="${name}" type="checkbox" value="${v}" data-type="checks"
        aria-describedby="${i.describedBy}" ${chosen.includes(v) ? html`checked` : ''}>
      <label for="${i.id}-${v}">${o.short ? v.charAt(0) + v.slice(1).toLowerCase() : words(v)}</label></span>`)}</div>
    ${slots(i, name, o.hint)}
  </fieldset>`;
}

function listSlot(name) {
  return html`<p class="field-error" data-error-for="${name}" hidden></p>`;
}

function removeButton(list, index, what) {
  return html`<button type="button" class="small danger" data-action="remove-row"
    data-list="${list}" data-index="${index}">Remove ${what}</button>`;
}

// ---- each kind ---------------------------------------------------------------

function goalFields(m) {
  return html`<div class="grid">
    ${input('title', 'Title', m.title, { required: true, wide: true })}
    ${select('kind', 'Kind of goal', m.kind, GOAL_KINDS)}
    ${select('metric', 'Metric', m.metric, GOAL_METRICS, { hint: 'Manual goals are fed by recorded measurements.' })}
    ${select('direction', 'Direction', m.direction, ['INCREASE', 'DECREASE'], { hint: 'Decrease for churn.' })}
    ${number('target', 'Target', m.target, { decimal: true, required: true })}
    ${input('unit', 'Unit', m.unit, { hint: 'E.g. leads, EUR, %.' })}
    ${input('periodStart', 'Period start', m.periodStart, { type: 'date', required: true })}
    ${input('periodEnd', 'Period end', m.periodEnd, { type: 'date', required: true })}
  </div>
  ${textarea('description', 'Description', m.description, { wide: true })}`;
}

function personaFields(m) {
  const each = 'One per line.';
  return html`<div class="grid">
    ${input('name', 'Name', m.name, { required: true })}
    ${number('companySizeMin', 'Company size from (employees)', m.companySizeMin, { hint: 'Empty: no lower bound.' })}
    ${number('companySizeMax', 'Company size to (employees)', m.companySizeMax, { hint: 'Empty: no upper bound.' })}
  </div>
  ${textarea('summary', 'Summary', m.summary, { rows: 2 })}
  <div class="grid">
    ${textarea('industries', 'Industries', m.industries, { hint: each })}
    ${textarea('regions', 'Regions', m.regions, { hint: `${each} Countries or areas, e.g. DE, DACH.` })}
    ${textarea('jobTitles', 'Job title keywords', m.jobTitles, { hint: each })}
    ${textarea('seniorities', 'Seniorities', m.seniorities, { hint: each })}
    ${textarea('painPoints', 'Pain points', m.painPoints, { hint: each })}
    ${textarea('buyingTriggers', 'Buying triggers', m.buyingTriggers, { hint: each })}
    ${textarea('objections', 'Objections', m.objections, { hint: each })}
    ${textarea('channels', 'Channels', m.channels, { hint: each })}
  </div>`;
}

function fitRuleRow(rule, i, personas) {
  const p = `fitRules.${i}`;
  const values = rule.field === 'persona'
    ? select(`${p}.values`, 'Personas', rule.values, personas.map((x) => [x.id, x.name]), { multiple: true })
    : textarea(`${p}.values`, 'Values', Array.isArray(rule.values) ? rule.values.join('\n') : rule.values, {
      rows: 2, hint: rule.operator === 'BETWEEN' ? 'Two lines: low, then high.' : 'One per line.',
    });
  return html`<fieldset class="rule" data-row="${p}">
    <legend>Fit rule ${i + 1}${rule.label ? `: ${rule.label}` : ''}</legend>
    <div class="grid">
      ${input(`${p}.label`, 'Label', rule.label, { required: true })}
      ${select(`${p}.field`, 'Lead field', rule.field, FIT_FIELDS.map((f) => [f, f]), { rerender: true })}
      ${select(`${p}.operator`, 'Operator', rule.operator, FIT_OPERATORS.map((o) => [o, `${words(o)} (${o})`]))}
      ${values}
      ${number(`${p}.points`, 'Points', rule.points, { decimal: true, hint: 'May be negative.' })}
    </div>
    <div class="actions">${removeButton('fitRules', i, `fit rule ${i + 1}`)}</div>
  </fieldset>`;
}

function engagementRow(rule, i) {
  const p = `engagementRules.${i}`;
  return html`<fieldset class="rule" data-row="${p}">
    <legend>Engagement rule ${i + 1}</legend>
    <div class="grid">
      ${select(`${p}.activityKind`, 'Activity', rule.activityKind, ACTIVITY_KINDS)}
      ${number(`${p}.points`, 'Points per activity', rule.points, { decimal: true })}
      ${number(`${p}.maxPoints`, 'Cap (maximum points)', rule.maxPoints, { decimal: true })}
      ${number(`${p}.halfLifeDays`, 'Half-life (days)', rule.halfLifeDays, { decimal: true, hint: 'Empty: no decay.' })}
    </div>
    <div class="actions">${removeButton('engagementRules', i, `engagement rule ${i + 1}`)}</div>
  </fieldset>`;
}

function modelFields(m, personas) {
  return html`<fieldset class="field group">
    <legend>Fit rules (demographic)</legend>
    ${listSlot('fitRules')}
    ${m.fitRules.map((r, i) => fitRuleRow(r, i, personas))}
    <div class="actions"><button type="button" data-action="add-row" data-list="fitRules">Add a fit rule</button></div>
  </fieldset>
  <fieldset class="field group">
    <legend>Engagement rules (behavioural)</legend>
    ${listSlot('engagementRules')}
    ${m.engagementRules.map((r, i) => engagementRow(r, i))}
    <div class="actions"><button type="button" data-action="add-row" data-list="engagementRules">Add an engagement rule</button></div>
  </fieldset>
  <div class="grid">
    ${number('mqlThreshold', 'MQL threshold', m.mqlThreshold, { decimal: true, required: true, hint: 'A lead whose score reaches it qualifies.' })}
    ${number('minFitScore', 'Minimum fit score', m.minFitScore, { decimal: true, hint: 'Empty: no minimum.' })}
    ${number('handRaiseWindowDays', 'Hand-raise window (days)', m.handRaiseWindowDays, { required: true })}
  </div>
  ${checks('handRaiseKinds', 'Hand-raise kinds (qualify at once within the window)', m.handRaiseKinds, ACTIVITY_KINDS)}`;
}

function slaFields(m) {
  const cal = m.businessCalendar;
  return html`<div class="grid">
    ${number('qualifiedLeadsPerMonth', 'Qualified leads per month', m.qualifiedLeadsPerMonth, { required: true, hint: "Marketing's commitment." })}
    ${number('acceptWithinHours', 'Accept within (hours)', m.acceptWithinHours, { decimal: true, required: true, hint: 'Business hours on the calendar below.' })}
    ${number('firstTouchWithinHours', 'First touch within (hours)', m.firstTouchWithinHours, { decimal: true, required: true })}
    ${number('minTouchAttempts', 'Touch attempts', m.minTouchAttempts, { required: true })}
    ${number('touchWindowDays', 'Touch window (days)', m.touchWindowDays, { required: true })}
    ${select('acceptTimeoutAction', 'When acceptance times out', m.acceptTimeoutAction, ['NOTIFY', 'REASSIGN', 'AUTO_ACCEPT'])}
    ${select('routing', 'Routing', m.routing, ['ROUND_ROBIN', 'LEAST_LOADED'])}
    ${number('reviewCadenceDays', 'Lead review every (days)', m.reviewCadenceDays, { required: true })}
    ${input('effectiveFrom', 'Effective from', m.effectiveFrom, { type: 'datetime-local', hint: 'In your timezone. Empty: at once.' })}
    ${input('effectiveUntil', 'Effective until', m.effectiveUntil, { type: 'datetime-local', hint: 'Empty: open-ended.' })}
  </div>
  <fieldset class="field group">
    <legend>Business calendar</legend>
    <div class="checkbox">
      <input id="terms-calendarOn" name="calendarOn" type="checkbox" data-type="bool" data-rerender ${m.calendarOn ? html`checked` : ''}>
      <label for="terms-calendarOn">Clocks run on business hours (unticked: round the clock)</label>
    </div>
    ${m.calendarOn ? html`<div class="grid">
      ${input('businessCalendar.timezone', 'Timezone', cal.timezone, { list: 'zones', hint: 'An IANA name, e.g. Europe/Berlin.' })}
      ${input('businessCalendar.dayStart', 'Opens at', cal.dayStart, { placeholder: 'HH:MM', hint: 'Local time, HH:MM.' })}
      ${input('businessCalendar.dayEnd', 'Closes at', cal.dayEnd, { placeholder: 'HH:MM', hint: 'HH:MM; 24:00 for midnight.' })}
    </div>
    ${checks('businessCalendar.workingDays', 'Working days', cal.workingDays, WEEKDAYS, { short: true })}
    <fieldset class="field">
      <legend>Holidays</legend>
      ${listSlot('businessCalendar.holidays')}
      <ul class="holidays">${cal.holidays.map((d, i) => holidayRow(d, i))}</ul>
      <div class="actions"><button type="button" data-action="add-row" data-list="businessCalendar.holidays">Add a holiday</button></div>
    </fieldset>` : ''}
  </fieldset>`;
}

function holidayRow(day, i) {
  const name = `businessCalendar.holidays.${i}`;
  const id = `${FORM}-${name}`;
  return html`<li class="field">
    <label for="${id}">Holiday ${i + 1}</label>
    <span class="copy-row">
      <input id="${id}" name="${name}" type="date" value="${day}" aria-describedby="${id}-error">
      <button type="button" class="small danger" data-action="remove-row" data-list="businessCalendar.holidays"
        data-index="${i}" aria-label="Remove holiday ${i + 1}">Remove</button>
    </span>
    <p class="field-error" id="${id}-error" data-error-for="${name}" hidden></p>
  </li>`;
}

/** The whole form for a kind; `personas` are [{id, name}] for fit rules. */
export function termsForm(kind, model, { personas = [], submit = 'Save draft', cancel = 'Stop editing' } = {}) {
  const body = {
    GOAL: goalFields, PERSONA: personaFields,
    QUALIFICATION_MODEL: modelFields, SERVICE_LEVEL_AGREEMENT: slaFields,
  }[kind](model, personas);
  return html`<form class="stack terms-form" data-form="terms" novalidate>
    ${body}
    ${formError()}
    <div class="actions">
      <button type="submit" class="primary">${submit}</button>
      <button type="button" data-action="cancel-edit">${cancel}</button>
      <span class="muted small" data-region="draft-status" aria-live="polite"></span>
    </div>
  </form>`;
}

// ---- reading it back -------------------------------------------------------------

function setPath(target, path, value) {
  const keys = path.split('.');
  let at = target;
  for (const key of keys.slice(0, -1)) at = at[key];
  at[keys.at(-1)] = value;
}

/** The model with the form's current values (rows as the model has them). */
export function readModel(form, model) {
  const next = structuredClone(model);
  const groups = new Set();
  for (const control of form.elements) {
    const { name } = control;
    if (!name || control.disabled) continue;
    const type = control.dataset.type;
    if (type === 'checks') {
      if (groups.has(name)) continue;
      groups.add(name);
      const boxes = form.querySelectorAll(`input[name="${CSS.escape(name)}"]`);
      setPath(next, name, [...boxes].filter((b) => b.checked).map((b) => b.value));
    } else if (type === 'bool') {
      setPath(next, name, control.checked);
    } else if (type === 'multi') {
      setPath(next, name, [...control.selectedOptions].map((o) => o.value));
    } else if (control.type !== 'submit' && control.type !== 'button') {
      setPath(next, name, control.value);
    }
  }
  return next;
}

const NEW_ROWS = {
  fitRules: () => ({ field: 'industry', operator: 'EQ', values: [], points: '', label: '' }),
  engagementRules: () => ({ activityKind: 'PAGE_VIEW', points: '', maxPoints: '', halfLifeDays: '' }),
  'businessCalendar.holidays': () => '',
};

function listAt(model, path) {
  return path.split('.').reduce((at, key) => at[key], model);
}

/** A copy of the model with a new empty row at the end of a list. */
export function addRow(model, list) {
  const next = structuredClone(model);
  listAt(next, list).push(NEW_ROWS[list]());
  return next;
}

export function removeRow(model, list, index) {
  const next = structuredClone(model);
  listAt(next, list).splice(index, 1);
  return next;
}

/** Switching a fit rule to or from the persona field changes its values control. */
export function normaliseRows(model) {
  if (!Array.isArray(model.fitRules)) return model;
  for (const rule of model.fitRules) {
    if (rule.field === 'persona' && !Array.isArray(rule.values)) rule.values = [];
    if (rule.field !== 'persona' && Array.isArray(rule.values)) rule.values = rule.values.join('\n');
  }
  return model;
}
