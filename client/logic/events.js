// Pure logic for notifications: where a link leads inside the client.

/** A notification's or e-mail's link (`/#/leads/…`, an absolute URL under our
 *  public address, or a bare `#/…`) as the client path to open, or null when it
 *  leads elsewhere. */
export function notificationPath(link, origin = '') {
  let text = String(link ?? '').trim();
  if (origin && text.startsWith(origin)) text = text.slice(origin.length);
  const m = /^\/?#(\/[^#]*)$/.exec(text);
  if (!m) return null;
  const path = m[1];
  return path.startsWith('//') ? null : path;
}

/** The unread count as the bell shows it: "99+" above 99, nothing at 0. */
export function unreadBadge(count) {
  if (!count || count < 0) return '';
  return count > 99 ? '99+' : String(count);
}
