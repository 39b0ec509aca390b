// The audit log (managers and admins): every change and refusal, newest first.

import { formValues, html, region, render } from '../dom.js';
import {
  auditFilter, describeApiError, describeChanges, firstPage, nextPage, pageSummary,
  pageVariables, previousPage,
} from '../logic.js';
import { AUDIT_ENTRIES } from '../operations.js';
import { inputField } from './fields.js';

export function mount(root, app) {
  const state = { paging: firstPage(), rows: [], total: 0, pageInfo: null, error: null,
    loaded: false, filter: {} };
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
  const update = () => render(region(root, 'list'), entryTable(state, app));

  let ticket = 0; // only the latest request's answer is shown
  async function load() {
    const mine = ++ticket;
    try {
      const { auditEntries } = await app.request(AUDIT_ENTRIES, {
        ...pageVariables(state.paging),
        filter: state.filter,
      });
      if (mine !== ticket) return;
      Object.assign(state, {
        rows: auditEntries.edges.map((e) => e.node),
        total: auditEntries.totalCount,
        pageInfo: auditEntries.pageInfo,
        error: null,
        loaded: true,
      });
    } catch (error) {
      if (error.handled || mine !== ticket) return;
      state.error = describeApiError(error);
    }
    update();
  }

  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    state.filter = auditFilter(formValues(filters), tz);
    state.paging = firstPage();
    load();
  });
  filters.addEventListener('reset', () => {
    state.filter = {};
    state.paging = firstPage();
    load();
  });
  root.addEventListener('click', (event) => {
    const action = event.target.closest('[data-action]')?.dataset.action;
    if (action === 'next-page') state.paging = nextPage(state.paging, state.pageInfo.endCursor);
    else if (action === 'previous-page') state.paging = previousPage(state.paging);
    else return;
    load();
  });

  update();
  load();
  return {};
}

function changesList(changes) {
  const pairs = describeChanges(changes);
  if (!pairs.length) return html`<span class="muted">—</span>`;
  return html`<dl class="changes">${pairs.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
}

function entryTable(state, app) {
  if (state.error) return html`<p class="form-error">${state.error}</p>`;
  if (!state.loaded) return html`<p class="loading">Loading the audit log…</p>`;
  if (!state.rows.length) return html`<p class="empty">No entries match.</p>`;
  const rows = state.rows.map((e) => html`<tr class="${e.outcome === 'OK' ? '' : 'refused'}">
    <td data-label="When">${app.time(e.at)}</td>
    <td data-label="Who">${e.actor?.name ?? html`<span class="muted">nobody signed in</span>`}
      <div class="muted small">${e.credential}</div></td>
    <th scope="row" data-label="Action">${e.action}</th>
    <td data-label="Outcome"><span class="status ${e.outcome === 'OK' ? 'active' : 'revoked'}">${e.outcome}</span></td>
    <td data-label="Subject">${e.entityType || '—'}${e.entityId ? html`<div class="mono small">${e.entityId}</div>` : ''}</td>
    <td data-label="Changes">${changesList(e.changes)}</td>
    <td data-label="Request" class="mono small">${e.requestId}</td>
  </tr>`);
  return html`<div class="table-wrap"><table class="cards">
    <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th>
      <th scope="col">Outcome</th><th scope="col">Subject</th><th scope="col">Changes</th>
      <th scope="col">Request</th></tr></thead>
    <tbody>${rows}</tbody>
  </table></div>
  <nav class="pager" aria-label="Pages of the audit log">
    <button type="button" data-action="previous-page" ${state.paging.previous.length ? '' : html`disabled`}>Newer</button>
    <span>${pageSummary(state.paging, state.rows.length, state.total)}</span>
    <button type="button" data-action="next-page" ${state.pageInfo?.hasNextPage ? '' : html`disabled`}>Older</button>
  </nav>`;
}
