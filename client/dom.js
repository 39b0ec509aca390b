// The one way markup is made: html`…` escapes every interpolated value, and only
// its results can be rendered. Nothing else in the client assigns innerHTML.

import { safeHttpUrl } from './logic.js';

const ESCAPES = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Markup made by `html`; other strings are never trusted as markup. */
export class Html {
  constructor(text) {
    this.text = text;
  }

  toString() {
    return this.text;
  }
}

export function escapeHtml(value) {
  return String(value).replace(/[&<>"'`]/g, (c) => ESCAPES[c]);
}

function piece(value) {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(piece).join('');
  return escapeHtml(value);
}

/** Tagged template: nested html`…` and arrays of them stay markup, every other
 *  value (text, numbers, user input) is escaped. Quote attribute values. */
export function html(strings, ...values) {
  let text = strings[0];
  for (let i = 0; i < values.length; i += 1) text += piece(values[i]) + strings[i + 1];
  return new Html(text);
}

/** A link when the URL is http(s), else the text alone. */
export function link(url, text) {
  const safe = safeHttpUrl(url);
  if (!safe) return html`<span>${text ?? url}</span>`;
  return html`<a href="${safe}" rel="noopener noreferrer" target="_blank">${text ?? safe}</a>`;
}

const rendered = new WeakMap();

/** Put markup into an element; the same markup again changes nothing (focus and
 *  scroll stay where they are), so views can call this after every update.
 *  When the focus was inside, it returns to the new element with the same id or
 *  data-action, so a keyboard user pressing "Next" stays on "Next". */
export function render(element, content) {
  if (!(content instanceof Html)) throw new TypeError('render() takes html`…` only');
  if (rendered.get(element) === content.text) return false;
  const active = document.activeElement;
  const again = active && active !== element && element.contains(active)
    ? focusSelector(element, active)
    : null;
  element.innerHTML = content.text;
  rendered.set(element, content.text);
  if (again) element.querySelector(again)?.focus();
  return true;
}

// Only a selector naming one element: a row's "Revoke" must not hand the focus
// to another row's.
function focusSelector(element, el) {
  const selector = el.id
    ? `#${CSS.escape(el.id)}`
    : el.dataset.action && `[data-action="${CSS.escape(el.dataset.action)}"]`;
  return selector && element.querySelectorAll(selector).length === 1 ? selector : null;
}

/** Empty an element and forget what was rendered into it. */
export function clear(element) {
  rendered.delete(element);
  element.replaceChildren();
}

/** The element marked data-region="name" inside root. */
export function region(root, name) {
  const found = root.querySelector(`[data-region="${name}"]`);
  if (!found) throw new Error(`no region ${name}`);
  return found;
}

// ---- forms ------------------------------------------------------------------

/** A form's values: text as strings, checkboxes as booleans, checkbox groups
 *  (several boxes with one name) as arrays of the checked values. */
export function formValues(form) {
  const values = {};
  for (const control of form.elements) {
    const { name, type } = control;
    if (!name || control.disabled) continue;
    if (type === 'checkbox') {
      const group = form.querySelectorAll(`input[type="checkbox"][name="${CSS.escape(name)}"]`);
      values[name] = group.length > 1
        ? [...group].filter((c) => c.checked).map((c) => c.value)
        : control.checked;
    } else if (type !== 'submit' && type !== 'button') {
      values[name] = control.value;
    }
  }
  return values;
}

/** The field names a form can show errors for. */
export function errorFields(form) {
  return [...form.querySelectorAll('[data-error-for]')].map((el) => el.dataset.errorFor);
}

/** Show grouped errors (logic.groupUserErrors) in the form's slots; idempotent.
 *  Focus moves to the first problem so keyboard and screen-reader users find it. */
export function showErrors(form, { fields = {}, general = [] }, { focus = true } = {}) {
  let first = null;
  for (const slot of form.querySelectorAll('[data-error-for]')) {
    const name = slot.dataset.errorFor;
    const messages = fields[name] ?? [];
    slot.textContent = messages.join(' ');
    slot.hidden = messages.length === 0;
    for (const control of form.querySelectorAll(`[name="${CSS.escape(name)}"]`)) {
      control.toggleAttribute('aria-invalid', messages.length > 0);
      if (messages.length && !first) first = control;
    }
  }
  const box = form.querySelector('[data-form-error]');
  if (box) {
    box.textContent = general.join(' ');
    box.hidden = general.length === 0;
    if (general.length && !first) first = box;
  }
  if (focus && first) first.focus();
}

export function clearErrors(form) {
  showErrors(form, { fields: {}, general: [] }, { focus: false });
}

/** Mark a form busy while its request runs: submit buttons off, aria-busy on. */
export function setBusy(form, busy) {
  form.toggleAttribute('aria-busy', busy);
  for (const button of form.querySelectorAll('button[type="submit"]')) {
    button.disabled = busy;
  }
}

// ---- dialogs and the clipboard ----------------------------------------------

/** Ask before a destructive action, in a modal <dialog> (keyboard: Esc cancels). */
export function confirmDialog({ title, message, confirm, danger = true }) {
  return new Promise((resolve) => {
    const dialog = document.createElement('dialog');
    dialog.className = 'confirm';
    dialog.setAttribute('aria-labelledby', 'confirm-title');
    render(dialog, html`
      <h2 id="confirm-title">${title}</h2>
      <p>${message}</p>
      <div class="actions">
        <button type="button" class="${danger ? 'danger' : 'primary'}" data-answer="yes">${confirm}</button>
        <button type="button" data-answer="no">Cancel</button>
      </div>`);
    let answer = false;
    dialog.addEventListener('click', (event) => {
      const button = event.target.closest('[data-answer]');
      if (!button) return;
      answer = button.dataset.answer === 'yes';
      dialog.close();
    });
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector('[data-answer="no"]').focus();
  });
}

/** Copy an input's text; answers whether it worked (else the text is selected). */
export async function copyFrom(input) {
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
    return true;
  } catch {
    return document.execCommand?.('copy') ?? false;
  }
}
