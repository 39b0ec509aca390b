// Handoffs: the `handoffs` connection as a table, the filter read from the URL
// (every `HandoffFilter` field, as the dashboard's figures link to it), keyset
// paging, each row linking to its lead. Times in the viewer's timezone; the
// deadlines are the server's instants.

import { html, region, render } from '../../dom.js';
import { filterFromParams, filterSummary, formatInstant, paramsFromFilter } from '../../logic.js';
import { leadWord } from '../../logic/leads.js';
import { HANDOFF_FILTER_FIELDS, HANDOFF_ORDERS } from '../../logic/waterfall.js';
import { HANDOFF_LIST, HANDOFF_LIST_NAMES } from '../../operations/waterfall.js';
import { selectField } from '../core/fields.js';
import { listPlaceholder, pagedList, pager } from '../core/paged.js';

export function mount(root, app, { query }) {
  const viewer = app.viewer;
  const filter = filterFromParams(HANDOFF_FILTER_FIELDS, query);
  const sort = HANDOFF_ORDERS[query.sort] ? query.sort : 'CREATED_AT_DESC';
  const order = HANDOFF_ORDERS[sort];
  const list = pagedList(app, {
    document: HANDOFF_LIST,
    field: 'handoffs',
    variables: () => ({ filter, orderBy: { field: order.field, direction: order.direction } }),
  });
  const view = { names: new Map() };
  let alive = true;

  render(root, html`<div class="page handoffs-page">
    <h1>Handoffs</h1>
    <div data-region="filters"></div>
    <div data-region="list" aria-live="polite"><p class="loading">Loading handoffs…</p></div>
  </div>`);

  const update = () => {
    if (!alive) return;
    render(region(root, 'filters'), filterBar(filter, sort, view, viewer));
    render(region(root, 'list'), handoffTable(list, viewer));
  };

  const go = (nextFilter, nextSort = sort) => {
    const params = paramsFromFilter(nextFilter);
    if (nextSort !== 'CREATED_AT_DESC') params.sort = nextSort;
    app.navigate('/handoffs', params);
  };

  root.addEventListener('click', async (event) => {
    const target = event.target.closest('[data-action]');
    const action = target?.dataset.action;
    if (action === 'page-next' && await list.next()) update();
    if (action === 'page-previous' && await list.previous()) update();
    if (action === 'drop-filter') {
      const next = { ...filter };
      delete next[target.dataset.key];
      go(next);
    }
  });
  root.addEventListener('change', (event) => {
    if (event.target.name === 'sort') go(filter, event.target.value);
  });

  list.first().then(update);
  app.request(HANDOFF_LIST_NAMES, {}).then((data) => {
    for (const e of [...data.personas.edges, ...data.users.edges]) view.names.set(e.node.id, e.node.name);
    update();
  }).catch(() => {}); // the summary then shows ids; the list itself is unaffected

  return { unmount() { alive = false; } };
}

function filterBar(filter, sort, view, viewer) {
  const asked = filterSummary(HANDOFF_FILTER_FIELDS, filter, {
    timeZone: viewer.timezone, names: view.names, word: leadWord,
  });
  return html`<div class="card">
    ${asked.length ? html`<div class="drill-filters" role="group" aria-labelledby="handoffs-filter-title">
      <p id="handoffs-filter-title"><strong>Filtered by</strong> <a href="#/handoffs">clear</a></p>
      <ul class="chips">${asked.map((a) => html`<li class="chip">${a.label}: ${a.text}
        <button type="button" class="link-button" data-action="drop-filter" data-key="${a.key}" aria-label="Remove the filter ${a.label}">×</button></li>`)}</ul>
    </div>` : html`<p class="muted">Every handoff you may see. Figures on the dashboard open this list filtered.</p>`}
    <div class="filters">
      ${selectField('handoffs', { name: 'sort', label: 'Order', value: sort, options: Object.entries(HANDOFF_ORDERS).map(([k, o]) => [k, o.label]) })}
    </div>
  </div>`;
}

function handoffTable(list, viewer) {
  const placeholder = listPlaceholder(list, {
    loading: 'Loading handoffs…', empty: 'No handoff matches this filter.',
  });
  const when = (iso) => (iso ? formatInstant(iso, viewer.timezone) : '—');
  const total = html`<p class="muted" data-total="${list.total}">${list.total} ${list.total === 1 ? 'handoff' : 'handoffs'}</p>`;
  if (placeholder) return html`${list.loaded && !list.error ? total : ''}${placeholder}`;
  return html`${total}
    <div class="table-wrap" tabindex="0" role="region" aria-label="Handoffs"><table class="handoffs">
      <caption class="visually-hidden">Handoffs</caption>
      <thead><tr>
        <th scope="col">Lead</th><th scope="col">Assignee</th><th scope="col">Status</th>
        <th scope="col">Handed off</th><th scope="col">Decide by</th><th scope="col">Decided</th>
        <th scope="col">First touch due</th><th scope="col">First touch</th><th scope="col">Outcome</th>
      </tr></thead>
      <tbody>${list.rows.map((h) => html`<tr>
        <td>${h.lead ? html`<a href="#/leads/${h.lead.id}">${h.lead.fullName}</a>${h.lead.company ? html`<br><span class="small muted">${h.lead.company}</span>` : ''}` : '—'}</td>
        <td>${h.assignee?.name ?? '—'}</td>
        <td>${leadWord(h.status)}${h.autoAccepted ? html` <span class="small muted">(automatically)</span>` : ''}</td>
        <td>${when(h.handedOffAt)}</td>
        <td>${when(h.acceptDueAt)}<br><span class="small muted">${leadWord(h.acceptStatus)}</span></td>
        <td>${when(h.decidedAt)}</td>
        <td>${when(h.firstTouchDueAt)}<br><span class="small muted">${leadWord(h.firstTouchStatus)}</span></td>
        <td>${when(h.firstTouchAt)}${h.touchAttempts ? html`<br><span class="small muted">${h.touchAttempts} ${h.touchAttempts === 1 ? "attempt" : "attempts"}</span>` : ''}</td>
        <td>${outcome(h)}</td>
      </tr>`)}</tbody>
    </table></div>
    ${pager(list, { name: 'Handoff pages' })}`;
}

function outcome(h) {
  if (h.rejection) return `Rejected: ${leadWord(h.rejection.reason)}`;
  if (h.lead && h.status === 'ACCEPTED') return `Lead now ${leadWord(h.lead.stage)}`;
  if (h.reassignCause) return `Reassigned (${leadWord(h.reassignCause).toLowerCase().replaceAll('_', ' ')})`;
  return '—';
}
