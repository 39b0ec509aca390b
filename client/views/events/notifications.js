// Notifications: the viewer's own, newest first; unread marked, each opening
// its lead, handoff or agreement page (and counting as read); mark read one by
// one or all at once.

import { html, region, render } from '../../dom.js';
import { describeApiError, hashFor } from '../../logic.js';
import { notificationPath } from '../../logic/events.js';
import { poke } from '../../live.js';
import { MARK_NOTIFICATIONS_READ, NOTIFICATIONS } from '../../operations/events.js';
import { pagedList, pager } from '../core/paged.js';

export function mount(root, app, { query }) {
  const unreadOnly = query.show === 'unread';
  render(root, html`<div class="page">
    <div class="title-row">
      <h1>Notifications</h1>
      <div class="actions">
        <a href="${hashFor('/notifications', unreadOnly ? {} : { show: 'unread' })}">${unreadOnly ? 'Show all' : 'Show unread only'}</a>
        <button type="button" data-action="mark-all">Mark all read</button>
      </div>
    </div>
    <div data-region="list" aria-live="polite"><p class="loading">Loading notifications…</p></div>
  </div>`);
  const list = pagedList(app, {
    document: NOTIFICATIONS, field: 'notifications', variables: () => ({ unreadOnly }),
  });
  let alive = true;
  const update = () => alive && render(region(root, 'list'), notificationList(list, app, unreadOnly));
  const show = async (step) => {
    if (await step()) update();
  };

  async function mark(input) {
    try {
      const { markNotificationsRead: r } = await app.request(MARK_NOTIFICATIONS_READ, { input });
      if (r.userErrors.length) {
        app.notify(r.userErrors.map((e) => e.message).join(' '), 'error');
        return false;
      }
      poke('notifications');
      return true;
    } catch (error) {
      if (!error.handled) app.notify(describeApiError(error), 'error');
      return false;
    }
  }

  root.addEventListener('click', async (event) => {
    const target = event.target.closest('[data-action]');
    const action = target?.dataset.action;
    if (action === 'page-next') show(list.next);
    if (action === 'page-previous') show(list.previous);
    if (action === 'mark-all' && await mark({ all: true })) {
      app.notify('Every notification is marked read.', 'success');
      show(list.first);
    }
    if (action === 'mark-one' && await mark({ ids: [target.dataset.id] })) {
      list.rows = list.rows.map((n) => (n.id === target.dataset.id ? { ...n, read: true } : n));
      update();
    }
    if (action === 'open') {
      // Opening counts as reading; the link itself navigates.
      const row = list.rows.find((n) => n.id === target.dataset.id);
      if (row && !row.read) mark({ ids: [row.id] });
    }
  });

  show(list.first);
  return { unmount() { alive = false; } };
}

function notificationList(list, app, unreadOnly) {
  if (list.error) return html`<p class="form-error">${list.error}</p>`;
  if (!list.loaded) return html`<p class="loading">Loading notifications…</p>`;
  if (!list.rows.length) {
    return html`<p class="empty">${unreadOnly ? 'Nothing unread.' : 'No notifications yet.'}</p>`;
  }
  const items = list.rows.map((n) => {
    const path = notificationPath(n.link, location.origin);
    return html`<li class="notification ${n.read ? 'read' : 'unread'}">
      <div>
        <p class="title">${n.read ? '' : html`<span class="visually-hidden">Unread: </span>`}${path
          ? html`<a href="${hashFor(path)}" data-action="open" data-id="${n.id}">${n.title}</a>`
          : n.title}</p>
        <p class="small">${n.body}</p>
        <p class="small muted">${app.time(n.createdAt)}</p>
      </div>
      ${n.read ? html`<span class="small muted">read</span>`
        : html`<button type="button" class="small" data-action="mark-one" data-id="${n.id}">Mark read<span class="visually-hidden">: ${n.title}</span></button>`}
    </li>`;
  });
  return html`<ul class="notifications">${items}</ul>
    ${pager(list, { name: 'Pages of notifications', previous: 'Newer', next: 'Older' })}`;
}
