// The lead page: who the lead is, its stage and history, its score line by
// line, its handoffs with both clocks as the server computed them, follow-ups,
// sales' feedback and the activity timeline; and the actions the viewer may
// take on it now. Its data comes in one request (LEAD_PAGE); every action
// reloads it the same way, so the page always shows the server's state.

import { errorFields, formValues, html, region, render, setBusy, showErrors } from '../../dom.js';
import {
  can, describeApiError, formatMoney, groupUserErrors, isConflict, wallTimeToInstant,
} from '../../logic.js';
import {
  FOLLOW_UP_CHANNELS, formatPoints, leadActions, leadWord, oneDecimal, openHandoff,
  REJECTION_REASONS, scoreLines,
} from '../../logic/leads.js';
import { businessHours, countdown, runningClock } from '../../logic/waterfall.js';
import {
  CLOSE_LEAD, LEAD_ACTIVITIES, LEAD_NOW, LEAD_PAGE, MOVE_LEAD_STAGE, SUBMIT_LEAD_FEEDBACK,
  UPDATE_LEAD,
} from '../../operations/leads.js';
import {
  ACCEPT_HANDOFF, HANDOFF_LEAD_MUTATION, REASSIGN_HANDOFF, RECORD_FOLLOW_UP, REJECT_HANDOFF,
} from '../../operations/waterfall.js';
import { checkboxField, checkboxGroup, formError, inputField, selectField, submitButton } from '../core/fields.js';
import { startCountdowns } from '../waterfall/countdowns.js';

const ACTIVITY_PAGE = 20;
const EDITABLE = [
  ['firstName', 'First name'], ['lastName', 'Last name'], ['email', 'E-mail'],
  ['company', 'Company'], ['companySize', 'Company size'], ['industry', 'Industry'],
  ['jobTitle', 'Job title'], ['seniority', 'Seniority'], ['country', 'Country'],
];

export function mount(root, app, { params }) {
  const id = params.id;
  const view = { lead: null, people: [], personas: [], activities: [], activityInfo: null,
    activityTotal: 0, error: null, conflict: null, notFound: false };

  render(root, html`<div class="page lead-page">
    <p class="breadcrumb"><a href="#/leads">Leads</a></p>
    <div data-region="head"><h1>Lead</h1><p class="loading">Loading the lead…</p></div>
    <div data-region="body"></div>
  </div>`);
  const stopCountdowns = startCountdowns(root);
  let alive = true;

  async function load() {
    try {
      const data = await app.request(LEAD_PAGE, { id, activities: ACTIVITY_PAGE });
      if (!data.node || !('stage' in data.node)) {
        view.notFound = true;
      } else {
        view.lead = data.node;
        view.activities = data.node.activities.edges.map((e) => e.node);
        view.activityInfo = data.node.activities.pageInfo;
        view.activityTotal = data.node.activities.totalCount;
      }
      view.people = data.users.edges.map((e) => e.node);
      view.personas = data.personas.edges.map((e) => e.node);
      view.error = null;
    } catch (error) {
      if (error.handled) return;
      view.error = describeApiError(error);
    }
    draw();
  }

  function draw() {
    if (!alive) return;
    if (view.notFound) {
      document.title = 'Lead not found · Accord';
      render(region(root, 'head'), html`<h1 tabindex="-1">Lead not found</h1>
        <p>No lead has this address; it may have been merged or erased.</p>`);
      render(region(root, 'body'), html``);
      return;
    }
    if (view.error && !view.lead) {
      render(region(root, 'head'), html`<h1 tabindex="-1">Lead</h1><p class="form-error">${view.error}</p>
        <p><button type="button" data-action="retry">Try again</button></p>`);
      return;
    }
    const lead = view.lead;
    document.title = `${lead.erased ? 'Erased person' : lead.fullName || lead.email} · Accord`;
    render(region(root, 'head'), head(lead, app.viewer));
    render(region(root, 'body'), body(lead, view, app));
  }

  async function submit(form) {
    const kind = form.dataset.form;
    const values = formValues(form);
    const lead = view.lead;
    const open = openHandoff(lead);
    const tz = app.viewer.timezone;
    const calls = {
      handoff: () => [HANDOFF_LEAD_MUTATION, 'handoffLead', {
        leadId: lead.id, assigneeId: values.assigneeId || null, note: values.note || null,
        overrideReason: values.overrideReason || null,
      }, 'Handed off.'],
      reject: () => [REJECT_HANDOFF, 'rejectHandoff', {
        handoffId: open.id, reason: values.reason, comment: values.comment || null,
        disposition: values.disposition,
      }, 'Rejected; marketing is told why.'],
      reassign: () => [REASSIGN_HANDOFF, 'reassignHandoff', {
        handoffId: open.id, assigneeId: values.assigneeId || null, note: values.note || null,
      }, 'Reassigned.'],
      'follow-up': () => [RECORD_FOLLOW_UP, 'recordFollowUp', {
        leadId: lead.id, channel: values.channel, outcome: values.outcome,
        occurredAt: values.occurredAt ? wallTimeToInstant(values.occurredAt, tz) : null,
        note: values.note || null,
      }, 'Follow-up recorded.'],
      move: () => [MOVE_LEAD_STAGE, 'moveLeadStage', {
        leadId: lead.id, stage: values.stage, reason: values.reason || null,
        expectedVersion: lead.version,
      }, 'Stage moved.'],
      close: () => [CLOSE_LEAD, 'closeLead', {
        leadId: lead.id, outcome: values.outcome, amount: values.amount || null,
        recurring: values.outcome === 'WON' ? values.recurring : null,
        reason: values.reason || null, expectedVersion: lead.version,
      }, 'Lead closed.'],
      feedback: () => [SUBMIT_LEAD_FEEDBACK, 'submitLeadFeedback', {
        leadId: lead.id, rating: Number(values.rating), reasons: values.reasons ?? [],
        comment: values.comment || null,
      }, 'Feedback saved.'],
      edit: () => [UPDATE_LEAD, 'updateLead', editInput(lead, values, view.conflict), 'Lead saved.'],
    };
    const call = calls[kind];
    if (!call) return;
    if (kind === 'handoff' && 'overrideReason' in values && !values.overrideReason.trim()) {
      showErrors(form, { fields: { overrideReason: ['Give a reason: this lead is not qualified.'] } });
      return;
    }
    const [document, field, input, done] = call();
    setBusy(form, true);
    try {
      const { [field]: result } = await app.request(document, { input });
      if (result.userErrors.length) {
        if (kind === 'edit' && isConflict(result.userErrors)) {
          const now = await app.request(LEAD_NOW, { id: lead.id });
          view.conflict = { mine: input, theirs: now.node };
          draw();
          root.querySelector('.conflict')?.focus();
          return;
        }
        const names = errorFields(form).map((f) => f);
        const grouped = groupUserErrors(result.userErrors.map((e) => ({
          ...e, field: e.field ? e.field.filter((p) => p !== 'input') : e.field,
        })), names);
        showErrors(form, grouped);
        return;
      }
      view.conflict = null;
      app.notify(done, 'success');
      await load();
    } catch (error) {
      if (!error.handled) showErrors(form, { general: [describeApiError(error)] });
    } finally {
      if (form.isConnected) setBusy(form, false);
    }
  }

  async function accept(button) {
    const open = openHandoff(view.lead);
    button.disabled = true;
    try {
      const { acceptHandoff: r } = await app.request(ACCEPT_HANDOFF, { input: { handoffId: open.id } });
      if (r.userErrors.length) {
        app.notify(r.userErrors.map((e) => e.message).join(' '), 'error');
      } else {
        app.notify('Accepted: the lead is yours (SAL). The first-touch clock runs now.', 'success');
      }
      await load();
    } catch (error) {
      if (!error.handled) app.notify(describeApiError(error), 'error');
      button.disabled = false;
    }
  }

  async function moreActivities() {
    try {
      const data = await app.request(LEAD_ACTIVITIES, {
        id, first: ACTIVITY_PAGE, after: view.activityInfo?.endCursor,
      });
      const c = data.node.activities;
      view.activities = [...view.activities, ...c.edges.map((e) => e.node)];
      view.activityInfo = c.pageInfo;
      view.activityTotal = c.totalCount;
      draw();
    } catch (error) {
      if (!error.handled) app.notify(describeApiError(error), 'error');
    }
  }

  root.addEventListener('submit', (event) => {
    event.preventDefault();
    submit(event.target);
  });
  root.addEventListener('click', (event) => {
    const button = event.target.closest('[data-action]');
    const action = button?.dataset.action;
    if (action === 'accept') accept(button);
    if (action === 'more-activities') moreActivities();
    if (action === 'retry') load();
    if (action === 'discard-edit') {
      view.conflict = null;
      load();
    }
  });
  root.addEventListener('change', (event) => {
    // Closing as WON needs an amount; the reason box follows the chosen move.
    const form = event.target.form;
    if (form?.dataset.form === 'move') {
      const move = leadActions(app.viewer, view.lead).moves.find((m) => m.stage === form.stage.value);
      form.querySelector('[data-reason-note]').hidden = !move?.reasonRequired;
    }
  });

  load();
  return {
    unmount() {
      alive = false;
      stopCountdowns();
    },
  };
}

function editInput(lead, values, conflict) {
  // After a conflict, the edit goes over what is saved now.
  const base = conflict ? conflict.theirs : lead;
  const input = { id: lead.id, expectedVersion: base.version };
  for (const [name] of EDITABLE) {
    let value = (values[name] ?? '').trim();
    if (name === 'companySize') value = value === '' ? null : Number(value);
    else if (value === '' && name !== 'email') value = null;
    const before = base[name] ?? null;
    if (value !== before) input[name] = value;
  }
  if (values.doNotContact !== base.doNotContact) input.doNotContact = values.doNotContact;
  const persona = values.persona || null;
  if (persona !== (base.persona?.id ?? null)) input.persona = persona;
  return input;
}

// ---- the page's parts -------------------------------------------------------

function head(lead, viewer) {
  const merge = can(viewer, 'mergeLeads') && !lead.erased;
  const erase = can(viewer, 'eraseLeads') && !lead.erased;
  return html`<div class="lead-head">
    <h1 tabindex="-1">${lead.erased ? 'Erased person' : lead.fullName || lead.email}</h1>
    <p class="subtitle">${lead.erased ? "This person's data was erased; the anonymous record stays so every count stays right."
      : [lead.jobTitle, lead.company].filter(Boolean).join(' at ') || 'No company on record'}</p>
    <p class="lead-badges">
      <span class="stage stage-${lead.stage.toLowerCase()}">${leadWord(lead.stage)}</span>
      ${lead.qualified ? html`<span class="badge ok">qualified</span>` : html`<span class="badge">not qualified</span>`}
      ${lead.isCustomer ? html`<span class="badge">customer</span>` : ''}
      ${lead.doNotContact ? html`<span class="badge warn">do not contact</span>` : ''}
      ${lead.erased ? html`<span class="badge warn">erased</span>` : ''}
      <span class="score-pill" aria-label="Score ${lead.score ?? 'none'}">${lead.score ?? '—'}${lead.grade ? html` <small>${lead.grade}</small>` : ''}</span>
    </p>
    ${merge || erase ? html`<p class="toolbar hygiene">
      ${merge ? html`<a class="button" href="#/leads/${encodeURIComponent(lead.id)}/merge">Merge with…</a>` : ''}
      ${erase ? html`<a class="button danger" href="#/leads/${encodeURIComponent(lead.id)}/erase">Erase personal data</a>` : ''}
    </p>` : ''}
  </div>`;
}

function body(lead, view, app) {
  const actions = leadActions(app.viewer, lead);
  return html`
    ${view.conflict ? conflictBox(view.conflict) : ''}
    ${actionsCard(lead, actions, view, app)}
    <div class="lead-grid">
      ${identity(lead, app)}
      ${scoreCard(lead, app)}
      ${stageCard(lead, app)}
      ${handoffsCard(lead, app)}
      ${followUpsCard(lead, app)}
      ${feedbackCard(lead, app)}
    </div>
    ${timeline(view, app)}`;
}

function identity(lead, app) {
  const ids = lead.externalIds.map((x) => `${x.system}: ${x.id}`).join(', ');
  return html`<section class="card" aria-labelledby="who-title">
    <h2 id="who-title">Person and company</h2>
    <dl class="details">
      <dt>E-mail</dt><dd>${lead.email}</dd>
      <dt>Company</dt><dd>${lead.company ?? '—'}${lead.companySize ? ` (${lead.companySize} people)` : ''}</dd>
      <dt>Industry</dt><dd>${lead.industry ?? '—'}</dd>
      <dt>Job title</dt><dd>${lead.jobTitle ?? '—'}${lead.seniority ? ` (${lead.seniority})` : ''}</dd>
      <dt>Country</dt><dd>${lead.country ?? '—'}</dd>
      <dt>Persona</dt><dd>${lead.persona?.name ?? 'none matched'}${lead.personaSetByHand ? html` <span class="muted">(set by hand)</span>` : ''}</dd>
      <dt>Owner</dt><dd>${lead.owner?.name ?? 'nobody yet'}</dd>
      <dt>Source</dt><dd>${[lead.source, lead.campaign].filter(Boolean).join(' / ') || '—'}</dd>
      ${lead.products.length ? html`<dt>Products</dt><dd>${lead.products.join(', ')}</dd>` : ''}
      ${ids ? html`<dt>External ids</dt><dd class="mono">${ids}</dd>` : ''}
      ${lead.amount !== null ? html`<dt>Amount</dt><dd>${formatMoney(lead.amountMoney)}${lead.recurring ? ' (recurring)' : ''}</dd>` : ''}
      <dt>Created</dt><dd>${app.time(lead.createdAt)}</dd>
      <dt>Version</dt><dd>${lead.version}, updated ${app.time(lead.updatedAt)}</dd>
    </dl>
  </section>`;
}

function scoreCard(lead, app) {
  const s = scoreLines(lead);
  const hand = s.handRaises;
  const qualified = lead.qualified
    ? html`Qualified ${app.time(lead.qualifiedAt)} under model revision ${lead.qualifiedUnder ?? '—'}
      (${({ ACTIVITY: 'by activity', MODEL_CHANGE: 'by a model change', MANUAL: 'by hand' })[lead.qualifiedBy] ?? lead.qualifiedBy})`
    : 'Not qualified';
  const rows = s.lines.map((line) => html`<tr>
    <th scope="row">${line.label}<div class="small muted">${line.detail}</div></th>
    <td>${leadWord(line.kind)}</td>
    <td class="num">${formatPoints(line.points)}</td>
  </tr>`);
  return html`<section class="card" aria-labelledby="score-title">
    <h2 id="score-title">Score</h2>
    <p class="score-line"><strong class="score-big">${lead.score ?? '—'}</strong>
      ${lead.grade ? html` grade <strong>${lead.grade}</strong>` : ''}
      <span class="muted">— fit ${oneDecimal(lead.fitScore)}, engagement ${oneDecimal(lead.engagementScore)}</span></p>
    <p class="small">${lead.scoredUnder ? html`Computed under qualification model revision <strong>${lead.scoredUnder}</strong>, ${app.time(lead.scoredAt)}.` : 'Not scored yet (no model in force).'}</p>
    <p class="small">${qualified}${hand.length ? html`; hand-raise: <strong>${hand.map((h) => h.label).join(', ')}</strong>` : ''}.</p>
    ${s.lines.length ? html`<div class="table-wrap"><table class="breakdown">
      <caption class="visually-hidden">How the score adds up</caption>
      <thead><tr><th scope="col">Line</th><th scope="col">Kind</th><th scope="col" class="num">Points</th></tr></thead>
      <tbody>${rows}</tbody>
      <tfoot><tr><th scope="row" colspan="2">Total${s.matches ? '' : ' (the stored score differs: it is recomputed at the next activity)'}</th>
        <td class="num"><strong>${Math.round(s.sum * 10) / 10}</strong></td></tr></tfoot>
    </table></div>` : html`<p class="empty">No score lines.</p>`}
  </section>`;
}

function stageCard(lead, app) {
  const rows = [...lead.stageHistory].reverse().map((c) => html`<li>
    <strong>${c.from ? `${leadWord(c.from)} → ` : ''}${leadWord(c.to)}</strong>
    <span class="muted small">${leadWord(c.via)} · ${app.time(c.at)}${c.actor ? ` · ${c.actor.name}` : ''}</span>
    ${c.reason ? html`<div class="small">“${c.reason}”</div>` : ''}
  </li>`);
  return html`<section class="card" aria-labelledby="stage-title">
    <h2 id="stage-title">Stage</h2>
    <p>${leadWord(lead.stage)} since ${app.time(lead.stageEnteredAt)}.</p>
    <ol class="history">${rows}</ol>
  </section>`;
}

function clockLine(name, status, atRisk, due, used, app) {
  return html`<div class="clock">
    <span class="clock-name">${name}</span>
    <span class="status clock-${status.toLowerCase().replace('_', '-')}">${leadWord(status)}</span>
    ${due ? html`<span class="small">at risk ${app.time(atRisk)} · due ${app.time(due)}</span>` : ''}
    ${used ? html`<span class="small muted">used ${used}</span>` : ''}
  </div>`;
}

export function handoffBlock(h, app) {
  const clock = runningClock(h);
  const now = countdown(clock, new Date());
  return html`<li class="handoff handoff-${h.status.toLowerCase()}">
    <p><strong>${leadWord(h.status)}</strong> — to ${h.assignee?.name ?? 'nobody'}
      <span class="muted small">from ${h.fromUser?.name ?? 'the system'}, ${app.time(h.handedOffAt)}</span></p>
    ${clock ? html`<p class="countdown ${now.phase}" data-countdown data-due="${clock.dueAt}" data-at-risk="${clock.atRiskAt ?? ''}">${now.text}</p>` : ''}
    ${clockLine('Decision', h.acceptStatus, h.acceptAtRiskAt, h.acceptDueAt, businessHours(h.acceptBusinessHours), app)}
    ${clockLine('First touch', h.firstTouchStatus, h.firstTouchAtRiskAt, h.firstTouchDueAt, businessHours(h.firstTouchBusinessHours), app)}
    <p class="small muted">${h.touchAttempts} touch attempt${h.touchAttempts === 1 ? '' : 's'}${h.firstTouchAt ? `, first ${app.time(h.firstTouchAt)}` : ''}${h.slaRevision ? ` · SLA revision ${h.slaRevision}` : ''}${h.autoAccepted ? ' · accepted automatically' : ''}</p>
    ${h.decidedAt ? html`<p class="small">Decided ${app.time(h.decidedAt)}${h.decidedBy ? ` by ${h.decidedBy.name}` : ''}${h.reassignCause ? ` (${h.reassignCause.toLowerCase().replace('_', ' ')})` : ''}</p>` : ''}
    ${h.rejection ? html`<p class="small">Rejected: ${leadWord(h.rejection.reason)}, ${leadWord(h.rejection.disposition).toLowerCase()}${h.rejection.comment ? html` — “${h.rejection.comment}”` : ''}</p>` : ''}
    ${h.note ? html`<p class="small">Note: “${h.note}”</p>` : ''}
    ${h.overrideReason ? html`<p class="small">Handed off unqualified: “${h.overrideReason}”</p>` : ''}
  </li>`;
}

function handoffsCard(lead, app) {
  return html`<section class="card" aria-labelledby="handoffs-title">
    <h2 id="handoffs-title">Handoffs</h2>
    ${lead.handoffs.length
      ? html`<ol class="handoffs">${[...lead.handoffs].reverse().map((h) => handoffBlock(h, app))}</ol>`
      : html`<p class="empty">Not handed off yet.</p>`}
  </section>`;
}

function followUpsCard(lead, app) {
  return html`<section class="card" aria-labelledby="followups-title">
    <h2 id="followups-title">Follow-ups</h2>
    ${lead.followUps.length ? html`<ol class="history">${[...lead.followUps].reverse().map((f) => html`<li>
      <strong>${leadWord(f.channel)}, ${leadWord(f.outcome).toLowerCase()}</strong>
      <span class="muted small">${app.time(f.occurredAt)}${f.user ? ` · ${f.user.name}` : ''}</span>
      ${f.note ? html`<div class="small">${f.note}</div>` : ''}
    </li>`)}</ol>` : html`<p class="empty">No follow-up yet.</p>`}
  </section>`;
}

function feedbackCard(lead, app) {
  return html`<section class="card" aria-labelledby="feedback-title">
    <h2 id="feedback-title">Sales' feedback</h2>
    ${lead.feedback.length ? html`<ul class="history">${lead.feedback.map((f) => html`<li>
      <strong aria-label="${f.rating} of 5">${'★'.repeat(f.rating)}${'☆'.repeat(5 - f.rating)}</strong>
      <span class="muted small">${f.user?.name ?? ''} · ${app.time(f.updatedAt)}</span>
      ${f.reasons.length ? html`<div class="small">${f.reasons.map(leadWord).join(', ')}</div>` : ''}
      ${f.comment ? html`<div class="small">“${f.comment}”</div>` : ''}
    </li>`)}</ul>` : html`<p class="empty">No feedback yet.</p>`}
  </section>`;
}

function describeMetadata(metadata) {
  if (!metadata || typeof metadata !== 'object') return '';
  return Object.entries(metadata).slice(0, 4)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' · ');
}

function timeline(view, app) {
  const items = view.activities.map((a) => html`<li>
    <span class="when small">${app.time(a.occurredAt)}</span>
    <strong>${leadWord(a.kind)}</strong>
    ${a.source ? html`<span class="muted small">via ${a.source}</span>` : ''}
    ${a.imported ? html`<span class="muted small">(imported)</span>` : ''}
    ${a.metadata ? html`<div class="small muted meta">${describeMetadata(a.metadata)}</div>` : ''}
  </li>`);
  return html`<section class="card" aria-labelledby="activity-title">
    <h2 id="activity-title">Activity <span class="muted small">(${view.activityTotal})</span></h2>
    ${items.length ? html`<ol class="timeline">${items}</ol>` : html`<p class="empty">No activity recorded.</p>`}
    ${view.activityInfo?.hasNextPage ? html`<button type="button" data-action="more-activities">Show older activity (${view.activities.length} of ${view.activityTotal} shown)</button>` : ''}
  </section>`;
}

// ---- actions ------------------------------------------------------------------

function people(view, { automatic }) {
  return [['', automatic], ...view.people.map((p) => [p.id,
    `${p.name}${p.outOfOffice ? ' — out of office' : ''}${p.acceptsLeads ? '' : ' — not taking leads'}`])];
}

function actionForm(name, title, content, { open = false } = {}) {
  return html`<details class="action" ${open ? html`open` : ''}>
    <summary>${title}</summary>
    <form class="stack" data-form="${name}" novalidate>${content}${formError()}</form>
  </details>`;
}

function actionsCard(lead, a, view, app) {
  const open = openHandoff(lead);
  const parts = [];
  if (a.accept) {
    parts.push(html`<div class="decide">
      <p>${open.assignee?.id === app.viewer.id ? 'This lead is handed to you.' : `Handed to ${open.assignee?.name}.`}
        <span class="countdown" data-countdown data-due="${open.acceptDueAt ?? ''}" data-at-risk="${open.acceptAtRiskAt ?? ''}"></span></p>
      <button type="button" class="primary" data-action="accept">Accept</button>
    </div>`);
  }
  if (a.reject) {
    parts.push(actionForm('reject', 'Reject…', html`
      ${selectField('reject', { name: 'reason', label: 'Reason', options: REJECTION_REASONS.map((r) => [r, leadWord(r)]) })}
      ${selectField('reject', { name: 'disposition', label: 'Then', options: [['RECYCLE', leadWord('RECYCLE')], ['DISQUALIFY', leadWord('DISQUALIFY')]] })}
      ${inputField('reject', { name: 'comment', label: 'Comment', hint: 'Required when the reason is Other.' })}
      ${submitButton('Reject the handoff', 'danger')}`));
  }
  if (a.handOff || a.override) {
    parts.push(actionForm('handoff', a.override ? 'Hand off without qualification…' : 'Hand off to sales…', html`
      ${selectField('handoff', { name: 'assigneeId', label: 'To', options: people(view, { automatic: 'Route automatically (SLA routing)' }) })}
      ${inputField('handoff', { name: 'note', label: 'Note for sales' })}
      ${a.override ? inputField('handoff', { name: 'overrideReason', label: 'Why hand off an unqualified lead', required: true }) : ''}
      ${submitButton('Hand off')}`));
  }
  if (a.reassign) {
    parts.push(actionForm('reassign', 'Reassign…', html`
      ${selectField('reassign', { name: 'assigneeId', label: 'To', options: people(view, { automatic: 'Next in the routing pool' }) })}
      ${inputField('reassign', { name: 'note', label: 'Note' })}
      ${submitButton('Reassign')}`));
  }
  if (a.followUp) {
    parts.push(actionForm('follow-up', 'Record a follow-up…', html`
      ${selectField('follow-up', { name: 'channel', label: 'Channel', options: FOLLOW_UP_CHANNELS.map((c) => [c, leadWord(c)]) })}
      ${selectField('follow-up', { name: 'outcome', label: 'Outcome', options: [['ATTEMPTED', 'Attempted'], ['CONNECTED', 'Connected']] })}
      ${inputField('follow-up', { name: 'occurredAt', label: 'When', type: 'datetime-local', hint: `Leave empty for now. In your timezone (${app.viewer.timezone}).` })}
      ${inputField('follow-up', { name: 'note', label: 'Note' })}
      ${submitButton('Record follow-up')}`));
  }
  if (a.moves.length) {
    parts.push(actionForm('move', 'Move stage…', html`
      ${selectField('move', { name: 'stage', label: 'To', options: a.moves.map((m) => [m.stage, leadWord(m.stage)]) })}
      ${inputField('move', { name: 'reason', label: 'Reason' })}
      <p class="hint" data-reason-note ${a.moves[0].reasonRequired ? '' : html`hidden`}>This move needs a reason.</p>
      ${submitButton('Move')}`));
  }
  if (a.close.length) {
    parts.push(actionForm('close', 'Close as won or lost…', html`
      ${selectField('close', { name: 'outcome', label: 'Outcome', options: a.close.map((c) => [c, leadWord(c)]) })}
      ${inputField('close', { name: 'amount', label: 'Amount', type: 'number', hint: 'Required when won.' })}
      ${checkboxField('close', { name: 'recurring', label: 'Recurring revenue' })}
      ${inputField('close', { name: 'reason', label: 'Reason' })}
      ${submitButton('Close the lead')}`));
  }
  if (a.feedback) {
    const mine = lead.feedback.find((f) => f.user?.id === app.viewer.id);
    parts.push(actionForm('feedback', mine ? 'Edit your feedback…' : 'Rate this lead…', html`
      ${selectField('feedback', { name: 'rating', label: 'Rating', value: String(mine?.rating ?? 3), options: [1, 2, 3, 4, 5].map((n) => [String(n), `${n} of 5`]) })}
      ${checkboxGroup('feedback', { name: 'reasons', label: 'What was wrong (optional)', options: REJECTION_REASONS.map((r) => [r, leadWord(r)]), checked: mine?.reasons ?? [] })}
      ${inputField('feedback', { name: 'comment', label: 'Comment', value: mine?.comment ?? '' })}
      ${submitButton('Save feedback')}`));
  }
  if (a.edit) parts.push(editForm(lead, view));
  if (!parts.length) {
    return html`<section class="card actions-card" aria-labelledby="actions-title">
      <h2 id="actions-title">Actions</h2>
      <p class="muted">Nothing for you to do on this lead in stage ${leadWord(lead.stage)}.</p>
    </section>`;
  }
  return html`<section class="card actions-card" aria-labelledby="actions-title">
    <h2 id="actions-title">Actions</h2>${parts}</section>`;
}

function editForm(lead, view) {
  const personas = [['', 'None (match automatically)'], ...view.personas.map((p) => [p.id, p.name])];
  const mine = view.conflict?.mine;
  return actionForm('edit', 'Edit details…', html`
    <div class="grid">${EDITABLE.map(([name, text]) => inputField('edit', {
      name, label: text, value: (mine && name in mine ? mine[name] : lead[name]) ?? '',
      type: name === 'companySize' ? 'number' : 'text',
    }))}
    ${selectField('edit', { name: 'persona', label: 'Persona', value: (mine && 'persona' in mine ? mine.persona : lead.persona?.id) ?? '', options: personas })}</div>
    ${checkboxField('edit', { name: 'doNotContact', label: 'Do not contact', checked: lead.doNotContact })}
    <p class="hint">Saved against version ${lead.version}: if someone else saved first, both versions are shown.</p>
    ${submitButton('Save')}`, { open: Boolean(view.conflict) });
}

function conflictBox({ mine, theirs }) {
  const rows = Object.keys(mine).filter((k) => !['id', 'expectedVersion'].includes(k)).map((k) => html`<tr>
    <th scope="row">${k}</th><td>${String(mine[k] ?? '—')}</td>
    <td>${String((k === 'persona' ? theirs.persona?.id : theirs[k]) ?? '—')}</td></tr>`);
  return html`<div class="conflict" tabindex="-1" role="alert">
    <h2>Someone else saved this lead first</h2>
    <p>It is now at version ${theirs.version}. Your changes are below beside what is saved now.
      Save again to put yours over theirs, or discard yours.</p>
    <div class="table-wrap"><table><thead><tr><th scope="col">Field</th><th scope="col">Yours</th>
      <th scope="col">Saved now (version ${theirs.version})</th></tr></thead><tbody>${rows}</tbody></table></div>
    <div class="actions"><button type="button" data-action="discard-edit">Discard mine</button></div>
  </div>`;
}

