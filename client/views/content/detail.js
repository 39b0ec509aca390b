// The detail panel of one request: description, both dates, people, the
// delivered asset and its rating, votes, comments and the full history.

import { html, link } from '../../dom.js';
import {
  contentLabel, historyWords, may, movesFor, ratingWords,
} from '../../logic/content.js';
import {
  dueLine, priorityBadge, statusBadge, textArea, typeBadge,
} from './parts.js';

function person(p) {
  return p ? p.name : html`<span class="muted">nobody yet</span>`;
}

function ratingForm(request) {
  const current = request.rating ?? 0;
  const stars = [1, 2, 3, 4, 5].map((n) => html`<span class="star-choice">
    <input type="radio" id="rate-${n}" name="rating" value="${n}" ${n === current ? html`checked` : ''}>
    <label for="rate-${n}"><span aria-hidden="true">★</span> ${n}<span class="visually-hidden"> of 5</span></label>
  </span>`);
  return html`<form class="rate" data-form="rate" novalidate>
    <fieldset class="field"><legend>Your rating of this delivery</legend>
      <div class="stars">${stars}</div>
      <p class="field-error" data-error-for="rating" hidden></p>
    </fieldset>
    <p class="form-error" data-form-error role="alert" tabindex="-1" hidden></p>
    <button type="submit" class="small">${request.rating ? 'Change rating' : 'Rate'}</button>
  </form>`;
}

function delivery(request) {
  const asset = request.deliverable;
  if (!asset) return '';
  return html`<section class="panel-block" aria-labelledby="detail-asset">
    <h3 id="detail-asset">Delivered asset</h3>
    <p>${link(asset.url, asset.title)} <span class="muted">· ${contentLabel(asset.contentType)}</span></p>
    <p class="muted small">Library rating: ${ratingWords(asset.ratings.average, asset.ratings.count)}</p>
    ${request.rating ? html`<p>Delivery rated <strong>${request.rating} of 5</strong> by ${request.ratedBy?.name ?? 'someone'}.</p>` : ''}
    ${may(request, 'RATE') ? ratingForm(request) : ''}
  </section>`;
}

function history(request, app) {
  return html`<ol class="history">${request.history.map((h) => html`<li>
    <p><strong>${h.actor?.name ?? 'Someone'}</strong> ${historyWords(h.action)}${
      h.from && h.from !== h.to ? html` <span class="muted">(${contentLabel(h.from)} → ${contentLabel(h.to)})</span>` : ''}
      <br><time class="muted small" datetime="${h.at}">${app.time(h.at)}</time></p>
    ${h.comment ? html`<blockquote>${h.comment}</blockquote>` : ''}
  </li>`)}</ol>`;
}

function comments(request, app) {
  const list = request.comments.length
    ? html`<ol class="comments-list">${request.comments.map((c) => html`<li>
        <p><strong>${c.author?.name ?? 'Someone'}</strong>
          <time class="muted small" datetime="${c.createdAt}">${app.time(c.createdAt)}</time></p>
        <p class="prewrap">${c.body}</p></li>`)}</ol>`
    : html`<p class="empty">No comments yet.</p>`;
  return html`${list}
    ${may(request, 'COMMENT') ? html`<form data-form="comment" class="stack" novalidate>
      ${textArea('comment', { name: 'body', label: 'Add a comment', rows: 2 })}
      <p class="form-error" data-form-error role="alert" tabindex="-1" hidden></p>
      <button type="submit" class="small">Post comment</button>
    </form>` : ''}`;
}

/** The panel's markup for a loaded request. */
export function detailPanel(request, { app, now, closeHash }) {
  const zone = app.viewer?.timezone ?? 'UTC';
  const moves = movesFor(request);
  return html`<section class="panel" aria-labelledby="detail-title" data-detail="${request.id}">
    <div class="panel-head">
      <h2 id="detail-title" tabindex="-1">${request.title}</h2>
      <a class="close" href="${closeHash}" data-action="close-detail" aria-label="Close ${request.title}">✕</a>
    </div>
    <p class="card-meta">${statusBadge(request.status)} ${typeBadge(request.contentType)} ${priorityBadge(request.priority)}</p>
    <div class="actions">
      ${moves.map((m) => html`<button type="button" class="${m.action === 'CANCEL' ? 'danger' : 'primary'} small"
        data-action="move" data-id="${request.id}" data-move="${m.action}">${m.label}</button>`)}
      ${may(request, 'UPDATE') ? html`<button type="button" class="small" data-action="edit" data-id="${request.id}">Edit</button>` : ''}
      <button type="button" class="small vote ${request.viewerHasVoted ? 'voted' : ''}" data-action="vote"
        data-id="${request.id}" aria-pressed="${request.viewerHasVoted ? 'true' : 'false'}"
        ${may(request, 'VOTE') ? '' : html`disabled`}>▲ ${request.viewerHasVoted ? 'Voted' : 'Vote'} · ${request.votes}</button>
    </div>
    <dl class="details">
      <dt>Requested by</dt><dd>${person(request.requester)}</dd>
      <dt>Assigned to</dt><dd>${person(request.assignee)}</dd>
      <dt>Persona</dt><dd>${request.persona?.title ?? html`<span class="muted">any</span>`}</dd>
      <dt>Lead stage</dt><dd>${request.leadStage ? contentLabel(request.leadStage) : html`<span class="muted">any</span>`}</dd>
      <dt>Requested date</dt><dd>${dueLine('', request.requestedDueDate, request, zone, now)}</dd>
      <dt>Committed date</dt><dd>${dueLine('', request.committedDueDate, request, zone, now)}</dd>
      <dt>Asked</dt><dd><time datetime="${request.createdAt}">${app.time(request.createdAt)}</time></dd>
      ${request.deliveredAt ? html`<dt>Delivered</dt><dd><time datetime="${request.deliveredAt}">${app.time(request.deliveredAt)}</time></dd>` : ''}
      ${request.declineReason ? html`<dt>Declined because</dt><dd>${request.declineReason}</dd>` : ''}
    </dl>
    ${request.description ? html`<p class="prewrap">${request.description}</p>` : html`<p class="muted">No description.</p>`}
    ${delivery(request)}
    <section class="panel-block" aria-labelledby="detail-votes">
      <h3 id="detail-votes">Votes (${request.votes})</h3>
      <p>${request.voters.length ? request.voters.map((v) => v.name).join(', ') : html`<span class="muted">No votes yet.</span>`}</p>
    </section>
    <section class="panel-block" aria-labelledby="detail-comments">
      <h3 id="detail-comments">Comments (${request.comments.length})</h3>
      ${comments(request, app)}
    </section>
    <section class="panel-block" aria-labelledby="detail-history">
      <h3 id="detail-history">History</h3>
      ${history(request, app)}
    </section>
  </section>`;
}
