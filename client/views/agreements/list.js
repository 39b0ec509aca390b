// Agreements by kind: goals, personas, qualification models, SLAs. What waits
// for the viewer's signature comes first, above the lists; each row shows the
// status, what is pending, the revision in force and who signed the proposal.

import { html, region, render } from '../../dom.js';
import { hashFor } from '../../logic.js';
import {
  KIND_INFO, KINDS, mayNegotiate, PENDING_TEXT, signatureSummary, STATUS_TEXT, viewerFirst,
  waitsForViewer,
} from '../../logic/agreements.js';
import { AGREEMENT_LIST } from '../../operations/agreements.js';
import { listPlaceholder, pagedList, pager } from '../core/paged.js';

const PAGE = 25;

export function mount(root, app) {
  const lists = Object.fromEntries(KINDS.map((kind) => [kind, pagedList(app, {
    document: AGREEMENT_LIST, field: 'agreements', size: PAGE,
    variables: () => ({ filter: { kind: [kind] } }),
  })]));
  const waiting = pagedList(app, {
    document: AGREEMENT_LIST, field: 'agreements', size: 100,
    variables: () => ({ filter: { pending: ['PROPOSED', 'RETIREMENT_PROPOSED'] } }),
  });
  const negotiate = mayNegotiate(app.viewer);
  render(root, html`<div class="page">
    <h1>Agreements</h1>
    <p class="subtitle">What marketing and sales agreed, in writing: each takes effect only
      when a manager of each team has signed the same content.</p>
    <nav class="tools" aria-label="Planning tools">
      <a class="button" href="${hashFor('/agreements/planner')}">Goal planner</a>
      <a class="button" href="${hashFor('/agreements/model')}">Model report and simulator</a>
    </nav>
    <section class="card" aria-labelledby="waiting-title">
      <h2 id="waiting-title">Waiting for your signature</h2>
      <div data-region="waiting" aria-live="polite"><p class="loading">Loading…</p></div>
    </section>
    ${KINDS.map((kind) => html`<section class="card" aria-labelledby="list-${kind}">
      <div class="section-head">
        <h2 id="list-${kind}">${KIND_INFO[kind].plural}</h2>
        ${negotiate ? html`<a class="button" href="${hashFor(`/agreements/new/${KIND_INFO[kind].slug}`)}">New ${KIND_INFO[kind].name}</a>` : ''}
      </div>
      <div data-region="${kind}"><p class="loading">Loading…</p></div>
    </section>`)}
  </div>`);

  // The view's own element: the shell's <main> outlives this view.
  const own = root.firstElementChild;
  const update = () => {
    render(region(own, 'waiting'), waitingPart(app, waiting));
    for (const kind of KINDS) render(region(own, kind), listPart(app, kind, lists[kind]));
  };
  own.addEventListener('click', async (event) => {
    const button = event.target.closest('[data-action]');
    const kind = button?.closest('[data-region]')?.dataset.region;
    if (!button || !lists[kind]) return;
    const step = { 'page-next': 'next', 'page-previous': 'previous' }[button.dataset.action];
    if (step && await lists[kind][step]()) update();
  });
  Promise.all([waiting.first(), ...KINDS.map((k) => lists[k].first())]).then(update);
  return {};
}

function waitingPart(app, list) {
  const placeholder = listPlaceholder(list, { loading: 'Loading…', empty: '' });
  if (placeholder && list.error) return placeholder;
  if (!list.loaded) return html`<p class="loading">Loading…</p>`;
  const viewer = app.viewer;
  const mine = list.rows.filter((a) => waitsForViewer(viewer, a));
  if (!mine.length) {
    const open = list.rows.length;
    return html`<p class="empty">${viewer.role === 'MANAGER' && ['MARKETING', 'SALES'].includes(viewer.team)
      ? 'Nothing waits for your signature.'
      : 'Managers of marketing and sales sign agreements; nothing here needs you.'}
      ${open ? ` ${open} proposal${open === 1 ? '' : 's'} in negotiation overall.` : ''}</p>`;
  }
  return html`<ul class="waiting-list">${mine.map((a) => html`<li>
    <a href="${hashFor(`/agreements/${a.id}`)}"><strong>${a.title}</strong></a>
    <span class="badge">${KIND_INFO[a.kind].name}</span>
    <span class="muted">— ${a.pending === 'RETIREMENT_PROPOSED' ? 'retirement' : `revision ${a.revision + 1}`}
      proposed ${a.proposedBy ? `by ${a.proposedBy.name} ` : ''}${app.time(a.proposedAt)}; ${signatureSummary(a)}</span>
  </li>`)}</ul>`;
}

function listPart(app, kind, list) {
  const placeholder = listPlaceholder(list, {
    loading: 'Loading…', empty: `No ${KIND_INFO[kind].name} has been drafted yet.`,
  });
  if (placeholder) return placeholder;
  // On each page, what waits for the viewer's signature comes first.
  const rows = viewerFirst(app.viewer, list.rows).map((a) => row(app, a));
  return html`<div class="table-wrap"><table class="cards">
    <caption class="visually-hidden">${KIND_INFO[kind].plural}</caption>
    <thead><tr><th scope="col">Title</th><th scope="col">Status</th><th scope="col">Pending</th>
      <th scope="col">In force</th><th scope="col">Sign-offs on the proposal</th></tr></thead>
    <tbody>${rows}</tbody>
  </table></div>
  ${list.total > PAGE ? pager(list, { name: `${KIND_INFO[kind].plural} pages` }) : ''}`;
}

function row(app, a) {
  const mine = waitsForViewer(app.viewer, a);
  return html`<tr class="${mine ? 'waits' : ''}">
    <th scope="row" data-label="Title"><a href="${hashFor(`/agreements/${a.id}`)}">${a.title}</a>
      ${mine ? html` <span class="badge attention">waits for you</span>` : ''}</th>
    <td data-label="Status"><span class="status ${a.status.toLowerCase()}">${STATUS_TEXT[a.status]}</span></td>
    <td data-label="Pending">${PENDING_TEXT[a.pending]}
      ${a.lastRejection && a.pending === 'DRAFT' ? html`<br><span class="small muted">sent back: ${a.lastRejection.reason}</span>` : ''}</td>
    <td data-label="In force">${a.revision ? html`revision ${a.revision}<br><span class="small muted">since ${app.time(a.activatedAt)}</span>` : a.status === 'RETIRED' ? html`retired ${app.time(a.retiredAt)}` : 'none'}</td>
    <td data-label="Sign-offs">${signatureSummary(a) || html`<span class="muted">—</span>`}</td>
  </tr>`;
}
