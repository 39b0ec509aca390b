// Duplicate leads: pairs that look like one person (same address once dots and
// plus-tags are ignored, or same name and company), side by side, with a merge
// for marketing managers and admins. Reached from the leads list (every pair)
// and from a lead's page as "Merge with…" (the pairs of that lead, that lead
// kept). A merge asks first, shows the server's refusal in place, and reloads.

import { confirmDialog, html, region, render } from '../../dom.js';
import { can, describeApiError, label, sentence } from '../../logic.js';
import { leadWord } from '../../logic/leads.js';
import { DUPLICATE_CANDIDATES, MERGE_LEADS } from '../../operations/leads.js';

const PAGE = 100;
const REASONS = { SAME_EMAIL: 'same address', SAME_NAME_AND_COMPANY: 'same name and company' };

export function mount(root, app, { params = {} } = {}) {
  const focus = params.id ?? null;
  const state = { pairs: [], after: null, more: false, error: null, notice: null, loaded: false };
  const mayMerge = can(app.viewer, 'mergeLeads');

  render(root, html`<div class="page duplicates-page">
    <p class="breadcrumb"><a href="#/leads">Leads</a>${focus ? html` › <a href="#/leads/${encodeURIComponent(focus)}">Lead</a>` : ''}</p>
    <h1 tabindex="-1">${focus ? 'Merge with…' : 'Duplicate leads'}</h1>
    <p class="subtitle">Leads that look like the same person. Merging keeps the first record: the other's activities, history, handoffs and feedback move to it, and its address and id lead to it from then on.</p>
    <div data-region="notice" role="status" aria-live="polite"></div>
    <div data-region="pairs"><p class="loading">Looking for duplicates…</p></div>
  </div>`);
  let alive = true;

  async function load(reset = true) {
    try {
      const data = await app.request(DUPLICATE_CANDIDATES, { first: PAGE, after: reset ? null : state.after });
      const found = data.duplicateLeadCandidates;
      const pairs = found.edges.map((e) => oriented(e.node, focus)).filter(Boolean);
      state.pairs = reset ? pairs : [...state.pairs, ...pairs];
      state.after = found.pageInfo.endCursor;
      state.more = found.pageInfo.hasNextPage;
      state.error = null;
    } catch (error) {
      if (error.handled) return;
      state.error = describeApiError(error);
    }
    state.loaded = true;
    draw();
  }

  function draw() {
    if (!alive) return;
    render(region(root, 'notice'), state.notice ? html`<p class="notice success">${state.notice}</p>` : html``);
    render(region(root, 'pairs'), pairsView(state, mayMerge));
  }

  async function mergePair(index) {
    const pair = state.pairs[index];
    const name = (lead) => lead.fullName || lead.email;
    const yes = await confirmDialog({
      title: 'Merge these leads?',
      message: `${name(pair.duplicate)} (${pair.duplicate.email}) is merged into ${name(pair.survivor)} (${pair.survivor.email}). This cannot be undone.`,
      confirm: 'Merge',
      danger: false,
    });
    if (!yes) return;
    pair.error = null;
    try {
      const data = await app.request(MERGE_LEADS, { input: {
        survivorId: pair.survivor.id, duplicateId: pair.duplicate.id,
        expectedVersions: { survivor: pair.survivor.version, duplicate: pair.duplicate.version },
      } });
      const errors = data.mergeLeads.userErrors;
      if (errors.length) {
        pair.error = errors.map((e) => sentence(e.message)).join(' ');
        return draw();
      }
      state.notice = `Merged ${pair.duplicate.email} into ${name(pair.survivor)}.`;
      await load(true);
    } catch (error) {
      if (error.handled) return;
      pair.error = describeApiError(error);
      draw();
    }
  }

  // on the screen's own element: `root` outlives the screen
  root.querySelector('.duplicates-page').addEventListener('click', (event) => {
    const button = event.target.closest('button[data-action]');
    if (!button) return;
    if (button.dataset.action === 'merge') mergePair(Number(button.dataset.index));
    if (button.dataset.action === 'swap') {
      const pair = state.pairs[Number(button.dataset.index)];
      [pair.survivor, pair.duplicate] = [pair.duplicate, pair.survivor];
      draw();
    }
    if (button.dataset.action === 'more') load(false);
  });

  load();
  return () => { alive = false; };
}

/** The pair as the screen shows it: on a lead's "Merge with…", only its pairs,
 *  with that lead kept. */
function oriented(node, focus) {
  const pair = { survivor: node.survivor, duplicate: node.duplicate, reasons: node.reasons, error: null };
  if (!focus) return pair;
  if (pair.duplicate.id === focus) return { ...pair, survivor: pair.duplicate, duplicate: pair.survivor };
  return pair.survivor.id === focus ? pair : null;
}

function pairsView(state, mayMerge) {
  if (state.error) return html`<p class="form-error" role="alert">${state.error}</p>`;
  if (!state.loaded) return html`<p class="loading">Looking for duplicates…</p>`;
  if (!state.pairs.length) {
    return html`<div class="empty-state"><p>No likely duplicates. Pairs appear here when two leads share an address (ignoring dots and plus-tags) or a name and company.</p></div>`;
  }
  return html`<ol class="duplicate-pairs">
    ${state.pairs.map((pair, index) => html`<li class="card duplicate-pair">
      <p class="reasons">${pair.reasons.map((r) => html`<span class="badge">${REASONS[r] ?? label(r)}</span>`)}</p>
      <div class="side-by-side">
        ${side(pair.survivor, 'Keep')}
        ${side(pair.duplicate, 'Merge into it')}
      </div>
      ${pair.error ? html`<p class="form-error" role="alert">${pair.error}</p>` : ''}
      ${mayMerge ? html`<p class="actions">
        <button type="button" class="primary" data-action="merge" data-index="${index}">Merge ${pair.duplicate.email} into ${pair.survivor.fullName || pair.survivor.email}</button>
        <button type="button" data-action="swap" data-index="${index}">Keep the other one</button>
      </p>` : ''}
    </li>`)}
  </ol>
  ${state.more ? html`<p><button type="button" data-action="more">Show more pairs</button></p>` : ''}`;
}

function side(lead, role) {
  return html`<section class="side" aria-label="${role}: ${lead.fullName || lead.email}">
    <h2 class="side-role">${role}</h2>
    <p><a href="#/leads/${encodeURIComponent(lead.id)}">${lead.fullName || lead.email}</a></p>
    <dl>
      <dt>E-mail</dt><dd>${lead.email}</dd>
      <dt>Company</dt><dd>${lead.company || '—'}</dd>
      <dt>Title</dt><dd>${lead.jobTitle || '—'}</dd>
      <dt>Stage</dt><dd>${leadWord(lead.stage)}</dd>
      <dt>Score</dt><dd>${lead.score ?? '—'}</dd>
      <dt>Customer</dt><dd>${lead.isCustomer ? 'yes' : 'no'}</dd>
    </dl>
  </section>`;
}
