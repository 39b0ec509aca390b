// Leads: the `leads` connection as a table. Filters live in the URL (a link
// shares the list), saved filters are kept on the server per user, rows can be
// handed off (marketing) or reassigned (sales managers) together, each row's
// outcome shown beside it, and the whole list exports as CSV.

import { formValues, html, region, render } from '../../dom.js';
import {
  describeApiError, filterSummary, label, pageSummary, PAGE_SIZE,
} from '../../logic.js';
import {
  activeFilterCount, formatDay, GRADES, LEAD_DRILL_FIELDS, LEAD_ORDERS, LEAD_STAGES, leadFiltersFromForm,
  leadFiltersFromQuery, leadListVariables, leadQueryFromFilters, leadsCsv, leadWord, openHandoff,
} from '../../logic/leads.js';
import { LEAD_LIST_SCREEN, LEADS } from '../../operations/leads.js';
import { DELETE_SAVED_FILTER, SAVE_FILTER } from '../../operations/people.js';
import { HANDOFF_LEAD_MUTATION, REASSIGN_HANDOFF } from '../../operations/waterfall.js';
import { checkboxGroup, inputField, selectField } from '../core/fields.js';
import { pagedList, pager } from '../core/paged.js';
import { downloadText } from './download.js';

const SCREEN = 'leads';
const EXPORT_LIMIT = 10_000;

export function mount(root, app, { query }) {
  const viewer = app.viewer;
  const state = leadFiltersFromQuery(query);
  const variables = leadListVariables(state, viewer.timezone);
  const mayImport = viewer.team === 'MARKETING' || viewer.role === 'ADMIN';
  const mayHandOff = viewer.team === 'MARKETING' && viewer.role !== 'ADMIN';
  const mayReassign = viewer.team === 'SALES' && viewer.role === 'MANAGER';
  const view = {
    personas: [], people: [], saved: [], selected: new Set(), outcomes: new Map(),
    busy: false, exporting: null, timeZone: viewer.timezone,
  };
  const list = pagedList(app, { document: LEADS, field: 'leads', variables: () => variables });
  let alive = true; // false once the router moved on: late answers draw nothing

  render(root, html`<div class="page">
    <div class="title-row">
      <h1>Leads</h1>
      <div class="actions">
        <a class="button" href="#/leads/duplicates">Duplicates</a>
        ${mayImport ? html`<a class="button" href="#/leads/import">Import CSV</a>` : ''}
        <button type="button" data-action="export">Export CSV</button>
      </div>
    </div>
    <div data-region="saved"></div>
    <div data-region="filters"></div>
    <div data-region="status" role="status" aria-live="polite" class="muted"></div>
    <div data-region="bulk"></div>
    <div data-region="list" aria-live="polite"><p class="loading">Loading leads…</p></div>
  </div>`);

  const update = () => {
    if (!alive) return;
    render(region(root, 'saved'), savedBar(view, state));
    render(region(root, 'bulk'), bulkBar(view, list, { mayHandOff, mayReassign }));
    render(region(root, 'list'), leadTable(list, view, app, { selectable: mayHandOff || mayReassign }));
    render(region(root, 'status'), html`${view.exporting ?? ''}`);
  };
  const renderFilters = () => alive && render(region(root, 'filters'), filterForm(state, view));

  async function firstLoad() {
    try {
      const data = await app.request(LEAD_LIST_SCREEN, {
        first: PAGE_SIZE, ...variables, screen: SCREEN,
      });
      view.personas = data.personas.edges.map((e) => e.node);
      view.people = data.users.edges.map((e) => e.node);
      view.saved = data.savedFilters;
      const c = data.leads;
      Object.assign(list, {
        rows: c.edges.map((e) => e.node), total: c.totalCount, pageInfo: c.pageInfo,
        loaded: true, error: null,
      });
    } catch (error) {
      if (error.handled) return;
      list.error = describeApiError(error);
    }
    renderFilters();
    update();
  }

  const show = async (step) => {
    view.selected.clear();
    view.outcomes.clear();
    if (await step()) update();
  };

  const apply = (next) => app.navigate('/leads', leadQueryFromFilters(next));

  root.addEventListener('submit', (event) => {
    const form = event.target;
    event.preventDefault();
    if (form.dataset.form === 'filters') {
      apply({ ...leadFiltersFromForm(formValues(form)), extra: state.extra });
    }
    if (form.dataset.form === 'save-filter') saveFilter(form);
    if (form.dataset.form === 'bulk') runBulk(form);
  });
  root.addEventListener('change', (event) => {
    const target = event.target;
    if (target.name === 'select-row') {
      if (target.checked) view.selected.add(target.value);
      else view.selected.delete(target.value);
      update();
    }
    if (target.name === 'select-all') {
      for (const lead of list.rows) {
        if (target.checked) view.selected.add(lead.id);
        else view.selected.delete(lead.id);
      }
      update();
    }
    if (target.name === 'saved-filter' && target.value) {
      const chosen = view.saved.find((s) => s.id === target.value);
      if (chosen) apply(leadFiltersFromQuery(chosen.filter ?? {}));
    }
  });
  root.addEventListener('click', (event) => {
    const action = event.target.closest('[data-action]')?.dataset.action;
    if (action === 'page-next') show(list.next);
    if (action === 'page-previous') show(list.previous);
    if (action === 'clear-filters') apply(leadFiltersFromQuery({ sort: state.sort }));
    if (action === 'drop-extra') {
      const key = event.target.closest('[data-key]').dataset.key;
      const extra = { ...state.extra };
      delete extra[key];
      apply({ ...state, extra });
    }
    if (action === 'export') exportCsv();
    if (action === 'delete-saved') deleteSaved();
  });

  async function saveFilter(form) {
    const name = formValues(form).name.trim();
    const box = form.querySelector('[data-form-error]');
    if (!name) {
      box.textContent = 'Give the filter a name.';
      box.hidden = false;
      return;
    }
    try {
      const { saveFilter: result } = await app.request(SAVE_FILTER, {
        input: { screen: SCREEN, name, filter: leadQueryFromFilters(state) },
      });
      if (result.userErrors.length) {
        box.textContent = result.userErrors.map((e) => e.message).join(' ');
        box.hidden = false;
        return;
      }
      view.saved = [...view.saved.filter((s) => s.id !== result.savedFilter.id), result.savedFilter]
        .sort((a, b) => a.name.localeCompare(b.name));
      app.notify(`Saved the filter “${name}”.`, 'success');
      update();
    } catch (error) {
      if (!error.handled) app.notify(describeApiError(error), 'error');
    }
  }

  async function deleteSaved() {
    const select = root.querySelector('[name="saved-filter"]');
    const chosen = view.saved.find((s) => s.id === select?.value);
    if (!chosen) {
      app.notify('Choose a saved filter to delete.', 'error');
      return;
    }
    try {
      const { deleteSavedFilter: result } = await app.request(DELETE_SAVED_FILTER, {
        input: { id: chosen.id },
      });
      if (result.userErrors.length) {
        app.notify(result.userErrors.map((e) => e.message).join(' '), 'error');
        return;
      }
      view.saved = view.saved.filter((s) => s.id !== chosen.id);
      app.notify(`Deleted the filter “${chosen.name}”.`, 'success');
      update();
    } catch (error) {
      if (!error.handled) app.notify(describeApiError(error), 'error');
    }
  }

  async function runBulk(form) {
    const { operation, assignee } = formValues(form);
    const rows = list.rows.filter((l) => view.selected.has(l.id));
    if (!rows.length || view.busy) return;
    view.busy = true;
    update();
    for (const lead of rows) {
      view.outcomes.set(lead.id, { kind: 'busy', text: 'Working…' });
      update();
      view.outcomes.set(lead.id, await bulkOne(app, operation, lead, assignee || null));
      update();
    }
    view.busy = false;
    const failed = rows.filter((l) => view.outcomes.get(l.id).kind === 'error').length;
    app.notify(`${rows.length - failed} of ${rows.length} done${failed ? `, ${failed} refused (see each row)` : ''}.`,
      failed ? 'error' : 'success');
    view.selected.clear();
    update();
  }

  async function exportCsv() {
    if (view.exporting) return;
    const rows = [];
    let after = null;
    try {
      do {
        view.exporting = `Exporting… ${rows.length} of ${list.total} leads`;
        update();
        const { leads } = await app.request(LEADS, { first: 100, after, ...variables });
        rows.push(...leads.edges.map((e) => e.node));
        after = leads.pageInfo.hasNextPage ? leads.pageInfo.endCursor : null;
      } while (after && rows.length < EXPORT_LIMIT);
      downloadText(leadsCsv(rows), 'leads.csv', 'text/csv;charset=utf-8');
      view.exporting = `Exported ${rows.length} leads${after ? ` (the first ${EXPORT_LIMIT}; narrow the filters for the rest)` : ''}.`;
    } catch (error) {
      view.exporting = null;
      if (!error.handled) app.notify(describeApiError(error), 'error');
    }
    update();
  }

  firstLoad();
  return { unmount() { alive = false; } };
}

async function bulkOne(app, operation, lead, assigneeId) {
  try {
    if (operation === 'handoff') {
      const { handoffLead: r } = await app.request(HANDOFF_LEAD_MUTATION, {
        input: { leadId: lead.id, assigneeId },
      });
      if (r.userErrors.length) return { kind: 'error', text: r.userErrors.map((e) => e.message).join(' ') };
      return { kind: 'ok', text: `Handed off to ${r.handoff.assignee?.name ?? 'sales'}` };
    }
    const open = openHandoff(lead);
    if (!open) return { kind: 'error', text: 'No pending handoff to reassign' };
    const { reassignHandoff: r } = await app.request(REASSIGN_HANDOFF, {
      input: { handoffId: open.id, assigneeId },
    });
    if (r.userErrors.length) return { kind: 'error', text: r.userErrors.map((e) => e.message).join(' ') };
    return { kind: 'ok', text: `Reassigned to ${r.handoff.assignee?.name ?? 'the next in the pool'}` };
  } catch (error) {
    if (error.handled) return { kind: 'error', text: 'Not done: signed out' };
    return { kind: 'error', text: describeApiError(error) };
  }
}

function filterForm(state, view) {
  const yesNo = [['', 'Any'], ['yes', 'Yes'], ['no', 'No']];
  const owners = [['', 'Anyone'], ...view.people.map((p) => [p.id, `${p.name} (${label(p.team)})`])];
  const personas = view.personas.map((p) => [p.id, p.name]);
  const count = activeFilterCount(state);
  const names = new Map([...view.personas, ...view.people].map((x) => [x.id, x.name]));
  const asked = filterSummary(LEAD_DRILL_FIELDS, state.extra, {
    timeZone: view.timeZone, names, word: leadWord,
  });
  const more = state.stages.length || state.grades.length || state.personas.length
    || state.createdFrom || state.createdTo || state.enteredFrom || state.enteredTo;
  return html`<form class="card" data-form="filters" role="search" aria-label="Filter the leads">
    <div class="filters">
      ${inputField('leads', { name: 'q', label: 'Search', value: state.q, placeholder: 'Name, e-mail or company', spellcheck: false })}
      ${selectField('leads', { name: 'sort', label: 'Order', value: state.sort, options: Object.entries(LEAD_ORDERS).map(([k, o]) => [k, o.label]) })}
      ${selectField('leads', { name: 'qualified', label: 'Qualified', value: state.qualified, options: yesNo })}
      ${selectField('leads', { name: 'customer', label: 'Customer', value: state.customer, options: yesNo })}
      ${selectField('leads', { name: 'owners', label: 'Owner', value: state.owners[0] ?? '', options: owners })}
      ${inputField('leads', { name: 'scoreMin', label: 'Score from', type: 'number', value: state.scoreMin ?? '', min: '0' })}
      ${inputField('leads', { name: 'scoreMax', label: 'Score to', type: 'number', value: state.scoreMax ?? '', min: '0' })}
    </div>
    <details class="more-filters" ${more ? html`open` : ''}>
      <summary>Stage, grade, persona and dates</summary>
      <div class="filters more">
        ${checkboxGroup('leads', { name: 'stages', label: 'Stages', options: LEAD_STAGES.map((s) => [s, leadWord(s)]), checked: state.stages })}
        ${checkboxGroup('leads', { name: 'grades', label: 'Grades', options: GRADES.map((g) => [g, g]), checked: state.grades })}
        ${personas.length ? checkboxGroup('leads', { name: 'personas', label: 'Personas', options: personas, checked: state.personas }) : ''}
        ${inputField('leads', { name: 'createdFrom', label: 'Created from', type: 'date', value: state.createdFrom })}
        ${inputField('leads', { name: 'createdTo', label: 'Created to', type: 'date', value: state.createdTo })}
        ${inputField('leads', { name: 'enteredFrom', label: 'In stage since (from)', type: 'date', value: state.enteredFrom })}
        ${inputField('leads', { name: 'enteredTo', label: 'In stage since (to)', type: 'date', value: state.enteredTo })}
      </div>
    </details>
    ${asked.length ? html`<div class="drill-filters" role="group" aria-labelledby="leads-drill-title">
      <p id="leads-drill-title"><strong>Also filtered by (from the dashboard):</strong></p>
      <ul class="chips">${asked.map((a) => html`<li class="chip">${a.label}: ${a.text}
        <button type="button" class="link-button" data-action="drop-extra" data-key="${a.key}" aria-label="Remove the filter ${a.label}">×</button></li>`)}</ul>
    </div>` : ''}
    <div class="actions">
      <button type="submit" class="primary">Apply filters</button>
      <button type="button" data-action="clear-filters" ${count ? '' : html`disabled`}>Clear filters${count ? ` (${count})` : ''}</button>
    </div>
  </form>`;
}

function savedBar(view, state) {
  const options = [['', view.saved.length ? 'Choose…' : 'None saved yet'],
    ...view.saved.map((s) => [s.id, s.name])];
  return html`<div class="saved-filters">
    ${selectField('saved', { name: 'saved-filter', label: 'Saved filters', options, value: '' })}
    <button type="button" data-action="delete-saved" ${view.saved.length ? '' : html`disabled`}>Delete saved filter</button>
    <form data-form="save-filter" class="inline-form" aria-label="Save these filters">
      ${inputField('save', { name: 'name', label: 'Save these filters as' })}
      <button type="submit" ${activeFilterCount(state) || state.sort !== 'SCORE_DESC' ? '' : html`disabled`}>Save</button>
      <p class="form-error" data-form-error role="alert" hidden></p>
    </form>
  </div>`;
}

function bulkBar(view, list, { mayHandOff, mayReassign }) {
  if (!mayHandOff && !mayReassign) return html``;
  const n = view.selected.size;
  const people = view.people.filter((p) => p.team === 'SALES');
  const options = [['', mayHandOff ? 'Route automatically (SLA routing)' : 'Next in the pool'],
    ...people.map((p) => [p.id, `${p.name}${p.outOfOffice ? ' — out of office' : ''}${p.acceptsLeads ? '' : ' — not taking leads'}`])];
  const operation = mayHandOff ? ['handoff', 'Hand off'] : ['reassign', 'Reassign'];
  return html`<form class="card bulk" data-form="bulk" aria-label="Act on the selected leads">
    <p><strong>${n}</strong> selected${n ? '' : ' — tick rows to act on several leads at once'}.</p>
    <input type="hidden" name="operation" value="${operation[0]}">
    ${selectField('bulk', { name: 'assignee', label: mayHandOff ? 'Hand off to' : 'Reassign to', options })}
    <button type="submit" class="primary" ${n && !view.busy ? '' : html`disabled`}>${operation[1]} ${n || ''} selected</button>
  </form>`;
}

function handoffCell(lead) {
  const open = openHandoff(lead);
  if (open) return html`<span class="status pending">Pending</span> <span class="small">${open.assignee?.name ?? ''}</span>`;
  const last = (lead.handoffs ?? []).at(-1);
  return last ? html`<span class="small muted">${leadWord(last.status)}</span>` : html`<span class="muted">—</span>`;
}

function leadTable(list, view, app, { selectable }) {
  if (list.error) return html`<p class="form-error">${list.error}</p>`;
  if (!list.loaded) return html`<p class="loading">Loading leads…</p>`;
  if (!list.rows.length) return html`<p class="empty">No lead matches these filters.</p>`;
  const all = list.rows.every((l) => view.selected.has(l.id));
  const rows = list.rows.map((lead) => {
    const outcome = view.outcomes.get(lead.id);
    return html`<tr>
      ${selectable ? html`<td class="select"><input type="checkbox" id="select-${lead.id}" name="select-row" value="${lead.id}"
        aria-label="Select ${lead.fullName}" ${view.selected.has(lead.id) ? html`checked` : ''}></td>` : ''}
      <th scope="row" data-label="Lead"><a href="#/leads/${encodeURIComponent(lead.id)}">${lead.fullName || lead.email}</a>
        <div class="small muted">${lead.email}</div></th>
      <td data-label="Company">${lead.company ?? ''}${lead.jobTitle ? html`<div class="small muted">${lead.jobTitle}</div>` : ''}</td>
      <td data-label="Stage"><span class="stage stage-${lead.stage.toLowerCase()}">${leadWord(lead.stage)}</span>
        ${lead.qualified ? html`<span class="badge ok">qualified</span>` : ''}
        ${lead.isCustomer ? html`<span class="badge">customer</span>` : ''}</td>
      <td data-label="Score" class="num">${lead.score ?? '—'}${lead.grade ? html` <span class="grade">${lead.grade}</span>` : ''}</td>
      <td data-label="Persona">${lead.persona?.name ?? html`<span class="muted">—</span>`}</td>
      <td data-label="Owner">${lead.owner?.name ?? html`<span class="muted">—</span>`}</td>
      <td data-label="Handoff">${handoffCell(lead)}</td>
      <td data-label="Created" class="small nowrap">${formatDay(lead.createdAt, app.viewer.timezone)}</td>
      ${outcome ? html`<td data-label="Outcome" class="outcome ${outcome.kind}" role="status">${outcome.text}</td>` : (view.outcomes.size ? html`<td></td>` : '')}
    </tr>`;
  });
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="Leads"><table class="cards leads">
    <caption class="visually-hidden">Leads, ${pageSummary(list.paging, list.rows.length, list.total)}</caption>
    <thead><tr>
      ${selectable ? html`<th scope="col"><input type="checkbox" id="select-all" name="select-all" aria-label="Select every lead on this page" ${all ? html`checked` : ''}></th>` : ''}
      <th scope="col">Lead</th><th scope="col">Company</th><th scope="col">Stage</th>
      <th scope="col">Score</th><th scope="col">Persona</th><th scope="col">Owner</th>
      <th scope="col">Handoff</th><th scope="col">Created</th>
      ${view.outcomes.size ? html`<th scope="col">Outcome</th>` : ''}
    </tr></thead>
    <tbody>${rows}</tbody>
  </table></div>
  ${pager(list, { name: 'Pages of leads' })}`;
}
