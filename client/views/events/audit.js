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

const SHORT = 90;

/** "recordLeadActivities" may wrap before each capital, not inside words. */
function camelBreaks(text) {
  return String(text).split(/(?=[A-Z])/).map((part, i) => (i ? html`<wbr>${part}` : part));
}

const EMAIL = /^([^@\s]+)@([^@\s]+)$/;

function changeValue(value) {
  const email = EMAIL.exec(value);
  // An address breaks after its @ when it must, not inside a word.
  if (email) return html`<dd class="email">${email[1]}@<wbr>${email[2]}</dd>`;
  if (value.length <= SHORT) return html`<dd>${value}</dd>`;
  let pretty = value;
  try {
    pretty = JSON.stringify(JSON.parse(value), null, 2);
  } catch {
    // Not JSON: shown as it is.
  }
  return html`<dd><details><summary>${value.slice(0, SHORT - 10)}…</summary><pre class="change-full">${pretty}</pre></details></dd>`;
}

function changesList(changes) {
  const pairs = describeChanges(changes);
  if (!pairs.length) return html`<span class="muted">—</span>`;
  return html`<dl class="changes">${pairs.map(([k, v]) => html`<dt>${k}</dt>${changeValue(v)}`)}</dl>`;
}

function entryRow(e, app) {
  const ok = e.outcome === 'OK';
  return html`<tr class="${ok ? '' : 'refused'}">
    <td data-label="When">${app.time(e.at)}</td>
    <td data-label="Who">${e.actor?.name ?? html`<span class="muted">nobody signed in</span>`}
      <div class="muted small subject-id">${e.credential}</div></td>
    <th scope="row" data-label="Action" class="audit-action">${camelBreaks(e.action)}</th>
    <td data-label="Outcome"><span class="status ${ok ? 'active' : 'revoked'}">${e.outcome}</span></td>
    <td data-label="Subject">${e.entityType || '—'}${e.entityId ? html`<div class="mono small subject-id">${e.entityId}</div>` : ''}</td>
    <td data-label="Changes">${changesList(e.changes)}</td>
    <td data-label="Request" class="mono small subject-id">${e.requestId}</td>
  </tr>`;
}

function entryTable(list, app) {
  const placeholder = listPlaceholder(list, {
    loading: 'Loading the audit log…',
    empty: 'No entries match.',
  });
  if (placeholder) return placeholder;
  // Long changes (an agreement's terms) can make the table scroll sideways: the
  // scrolling box is then reachable and named for keyboard and screen readers.
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="Audit entries"><table class="cards audit">
    <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th>
      <th scope="col">Outcome</th><th scope="col">Subject</th><th scope="col">Changes</th>
      <th scope="col">Request</th></tr></thead>
    <tbody>${list.rows.map((e) => entryRow(e, app))}</tbody>
  </table></div>
  ${pager(list, { name: 'Pages of the audit log', previous: 'Newer', next: 'Older' })}`;
}
