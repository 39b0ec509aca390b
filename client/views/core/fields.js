// Labelled form controls with a hint and an error slot each (dom.showErrors
// fills the slots). Every control is tied to its label, hint and error for
// screen readers.

import { html } from '../../dom.js';
import { label } from '../../logic.js';

function ids(form, name, hint) {
  const id = `${form}-${name}`;
  const hintId = hint ? `${id}-hint` : '';
  const errorId = `${id}-error`;
  return { id, hintId, errorId, describedBy: [hintId, errorId].filter(Boolean).join(' ') };
}

function hintAndError({ hintId, errorId }, name, hint) {
  return html`${hint ? html`<p class="hint" id="${hintId}">${hint}</p>` : ''}
    <p class="field-error" id="${errorId}" data-error-for="${name}" hidden></p>`;
}

/** <input> of any text-like type. */
export function inputField(form, o) {
  const i = ids(form, o.name, o.hint);
  return html`<div class="field">
    <label for="${i.id}">${o.label}</label>
    <input id="${i.id}" name="${o.name}" type="${o.type ?? 'text'}" value="${o.value ?? ''}"
      aria-describedby="${i.describedBy}"
      ${o.required ? html`required` : ''}
      ${o.autocomplete ? html`autocomplete="${o.autocomplete}"` : ''}
      ${o.list ? html`list="${o.list}"` : ''}
      ${o.min ? html`min="${o.min}"` : ''}
      ${o.minlength ? html`minlength="${o.minlength}"` : ''}
      ${o.placeholder ? html`placeholder="${o.placeholder}"` : ''}
      ${o.spellcheck === false ? html`spellcheck="false"` : ''}>
    ${hintAndError(i, o.name, o.hint)}
  </div>`;
}

/** <select> over enum values (labels from logic.label) or [value, text] pairs. */
export function selectField(form, o) {
  const i = ids(form, o.name, o.hint);
  const options = o.options.map((option) => {
    const [value, text] = Array.isArray(option) ? option : [option, label(option)];
    return html`<option value="${value}" ${value === o.value ? html`selected` : ''}>${text}</option>`;
  });
  return html`<div class="field">
    <label for="${i.id}">${o.label}</label>
    <select id="${i.id}" name="${o.name}" aria-describedby="${i.describedBy}"
      ${o.disabled ? html`disabled` : ''}>${options}</select>
    ${hintAndError(i, o.name, o.hint)}
  </div>`;
}

/** One checkbox with its label beside it. */
export function checkboxField(form, o) {
  const i = ids(form, o.name, o.hint);
  return html`<div class="field checkbox">
    <input id="${i.id}" name="${o.name}" type="checkbox" aria-describedby="${i.describedBy}"
      ${o.checked ? html`checked` : ''}>
    <label for="${i.id}">${o.label}</label>
    ${hintAndError(i, o.name, o.hint)}
  </div>`;
}

/** Several checkboxes under one name, in a fieldset with a legend. */
export function checkboxGroup(form, o) {
  const i = ids(form, o.name, o.hint);
  const boxes = o.options.map(([value, text, detail]) => {
    const id = `${i.id}-${value}`;
    return html`<div class="checkbox">
      <input id="${id}" name="${o.name}" type="checkbox" value="${value}"
        aria-describedby="${i.describedBy}" ${o.checked?.includes(value) ? html`checked` : ''}>
      <label for="${id}">${text}${detail ? html` <span class="muted">— ${detail}</span>` : ''}</label>
    </div>`;
  });
  return html`<fieldset class="field">
    <legend>${o.label}</legend>
    ${boxes}
    ${hintAndError(i, o.name, o.hint)}
  </fieldset>`;
}

/** The slot for errors that name no field (or one the form does not show). */
export function formError() {
  return html`<p class="form-error" data-form-error role="alert" tabindex="-1" hidden></p>`;
}

export function submitButton(text, kind = 'primary') {
  return html`<button type="submit" class="${kind}">${text}</button>`;
}
