// The audit log (managers and admins): every change and refusal, newest first.

import { formValues, html, region, render } from '../../dom.js';
import { auditFilter, describeChanges } from '../../logic.js';
import { AUDIT_ENTRIES } from '../../operations.js';
import { inputField } from '../core/fields.js';
import { listPlaceholder, pagedList, pager } from '../core/paged.js';

export function mount(root, app) {
  const tz = app.viewer.timezone;
  render(root, html`<div class="page">
    <h1>Audit log</h1>
    <form class="card filters" data-form="filters" role="search" aria-label="Filter the audit log">
      ${inputField('audit', { name: 'action', label: 'Actions', placeholder: 'e.g. login, updateUser', spellcheck: false, hint: 'Separate several with commas.' })}
      ${inputField('audit', { name: 'since', label: 'Since', type: 'datetime-local', hint: `In your timezone (${tz}).` })}
      <div class="actions">
        <button type="submit" class="primary">Filter</button>
        <button type="reset">Clear</button>
      </div>
    </form>
    <div data-region="list" aria-live="polite"></div>
  </div>`);
  const filters = root.querySelector('form');
  let filter = {};
  const list = pagedList(app, {
    document: AUDIT_ENTRIES,
    field: 'auditEntries',
    variables: () => ({ filter }),
  });
  const update = () => render(region(root, 'list'), entryTable(list, app));
  const show = async (step) => {
    if (await step()) update();
  };

  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    filter = auditFilter(formValues(filters), tz);
    show(list.first);
  });
  filters.addEventListener('reset', () => {
    filter = {};
    show(list.first);
  });
  root.addEventListener('click', (event) => {
    const action = event.target.closest('[data-action]')?.dataset.action;
    if (action === 'page-next') show(list.next);
    if (action === 'page-previous') show(list.previous);
  });

  update();
  show(list.first);
  return {};
}

function changesList(changes) {
  const pairs = describeChanges(changes);
  if (!pairs.length) return html`<span class="muted">—</span>`;
  return html`<dl class="changes">${pairs.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
}

function entryRow(e, app) {
  const ok = e.outcome === 'OK';
  return html`<tr class="${ok ? '' : 'refused'}">
    <td data-label="When">${app.time(e.at)}</td>
    <td data-label="Who">${e.actor?.name ?? html`<span class="muted">nobody signed in</span>`}
      <div class="muted small">${e.credential}</div></td>
    <th scope="row" data-label="Action">${e.action}</th>
    <td data-label="Outcome"><span class="status ${ok ? 'active' : 'revoked'}">${e.outcome}</span></td>
    <td data-label="Subject">${e.entityType || '—'}${e.entityId ? html`<div class="mono small">${e.entityId}</div>` : ''}</td>
    <td data-label="Changes">${changesList(e.changes)}</td>
    <td data-label="Request" class="mono small">${e.requestId}</td>
  </tr>`;
}

function entryTable(list, app) {
  const placeholder = listPlaceholder(list, {
    loading: 'Loading the audit log…',
    empty: 'No entries match.',
  });
  if (placeholder) return placeholder;
  // Focusable: long changes can make the table scroll sideways, and a keyboard
  // must be able to scroll it.
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="Audit entries"><table class="cards">
    <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th>
      <th scope="col">Outcome</th><th scope="col">Subject</th><th scope="col">Changes</th>
      <th scope="col">Request</th></tr></thead>
    <tbody>${list.rows.map((e) => entryRow(e, app))}</tbody>
  </table></div>
  ${pager(list, { name: 'Pages of the audit log', previous: 'Newer', next: 'Older' })}`;
}
