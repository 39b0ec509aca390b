// Meetings: upcoming reviews first (soonest first), past ones below (latest
// first), and for managers the form that schedules a new one.

import {
  clearErrors, errorFields, formValues, html, region, render, setBusy, showErrors,
} from '../../dom.js';
import {
  describeApiError, groupUserErrors, hashFor, todayIn, wallTimeToInstant,
} from '../../logic.js';
import {
  defaultPeriod, itemCounts, KIND_LABELS, KINDS, mayRun, periodWords, scheduleInput,
  splitMeetings,
} from '../../logic/meetings.js';
import { MEETING_PEOPLE, MEETINGS, SCHEDULE_MEETING } from '../../operations/meetings.js';
import { checkboxGroup, formError, inputField, selectField, submitButton } from '../core/fields.js';
import { textArea } from '../content/parts.js';

export function mount(root, app) {
  render(root, html`<div class="page meetings">
    <h1>Meetings</h1>
    <p class="subtitle">Lead and content reviews: the agenda comes from the data of the
      reviewed period, and completing a review freezes what it looked at.</p>
    <section class="card" aria-labelledby="upcoming-title">
      <h2 id="upcoming-title">Upcoming</h2>
      <div data-region="upcoming" aria-live="polite"><p class="loading">Loading meetings…</p></div>
    </section>
    <section class="card" aria-labelledby="past-title">
      <h2 id="past-title">Past</h2>
      <div data-region="past"></div>
    </section>
    ${mayRun(app.viewer) ? html`<section class="card" aria-labelledby="schedule-heading">
      <h2 id="schedule-heading">Schedule a review</h2>
      <div data-region="schedule"><p class="loading">Loading people…</p></div>
    </section>` : ''}
  </div>`);
  const page = root.firstElementChild;
  load(page, app);
  if (mayRun(app.viewer)) startForm(page, app);
  return {};
}

async function load(page, app) {
  try {
    const { upcoming, past } = splitMeetings(await app.request(MEETINGS));
    render(region(page, 'upcoming'), table(upcoming, app, 'No review is scheduled.'));
    render(region(page, 'past'), table(past, app, 'No review has been held yet.'));
  } catch (error) {
    if (!error.handled) {
      render(region(page, 'upcoming'), html`<p class="form-error" role="alert">${describeApiError(error)}</p>`);
    }
  }
}

function table(meetings, app, empty) {
  if (!meetings.length) return html`<p class="empty">${empty}</p>`;
  return html`<div class="table-wrap"><table class="meetings-table">
    <thead><tr><th scope="col">Meeting</th><th scope="col">Kind</th><th scope="col">When</th>
      <th scope="col">Reviewed period</th><th scope="col">Attendees</th><th scope="col">Action items</th></tr></thead>
    <tbody>${meetings.map((m) => {
      const { open, overdue } = itemCounts(m);
      return html`<tr>
        <th scope="row"><a href="${hashFor(`/meetings/${m.id}`)}">${m.title}</a></th>
        <td><span class="badge">${KIND_LABELS[m.kind]}</span></td>
        <td><time datetime="${m.scheduledFor}">${app.time(m.scheduledFor)}</time></td>
        <td>${periodWords(m.reviewedPeriod)}</td>
        <td>${m.attendees.map((a) => a.name).join(', ')}</td>
        <td>${open ? `${open} open` : html`<span class="muted">none open</span>`}${
          overdue ? html` <span class="badge warn">${overdue} overdue</span>` : ''}</td>
      </tr>`;
    })}</tbody></table></div>`;
}

async function startForm(page, app) {
  const box = region(page, 'schedule');
  let people = [];
  try {
    people = (await app.request(MEETING_PEOPLE)).users.edges.map((e) => e.node);
  } catch (error) {
    if (!error.handled) render(box, html`<p class="form-error" role="alert">${describeApiError(error)}</p>`);
    return;
  }
  const zone = app.viewer.timezone;
  const period = defaultPeriod(todayIn(zone, new Date()));
  render(box, html`<form class="stack" data-form="schedule" novalidate>
    ${selectField('schedule', { name: 'kind', label: 'Kind', options: KINDS.map((k) => [k, KIND_LABELS[k]]) })}
    ${inputField('schedule', { name: 'title', label: 'Title', required: true, value: 'Lead review' })}
    ${inputField('schedule', { name: 'scheduledFor', label: 'When', type: 'datetime-local', required: true, hint: `In your timezone (${zone}).` })}
    <fieldset class="field">
      <legend>Reviewed period</legend>
      <div class="inline-fields">
        ${inputField('schedule', { name: 'from', label: 'From', type: 'date', value: period.from })}
        ${inputField('schedule', { name: 'to', label: 'Until (not included)', type: 'date', value: period.to })}
      </div>
      <p class="field-error" data-error-for="reviewedPeriod" hidden></p>
    </fieldset>
    ${checkboxGroup('schedule', {
      name: 'attendeeIds',
      label: 'Attendees',
      options: people.map((p) => [p.id, p.name, `${p.team.toLowerCase()} ${p.role.toLowerCase()}`]),
      checked: [app.viewer.id],
    })}
    ${textArea('schedule', { name: 'agendaTopics', label: 'Your own agenda topics', rows: 3, hint: 'One per line; they follow the points the data brings.' })}
    ${formError()}
    <div class="actions">${submitButton('Schedule review')}</div>
  </form>`);
  const form = box.querySelector('form');
  form.elements.kind.addEventListener('change', () => {
    const title = form.elements.title;
    if (Object.values(KIND_LABELS).includes(title.value)) title.value = KIND_LABELS[form.elements.kind.value];
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    schedule(form, app);
  });
}

async function schedule(form, app) {
  clearErrors(form);
  const values = formValues(form);
  if (!Array.isArray(values.attendeeIds)) values.attendeeIds = values.attendeeIds ? [form.querySelector('[name="attendeeIds"]').value] : [];
  const { input, problems } = scheduleInput(values, wallTimeToInstant, app.viewer.timezone);
  if (problems) {
    const fields = Object.fromEntries(Object.entries(problems).map(([k, v]) => [k, [v]]));
    showErrors(form, { fields, general: [] });
    return;
  }
  setBusy(form, true);
  try {
    const { scheduleMeeting: done } = await app.request(SCHEDULE_MEETING, { input });
    if (done.userErrors.length) {
      showErrors(form, groupUserErrors(done.userErrors, errorFields(form)));
      return;
    }
    app.navigate(`/meetings/${done.meeting.id}`, {}, { notice: { text: 'Review scheduled; its agenda is ready.', kind: 'success' } });
  } catch (error) {
    if (!error.handled) showErrors(form, { fields: {}, general: [describeApiError(error)] });
  } finally {
    setBusy(form, false);
  }
}
