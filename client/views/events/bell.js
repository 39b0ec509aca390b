// The header's bell: the unread count, refreshed through live.watch
// ('notifications'); a link to the notifications page.

import { html, render } from '../../dom.js';
import { unreadBadge } from '../../logic/events.js';
import { watch } from '../../live.js';
import { UNREAD_COUNT } from '../../operations/events.js';

/** Keep `element` showing the viewer's unread count; answers a stop function. */
export function mountBell(element, app) {
  let count = null;
  let stopped = false;
  const draw = () => {
    const badge = unreadBadge(count);
    const words = count === null ? 'Notifications'
      : `Notifications, ${count} unread`;
    render(element, html`<a class="bell" href="#/notifications" aria-label="${words}" title="${words}">
      <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20"><path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"/></svg>
      ${badge ? html`<span class="bell-count">${badge}</span>` : ''}
    </a>`);
  };
  const refresh = async () => {
    try {
      const data = await app.request(UNREAD_COUNT);
      if (stopped) return;
      count = data.notifications.unreadCount;
      draw();
    } catch {
      // The bell stays as it was; the next poll tries again.
    }
  };
  draw();
  refresh();
  const unwatch = watch('notifications', refresh, { intervalMs: 30_000 });
  return () => {
    stopped = true;
    unwatch();
    render(element, html``);
  };
}
