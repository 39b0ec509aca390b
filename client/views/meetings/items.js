// "My action items": the open actions meetings gave the viewer, overdue ones
// first flagged, each linking to its meeting and markable done in place.

import { html, render } from '../../dom.js';
import { describeApiError, hashFor } from '../../logic.js';
import { MY_ACTION_ITEMS, UPDATE_ACTION_ITEM } from '../../operations/meetings.js';

export function mountMyItems(box, app) {
  let items = [];
  const draw = () => render(box, items.length ? html`<ul class="my-items">${items.map((i) => html`<li class="${i.overdue ? 'overdue' : ''}">
      <span>${i.description}</span>
      <span class="muted small">from <a href="${hashFor(`/meetings/${i.meeting.id}`)}">${i.meeting.title}</a>${
        i.dueDate ? ` · due ${i.dueDate}` : ''}</span>
      ${i.overdue ? html`<span class="badge warn">overdue</span>` : ''}
      <button type="button" class="small" data-action="item-done" data-id="${i.id}" data-version="${i.version}">Mark done<span class="visually-hidden">: ${i.description}</span></button>
    </li>`)}</ul>` : html`<p class="empty">No open action items. Nice.</p>`);
  const load = async () => {
    try {
      const found = await app.request(MY_ACTION_ITEMS);
      items = found.myActionItems.edges.map((e) => e.node);
      draw();
    } catch (error) {
      if (!error.handled) render(box, html`<p class="form-error" role="alert">${describeApiError(error)}</p>`);
    }
  };
  box.addEventListener('click', async (event) => {
    const button = event.target.closest('[data-action="item-done"]');
    if (!button) return;
    button.disabled = true;
    try {
      const input = { id: button.dataset.id, expectedVersion: Number(button.dataset.version), status: 'DONE' };
      const { updateActionItem: done } = await app.request(UPDATE_ACTION_ITEM, { input });
      if (done.userErrors.length) {
        app.notify(done.userErrors.map((e) => e.message).join(' '), 'error');
        button.disabled = false;
        return;
      }
      items = items.filter((i) => i.id !== done.actionItem.id);
      draw();
      box.closest('section')?.querySelector('h2')?.focus();
      app.notify('Action item marked done.', 'success');
    } catch (error) {
      button.disabled = false;
      if (!error.handled) app.notify(describeApiError(error), 'error');
    }
  });
  load();
  return { reload: load };
}
