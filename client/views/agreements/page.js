// One agreement: the proposal with the content hash being signed beside the
// sign button, the terms in force beside the pending terms with a field-level
// diff, every sign-off (voided ones with their reasons), the revision history
// and, for a persona, its evidence. Actions appear only to those SPEC §2.1
// allows; the server decides, and its refusals are shown as they come.

import {
  clearErrors, confirmDialog, errorFields, formValues, html, region, render, setBusy, showErrors,
} from '../../dom.js';
import { describeApiError, formatMoney, groupUserErrors, hashFor, label, sentence } from '../../logic.js';
import {
  agreementActions, diffTerms, draftKey, formModel, KIND_INFO, NEGOTIATING, PENDING_TEXT,
  plainTerms, readDraft, signedTeams, STATUS_TEXT, untilText, VOID_TEXT,
} from '../../logic/agreements.js';
import {
  ADD_EVIDENCE, AGREEMENT, DISCARD, PERSONA_CHOICES, PROPOSE, PROPOSE_RETIREMENT, REJECT,
  SIGN_OFF, UPDATE, WITHDRAW,
} from '../../operations/agreements.js';
import { formError, selectField } from '../core/fields.js';
import { timeZoneList } from '../core/zones.js';
import { mountEditor } from './editor.js';
import { changedKeys, diffTable, termsView } from './terms.js';

export function mount(root, app, { params }) {
  const view = {
    app, root, id: params.id, agreement: null, error: null, editor: null, conflict: null,
    personas: [], timer: null,
  };
  render(root, html`<div class="page agreement">
    <p class="breadcrumb"><a href="${hashFor('/agreements')}">← All agreements</a></p>
    <h1 data-region="title">Agreement</h1>
    <div data-region="body"><p class="loading">Loading…</p></div>
    ${timeZoneList('zones')}
  </div>`);
  // Listeners go on this view's own element: `root` (the shell's <main>)
  // outlives the view, and a listener on it would fire again for the next one.
  const own = root.firstElementChild;
  view.root = own; // a late answer for this view never draws into the next one
  own.addEventListener('click', (event) => clicked(event, view));
  own.addEventListener('submit', (event) => submitted(event, view));
  view.timer = setInterval(() => view.agreement && renderProposal(view), 30_000);
  load(view, { restore: true });
  return {
    unmount() {
      clearInterval(view.timer);
    },
  };
}

// ---- loading and drawing ----------------------------------------------------------

async function load(view, { restore = false } = {}) {
  try {
    const { node } = await view.app.request(AGREEMENT, { id: view.id });
    const found = node && 'kind' in node && 'pending' in node ? node : null;
    view.error = found ? null : 'There is no agreement with this ID.';
    if (found?.kind === 'QUALIFICATION_MODEL' && !view.personas.length) {
      const { personas } = await view.app.request(PERSONA_CHOICES);
      view.personas = personas.edges.map((e) => e.node);
    }
    view.agreement = found;
  } catch (error) {
    if (error.handled) return;
    view.error = describeApiError(error);
  }
  draw(view);
  if (restore && view.agreement) restoreDraft(view);
}

function draw(view) {
  const { root, agreement: a } = view;
  region(root, 'title').textContent = a ? a.title : 'Agreement';
  if (!a) {
    render(region(root, 'body'), view.error
      ? html`<p class="form-error">${view.error}</p>` : html`<p class="loading">Loading…</p>`);
    return;
  }
  render(region(root, 'body'), html`
    <p class="subtitle" data-region="subtitle"></p>
    <div data-region="rejection"></div>
    <section class="card proposal" aria-labelledby="proposal-title" data-region="proposal-card">
      <h2 id="proposal-title">Negotiation</h2>
      <div data-region="proposal"></div>
      <div data-region="reject"></div>
    </section>
    <section class="card" aria-labelledby="editor-title" data-region="editor-card" hidden>
      <h2 id="editor-title">Edit the draft</h2>
      <div data-region="conflict"></div>
      <div data-region="editor"></div>
    </section>
    <section class="card" aria-labelledby="terms-title">
      <h2 id="terms-title">Terms</h2>
      <div data-region="terms"></div>
    </section>
    ${a.kind === 'PERSONA' ? html`<section class="card" aria-labelledby="evidence-title">
      <h2 id="evidence-title">Evidence</h2><div data-region="evidence"></div></section>` : ''}
    ${a.kind === 'GOAL' ? html`<section class="card" aria-labelledby="progress-title">
      <h2 id="progress-title">Progress</h2><div data-region="progress"></div></section>` : ''}
    <section class="card" aria-labelledby="signoffs-title">
      <h2 id="signoffs-title">Sign-offs</h2>
      <div data-region="signoffs"></div>
    </section>
    <section class="card" aria-labelledby="revisions-title">
      <h2 id="revisions-title">Revision history</h2>
      <div data-region="revisions"></div>
    </section>`);
  const app = view.app;
  const kindName = KIND_INFO[a.kind].name;
  render(region(root, 'subtitle'), html`${kindName.charAt(0).toUpperCase()}${kindName.slice(1)} ·
    <span class="status ${a.status.toLowerCase()}">${STATUS_TEXT[a.status]}</span>
    ${a.revision ? html` · revision ${a.revision} in force since ${app.time(a.activatedAt)}` : ''}
    · ${PENDING_TEXT[a.pending]} <span class="muted">(version ${a.version})</span>`);
  render(region(root, 'rejection'), a.lastRejection ? html`<div class="notice error rejection" role="note">
    <p><strong>Sent back by ${a.lastRejection.rejectedBy?.name ?? 'someone'}</strong>
      on ${app.time(a.lastRejection.rejectedAt)}: <q data-testid="rejection-reason">${a.lastRejection.reason}</q></p></div>` : html``);
  renderProposal(view);
  render(region(root, 'reject'), rejectPart(view));
  render(region(root, 'terms'), termsPart(view));
  if (a.kind === 'PERSONA') render(region(root, 'evidence'), evidencePart(view));
  if (a.kind === 'GOAL') render(region(root, 'progress'), progressPart(view));
  render(region(root, 'signoffs'), signOffsPart(view));
  render(region(root, 'revisions'), revisionsPart(view));
  if (view.editor) showEditor(view, { keep: true });
}

function personaNames(view) {
  return Object.fromEntries(view.personas.map((p) => [p.id, p.name]));
}

// ---- the proposal and its actions ---------------------------------------------------

function renderProposal(view) {
  const body = view.root.querySelector('[data-region="proposal"]');
  if (body) render(body, proposalPart(view));
}

function proposalPart(view) {
  const { app, agreement: a } = view;
  const now = new Date();
  const may = agreementActions(app.viewer, a, now);
  const negotiating = NEGOTIATING.includes(a.pending);
  const live = a.signOffs.filter((s) => !s.voidedAt);
  const teams = signedTeams(a);
  const what = a.pending === 'RETIREMENT_PROPOSED'
    ? `Retiring revision ${a.revision}`
    : `Revision ${a.revision + 1}`;
  const parts = [];
  if (negotiating) {
    parts.push(html`<p><strong>${what}</strong> was proposed
      ${a.proposedBy ? `by ${a.proposedBy.name} ` : ''}on ${app.time(a.proposedAt)}.
      It takes effect when a manager of marketing and a manager of sales have both signed
      this content hash:</p>
      <p class="hash-line"><span class="muted">Content hash</span>
        <code class="hash" data-testid="content-hash">${a.contentHash}</code></p>
      <ul class="team-signatures">${['MARKETING', 'SALES'].map((team) => {
        const s = live.find((x) => x.team === team);
        return html`<li class="${s ? 'signed' : 'waiting'}">
          <strong>${label(team)}:</strong> ${s
            ? html`signed by ${s.user?.name ?? 'someone'} (${label(s.role)}) on ${app.time(s.signedAt)}`
            : html`<span class="muted">waiting for a ${label(team).toLowerCase()} manager</span>`}</li>`;
      })}</ul>`);
  } else if (a.pending === 'DRAFT') {
    parts.push(html`<p>A draft is being edited; nobody can sign it until it is proposed,
      which freezes it and computes the content hash both teams sign.</p>`);
  } else {
    parts.push(html`<p class="muted">${a.status === 'ACTIVE'
      ? 'Nothing is being negotiated. Managers can draft an amendment or propose retiring it.'
      : `This ${KIND_INFO[a.kind].name} is ${STATUS_TEXT[a.status].toLowerCase()}; it can no longer change.`}</p>`);
  }
  const buttons = [];
  if (may.sign) {
    const team = label(app.viewer.team);
    const text = may.countersign ? `Countersign for ${team}` : `Sign for ${team}`;
    buttons.push(html`<div class="sign-box">
      <button type="button" class="primary" data-action="sign" data-hash="${a.contentHash}"
        aria-describedby="sign-hash ${may.signBlocked ? 'sign-blocked' : ''}"
        ${may.signBlocked ? html`disabled` : ''}>${text}</button>
      <span id="sign-hash" class="small">signing content hash <code class="hash">${a.contentHash}</code></span>
      ${may.signBlocked ? html`<p id="sign-blocked" class="blocked" role="note">${may.signBlocked}
        You can sign from <strong>${app.time(may.signableFrom.toISOString())}</strong>
        (${untilText(may.signableFrom, now)}).</p>` : ''}
    </div>`);
  }
  const secondary = [];
  if (may.withdraw) secondary.push(html`<button type="button" data-action="withdraw">Withdraw my sign-off</button>`);
  if (may.propose && view.editor) {
    secondary.push(html`<button type="button" class="primary" data-action="propose" disabled
      aria-describedby="propose-note">Propose for signing</button>
      <span class="small muted" id="propose-note">Save or stop editing first: a proposal freezes what is saved.</span>`);
  } else if (may.propose) {
    secondary.push(html`<button type="button" class="primary" data-action="propose">Propose for signing</button>`);
  }
  if (may.edit) {
    secondary.push(html`<button type="button" data-action="edit">${a.pending === 'NONE' ? 'Draft an amendment' : 'Edit the draft'}</button>`);
  }
  if (may.discard) {
    secondary.push(html`<button type="button" class="danger" data-action="discard">${a.status === 'DRAFT' ? 'Discard this draft' : 'Discard the pending changes'}</button>`);
  }
  if (may.proposeRetirement) secondary.push(html`<button type="button" class="danger" data-action="propose-retirement">Propose retirement</button>`);

  const nobody = !buttons.length && !secondary.length && !may.reject && a.status !== 'RETIRED'
    && a.status !== 'DISCARDED'
    ? html`<p class="muted small" data-testid="why-no-actions">${whyNoActions(app.viewer, a, teams)}</p>` : '';
  return html`${parts}${buttons}
    ${secondary.length ? html`<div class="actions">${secondary}</div>` : ''}
    ${nobody}`;
}

// Apart from the proposal, which redraws as the cool-off counts down: a reason
// being typed is never wiped.
function rejectPart(view) {
  const may = agreementActions(view.app.viewer, view.agreement, new Date());
  return may.reject ? html`<details class="reject" data-region="reject-box">
      <summary>Reject this proposal…</summary>
      <form class="stack" data-form="reject" novalidate>
        <div class="field">
          <label for="reject-reason">Reason for sending it back</label>
          <textarea id="reject-reason" name="reason" rows="3" required
            aria-describedby="reject-reason-hint reject-reason-error"></textarea>
          <p class="hint" id="reject-reason-hint">Both teams see it. The revision in force stays in force.</p>
          <p class="field-error" id="reject-reason-error" data-error-for="reason" hidden></p>
        </div>
        ${formError()}
        <div class="actions"><button type="submit" class="danger">Reject with this reason</button></div>
      </form>
    </details>` : html``;
}

function whyNoActions(viewer, a, teams) {
  if (viewer.role === 'MANAGER' && ['MARKETING', 'SALES'].includes(viewer.team)) {
    if (teams.includes(viewer.team)) return `${label(viewer.team)} has signed this proposal; it waits for the other team.`;
    return 'Nothing to do here now.';
  }
  if (viewer.role === 'ADMIN') return 'Admins draft and propose but never sign.';
  return 'Only managers of marketing and sales negotiate and sign agreements; you can read everything here.';
}

// ---- terms ---------------------------------------------------------------------------------

function termsPart(view) {
  const { agreement: a, app } = view;
  const personas = personaNames(view);
  const inForce = a.terms ? plainTerms(a.terms) : null;
  const pending = a.pendingTerms ? plainTerms(a.pendingTerms) : null;
  if (!pending) {
    return html`<h3>${a.revision ? `In force: revision ${a.revision}` : 'No terms in force'}</h3>
      ${termsView(a.kind, inForce, { personas, app })}`;
  }
  const changes = diffTerms(inForce, pending);
  const keys = changedKeys(changes);
  const pendingName = a.pending === 'DRAFT' ? 'Draft' : 'Proposed';
  return html`<h3>What changes</h3>
    ${inForce
      ? diffTable(changes, { caption: 'Changes from the terms in force to the pending terms', afterName: pendingName })
      : html`<p class="muted">Nothing is in force yet: every term below is new.</p>`}
    <div class="compare">
      <div class="side">
        <h3>${inForce ? `In force (revision ${a.revision})` : 'In force'}</h3>
        ${termsView(a.kind, inForce, { personas, app })}
      </div>
      <div class="side pending">
        <h3>${pendingName}${a.pending === 'DRAFT' ? '' : ` (revision ${a.revision + 1})`}</h3>
        ${termsView(a.kind, pending, { keys, personas, app })}
      </div>
    </div>`;
}

// ---- sign-offs and revisions --------------------------------------------------------

function signOffState(s, a) {
  if (s.voidedAt) return html`<span class="void">voided ${VOID_TEXT[s.voidReason] ? `— ${VOID_TEXT[s.voidReason]}` : ''}</span>`;
  if (a.signOffs.some((x) => !x.voidedAt && x.contentHash === s.contentHash && x.user?.id === s.user?.id && x.signedAt === s.signedAt)) {
    return 'on the pending proposal';
  }
  const revision = a.revisions.find((r) => r.contentHash === s.contentHash);
  if (s.action === 'RETIRE') return 'retired the agreement';
  return revision ? `put revision ${revision.number} in force` : 'counted';
}

function signOffRows(list, a, app) {
  return list.map((s) => html`<tr class="${s.voidedAt ? 'voided' : ''}">
    <th scope="row" data-label="Who">${s.user?.name ?? 'someone'}</th>
    <td data-label="Team and role">${label(s.team)} ${label(s.role)}</td>
    <td data-label="Signed">${app.time(s.signedAt)}<br><span class="small muted">${s.action === 'RETIRE' ? 'to retire' : 'to put in force'}</span></td>
    <td data-label="Content hash"><code class="hash">${s.contentHash}</code></td>
    <td data-label="Role granted">${s.roleGrantedAt ? html`${app.time(s.roleGrantedAt)}${s.roleGrantedBy ? html`<br><span class="small muted">by ${s.roleGrantedBy.name}</span>` : ''}` : 'at creation'}</td>
    <td data-label="State">${signOffState(s, a)}${s.voidedAt ? html`<br><span class="small muted">${app.time(s.voidedAt)}</span>` : ''}</td>
  </tr>`);
}

function signOffTable(list, a, app, caption) {
  if (!list.length) return html`<p class="muted">None.</p>`;
  return html`<div class="table-wrap"><table class="cards signoffs">
    <caption class="visually-hidden">${caption}</caption>
    <thead><tr><th scope="col">Who</th><th scope="col">Team and role</th><th scope="col">Signed</th>
      <th scope="col">Content hash</th><th scope="col">Role granted</th><th scope="col">State</th></tr></thead>
    <tbody>${signOffRows(list, a, app)}</tbody></table></div>`;
}

function signOffsPart(view) {
  const { agreement: a, app } = view;
  const history = [...a.signOffHistory].sort((x, y) => y.signedAt.localeCompare(x.signedAt));
  return html`<p class="muted small">Every sign-off ever given on this ${KIND_INFO[a.kind].name},
    newest first, with the signer's team and role when signing; voided ones say why.</p>
    ${signOffTable(history, a, app, 'Every sign-off')}`;
}

function revisionsPart(view) {
  const { agreement: a, app } = view;
  if (!a.revisions.length) return html`<p class="muted">No revision has been in force yet.</p>`;
  const personas = personaNames(view);
  const newest = [...a.revisions].reverse();
  return html`<ul class="revisions">${newest.map((r) => {
    const previous = a.revisions.find((x) => x.number === r.number - 1);
    const changes = previous ? diffTerms(plainTerms(previous.terms), plainTerms(r.terms)) : [];
    return html`<li><details>
      <summary>Revision ${r.number}: in force from ${app.time(r.activatedAt)}
        ${r.supersededAt ? `until ${app.time(r.supersededAt)}` : a.status === 'ACTIVE' && r.number === a.revision ? '(in force now)' : ''}</summary>
      <p class="small">Content hash <code class="hash">${r.contentHash}</code>; signed by
        ${r.signOffs.map((s) => `${s.user?.name ?? 'someone'} (${label(s.team)} ${label(s.role)})`).join(' and ') || 'nobody'}.</p>
      ${previous ? html`<h4>Changes from revision ${previous.number}</h4>
        ${diffTable(changes, { caption: `Changes from revision ${previous.number} to ${r.number}`, beforeName: `Revision ${previous.number}`, afterName: `Revision ${r.number}` })}` : ''}
      <h4>Terms of revision ${r.number}</h4>
      ${termsView(a.kind, plainTerms(r.terms), { personas, app })}
    </details></li>`;
  })}</ul>`;
}

// ---- persona evidence, goal progress -----------------------------------------------------

const SOURCES = [['CUSTOMER_DATA', 'Customer data'], ['SALES_ANECDOTE', 'Sales anecdote'], ['RESEARCH', 'Research']];

function evidencePart(view) {
  const { agreement: a, app } = view;
  const may = agreementActions(app.viewer, a, new Date());
  const items = a.evidence.length
    ? html`<ul class="evidence">${[...a.evidence].reverse().map((e) => html`<li>
        <span class="badge">${SOURCES.find(([v]) => v === e.source)?.[1] ?? e.source}</span> ${e.note}
        <span class="small muted">— ${e.addedBy?.name ?? 'someone'}, ${app.time(e.addedAt)}</span></li>`)}</ul>`
    : html`<p class="muted">No evidence yet.</p>`;
  const form = may.addEvidence ? html`<form class="stack" data-form="evidence" novalidate>
      <h3>Add evidence</h3>
      <p class="muted small">Evidence sits outside the signed terms: adding it needs no sign-off.</p>
      <div class="grid">
        ${selectField('evidence', { name: 'source', label: 'Source', options: SOURCES, value: 'CUSTOMER_DATA' })}
      </div>
      <div class="field">
        <label for="evidence-note">Note</label>
        <textarea id="evidence-note" name="note" rows="3" aria-describedby="evidence-note-error"></textarea>
        <p class="field-error" id="evidence-note-error" data-error-for="note" hidden></p>
      </div>
      ${formError()}
      <div class="actions"><button type="submit" class="primary">Add evidence</button></div>
    </form>` : '';
  return html`${items}${form}`;
}

function progressPart(view) {
  const { agreement: a, app } = view;
  const p = a.progress;
  if (!p) return html`<p class="muted">No measurement yet (progress shows for a goal in force on a manual metric once a value is recorded).</p>`;
  return html`<dl class="details">
    <dt>Current</dt><dd>${p.currentMoney ? formatMoney(p.currentMoney) : p.current} of ${p.targetMoney ? formatMoney(p.targetMoney) : p.target} (${Math.round(p.ratio * 100)} %)</dd>
    <dt>Expected by now</dt><dd>${Math.round(p.expectedRatio * 100)} % of the target</dd>
    <dt>Pace</dt><dd>${p.status.replaceAll('_', ' ').toLowerCase()}${p.ended ? ' (period over)' : ''}</dd>
    <dt>Measured</dt><dd>${p.measuredAt ? app.time(p.measuredAt) : '—'}</dd>
  </dl>`;
}

// ---- editing ---------------------------------------------------------------------------------

function storageKey(view) {
  return draftKey(view.app.viewer.id, view.agreement.id);
}

function restoreDraft(view) {
  const a = view.agreement;
  let stored = null;
  try {
    stored = localStorage.getItem(storageKey(view));
  } catch {
    return;
  }
  const draft = readDraft(stored, a.kind);
  if (!draft) return;
  if (!agreementActions(view.app.viewer, a, new Date()).edit) return;
  startEditing(view, { model: draft.model, baseVersion: draft.baseVersion, restored: true });
  if (draft.baseVersion !== null && draft.baseVersion !== a.version) {
    view.app.notify(`Your unsaved changes were restored. The agreement changed since you began
      (version ${draft.baseVersion}, now ${a.version}); saving shows both versions.`.replace(/\s+/g, ' '), 'info');
  } else {
    view.app.notify('Your unsaved changes to this agreement were restored from this browser.', 'info');
  }
}

function startEditing(view, { model = null, baseVersion = null, restored = false } = {}) {
  const a = view.agreement;
  const tz = view.app.viewer.timezone;
  const source = a.pendingTerms ?? a.terms;
  view.editor = {
    model: model ?? formModel(a.kind, source ? plainTerms(source) : null, tz),
    baseVersion: baseVersion ?? a.version,
    restored,
  };
  showEditor(view);
  renderProposal(view);
}

function showEditor(view, { keep = false } = {}) {
  const { root, agreement: a } = view;
  const card = region(root, 'editor-card');
  card.hidden = false;
  const state = view.editor;
  const title = root.querySelector('#editor-title');
  title.textContent = a.pending === 'NONE' ? 'Draft an amendment' : 'Edit the draft';
  const warn = a.pending === 'PROPOSED'
    ? html`<p class="notice-inline">Saving changes to a proposal returns it to a draft and voids its sign-offs.</p>` : '';
  render(region(root, 'conflict'), html`${warn}${conflictPart(view)}`);
  if (keep && state.mounted?.form?.isConnected) return;
  const model = state.mounted ? state.mounted.model : state.model;
  const container = region(root, 'editor');
  container.replaceWith(container.cloneNode(false)); // drop the listeners of an earlier editor
  state.mounted = mountEditor(region(root, 'editor'), {
    kind: a.kind,
    model,
    baseVersion: state.mounted ? state.mounted.baseVersion : state.baseVersion,
    personas: view.personas,
    storageKey: storageKey(view),
    timeZone: view.app.viewer.timezone,
    restored: state.restored,
    submit: a.pending === 'NONE' ? 'Save the amendment draft' : 'Save draft',
    onSubmit: (terms, editor) => saveTerms(view, terms, editor),
    onCancel: () => stopEditing(view),
  });
  if (!keep) region(root, 'editor').querySelector('input, select, textarea')?.focus();
}

async function stopEditing(view, { ask = true } = {}) {
  if (ask) {
    const ok = await confirmDialog({
      title: 'Stop editing?',
      message: 'Changes not saved to the server are thrown away (also from this browser).',
      confirm: 'Throw them away',
    });
    if (!ok) return;
  }
  view.editor?.mounted?.forget();
  view.editor = null;
  view.conflict = null;
  const card = region(view.root, 'editor-card');
  card.hidden = true;
  render(region(view.root, 'conflict'), html``);
  const container = region(view.root, 'editor');
  container.replaceWith(container.cloneNode(false));
  renderProposal(view);
  view.root.querySelector('[data-action="edit"]')?.focus();
}

async function saveTerms(view, terms, editor) {
  const a = view.agreement;
  const field = KIND_INFO[a.kind].payload;
  try {
    const input = { id: a.id, expectedVersion: editor.baseVersion, terms };
    const data = await view.app.request(UPDATE[a.kind], { input });
    const result = data[Object.keys(data)[0]];
    if (result[field]) {
      view.agreement = result[field];
      view.conflict = null;
      view.editor = null;
      editor.forget();
      region(view.root, 'editor-card').hidden = true;
      draw(view);
      view.app.notify(`Saved. ${a.pending === 'PROPOSED' ? 'The proposal is a draft again; ' : ''}Propose it when both teams should sign.`, 'success');
      view.root.querySelector('[data-action="propose"]')?.focus();
      return true;
    }
    if (result.userErrors.some((e) => e.code === 'CONFLICT')) {
      const { node } = await view.app.request(AGREEMENT, { id: a.id });
      view.conflict = { mine: terms, theirs: node, message: result.userErrors.find((e) => e.code === 'CONFLICT').message };
      view.agreement = node;
      draw(view);
      view.root.querySelector('[data-conflict]')?.focus();
      return false;
    }
    editor.showUserErrors(result.userErrors);
  } catch (error) {
    if (!error.handled) editor.showGeneral(describeApiError(error));
  }
  return false;
}

function conflictPart(view) {
  const c = view.conflict;
  if (!c) return '';
  const a = c.theirs;
  const theirs = a.pendingTerms ? plainTerms(a.pendingTerms) : a.terms ? plainTerms(a.terms) : null;
  const changes = diffTerms(theirs, c.mine);
  return html`<div class="conflict" role="alert" tabindex="-1" data-conflict>
    <p><strong>Not saved: this agreement changed while you were editing</strong> (it is now
      version ${a.version}: ${PENDING_TEXT[a.pending].toLowerCase()}). ${sentence(c.message)}</p>
    <h3>Your version against version ${a.version}</h3>
    ${diffTable(changes, { caption: `Your edits against version ${a.version}`, beforeName: `Version ${a.version}`, afterName: 'Yours' })}
    <div class="compare">
      <div class="side"><h3>Version ${a.version} (saved)</h3>${termsView(a.kind, theirs, { personas: personaNames(view), app: view.app })}</div>
      <div class="side pending"><h3>Yours (not saved)</h3>${termsView(a.kind, c.mine, { keys: changedKeys(changes), personas: personaNames(view), app: view.app })}</div>
    </div>
    <div class="actions">
      <button type="button" class="primary" data-action="keep-mine">Keep mine, replacing version ${a.version}</button>
      <button type="button" data-action="take-theirs">Take version ${a.version}, dropping mine</button>
    </div>
  </div>`;
}

// ---- clicks and forms ---------------------------------------------------------------------

async function clicked(event, view) {
  const button = event.target.closest('button[data-action]');
  if (!button || !view.agreement || button.closest('form[data-form="terms"]')) return;
  const a = view.agreement;
  const action = button.dataset.action;
  if (action === 'edit') startEditing(view);
  if (action === 'keep-mine') {
    view.editor.mounted.rebase(view.conflict.theirs.version);
    view.editor.baseVersion = view.conflict.theirs.version;
    view.conflict = null;
    render(region(view.root, 'conflict'), html``);
    view.app.notify(`Your changes now replace version ${a.version} when you save them.`, 'info');
    region(view.root, 'editor').querySelector('button[type="submit"]')?.focus();
  }
  if (action === 'take-theirs') {
    const source = a.pendingTerms ?? a.terms;
    view.editor.mounted.replace(formModel(a.kind, source ? plainTerms(source) : null, view.app.viewer.timezone), a.version);
    view.editor.mounted.forget();
    view.conflict = null;
    render(region(view.root, 'conflict'), html``);
    region(view.root, 'editor').querySelector('input, select, textarea')?.focus();
  }
  if (action === 'propose') {
    await act(view, PROPOSE, { agreementId: a.id }, 'Proposed: the content hash is computed and both teams can sign.');
  }
  if (action === 'propose-retirement') {
    const ok = await confirmDialog({
      title: `Propose retiring ${a.title}?`,
      message: 'When a manager of each team has signed, the revision in force stops applying.',
      confirm: 'Propose retirement',
    });
    if (ok) await act(view, PROPOSE_RETIREMENT, { agreementId: a.id }, 'Retirement proposed: both teams can sign it.');
  }
  if (action === 'sign') {
    const before = a.revision;
    await act(view, SIGN_OFF, { agreementId: a.id, contentHash: button.dataset.hash }, (after) => (
      after.revision > before
        ? `Countersigned: revision ${after.revision} is in force.`
        : after.status === 'RETIRED' ? 'Countersigned: the agreement is retired.'
          : `Signed for ${label(view.app.viewer.team)}; it waits for the other team.`));
  }
  if (action === 'withdraw') {
    const ok = await confirmDialog({
      title: 'Withdraw your sign-off?',
      message: 'Your team then has to sign again before the proposal can take effect.',
      confirm: 'Withdraw',
    });
    if (ok) await act(view, WITHDRAW, { agreementId: a.id }, 'Your sign-off is withdrawn.');
  }
  if (action === 'discard') {
    const never = a.status === 'DRAFT';
    const ok = await confirmDialog({
      title: never ? `Discard ${a.title}?` : 'Discard the pending changes?',
      message: never
        ? 'It was never in force; it is kept for the record as discarded.'
        : 'The revision in force stays in force; the pending changes and their sign-offs are dropped.',
      confirm: 'Discard',
    });
    if (ok) await act(view, DISCARD, { agreementId: a.id }, never ? 'The draft is discarded.' : 'The pending changes are discarded.');
  }
}

/** Run a shared agreement mutation; show the new state or the refusal. */
async function act(view, document, input, done, form = null) {
  try {
    const data = await view.app.request(document, { input });
    const result = data[Object.keys(data)[0]];
    if (result.agreement) {
      view.agreement = result.agreement;
      draw(view);
      view.app.notify(typeof done === 'function' ? done(result.agreement) : done, 'success');
      view.root.querySelector('[data-region="proposal"] button, h1')?.focus();
      return true;
    }
    if (form) {
      showErrors(form, groupUserErrors(result.userErrors, errorFields(form)));
    } else {
      view.app.notify(result.userErrors.map((e) => sentence(e.message)).join(' '), 'error');
      if (result.userErrors.some((e) => ['CONTENT_CHANGED', 'ALREADY_SIGNED', 'INVALID_TRANSITION'].includes(e.code))) {
        await load(view);
      }
    }
  } catch (error) {
    if (error.handled) return false;
    if (form) showErrors(form, { general: [describeApiError(error)] });
    else view.app.notify(describeApiError(error), 'error');
  }
  return false;
}

async function submitted(event, view) {
  const form = event.target;
  const kind = form.dataset.form;
  if (kind !== 'reject' && kind !== 'evidence') return;
  event.preventDefault();
  const a = view.agreement;
  const values = formValues(form);
  if (kind === 'reject' && !values.reason.trim()) {
    showErrors(form, { fields: { reason: ['Give the reason: both teams read it.'] } });
    return;
  }
  if (kind === 'evidence' && !values.note.trim()) {
    showErrors(form, { fields: { note: ['Write what the evidence is.'] } });
    return;
  }
  clearErrors(form);
  setBusy(form, true);
  try {
    if (kind === 'reject') {
      await act(view, REJECT, { agreementId: a.id, reason: values.reason }, 'The proposal is sent back as a draft, with your reason.', form);
    } else {
      const input = { personaId: a.id, source: values.source, note: values.note };
      await act(view, ADD_EVIDENCE, input, 'The evidence is added.', form);
    }
  } finally {
    if (form.isConnected) setBusy(form, false);
  }
}
