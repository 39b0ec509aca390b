// One meeting: the agenda (live from the data until the meeting is completed,
// then the frozen snapshot), notes and decisions, action items with owner, due
// date and done, and completing it with a confirmation.

import {
  clearErrors, confirmDialog, errorFields, formValues, html, region, render, setBusy,
  showErrors,
} from '../../dom.js';
import {
  describeApiError, groupUserErrors, hashFor, isConflict, todayIn,
} from '../../logic.js';
import {
  figureHref, KIND_LABELS, lines, mayChangeItem, mayEdit, mayRun, periodWords, recordHref,
} from '../../logic/meetings.js';
import {
  ADD_ACTION_ITEM, COMPLETE_MEETING, MEETING, MEETING_PEOPLE, UPDATE_ACTION_ITEM,
  UPDATE_MEETING,
} from '../../operations/meetings.js';
import { formError, inputField, selectField, submitButton } from '../core/fields.js';
import { textArea } from '../content/parts.js';

export function mount(root, app, { params }) {
  const state = { meeting: null, people: [] };
  render(root, html`<div class="page meeting">
    <p class="breadcrumb"><a href="${hashFor('/meetings')}">← All meetings</a></p>
    <div data-region="head"><h1>Meeting</h1><p class="loading">Loading…</p></div>
    <div data-region="body"></div>
  </div>`);
  const page = root.firstElementChild;
  const redraw = () => draw(page, app, state);
  page.addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.target;
    if (form.dataset.form === 'notes') saveNotes(form, app, state, redraw);
    if (form.dataset.form === 'add-item') addItem(form, app, state, redraw);
  });
  page.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-action]');
    if (!button) return;
    if (button.dataset.action === 'complete') complete(app, state, redraw, button);
    if (button.dataset.action === 'toggle-item') toggleItem(button, app, state, redraw);
  });
  load(page, app, state, params.id, redraw);
  return {};
}

async function load(page, app, state, id, redraw) {
  try {
    const [found, people] = await Promise.all([
      app.request(MEETING, { id }),
      app.request(MEETING_PEOPLE),
    ]);
    if (!found.node) {
      render(region(page, 'head'), html`<h1>Not found</h1><p>There is no such meeting.</p>`);
      return;
    }
    state.meeting = found.node;
    state.people = people.users.edges.map((e) => e.node);
    redraw();
    page.querySelector('h1')?.focus();
  } catch (error) {
    if (!error.handled) {
      render(region(page, 'head'), html`<h1>Meeting</h1><p class="form-error" role="alert">${describeApiError(error)}</p>`);
    }
  }
}

function draw(page, app, state) {
  const m = state.meeting;
  const completed = m.status === 'COMPLETED';
  render(region(page, 'head'), html`<h1 tabindex="-1">${m.title}</h1>
    <p class="card-meta"><span class="badge">${KIND_LABELS[m.kind]}</span>
      <span class="badge ${completed ? 'ok' : 'current'}">${completed ? 'Completed' : 'Scheduled'}</span></p>
    <dl class="details">
      <dt>When</dt><dd><time datetime="${m.scheduledFor}">${app.time(m.scheduledFor)}</time></dd>
      <dt>Reviewed period</dt><dd>${periodWords(m.reviewedPeriod)} <span class="muted">(${m.reviewedPeriod.timezone})</span></dd>
      <dt>Attendees</dt><dd>${m.attendees.map((a) => a.name).join(', ')}</dd>
      ${m.createdBy ? html`<dt>Scheduled by</dt><dd>${m.createdBy.name}</dd>` : ''}
      ${completed ? html`<dt>Completed</dt><dd><time datetime="${m.completedAt}">${app.time(m.completedAt)}</time>${m.completedBy ? ` by ${m.completedBy.name}` : ''}</dd>` : ''}
    </dl>
    ${!completed && mayRun(app.viewer) ? html`<div class="actions">
      <button type="button" class="primary" data-action="complete">Complete meeting…</button>
    </div>` : ''}`);
  render(region(page, 'body'), html`
    ${completed ? snapshotSection(m, app) : agendaSection(m.agenda, 'Agenda', 'Live: figures of the reviewed period as the data stands now. Completing the meeting freezes them.')}
    ${notesSection(m, app)}
    ${itemsSection(m, app, state)}`);
}

function agendaSection(agenda, title, lead) {
  return html`<section class="card" aria-labelledby="agenda-title">
    <h2 id="agenda-title">${title}</h2>
    <p class="muted">${lead}</p>
    ${agenda.length ? html`<ol class="agenda">${agenda.map(agendaItem)}</ol>` : html`<p class="empty">Nothing on the agenda.</p>`}
  </section>`;
}

function agendaItem(item) {
  return html`<li class="agenda-item">
    <h3>${item.title}</h3>
    ${item.summary ? html`<p>${item.summary}</p>` : ''}
    ${item.figures.length ? html`<ul class="figures">${item.figures.map((f) => {
      const href = figureHref(f);
      return html`<li><span class="figure-label">${f.label}</span>
        ${href ? html`<a href="${href}" class="figure-value">${f.value}</a>` : html`<strong class="figure-value">${f.value}</strong>`}</li>`;
    })}</ul>` : ''}
    ${item.records.length ? html`<ul class="records">${item.records.map((r) => {
      const href = recordHref(r);
      return html`<li>${href ? html`<a href="${href}">${r.label}</a>` : r.label}
        ${r.detail ? html`<span class="muted"> — ${r.detail}</span>` : ''}</li>`;
    })}</ul>` : ''}
  </li>`;
}

function snapshotSection(m, app) {
  const snap = m.snapshot ?? {};
  const taken = snap.takenAt ? app.time(snap.takenAt) : '';
  return html`<section class="card snapshot" aria-labelledby="snapshot-title">
    <h2 id="snapshot-title">Snapshot <span class="badge">read-only</span></h2>
    <p class="muted">Frozen at ${taken}: the figures of the reviewed period as they stood
      when the meeting was completed. Later data never changes them.</p>
    ${snapshotFigures(snap.dashboard)}
    ${(snap.agenda ?? []).length ? html`<ol class="agenda">${snap.agenda.map(agendaItem)}</ol>` : ''}
  </section>`;
}

function pct(ratio) {
  return ratio === null || ratio === undefined ? '—' : `${Math.round(ratio * 100)} %`;
}

function snapshotFigures(d) {
  if (!d) return '';
  const sla = d.slaCompliance;
  const cells = [
    ['Qualified leads', d.qualifiedLeads.count],
    ['Handoffs', d.handoffs.count],
    ['Rejected', d.rejected.count],
    ['Acceptance rate', pct(d.acceptanceRate)],
    ['Marketing SLA', pct(sla.marketing.ratio)],
    ['Sales first touch', pct(sla.sales.ratio)],
  ];
  return html`<dl class="snapshot-figures">${cells.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>`;
}

function notesSection(m, app) {
  const editable = m.status === 'SCHEDULED' && mayEdit(app.viewer, m);
  if (!editable) {
    return html`<section class="card" aria-labelledby="notes-title">
      <h2 id="notes-title">Notes and decisions</h2>
      ${m.notes ? html`<p class="prewrap">${m.notes}</p>` : html`<p class="empty">No notes.</p>`}
      <h3>Decisions</h3>
      ${m.decisions.length ? html`<ol class="decisions">${m.decisions.map((d) => html`<li>${d}</li>`)}</ol>` : html`<p class="empty">No decisions recorded.</p>`}
    </section>`;
  }
  return html`<section class="card" aria-labelledby="notes-title">
    <h2 id="notes-title">Notes and decisions</h2>
    <form class="stack" data-form="notes" novalidate>
      ${textArea('notes', { name: 'notes', label: 'Notes', value: m.notes, rows: 5 })}
      ${textArea('notes', { name: 'decisions', label: 'Decisions', value: m.decisions.join('\n'), rows: 4, hint: 'One decision per line.' })}
      ${textArea('notes', { name: 'agendaTopics', label: 'Own agenda topics', value: m.agendaTopics.join('\n'), rows: 2, hint: 'One per line.' })}
      ${formError()}
      <div class="actions">${submitButton('Save notes and decisions')}</div>
    </form>
  </section>`;
}

function itemsSection(m, app, state) {
  const canAdd = mayEdit(app.viewer, m);
  const zone = app.viewer.timezone;
  const rows = m.actionItems.map((item) => {
    const done = item.status === 'DONE';
    return html`<tr class="${item.overdue ? 'overdue' : ''}">
      <td>${item.description}</td>
      <td>${item.owner?.name ?? '—'}</td>
      <td>${item.dueDate ?? html`<span class="muted">none</span>`}${item.overdue ? html` <span class="badge warn">overdue</span>` : ''}</td>
      <td>${done ? html`<span class="badge ok">Done</span>` : html`<span class="badge">Open</span>`}</td>
      <td>${mayChangeItem(app.viewer, m, item) ? html`<button type="button" class="small"
        data-action="toggle-item" data-id="${item.id}" data-version="${item.version}"
        data-status="${done ? 'OPEN' : 'DONE'}">${done ? 'Reopen' : 'Mark done'}<span class="visually-hidden">: ${item.description}</span></button>` : ''}</td>
    </tr>`;
  });
  return html`<section class="card" aria-labelledby="items-title">
    <h2 id="items-title">Action items</h2>
    ${m.actionItems.length ? html`<div class="table-wrap"><table class="items-table">
      <thead><tr><th scope="col">Action</th><th scope="col">Owner</th><th scope="col">Due</th>
        <th scope="col">Status</th><th scope="col"><span class="visually-hidden">Change</span></th></tr></thead>
      <tbody>${rows}</tbody></table></div>` : html`<p class="empty">No action items yet.</p>`}
    ${canAdd ? html`<form class="stack add-item" data-form="add-item" novalidate>
      <h3>Add an action item</h3>
      ${inputField('item', { name: 'description', label: 'Action', required: true })}
      <div class="inline-fields">
        ${selectField('item', { name: 'ownerId', label: 'Owner', options: state.people.map((p) => [p.id, p.name]), value: app.viewer.id })}
        ${inputField('item', { name: 'dueDate', label: 'Due date', type: 'date', min: todayIn(zone, new Date()) })}
      </div>
      ${formError()}
      <div class="actions">${submitButton('Add action item', '')}</div>
    </form>` : ''}
  </section>`;
}

async function saveNotes(form, app, state, redraw) {
  clearErrors(form);
  const values = formValues(form);
  const input = {
    id: state.meeting.id,
    expectedVersion: state.meeting.version,
    notes: values.notes,
    decisions: lines(values.decisions),
    agendaTopics: lines(values.agendaTopics),
  };
  setBusy(form, true);
  try {
    const { updateMeeting: done } = await app.request(UPDATE_MEETING, { input });
    if (done.userErrors.length) {
      const grouped = groupUserErrors(done.userErrors, errorFields(form));
      if (isConflict(done.userErrors)) grouped.general = ['Someone saved this meeting meanwhile: reload the page to see their changes before saving yours.'];
      showErrors(form, grouped);
      return;
    }
    state.meeting = done.meeting;
    redraw();
    app.notify('Notes and decisions saved.', 'success');
  } catch (error) {
    if (!error.handled) showErrors(form, { fields: {}, general: [describeApiError(error)] });
  } finally {
    setBusy(form, false);
  }
}

async function addItem(form, app, state, redraw) {
  clearErrors(form);
  const values = formValues(form);
  const input = {
    meetingId: state.meeting.id,
    description: values.description,
    ownerId: values.ownerId,
    dueDate: values.dueDate || null,
  };
  setBusy(form, true);
  try {
    const { addActionItem: done } = await app.request(ADD_ACTION_ITEM, { input });
    if (done.userErrors.length) {
      showErrors(form, groupUserErrors(done.userErrors, errorFields(form)));
      return;
    }
    state.meeting = { ...state.meeting, actionItems: [...state.meeting.actionItems, done.actionItem] };
    redraw();
    app.notify('Action item added.', 'success');
  } catch (error) {
    if (!error.handled) showErrors(form, { fields: {}, general: [describeApiError(error)] });
  } finally {
    setBusy(form, false);
  }
}

async function toggleItem(button, app, state, redraw) {
  const input = {
    id: button.dataset.id,
    expectedVersion: Number(button.dataset.version),
    status: button.dataset.status,
  };
  button.disabled = true;
  try {
    const { updateActionItem: done } = await app.request(UPDATE_ACTION_ITEM, { input });
    if (done.userErrors.length) {
      app.notify(done.userErrors.map((e) => e.message).join(' '), 'error');
      return;
    }
    state.meeting = {
      ...state.meeting,
      actionItems: state.meeting.actionItems.map((i) => (i.id === done.actionItem.id ? done.actionItem : i)),
    };
    redraw();
    app.notify(done.actionItem.status === 'DONE' ? 'Marked done.' : 'Reopened.', 'success');
  } catch (error) {
    if (!error.handled) app.notify(describeApiError(error), 'error');
  } finally {
    button.disabled = false;
  }
}

async function complete(app, state, redraw, button) {
  const sure = await confirmDialog({
    title: 'Complete this meeting?',
    message: 'The figures of the reviewed period are frozen as they stand now, and notes, decisions and attendees can no longer change. Action items stay editable.',
    confirm: 'Complete meeting',
    danger: false,
  });
  if (!sure) {
    button.focus();
    return;
  }
  try {
    const { completeMeeting: done } = await app.request(COMPLETE_MEETING, {
      input: { id: state.meeting.id, expectedVersion: state.meeting.version },
    });
    if (done.userErrors.length) {
      app.notify(done.userErrors.map((e) => e.message).join(' '), 'error');
      return;
    }
    state.meeting = done.meeting;
    redraw();
    app.notify('Meeting completed: its snapshot is frozen.', 'success');
  } catch (error) {
    if (!error.handled) app.notify(describeApiError(error), 'error');
  }
}
