// A terms form that keeps what is typed in the browser (localStorage, one draft
// per viewer and agreement) until it is saved or thrown away, so a reload or a
// closed tab loses nothing. Rows are added and removed in place; errors from
// the client's own checks and the server's userErrors land beside their fields.

import { clearErrors, errorFields, render, setBusy, showErrors } from '../../dom.js';
import { placeErrors, termsInput, writeDraft } from '../../logic/agreements.js';
import { addRow, normaliseRows, readModel, removeRow, termsForm } from './form.js';

/** Show the form in `container`. `onSubmit(terms, editor)` sends the terms and
 *  answers true when they were saved (the kept draft is then dropped). */
export function mountEditor(container, o) {
  const editor = {
    kind: o.kind,
    model: normaliseRows(structuredClone(o.model)),
    baseVersion: o.baseVersion ?? null,
    form: null,
  };

  function draw({ focus } = {}) {
    render(container, termsForm(o.kind, editor.model, { personas: o.personas ?? [], submit: o.submit, cancel: o.cancel }));
    editor.form = container.querySelector('form');
    if (focus) container.querySelector(focus)?.focus();
  }

  function keep() {
    editor.model = readModel(editor.form, editor.model);
    try {
      localStorage.setItem(o.storageKey, writeDraft(o.kind, editor.model, editor.baseVersion, new Date()));
      status('Unsaved changes are kept in this browser.');
    } catch {
      status('This browser cannot keep the draft: save it before leaving.');
    }
  }

  function status(text) {
    const slot = container.querySelector('[data-region="draft-status"]');
    if (slot) slot.textContent = text;
  }

  container.addEventListener('input', (event) => {
    if (event.target.form === editor.form) keep();
  });
  container.addEventListener('change', (event) => {
    if (event.target.form !== editor.form) return;
    keep();
    if (event.target.hasAttribute('data-rerender')) {
      editor.model = normaliseRows(editor.model);
      draw({ focus: `[name="${CSS.escape(event.target.name)}"]` });
    }
  });
  container.addEventListener('click', (event) => {
    const button = event.target.closest('[data-action]');
    if (!button || !editor.form?.contains(button)) return;
    const { action, list, index } = button.dataset;
    if (action === 'add-row') {
      editor.model = addRow(readModel(editor.form, editor.model), list);
      draw();
      const n = lastIndex(editor.model, list);
      const first = container.querySelector(
        `[name="${CSS.escape(`${list}.${n}`)}"], [name^="${CSS.escape(`${list}.${n}.`)}"]`,
      );
      first?.focus();
      keep();
    }
    if (action === 'remove-row') {
      editor.model = removeRow(readModel(editor.form, editor.model), list, Number(index));
      draw();
      container.querySelector(`[data-action="add-row"][data-list="${CSS.escape(list)}"]`)?.focus();
      keep();
    }
    if (action === 'cancel-edit') o.onCancel?.();
  });
  container.addEventListener('submit', async (event) => {
    if (event.target !== editor.form) return;
    event.preventDefault();
    editor.model = readModel(editor.form, editor.model);
    const { terms, errors } = termsInput(o.kind, editor.model, o.timeZone);
    if (Object.keys(errors).length) {
      showErrors(editor.form, placeErrors(
        Object.entries(errors).flatMap(([path, messages]) => messages.map((message) => (
          { field: path.split('.'), message }))),
        errorFields(editor.form),
      ));
      return;
    }
    clearErrors(editor.form);
    setBusy(editor.form, true);
    try {
      if (await o.onSubmit(terms, editor)) editor.forget();
    } finally {
      if (editor.form) setBusy(editor.form, false);
    }
  });

  Object.assign(editor, {
    draw,
    /** Server userErrors beside their fields (the rest above the buttons). */
    showUserErrors(userErrors) {
      showErrors(editor.form, placeErrors(userErrors, errorFields(editor.form)));
    },
    showGeneral(message) {
      showErrors(editor.form, { general: [message] });
    },
    /** Use another version as the base (after a conflict), keeping the edits. */
    rebase(version) {
      editor.baseVersion = version;
      keep();
    },
    replace(model, version) {
      editor.model = normaliseRows(structuredClone(model));
      editor.baseVersion = version;
      draw();
    },
    forget() {
      try {
        localStorage.removeItem(o.storageKey);
      } catch {
        // nothing was kept
      }
    },
    currentTerms() {
      return termsInput(o.kind, readModel(editor.form, editor.model), o.timeZone).terms;
    },
  });
  draw();
  if (o.restored) status('Restored the unsaved changes this browser kept.');
  return editor;
}

function lastIndex(model, list) {
  return list.split('.').reduce((at, key) => at[key], model).length - 1;
}
