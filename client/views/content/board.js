// Content requests as a board (SPEC §4): columns by status with counts, cards
// moved by button, by drag and drop or by Shift+arrow keys (only the moves the
// viewer may make), filters kept in the URL, a detail panel at
// #/content/<id>, the create form, refreshed while open (live.watch).
//
// Keys: n new request · / search · Enter opens a card · Shift+→/← moves it ·
// v votes · Esc closes the panel.

import {
  clearErrors, errorFields, formValues, html, region, render, showErrors,
} from '../../dom.js';
import { watch } from '../../live.js';
import {
  CONTENT_TYPES, LEAD_STAGES, ORDERS, POLL_SECONDS, boardColumns, boardVariables,
  cancelledCount, contentLabel, filterFromQuery, moveByKey, moveTo, moved, movesFor,
  queryFromFilter,
} from '../../logic/content.js';
import { describeApiError, groupUserErrors, hashFor } from '../../logic.js';
import {
  COMMENT_ON_CONTENT_REQUEST, CONTENT_BOARD, CONTENT_CHOICES, CONTENT_REQUEST,
  MOVE_CONTENT_REQUEST, RATE_CONTENT_REQUEST, VOTE_CONTENT_REQUEST,
} from '../../operations/content.js';
import { checkboxField, inputField, selectField } from '../core/fields.js';
import { askAndMove, createDialog, editDialog } from './dialogs.js';
import { detailPanel } from './detail.js';
import { card, requestHash } from './parts.js';

// What was on screen last, so that coming back (closing a panel, a reload of
// the route) shows it at once while the fresh answer is on its way.
const memory = { key: null, data: null, detail: new Map(), choices: null, focus: null };

export function mount(root, app, { params = {}, query = {} }) {
  const filter = filterFromQuery(query);
  const state = {
    filter,
    key: JSON.stringify(queryFromFilter(filter)),
    data: null,
    error: null,
    openId: params.id ?? null,
    detail: params.id ? memory.detail.get(params.id) ?? null : null,
    detailError: null,
    dragging: null,
    ticket: 0,
    busy: null, // the move under way: keys wait for it before the next one
    moving: 0, // moves under way (by key, button or drop): live reloads wait
    alive: true, // answers arriving after unmount must not draw into the next view
    // The card to focus once it is drawn: the one whose panel was just closed.
    refocus: params.id ? null : memory.focus,
  };
  if (memory.key === state.key) state.data = memory.data;
  const boardQuery = () => queryFromFilter(state.filter);

  render(root, html`<div class="page board-page">
    <div class="board-head">
      <div><h1>Content requests</h1>
        <p class="muted small" id="board-keys">Keys: <kbd>n</kbd> new request · <kbd>/</kbd> search ·
          <kbd>Enter</kbd> opens a card · <kbd>Shift</kbd>+<kbd>→</kbd>/<kbd>←</kbd> moves it ·
          <kbd>v</kbd> votes · drag a card to a column</p></div>
      <div class="actions">
        <button type="button" class="primary" data-action="new" aria-keyshortcuts="n">New request</button>
        <a href="${hashFor('/content/assets')}">Asset library</a>
      </div>
    </div>
    ${filterForm(filter, app)}
    <p class="visually-hidden" data-region="announce" aria-live="polite"></p>
    <div class="board-layout">
      <div data-region="panel"></div>
      <div data-region="board" class="board-region" aria-describedby="board-keys"></div>
    </div>
  </div>`);

  const filters = root.querySelector('[data-form="filters"]');

  const announce = (text) => render(region(root, 'announce'), html`${text}`);

  function update() {
    if (!state.alive) return;
    // A live update redraws the cards: the one holding the focus keeps it.
    const focused = document.activeElement?.closest?.('[data-card-link]');
    const keep = focused && root.contains(focused) ? focused.dataset.cardLink : null;
    render(region(root, 'board'), boardView(state, app));
    render(region(root, 'panel'), panelView(state, app, boardQuery()));
    const again = keep && root.querySelector(`[data-card-link="${CSS.escape(keep)}"]`);
    if (again && again !== document.activeElement) again.focus();
    const link = state.refocus && root.querySelector(`[data-card-link="${CSS.escape(state.refocus)}"]`);
    if (link) {
      state.refocus = null;
      // After the router has focused the heading (it does once mount returns).
      setTimeout(() => link.focus(), 0);
    }
  }

  async function loadBoard(own = false) {
    const mine = ++state.ticket;
    try {
      const data = await app.request(CONTENT_BOARD, boardVariables(state.filter, app.viewer));
      // A live reload that answers while a move is under way may predate it:
      // the move's own reload (after its answer) draws the board instead.
      if (!own && (mine !== state.ticket || state.moving)) return;
      Object.assign(state, { data, error: null });
      Object.assign(memory, { key: state.key, data });
    } catch (error) {
      if (error.handled || mine !== state.ticket) return;
      state.error = describeApiError(error);
    }
    update();
  }

  async function loadDetail() {
    if (!state.openId) return;
    try {
      const data = await app.request(CONTENT_REQUEST, { id: state.openId });
      state.detail = data.node;
      state.detailError = data.node ? null : 'This request does not exist (any more).';
      if (data.node) memory.detail.set(state.openId, data.node);
    } catch (error) {
      if (error.handled) return;
      state.detailError = describeApiError(error);
    }
    update();
  }

  async function refresh(own = false) {
    await Promise.all([loadBoard(own === true), loadDetail()]);
  }

  async function choices() {
    if (!memory.choices) {
      const data = await app.request(CONTENT_CHOICES, {});
      memory.choices = {
        personas: data.personas.edges.map((e) => e.node),
        marketing: data.users.edges.map((e) => e.node),
      };
    }
    return memory.choices;
  }

  function find(id) {
    if (state.detail?.id === id) return state.detail;
    for (const column of boardColumns(state.data ?? {})) {
      const found = column.cards.find((c) => c.id === id);
      if (found) return found;
    }
    return null;
  }

  // A move without a form is shown at once and rolled back if refused.
  async function quickMove(request, move) {
    const before = state.data;
    state.data = placed(state.data, moved(request, move), request.status);
    update();
    try {
      const data = await app.request(MOVE_CONTENT_REQUEST, { input: { requestId: request.id, to: move.to } });
      const errors = data.moveContentRequest.userErrors;
      if (errors.length) throw new Error(errors.map((e) => e.message).join(' '));
      announce(`${request.title} moved to ${contentLabel(move.to)}.`);
    } catch (error) {
      state.data = before;
      update();
      if (!error.handled) app.notify(`Could not move “${request.title}”: ${describeApiError(error)}`, 'error');
    }
    await refresh(true);
  }

  async function runMove(id, action, { keyboard = false } = {}) {
    const request = find(id);
    const move = request && movesFor(request).find((m) => m.action === action);
    if (!move) return;
    state.moving += 1;
    state.ticket += 1; // a reload already under way predates the move
    try {
      if (!move.needs) {
        await quickMove(request, move);
      } else {
        const done = await askAndMove(app, request, move, await choices());
        if (!done) return;
        const after = done.contentRequest;
        announce(`${request.title}: ${contentLabel(after.status)}.`);
        app.notify(`“${request.title}” is ${contentLabel(after.status).toLowerCase()}.`, 'success');
        await refresh(true);
      }
    } finally {
      state.moving -= 1;
    }
    if (keyboard) focusCard(root, id);
  }

  async function vote(id) {
    const request = find(id);
    if (!request) return;
    const wanted = !request.viewerHasVoted;
    try {
      const data = await app.request(VOTE_CONTENT_REQUEST, { input: { requestId: id, vote: wanted } });
      const payload = data.voteContentRequest;
      if (payload.userErrors.length) {
        app.notify(payload.userErrors[0].message, 'error');
      } else {
        announce(wanted ? `You voted for ${request.title}.` : `Your vote for ${request.title} is taken back.`);
      }
    } catch (error) {
      if (!error.handled) app.notify(describeApiError(error), 'error');
    }
    await refresh();
  }

  async function edit() {
    if (!state.detail) return;
    const done = await editDialog(app, state.detail);
    if (!done) return;
    announce('Your changes are saved.');
    app.notify(`“${state.detail.title}” is updated.`, 'success');
    await refresh();
  }

  async function create() {
    const made = await createDialog(app, await choices());
    if (!made) return;
    app.notify(`“${made.title}” is requested. Marketing will triage it.`, 'success');
    memory.detail.set(made.id, made);
    app.navigate(`/content/${encodeURIComponent(made.id)}`, boardQuery());
  }

  async function submitComment(form) {
    const { body } = formValues(form);
    clearErrors(form);
    if (!body.trim()) {
      showErrors(form, { fields: { body: ['Write something first.'] }, general: [] });
      return;
    }
    try {
      const data = await app.request(COMMENT_ON_CONTENT_REQUEST, {
        input: { requestId: state.openId, body },
      });
      const payload = data.commentOnContentRequest;
      if (payload.userErrors.length) {
        showErrors(form, groupUserErrors(payload.userErrors, errorFields(form)));
        return;
      }
      form.reset();
      announce('Comment posted.');
      await refresh();
    } catch (error) {
      if (!error.handled) showErrors(form, { general: [describeApiError(error)] });
    }
  }

  async function submitRating(form) {
    const { rating } = Object.fromEntries(new FormData(form));
    clearErrors(form);
    if (!rating) {
      showErrors(form, { fields: { rating: ['Choose from 1 to 5 stars.'] }, general: [] });
      return;
    }
    try {
      const data = await app.request(RATE_CONTENT_REQUEST, {
        input: { requestId: state.openId, rating: Number(rating) },
      });
      const payload = data.rateContentRequest;
      if (payload.userErrors.length) {
        showErrors(form, groupUserErrors(payload.userErrors, errorFields(form)));
        return;
      }
      announce(`Rated ${rating} of 5.`);
      app.notify(`Thanks — you rated the delivery ${rating} of 5.`, 'success');
      await refresh();
    } catch (error) {
      if (!error.handled) showErrors(form, { general: [describeApiError(error)] });
    }
  }

  // ---- events ---------------------------------------------------------------

  const applyFilters = () => {
    const values = formValues(filters);
    state.filter = filterFromQuery({ ...values, overdue: values.overdue ? '1' : '' });
    state.key = JSON.stringify(queryFromFilter(state.filter));
    // The address follows the filters without reloading the screen.
    const path = state.openId ? `/content/${encodeURIComponent(state.openId)}` : '/content';
    history.replaceState(null, '', hashFor(path, boardQuery()));
    loadBoard();
  };
  let searchTimer = null;
  filters.addEventListener('input', (event) => {
    if (event.target.name !== 'q') return;
    clearTimeout(searchTimer);
    searchTimer = setTimeout(applyFilters, 300);
  });
  filters.addEventListener('change', (event) => {
    if (event.target.name !== 'q') applyFilters();
  });
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(searchTimer);
    applyFilters();
  });

  root.addEventListener('click', (event) => {
    const target = event.target.closest('[data-action]');
    if (!target) return;
    const { action, id } = target.dataset;
    if (action === 'new') create();
    if (action === 'move') runMove(id, target.dataset.move);
    if (action === 'vote') vote(id);
    if (action === 'retry') refresh();
    if (action === 'edit') edit();
  });
  root.addEventListener('submit', (event) => {
    const form = event.target.closest('[data-form="comment"], [data-form="rate"]');
    if (!form) return;
    event.preventDefault();
    if (form.dataset.form === 'comment') submitComment(form);
    else submitRating(form);
  });

  async function moveByKeys(id, direction) {
    await state.busy;
    const request = find(id);
    const move = request && moveByKey(request, direction);
    if (!move) {
      announce(`No move that way for ${request?.title ?? 'this request'}.`);
      return;
    }
    state.busy = runMove(id, move.action, { keyboard: true });
    try {
      await state.busy;
    } finally {
      state.busy = null;
    }
  }

  root.addEventListener('keydown', (event) => {
    const link = event.target.closest?.('[data-card-link]');
    if (!link) return;
    const request = find(link.dataset.cardLink);
    if (!request) return;
    if (event.shiftKey && (event.key === 'ArrowRight' || event.key === 'ArrowLeft')) {
      event.preventDefault();
      moveByKeys(request.id, event.key === 'ArrowRight' ? 1 : -1);
    } else if (event.key === 'v' && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      vote(request.id);
    }
  });

  const keys = (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    const typing = event.target.closest?.('input, textarea, select, [contenteditable], dialog');
    if (event.key === 'Escape' && state.openId && !document.querySelector('dialog[open]')) {
      app.navigate('/content', boardQuery());
      return;
    }
    if (typing) return;
    if (event.key === 'n') {
      event.preventDefault();
      create();
    } else if (event.key === '/') {
      event.preventDefault();
      filters.querySelector('[name="q"]').focus();
    }
  };
  document.addEventListener('keydown', keys);

  // Drag and drop: a column takes a card only when the viewer may make that move.
  root.addEventListener('dragstart', (event) => {
    const article = event.target.closest?.('[data-card]');
    if (!article) return;
    state.dragging = article.dataset.card;
    event.dataTransfer.setData('text/plain', state.dragging);
    event.dataTransfer.effectAllowed = 'move';
    markDrops(root, find(state.dragging));
  });
  root.addEventListener('dragend', () => {
    state.dragging = null;
    markDrops(root, null);
  });
  root.addEventListener('dragover', (event) => {
    const column = event.target.closest?.('[data-column]');
    const request = state.dragging && find(state.dragging);
    if (column && request && moveTo(request, column.dataset.column)) {
      event.preventDefault();
      event.dataTransfer.dropEffect = 'move';
    }
  });
  root.addEventListener('drop', (event) => {
    const column = event.target.closest?.('[data-column]');
    const request = state.dragging && find(state.dragging);
    markDrops(root, null);
    if (!column || !request) return;
    event.preventDefault();
    const move = moveTo(request, column.dataset.column);
    state.dragging = null;
    if (move) runMove(request.id, move.action);
  });

  if (!memory.choices) {
    choices().then((found) => {
      const select = filters.querySelector('[name="persona"]');
      if (!select?.isConnected) return;
      const chosen = select.value;
      render(select, html`${personaOptions(found.personas, chosen).map(([value, text]) => html`<option
        value="${value}" ${value === chosen ? html`selected` : ''}>${text}</option>`)}`);
    }).catch(() => {});
  }
  const stop = watch('content', refresh, { seconds: POLL_SECONDS });
  update();
  refresh();
  if (state.openId) {
    setTimeout(() => root.querySelector('#detail-title')?.focus(), 0);
  }
  memory.focus = state.openId;
  return {
    unmount() {
      state.alive = false;
      stop();
      clearTimeout(searchTimer);
      document.removeEventListener('keydown', keys);
    },
  };
}

function focusCard(root, id) {
  root.querySelector(`[data-card-link="${CSS.escape(id)}"]`)?.focus();
}

function markDrops(root, request) {
  for (const column of root.querySelectorAll('[data-column]')) {
    const ok = Boolean(request && moveTo(request, column.dataset.column));
    column.classList.toggle('can-drop', ok);
  }
  root.querySelector('.board')?.classList.toggle('dragging', Boolean(request));
}

/** The board data with a card shown in its new column (counts follow). */
function placed(data, request, from) {
  const next = { ...data, counts: (data.counts ?? []).map((c) => ({ ...c })) };
  const fromKey = from.toLowerCase();
  const toKey = request.status.toLowerCase();
  next[fromKey] = { ...data[fromKey], edges: data[fromKey].edges.filter((e) => e.node.id !== request.id) };
  if (next[toKey]) next[toKey] = { ...data[toKey], edges: [{ node: request }, ...data[toKey].edges] };
  for (const c of next.counts) {
    if (c.status === from) c.count -= 1;
    if (c.status === request.status) c.count += 1;
  }
  return next;
}

function filterForm(filter, app) {
  const personas = memory.choices?.personas ?? [];
  return html`<form class="card filters" data-form="filters" role="search" aria-label="Filter requests">
    ${inputField('filter', { name: 'q', label: 'Search', type: 'search', value: filter.q, placeholder: 'Title or description' })}
    ${selectField('filter', { name: 'type', label: 'Type', value: filter.type, options: [['', 'Any type'], ...CONTENT_TYPES.map((t) => [t, contentLabel(t)])] })}
    ${selectField('filter', { name: 'persona', label: 'Persona', value: filter.persona, options: personaOptions(personas, filter.persona) })}
    ${selectField('filter', { name: 'stage', label: 'Lead stage', value: filter.stage, options: [['', 'Any stage'], ...LEAD_STAGES.map((s) => [s, contentLabel(s)])] })}
    ${selectField('filter', { name: 'mine', label: 'Whose', value: filter.mine, options: [['', 'Everyone’s'], ['requested', 'Requested by me'], ['assigned', 'Assigned to me']] })}
    ${selectField('filter', { name: 'order', label: 'Sort cards by', value: filter.order, options: Object.entries(ORDERS) })}
    ${checkboxField('filter', { name: 'overdue', label: 'Overdue only', checked: Boolean(filter.overdue) })}
  </form>`;
}

function personaOptions(personas, chosen) {
  const options = [['', 'Any persona'], ...personas.map((p) => [p.id, p.title])];
  if (chosen && !personas.some((p) => p.id === chosen)) options.push([chosen, 'The chosen persona']);
  return options;
}

function boardView(state, app) {
  if (state.error && !state.data) {
    return html`<div class="card"><p class="form-error">${state.error}</p>
      <button type="button" data-action="retry">Try again</button></div>`;
  }
  if (!state.data) return html`<p class="loading">Loading the board…</p>`;
  const zone = app.viewer?.timezone ?? 'UTC';
  const now = new Date();
  const query = queryFromFilter(state.filter);
  const columns = boardColumns(state.data);
  const total = columns.reduce((n, c) => n + c.count, 0) + cancelledCount(state.data);
  if (total === 0) {
    const filtered = Object.keys(query).some((k) => k !== 'order');
    return html`<div class="card empty-state">
      <p class="empty">${filtered ? 'No requests match these filters.' : 'No content requests yet.'}</p>
      <p><button type="button" class="primary" data-action="new">Request content</button></p>
    </div>`;
  }
  return html`${state.error ? html`<p class="form-error" role="alert">${state.error} Showing what was loaded before.</p>` : ''}
  <div class="board">${columns.map((column) => html`<section class="column column-${column.status.toLowerCase()}"
      data-column="${column.status}" aria-labelledby="column-${column.status}">
      <h2 id="column-${column.status}">${contentLabel(column.status)}
        <span class="count" aria-label="${column.count} ${column.count === 1 ? 'request' : 'requests'}">${column.count}</span></h2>
      ${column.cards.length
        ? html`<ol class="cards">${column.cards.map((c) => card(c, { zone, now, query }))}</ol>`
        : html`<p class="empty small">Nothing here.</p>`}
      ${column.more ? html`<p class="muted small">Showing ${column.cards.length} of ${column.count}. Narrow the filters to see the rest.</p>` : ''}
    </section>`)}</div>
  <p class="muted small">${cancelledCount(state.data)} cancelled ${cancelledCount(state.data) === 1 ? 'request is' : 'requests are'} not shown.</p>`;
}

function panelView(state, app, query) {
  if (!state.openId) return html``;
  const closeHash = hashFor('/content', query);
  if (!state.detail) {
    return html`<section class="panel" aria-labelledby="detail-title">
      <div class="panel-head"><h2 id="detail-title" tabindex="-1">${state.detailError ? 'Not available' : 'Loading…'}</h2>
        <a class="close" href="${closeHash}" aria-label="Close">✕</a></div>
      ${state.detailError ? html`<p class="form-error">${state.detailError}</p>` : html`<p class="loading">Loading the request…</p>`}
    </section>`;
  }
  return detailPanel(state.detail, { app, now: new Date(), closeHash });
}

export { requestHash };
