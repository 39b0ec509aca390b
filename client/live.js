// Keeping a screen current: `watch(topic, callback)` calls back whenever what
// the topic names may have changed, until the returned stop function runs.
// `poke(topic)` calls the watchers now, e.g. after this tab changed it.
//
// Each known topic is a GraphQL subscription (subscriptions.js, one WebSocket
// for the page): an event on it calls the watchers (a burst coalesced into one
// call). The last event id received is kept as the topic's `after`, so after a
// reconnect the server replays what was missed and the watchers are called
// for it; a topic that had not received anything yet is refreshed once when
// the connection becomes ready (what changed since the screen loaded). While the socket is down, or for a topic without
// a subscription, the old polling runs instead (one timer per topic however
// many watchers). A hidden tab is not refreshed; it is once when shown again,
// if anything arrived meanwhile (polling: always). A callback still running
// is not called again.

import { onStatus, status, subscribe } from './subscriptions.js';

const DEFAULT_INTERVAL_MS = 15_000;
const COALESCE_MS = 150;

/** topic → the subscription document; its root field answers `{ id }`. */
export const SUBSCRIPTIONS = {
  handoffs: 'subscription LiveQueue($after: ID) { myQueue(after: $after) { id } }',
  notifications:
    'subscription LiveNotifications($after: ID) { notifications(after: $after) { id } }',
  content:
    'subscription LiveContent($after: ID) { events(kinds: [CONTENT_REQUEST_CHANGED], after: $after) { id } }',
};

// topic → {watchers: Set<{callback, running}>, intervalMs, timer, stopSub,
//          after, live, missed, pending, hiddenChange, refused}
const topics = new Map();

async function call(watcher, topic) {
  if (watcher.running) return;
  watcher.running = true;
  try {
    await watcher.callback(topic);
  } catch (error) {
    // One watcher's failure must not stop the others (nor the timer).
    setTimeout(() => { throw error; });
  } finally {
    watcher.running = false;
  }
}

function tick(topic) {
  const entry = topics.get(topic);
  if (!entry) return;
  if (document.hidden) {
    entry.hiddenChange = true;
    return;
  }
  entry.hiddenChange = false;
  for (const watcher of [...entry.watchers]) call(watcher, topic);
}

function soon(topic, entry) {
  if (entry.pending) return;
  entry.pending = setTimeout(() => {
    entry.pending = null;
    tick(topic);
  }, COALESCE_MS);
}

function polling(entry) {
  return !SUBSCRIPTIONS[entry.topic] || entry.refused || status() !== 'ready';
}

function schedule(topic, entry) {
  clearInterval(entry.timer);
  entry.timer = null;
  if (polling(entry)) {
    entry.timer = setInterval(() => {
      if (!document.hidden) tick(topic);
    }, entry.intervalMs);
  }
}

function listen(topic, entry) {
  const query = SUBSCRIPTIONS[topic];
  if (!query || entry.stopSub) return;
  entry.stopSub = subscribe(query, () => ({ after: entry.after }), {
    next(data) {
      const item = data ? Object.values(data)[0] : null;
      if (item?.id) entry.after = item.id;
      soon(topic, entry);
    },
    error() {
      // Refused (a cap, a credential) or ended: poll this topic instead.
      entry.stopSub = null;
      entry.refused = true;
      schedule(topic, entry);
    },
  });
}

/** Call `callback(topic)` when `topic` may have changed; returns `stop`.
 *  `intervalMs` (or `seconds`) is how often polling asks at most, when it must. */
export function watch(topic, callback, { intervalMs, seconds } = {}) {
  const every = intervalMs ?? (seconds ? seconds * 1000 : DEFAULT_INTERVAL_MS);
  let entry = topics.get(topic);
  if (!entry) {
    entry = {
      topic, watchers: new Set(), intervalMs: every, timer: null, stopSub: null,
      after: null, pending: null, hiddenChange: false, refused: false,
    };
    topics.set(topic, entry);
    listen(topic, entry);
    schedule(topic, entry);
  } else if (every < entry.intervalMs) {
    entry.intervalMs = every;
    schedule(topic, entry);
  }
  const watcher = { callback, running: false };
  entry.watchers.add(watcher);
  return () => {
    entry.watchers.delete(watcher);
    if (entry.watchers.size === 0 && topics.get(topic) === entry) {
      clearInterval(entry.timer);
      clearTimeout(entry.pending);
      entry.stopSub?.();
      topics.delete(topic);
    }
  };
}

/** Call the topic's watchers now (something here changed it). */
export function poke(topic) {
  tick(topic);
}

onStatus((now) => {
  for (const [topic, entry] of topics) {
    schedule(topic, entry);
    // Live (again): without a cursor to replay from, refresh once, for what
    // changed between the screen's load (or the drop) and now.
    if (now === 'ready' && entry.after === null) soon(topic, entry);
  }
});

document.addEventListener('visibilitychange', () => {
  if (document.hidden) return;
  for (const [topic, entry] of topics) {
    if (polling(entry) || entry.hiddenChange) tick(topic);
  }
});
