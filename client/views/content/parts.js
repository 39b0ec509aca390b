// Pieces of the content screens: a card, badges, dates, a textarea field.

import { html } from '../../dom.js';
import {
  bindingDate, contentLabel, dueState, dueWords, formatDay, highlight, initials, may,
  movesFor,
} from '../../logic/content.js';
import { hashFor } from '../../logic.js';

const BUBBLE = html`<svg class="icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false"><path d="M2 3h12v8H6l-3 3v-3H2z" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round"/></svg>`;

export function requestHash(id, query = {}) {
  return hashFor(`/content/${encodeURIComponent(id)}`, query);
}

export function statusBadge(status) {
  return html`<span class="badge status-${status.toLowerCase()}">${contentLabel(status)}</span>`;
}

export function priorityBadge(priority) {
  return html`<span class="badge priority-${priority.toLowerCase()}">${contentLabel(priority)}</span>`;
}

export function typeBadge(type) {
  return html`<span class="badge type">${contentLabel(type)}</span>`;
}

/** One date with how the request stands against it, in the viewer's timezone. */
export function dueLine(name, date, request, zone, now) {
  if (!date) return html`<span class="muted">${name ? `${name}: ` : ''}none</span>`;
  const state = dueState(date, request, zone, now);
  const words = dueWords(state);
  return html`<span class="due ${state}">${name ? `${name}: ` : ''}<time datetime="${date}">${formatDay(date)}</time>${
    words ? html` <strong>· ${words}</strong>` : ''}</span>`;
}

export function avatar(person, role = 'Assignee') {
  if (!person) return html`<span class="avatar empty" title="Not assigned">–<span class="visually-hidden">${role}: nobody yet</span></span>`;
  return html`<span class="avatar" title="${role}: ${person.name}" aria-hidden="true">${initials(person.name)}</span><span class="visually-hidden">${role}: ${person.name}</span>`;
}

/** A card on the board: what matters at a glance, and the moves the viewer may
 *  make as buttons (the same moves as drag and drop and Shift+arrow keys). */
export function card(request, { zone, now, query }) {
  const moves = movesFor(request);
  const binding = bindingDate(request);
  const which = request.committedDueDate ? 'Committed' : 'Requested';
  const mark = highlight(request, zone, now);
  const titleId = `card-${request.id}`;
  return html`<li class="card-item">
    <article class="ccard ${mark}" data-card="${request.id}" data-status="${request.status}"
      ${moves.length ? html`draggable="true"` : ''} aria-labelledby="${titleId}">
      <h3 class="card-title"><a id="${titleId}" href="${requestHash(request.id, query)}"
        data-card-link="${request.id}" aria-keyshortcuts="Shift+ArrowRight Shift+ArrowLeft v"
        >${request.title}</a></h3>
      <p class="card-meta">${typeBadge(request.contentType)} ${priorityBadge(request.priority)}
        ${request.persona ? html`<span class="persona">${request.persona.title}</span>` : ''}</p>
      ${binding ? html`<p class="card-due">${dueLine(which, binding, request, zone, now)}</p>` : ''}
      <p class="card-foot">
        <button type="button" class="vote small ${request.viewerHasVoted ? 'voted' : ''}"
          data-action="vote" data-id="${request.id}" aria-pressed="${request.viewerHasVoted ? 'true' : 'false'}"
          ${may(request, 'VOTE') ? '' : html`disabled`}><span aria-hidden="true">▲</span> ${request.votes}<span
          class="visually-hidden"> ${request.votes === 1 ? 'vote' : 'votes'}: vote for ${request.title}</span></button>
        <span class="comments" title="Comments">${BUBBLE} ${request.commentCount}<span class="visually-hidden"> comments</span></span>
        ${avatar(request.assignee)}
      </p>
      ${moves.length ? html`<div class="card-actions">${moves.map((m) => html`<button type="button"
        class="small" data-action="move" data-id="${request.id}" data-move="${m.action}"
        >${m.label}<span class="visually-hidden">: ${request.title}</span></button>`)}</div>` : ''}
    </article>
  </li>`;
}

/** A labelled <textarea> with its error slot (dom.showErrors fills it). */
export function textArea(form, { name, label, value = '', required = false, hint = '', rows = 4 }) {
  const id = `${form}-${name.replace(/\W/g, '-')}`;
  const described = [hint ? `${id}-hint` : '', `${id}-error`].filter(Boolean).join(' ');
  return html`<div class="field">
    <label for="${id}">${label}</label>
    <textarea id="${id}" name="${name}" rows="${rows}" aria-describedby="${described}"
      ${required ? html`required` : ''}>${value}</textarea>
    ${hint ? html`<p class="hint" id="${id}-hint">${hint}</p>` : ''}
    <p class="field-error" id="${id}-error" data-error-for="${name}" hidden></p>
  </div>`;
}
