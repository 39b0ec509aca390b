// The forms a move asks for (accept, decline, a comment, the asset), and the
// create form, each in a modal <dialog>: Esc cancels, the focus starts in the
// form and returns where it was, errors sit next to their fields.

import {
  clearErrors, errorFields, formValues, html, render, setBusy, showErrors,
} from '../../dom.js';
import {
  CONTENT_TYPES, LEAD_STAGES, PRIORITIES, checkNewRequest, contentLabel,
  newRequestInput,
} from '../../logic/content.js';
import { describeApiError, groupUserErrors, todayIn } from '../../logic.js';
import {
  CANCEL_CONTENT_REQUEST, DELIVER_CONTENT_REQUEST, MOVE_CONTENT_REQUEST,
  REOPEN_CONTENT_REQUEST, REQUEST_CONTENT, TRIAGE_CONTENT_REQUEST, UPDATE_CONTENT_REQUEST,
} from '../../operations/content.js';
import { formError, inputField, selectField, submitButton } from '../core/fields.js';
import { textArea } from './parts.js';

/** Open a form in a dialog. `submit(values, form)` resolves to the payload when
 *  done (the dialog closes and resolves with it) or null to stay open. */
export function formDialog({ title, intro = '', body, submitText, submit }) {
  return new Promise((resolve) => {
    const returnTo = document.activeElement;
    const dialog = document.createElement('dialog');
    dialog.className = 'sheet';
    dialog.setAttribute('aria-labelledby', 'sheet-title');
    render(dialog, html`<form method="dialog" class="stack" novalidate>
      <h2 id="sheet-title">${title}</h2>
      ${intro ? html`<p class="muted">${intro}</p>` : ''}
      ${body}
      ${formError()}
      <div class="actions">${submitButton(submitText)}
        <button type="button" data-answer="cancel">Cancel</button></div>
    </form>`);
    let result = null;
    const form = dialog.querySelector('form');
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearErrors(form);
      setBusy(form, true);
      try {
        result = await submit(formValues(form), form);
      } finally {
        setBusy(form, false);
      }
      if (result) dialog.close();
    });
    dialog.querySelector('[data-answer="cancel"]').addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (returnTo?.isConnected) returnTo.focus();
      resolve(result);
    });
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector('input, select, textarea')?.focus();
  });
}

/** Send a mutation for a form: the payload, or null with the errors shown. */
export async function sendForm(app, form, document, input, field) {
  try {
    const data = await app.request(document, { input });
    const payload = data[field];
    if (payload.userErrors.length === 0) return payload;
    showErrors(form, groupUserErrors(payload.userErrors, errorFields(form)));
  } catch (error) {
    if (!error.handled) showErrors(form, { general: [describeApiError(error)] });
  }
  return null;
}

function zoneOf(app) {
  return app.viewer?.timezone ?? 'UTC';
}

/** What a move asks for, then the mutation; resolves to the payload or null. */
export function askAndMove(app, request, move, choices) {
  const id = request.id;
  const today = todayIn(zoneOf(app), new Date());
  if (move.needs === 'accept') {
    const people = choices.marketing.map((u) => [u.id, u.name]);
    const me = people.some(([uid]) => uid === app.viewer.id) ? app.viewer.id : people[0]?.[0];
    return formDialog({
      title: `Accept “${request.title}”`,
      intro: request.requestedDueDate
        ? `The requester asked for it by ${request.requestedDueDate}. Commit to the date you can keep; the two dates stay side by side.`
        : 'Commit to the date you can keep.',
      body: html`<div class="grid">
        ${selectField('accept', { name: 'assigneeId', label: 'Assignee', options: people, value: me })}
        ${inputField('accept', { name: 'committedDueDate', label: 'Committed due date', type: 'date', min: today, required: true, value: request.requestedDueDate && request.requestedDueDate >= today ? request.requestedDueDate : '' })}
      </div>`,
      submitText: 'Accept request',
      submit: (v, form) => sendForm(app, form, TRIAGE_CONTENT_REQUEST, {
        requestId: id, decision: 'ACCEPT', assigneeId: v.assigneeId || null,
        committedDueDate: v.committedDueDate || null,
      }, 'triageContentRequest'),
    });
  }
  if (move.needs === 'reason') {
    return formDialog({
      title: `Decline “${request.title}”`,
      body: textArea('decline', { name: 'reason', label: 'Why not', required: true, hint: 'The requester reads this; they can reopen it.' }),
      submitText: 'Decline request',
      submit: (v, form) => sendForm(app, form, TRIAGE_CONTENT_REQUEST, {
        requestId: id, decision: 'DECLINE', reason: v.reason,
      }, 'triageContentRequest'),
    });
  }
  if (move.needs === 'comment') {
    const reopen = move.action === 'REOPEN';
    return formDialog({
      title: reopen ? `Reopen “${request.title}”` : `Request changes to “${request.title}”`,
      body: textArea('move-comment', { name: 'comment', label: reopen ? 'What is missing' : 'What should change', required: true }),
      submitText: reopen ? 'Reopen' : 'Send back to work',
      submit: (v, form) => (reopen
        ? sendForm(app, form, REOPEN_CONTENT_REQUEST, { requestId: id, comment: v.comment }, 'reopenContentRequest')
        : sendForm(app, form, MOVE_CONTENT_REQUEST, { requestId: id, to: move.to, comment: v.comment }, 'moveContentRequest')),
    });
  }
  if (move.needs === 'asset') {
    return formDialog({
      title: `Deliver “${request.title}”`,
      intro: 'Link the finished piece; it joins the asset library for every rep.',
      body: html`<div class="stack">
        ${inputField('deliver', { name: 'asset.title', label: 'Asset title', value: request.title, required: true })}
        ${inputField('deliver', { name: 'asset.url', label: 'Link (http or https)', type: 'url', required: true, placeholder: 'https://', spellcheck: false })}
        ${textArea('deliver', { name: 'comment', label: 'Note for the requester', rows: 2 })}
      </div>`,
      submitText: 'Deliver',
      submit: (v, form) => sendForm(app, form, DELIVER_CONTENT_REQUEST, {
        requestId: id, asset: { title: v['asset.title'], url: v['asset.url'] },
        comment: v.comment || null,
      }, 'deliverContentRequest'),
    });
  }
  if (move.needs === 'confirm') {
    return formDialog({
      title: `Cancel “${request.title}”?`,
      intro: 'Marketing stops working on it. This cannot be undone.',
      body: textArea('cancel', { name: 'reason', label: 'Why (optional)', rows: 2 }),
      submitText: 'Cancel request',
      submit: (v, form) => sendForm(app, form, CANCEL_CONTENT_REQUEST, {
        requestId: id, reason: v.reason || null,
      }, 'cancelContentRequest'),
    });
  }
  return null;
}

/** The requester's edit of a submitted request, at the version they saw. */
export function editDialog(app, request) {
  const today = todayIn(zoneOf(app), new Date());
  return formDialog({
    title: `Edit “${request.title}”`,
    intro: 'You can change these until marketing triages the request.',
    body: html`<div class="stack">
      <div class="grid">
        ${selectField('edit-request', { name: 'priority', label: 'Priority', value: request.priority, options: PRIORITIES.map((p) => [p, contentLabel(p)]) })}
        ${inputField('edit-request', { name: 'requestedDueDate', label: 'Needed by', type: 'date', min: today, value: request.requestedDueDate ?? '' })}
      </div>
      ${textArea('edit-request', { name: 'description', label: 'What do you need, and for which deals?', value: request.description ?? '' })}
    </div>`,
    submitText: 'Save changes',
    submit: (v, form) => sendForm(app, form, UPDATE_CONTENT_REQUEST, {
      id: request.id,
      expectedVersion: request.version,
      priority: v.priority,
      description: v.description,
      requestedDueDate: v.requestedDueDate || null,
    }, 'updateContentRequest'),
  });
}

/** The create form; resolves to the new request or null. */
export function createDialog(app, choices) {
  const zone = zoneOf(app);
  const today = todayIn(zone, new Date());
  const key = `content-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  return formDialog({
    title: 'Request content',
    intro: 'Marketing triages new requests and commits to a date.',
    body: html`<div class="stack">
      ${inputField('new-request', { name: 'title', label: 'Title', required: true, placeholder: 'e.g. Battlecard: us vs. Freightwise' })}
      <div class="grid">
        ${selectField('new-request', { name: 'contentType', label: 'Type', options: [['', 'Choose a type'], ...CONTENT_TYPES.map((t) => [t, contentLabel(t)])] })}
        ${selectField('new-request', { name: 'personaId', label: 'Persona', options: [['', 'Any persona'], ...choices.personas.map((p) => [p.id, p.title])] })}
        ${selectField('new-request', { name: 'leadStage', label: 'Lead stage', options: [['', 'Any stage'], ...LEAD_STAGES.map((s) => [s, contentLabel(s)])] })}
        ${selectField('new-request', { name: 'priority', label: 'Priority', value: 'MEDIUM', options: PRIORITIES.map((p) => [p, contentLabel(p)]) })}
        ${inputField('new-request', { name: 'requestedDueDate', label: 'Needed by', type: 'date', min: today, hint: 'Optional. Marketing commits to its own date.' })}
      </div>
      ${textArea('new-request', { name: 'description', label: 'What do you need, and for which deals?', rows: 4 })}
    </div>`,
    submitText: 'Send request',
    submit: async (values, form) => {
      const fields = checkNewRequest(values, today);
      if (Object.keys(fields).length) {
        showErrors(form, { fields, general: [] });
        return null;
      }
      const done = await sendForm(app, form, REQUEST_CONTENT, newRequestInput(values, key), 'requestContent');
      return done?.contentRequest ?? null;
    },
  });
}
