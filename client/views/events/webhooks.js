// Admin: webhooks and their delivery log. A new or rotated secret is shown once,
// with a copy button, then forgotten; rotating, disabling and deleting ask first;
// each delivery can be sent again.

import {
  clearErrors, confirmDialog, errorFields, formValues, html, region, render,
  setBusy, showErrors,
} from '../../dom.js';
import { describeApiError, groupUserErrors, sentence } from '../../logic.js';
import {
  deliveryState, EVENT_KIND_GROUPS, eventKindLabel, eventsSummary, formatDuration,
  webhookInput, webhookProblems,
} from '../../logic/events.js';
import {
  CREATE_WEBHOOK, DELETE_WEBHOOK, REDELIVER_WEBHOOK_DELIVERY, ROTATE_WEBHOOK_SECRET,
  UPDATE_WEBHOOK, WEBHOOK_DELIVERIES, WEBHOOKS,
} from '../../operations/events.js';
import { formError, inputField, submitButton } from '../core/fields.js';
import { listPlaceholder, pagedList } from '../core/paged.js';
import { copySecret, secretPanel } from '../core/secret.js';

const STATUSES = [['', 'Any status'], ['PENDING', 'Pending or retrying'], ['SUCCEEDED', 'Delivered'], ['FAILED', 'Given up']];
const TONES = { ok: 'active', bad: 'revoked', warn: 'pending', wait: 'pending' };

export function mount(root, app) {
  const view = { app, root, secret: null, logFilter: { webhookId: '', status: '' } };
  view.hooks = pagedList(app, { document: WEBHOOKS, field: 'webhooks', size: 100 });
  view.log = pagedList(app, {
    document: WEBHOOK_DELIVERIES,
    field: 'webhookDeliveries',
    size: 25,
    variables: () => ({ filter: deliveryFilter(view.logFilter) }),
  });
  view.update = () => {
    render(region(root, 'secret'), secretPanel(view.secret, {
      inputId: 'webhook-secret',
      label: 'Signing secret',
      use: 'Your receiver needs it to verify each delivery’s signature.',
    }));
    render(region(root, 'hooks'), webhookTable(view));
    render(region(root, 'log-filter'), logFilter(view));
    render(region(root, 'log'), deliveryTable(view));
  };
  view.show = async (...steps) => {
    const changed = await Promise.all(steps.map((step) => step()));
    if (changed.some(Boolean)) view.update();
  };

  render(root, html`<div class="page">
    <h1>Webhooks</h1>
    <p class="muted">Accord sends the events you choose to your endpoint as signed JSON
      POSTs, at least once: receivers verify the <span class="mono">Accord-Signature</span>
      header and ignore event ids they have seen. The headers and a receiver in Python
      are in the operator documentation (docs/events.md).</p>
    ${createForm()}
    <div data-region="secret"></div>
    <section class="card" aria-labelledby="hooks-title">
      <h2 id="hooks-title">Endpoints</h2>
      <div data-region="hooks" aria-live="polite"></div>
    </section>
    <section class="card" aria-labelledby="log-title">
      <h2 id="log-title" tabindex="-1">Delivery log</h2>
      <div data-region="log-filter"></div>
      <div data-region="log" aria-live="polite"></div>
    </section>
  </div>`);

  root.addEventListener('submit', (event) => {
    if (event.target.dataset.form !== 'create-webhook') return;
    event.preventDefault();
    createWebhook(event.target, view);
  });
  root.addEventListener('change', (event) => {
    const control = event.target.dataset.control;
    if (control !== 'log-webhook' && control !== 'log-status') return;
    view.logFilter[control === 'log-webhook' ? 'webhookId' : 'status'] = event.target.value;
    view.show(view.log.first);
  });
  root.addEventListener('click', (event) => clicked(event, view));

  view.update();
  view.show(view.hooks.first, view.log.first);
  return {
    unmount() {
      view.secret = null;
    },
  };
}

function deliveryFilter({ webhookId, status }) {
  return { webhookId: webhookId || null, status: status ? [status] : null };
}

function clicked(event, view) {
  const button = event.target.closest('[data-action]');
  if (!button) return;
  const { action, id } = button.dataset;
  const hook = view.hooks.rows.find((h) => h.id === id);
  if (action === 'copy-secret') copySecret(view.root, 'webhook-secret');
  if (action === 'dismiss-secret') {
    view.secret = null;
    view.update();
  }
  if (action === 'toggle' && hook) toggle(hook, view);
  if (action === 'rotate' && hook) rotate(hook, view);
  if (action === 'delete' && hook) remove(hook, view);
  if (action === 'show-log' && hook) {
    view.logFilter.webhookId = hook.id;
    view.show(view.log.first).then(() => view.root.querySelector('#log-title').focus());
  }
  if (action === 'redeliver') redeliver(id, view);
  if (action === 'more-log') view.show(view.log.more);
  if (action === 'select-all') {
    for (const box of view.root.querySelectorAll('input[name="events"]')) box.checked = true;
  }
}

async function createWebhook(form, view) {
  const input = webhookInput(formValues(form));
  clearErrors(form);
  const problems = webhookProblems(input);
  if (Object.keys(problems).length) {
    showErrors(form, { fields: problems });
    return;
  }
  setBusy(form, true);
  try {
    const { createWebhook: made } = await view.app.request(CREATE_WEBHOOK, { input });
    if (made.userErrors.length) {
      showErrors(form, groupUserErrors(made.userErrors, errorFields(form)));
      return;
    }
    form.reset();
    view.secret = { title: `Copy the secret of ${made.webhook.url} now`, value: made.secret };
    await view.show(view.hooks.first);
    view.update();
    view.root.querySelector('#webhook-secret').focus();
  } catch (error) {
    if (!error.handled) showErrors(form, { general: [describeApiError(error)] });
  } finally {
    setBusy(form, false);
  }
}

async function mutate(view, document, input, field) {
  try {
    const data = await view.app.request(document, { input });
    const payload = data[field];
    if (payload.userErrors.length) {
      view.app.notify(payload.userErrors.map((e) => sentence(e.message)).join(' '), 'error');
      return null;
    }
    return payload;
  } catch (error) {
    if (!error.handled) view.app.notify(describeApiError(error), 'error');
    return null;
  }
}

async function toggle(hook, view) {
  if (hook.active) {
    const ok = await confirmDialog({
      title: `Disable ${hook.url}?`,
      message: 'It gets no deliveries while disabled, not even later: events that happen meanwhile are not sent. Pending retries wait until you enable it again.',
      confirm: 'Disable webhook',
    });
    if (!ok) return;
  }
  const done = await mutate(view, UPDATE_WEBHOOK, { id: hook.id, active: !hook.active }, 'updateWebhook');
  if (!done) return;
  view.hooks.replace(done.webhook);
  view.app.notify(`${done.webhook.url} is ${done.webhook.active ? 'enabled' : 'disabled'}.`, 'success');
  view.update();
}

async function rotate(hook, view) {
  const ok = await confirmDialog({
    title: `Rotate the secret of ${hook.url}?`,
    message: 'A new secret is shown once. The current one keeps signing too (both signatures are sent) for 24 hours, time to switch your receiver over.',
    confirm: 'Rotate secret',
    danger: false,
  });
  if (!ok) return;
  const done = await mutate(view, ROTATE_WEBHOOK_SECRET, { id: hook.id }, 'rotateWebhookSecret');
  if (!done) return;
  view.hooks.replace(done.webhook);
  view.secret = { title: `Copy the new secret of ${hook.url} now`, value: done.secret };
  view.update();
  view.root.querySelector('#webhook-secret').focus();
}

async function remove(hook, view) {
  const ok = await confirmDialog({
    title: `Delete ${hook.url}?`,
    message: 'Its deliveries stop and its delivery log is deleted with it. This cannot be undone.',
    confirm: 'Delete webhook',
  });
  if (!ok) return;
  const done = await mutate(view, DELETE_WEBHOOK, { id: hook.id }, 'deleteWebhook');
  if (!done) return;
  if (view.logFilter.webhookId === hook.id) view.logFilter.webhookId = '';
  view.app.notify(`${hook.url} is deleted.`, 'success');
  await view.show(view.hooks.first, view.log.first);
  view.root.querySelector('#hooks-title').focus?.();
}

async function redeliver(id, view) {
  const done = await mutate(view, REDELIVER_WEBHOOK_DELIVERY, { id }, 'redeliverWebhookDelivery');
  if (!done) return;
  view.app.notify(`Event ${done.delivery.eventId} is queued to be sent again.`, 'success');
  await view.show(view.log.first);
}

function createForm() {
  const groups = EVENT_KIND_GROUPS.map(([name, kinds]) => html`<fieldset class="kind-group">
    <legend>${name}</legend>
    ${kinds.map((kind) => html`<div class="checkbox">
      <input id="webhook-event-${kind}" name="events" type="checkbox" value="${kind}"
        aria-describedby="webhook-events-error">
      <label for="webhook-event-${kind}">${eventKindLabel(kind)}</label>
    </div>`)}
  </fieldset>`);
  return html`<form class="card stack" data-form="create-webhook" novalidate>
    <h2>New webhook</h2>
    ${inputField('webhook', {
      name: 'url',
      label: 'Receiver URL',
      type: 'url',
      required: true,
      spellcheck: false,
      placeholder: 'https://crm.example.com/hooks/accord',
      hint: 'Must resolve to a public address; redirects are not followed.',
    })}
    <fieldset class="field kind-groups">
      <legend>Events to send</legend>
      <button type="button" class="small" data-action="select-all">Choose all</button>
      ${groups}
      <p class="field-error" id="webhook-events-error" data-error-for="events" hidden></p>
    </fieldset>
    ${formError()}
    <div class="actions">${submitButton('Create webhook')}</div>
  </form>`;
}

function webhookRow(h, app) {
  const rotated = h.previousSecretValidUntil
    ? html`<br><span class="muted">old secret signs too until ${app.time(h.previousSecretValidUntil)}</span>`
    : '';
  return html`<tr>
    <th scope="row" data-label="URL" class="mono wrap">${h.url}</th>
    <td data-label="Events" title="${h.events.map(eventKindLabel).join(', ')}">${eventsSummary(h.events)}</td>
    <td data-label="Status"><span class="status ${h.active ? 'active' : 'revoked'}">${h.active ? 'enabled' : 'disabled'}</span></td>
    <td data-label="Created">${app.time(h.createdAt)}</td>
    <td data-label="Secret">${h.secretRotatedAt ? html`rotated ${app.time(h.secretRotatedAt)}` : 'original'}${rotated}</td>
    <td class="row-actions">
      <button type="button" class="small" data-action="show-log" data-id="${h.id}"
        aria-label="Deliveries of ${h.url}">Deliveries</button>
      <button type="button" class="small" data-action="toggle" data-id="${h.id}"
        aria-label="${h.active ? 'Disable' : 'Enable'} ${h.url}">${h.active ? 'Disable' : 'Enable'}</button>
      <button type="button" class="small" data-action="rotate" data-id="${h.id}"
        aria-label="Rotate secret of ${h.url}">Rotate secret</button>
      <button type="button" class="small danger" data-action="delete" data-id="${h.id}"
        aria-label="Delete ${h.url}">Delete</button>
    </td>
  </tr>`;
}

function webhookTable({ hooks, app }) {
  const placeholder = listPlaceholder(hooks, {
    loading: 'Loading webhooks…',
    empty: 'No webhooks yet: create one above to send events to another system.',
  });
  if (placeholder) return placeholder;
  return html`<div class="table-wrap"><table class="cards">
    <thead><tr>
      <th scope="col">URL</th><th scope="col">Events</th><th scope="col">Status</th>
      <th scope="col">Created</th><th scope="col">Secret</th>
      <th scope="col"><span class="visually-hidden">Actions</span></th>
    </tr></thead>
    <tbody>${hooks.rows.map((h) => webhookRow(h, app))}</tbody>
  </table></div>`;
}

function logFilter({ hooks, logFilter: f }) {
  const options = [['', 'All webhooks'], ...hooks.rows.map((h) => [h.id, h.url])];
  return html`<div class="toolbar filters" role="search" aria-label="Filter the delivery log">
    <div class="field">
      <label for="log-webhook">Webhook</label>
      <select id="log-webhook" data-control="log-webhook">
        ${options.map(([value, text]) => html`<option value="${value}" ${value === f.webhookId ? html`selected` : ''}>${text}</option>`)}
      </select>
    </div>
    <div class="field">
      <label for="log-status">Status</label>
      <select id="log-status" data-control="log-status">
        ${STATUSES.map(([value, text]) => html`<option value="${value}" ${value === f.status ? html`selected` : ''}>${text}</option>`)}
      </select>
    </div>
  </div>`;
}

function deliveryRow(d, app) {
  const state = deliveryState(d);
  const answer = d.responseCode ? `HTTP ${d.responseCode}` : (d.error ? 'no answer' : '—');
  const detail = d.error || d.responseBody
    ? html`<details><summary>Details<span class="visually-hidden"> of event ${d.eventId}</span></summary>
        ${d.error ? html`<p>${d.error}</p>` : ''}
        ${d.responseBody ? html`<pre class="change-full">${d.responseBody}</pre>` : ''}
      </details>`
    : '';
  return html`<tr>
    <td data-label="Created">${app.time(d.createdAt)}</td>
    <th scope="row" data-label="Event">${eventKindLabel(d.kind)}
      <br><span class="muted mono">id ${d.eventId} · #${d.sequence}</span>
      ${d.redeliveryOf ? html`<br><span class="badge">redelivery</span>` : ''}</th>
    <td data-label="Webhook" class="mono wrap">${d.webhook?.url ?? '—'}</td>
    <td data-label="Status"><span class="status ${TONES[state.tone]}">${state.text}</span>
      ${d.status === 'PENDING' && d.nextAttemptAt ? html`<br><span class="muted">next ${app.time(d.nextAttemptAt)}</span>` : ''}</td>
    <td data-label="Answer">${answer}<br><span class="muted">${formatDuration(d.durationMs)}</span></td>
    <td data-label="Details">${detail}</td>
    <td><button type="button" class="small" data-action="redeliver" data-id="${d.id}"
      aria-label="Redeliver event ${d.eventId} to ${d.webhook?.url ?? 'its webhook'}">Redeliver</button></td>
  </tr>`;
}

function deliveryTable({ log, app }) {
  const placeholder = listPlaceholder(log, {
    loading: 'Loading deliveries…',
    empty: 'No deliveries match: events are logged here as they are sent.',
  });
  if (placeholder) return placeholder;
  return html`<div class="table-wrap"><table class="cards">
    <thead><tr>
      <th scope="col">Created</th><th scope="col">Event</th><th scope="col">Webhook</th>
      <th scope="col">Status</th><th scope="col">Answer</th><th scope="col">Details</th>
      <th scope="col"><span class="visually-hidden">Actions</span></th>
    </tr></thead>
    <tbody>${log.rows.map((d) => deliveryRow(d, app))}</tbody>
  </table></div>
  <div class="pager">
    <span>${log.rows.length} of ${log.total}</span>
    ${log.pageInfo?.hasNextPage ? html`<button type="button" data-action="more-log">Show more</button>` : ''}
  </div>`;
}
