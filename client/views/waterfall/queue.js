// My queue (sales): pending handoffs, soonest deadline first, with live
// countdowns to the server's at-risk and due instants, accept and reject in
// place; what was decided lately below, with the first-touch clock and a
// follow-up form. A sales manager sees the whole team's pending handoffs and
// can reassign them. Refreshes through live.watch('handoffs').

import { formValues, html, region, render, setBusy, showErrors } from '../../dom.js';
import { describeApiError, groupUserErrors } from '../../logic.js';
import { FOLLOW_UP_CHANNELS, leadWord, REJECTION_REASONS } from '../../logic/leads.js';
import { countdown, recentSince, runningClock, soonestFirst } from '../../logic/waterfall.js';
import { poke, watch } from '../../live.js';
import {
  ACCEPT_HANDOFF, MY_QUEUE, REASSIGN_HANDOFF, RECORD_FOLLOW_UP, REJECT_HANDOFF, TEAM_QUEUE,
} from '../../operations/waterfall.js';
import { formError, inputField, selectField, submitButton } from '../core/fields.js';
import { startCountdowns } from './countdowns.js';

const PAGE = 50;

export function mount(root, app) {
  const viewer = app.viewer;
  const manager = viewer.team === 'SALES' && viewer.role === 'MANAGER';
  const view = { pending: [], total: 0, more: false, recent: [], people: [], error: null,
    loaded: false, outcomes: new Map() };

  render(root, html`<div class="page queue-page">
    <h1>${manager ? "The team's queue" : 'My queue'}</h1>
    <p class="subtitle">${manager
      ? 'Every pending handoff of the sales team, soonest deadline first. Reassign when someone cannot take it.'
      : 'Leads handed to you, soonest deadline first. Deadlines count business hours; the times come from the server.'}</p>
    <div data-region="pending" aria-live="polite"><p class="loading">Loading the queue…</p></div>
    <section aria-labelledby="recent-title">
      <h2 id="recent-title">Recently decided</h2>
      <p class="small muted">Handed off in the last 7 days and decided since. <a href="#/handoffs">Every handoff</a></p>
      <div data-region="recent"></div>
    </section>
  </div>`);
  const stopCountdowns = startCountdowns(root);

  async function load() {
    const since = recentSince(new Date());
    try {
      const data = manager
        ? await app.request(TEAM_QUEUE, { first: PAGE, since })
        : await app.request(MY_QUEUE, { first: PAGE, me: [viewer.id], since });
      view.pending = soonestFirst(data.myQueue.edges.map((e) => e.node));
      view.total = data.myQueue.totalCount;
      view.more = data.myQueue.pageInfo.hasNextPage;
      view.recent = data.recent.edges.map((e) => e.node);
      if (data.users) view.people = data.users.edges.map((e) => e.node);
      view.error = null;
      view.loaded = true;
    } catch (error) {
      if (error.handled) return;
      view.error = describeApiError(error);
    }
    draw();
  }

  let alive = true;

  function draw() {
    if (!alive) return;
    render(region(root, 'pending'), pendingList(view, app, manager));
    render(region(root, 'recent'), recentList(view, app));
  }

  async function act(form) {
    const handoffId = form.dataset.handoff;
    const values = formValues(form);
    const kind = form.dataset.form;
    const calls = {
      accept: [ACCEPT_HANDOFF, 'acceptHandoff', { handoffId }, 'Accepted'],
      reject: [REJECT_HANDOFF, 'rejectHandoff', {
        handoffId, reason: values.reason, disposition: values.disposition,
        comment: values.comment || null,
      }, 'Rejected'],
      reassign: [REASSIGN_HANDOFF, 'reassignHandoff', {
        handoffId, assigneeId: values.assigneeId || null,
      }, 'Reassigned'],
      'follow-up': [RECORD_FOLLOW_UP, 'recordFollowUp', {
        leadId: form.dataset.lead, channel: values.channel, outcome: values.outcome,
        note: values.note || null,
      }, 'Follow-up recorded'],
    };
    const call = calls[kind];
    if (!call) return;
    const [document, field, input, done] = call;
    setBusy(form, true);
    try {
      const { [field]: result } = await app.request(document, { input });
      if (result.userErrors.length) {
        showErrors(form, groupUserErrors(result.userErrors, []));
        return;
      }
      const name = form.dataset.name;
      app.notify(`${done}: ${name}.`, 'success');
      await load();
      poke('handoffs');
      root.querySelector(`[data-focus-after="${CSS.escape(handoffId ?? '')}"]`)?.focus();
    } catch (error) {
      if (!error.handled) showErrors(form, { general: [describeApiError(error)] });
    } finally {
      if (form.isConnected) setBusy(form, false);
    }
  }

  root.addEventListener('submit', (event) => {
    event.preventDefault();
    act(event.target);
  });

  const stopWatching = watch('handoffs', load, { intervalMs: 30_000 });
  load();
  return {
    unmount() {
      alive = false;
      stopWatching();
      stopCountdowns();
    },
  };
}

function deadlines(h, app) {
  const clock = runningClock(h);
  if (!clock) return html``;
  return html`<p class="small">${clock.label}: <span class="status clock-${clock.status.toLowerCase().replace('_', '-')}">${leadWord(clock.status)}</span>
    · at risk ${app.time(clock.atRiskAt)} · due ${app.time(clock.dueAt)}</p>`;
}

function pendingItem(h, view, app, manager) {
  const lead = h.lead;
  const name = lead?.fullName || lead?.email || 'a lead';
  const clock = runningClock(h);
  const now = countdown(clock, new Date());
  const pool = [['', 'Next in the routing pool'], ...view.people
    .filter((p) => p.id !== h.assignee?.id)
    .map((p) => [p.id, `${p.name}${p.outOfOffice ? ' — out of office' : ''}`])];
  const id = h.id;
  return html`<li class="card queue-item ${now.phase}">
    <div class="queue-head">
      <h3><a href="#/leads/${encodeURIComponent(lead?.id ?? '')}" data-focus-after="${id}">${name}</a></h3>
      <span class="score-pill" aria-label="Score ${lead?.score ?? 'none'}">${lead?.score ?? '—'}${lead?.grade ? html` <small>${lead.grade}</small>` : ''}</span>
    </div>
    <p class="small muted">${[lead?.jobTitle, lead?.company].filter(Boolean).join(' at ')}${manager ? ` · assigned to ${h.assignee?.name ?? 'nobody'}` : ''} · handed off ${app.time(h.handedOffAt)}${h.fromUser ? ` by ${h.fromUser.name}` : ''}</p>
    ${h.note ? html`<p class="small">“${h.note}”</p>` : ''}
    <p class="countdown ${now.phase}" data-countdown data-due="${clock?.dueAt ?? ''}" data-at-risk="${clock?.atRiskAt ?? ''}">${now.text}</p>
    ${deadlines(h, app)}
    <div class="queue-actions">
      <form data-form="accept" data-handoff="${id}" data-name="${name}">
        <button type="submit" class="primary" aria-label="Accept ${name}">Accept</button>
        ${formError()}
      </form>
      <details>
        <summary>Reject…</summary>
        <form class="stack" data-form="reject" data-handoff="${id}" data-name="${name}" novalidate>
          ${selectField(`reject-${id}`, { name: 'reason', label: 'Reason', options: REJECTION_REASONS.map((r) => [r, leadWord(r)]) })}
          ${selectField(`reject-${id}`, { name: 'disposition', label: 'Then', options: [['RECYCLE', leadWord('RECYCLE')], ['DISQUALIFY', leadWord('DISQUALIFY')]] })}
          ${inputField(`reject-${id}`, { name: 'comment', label: 'Comment', hint: 'Required when the reason is Other.' })}
          ${formError()}
          ${submitButton(`Reject ${name}`, 'danger')}
        </form>
      </details>
      ${manager ? html`<details>
        <summary>Reassign…</summary>
        <form class="stack" data-form="reassign" data-handoff="${id}" data-name="${name}">
          ${selectField(`reassign-${id}`, { name: 'assigneeId', label: 'To', options: pool })}
          ${formError()}
          ${submitButton(`Reassign ${name}`)}
        </form>
      </details>` : ''}
    </div>
  </li>`;
}

function pendingList(view, app, manager) {
  if (view.error) return html`<p class="form-error">${view.error}</p>`;
  if (!view.loaded) return html`<p class="loading">Loading the queue…</p>`;
  if (!view.pending.length) {
    return html`<p class="empty">${manager ? 'No pending handoff in the team.' : 'Nothing waits for you. New handoffs appear here by themselves.'}</p>`;
  }
  return html`<p class="small muted">${view.total} pending${view.more ? `, the ${view.pending.length} soonest shown` : ''}.</p>
    <ol class="queue">${view.pending.map((h) => pendingItem(h, view, app, manager))}</ol>`;
}

function recentItem(h, app) {
  const lead = h.lead;
  const name = lead?.fullName || lead?.email || 'a lead';
  const clock = runningClock(h);
  const now = countdown(clock, new Date());
  const needsTouch = h.status === 'ACCEPTED' && !h.firstTouchAt;
  return html`<li class="card queue-item decided">
    <div class="queue-head">
      <h3><a href="#/leads/${encodeURIComponent(lead?.id ?? '')}" data-focus-after="${h.id}">${name}</a></h3>
      <span class="status">${leadWord(h.status)}</span>
    </div>
    <p class="small muted">${h.assignee?.name ?? ''}${h.decidedAt ? ` · decided ${app.time(h.decidedAt)}` : ''}${h.decidedBy ? ` by ${h.decidedBy.name}` : ''}${h.firstTouchAt ? ` · first touch ${app.time(h.firstTouchAt)}` : ''}</p>
    ${clock ? html`<p class="countdown ${now.phase}" data-countdown data-due="${clock.dueAt ?? ''}" data-at-risk="${clock.atRiskAt ?? ''}">${now.text}</p>${deadlines(h, app)}` : ''}
    ${needsTouch ? html`<details>
      <summary>Record a follow-up…</summary>
      <form class="stack" data-form="follow-up" data-handoff="${h.id}" data-lead="${lead?.id ?? ''}" data-name="${name}">
        ${selectField(`touch-${h.id}`, { name: 'channel', label: 'Channel', options: FOLLOW_UP_CHANNELS.map((c) => [c, leadWord(c)]) })}
        ${selectField(`touch-${h.id}`, { name: 'outcome', label: 'Outcome', options: [['ATTEMPTED', 'Attempted'], ['CONNECTED', 'Connected']] })}
        ${inputField(`touch-${h.id}`, { name: 'note', label: 'Note' })}
        ${formError()}
        ${submitButton(`Record follow-up for ${name}`)}
      </form>
    </details>` : ''}
  </li>`;
}

function recentList(view, app) {
  if (!view.loaded) return html``;
  if (!view.recent.length) return html`<p class="empty">Nothing handed off in the last 7 days has been decided yet.</p>`;
  return html`<ol class="queue">${view.recent.map((h) => recentItem(h, app))}</ol>`;
}
