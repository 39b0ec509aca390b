// Live updates behind one small interface: `watch(topic, callback)` calls the
// callback whenever the topic may have changed, and returns a function that
// stops watching. Today a topic is polled (one timer per topic, however many
// watchers; paused while the tab is hidden); a subscription can replace the
// timer later without any view changing. `poke(topic)` tells the watchers now,
// e.g. after this tab changed something the topic covers.

const DEFAULT_INTERVAL_MS = 30_000;
const topics = new Map(); // topic → {callbacks: Set, intervalMs, timer}

function tick(topic) {
  const entry = topics.get(topic);
  if (!entry || document.hidden) return;
  for (const callback of [...entry.callbacks]) {
    try {
      callback(topic);
    } catch (error) {
      // One watcher's failure must not stop the others.
      setTimeout(() => { throw error; });
    }
  }
}

function restart(topic, entry) {
  clearInterval(entry.timer);
  entry.timer = setInterval(() => tick(topic), entry.intervalMs);
}

/** Call `callback(topic)` when `topic` may have changed; answers unsubscribe. */
export function watch(topic, callback, { intervalMs = DEFAULT_INTERVAL_MS } = {}) {
  let entry = topics.get(topic);
  if (!entry) {
    entry = { callbacks: new Set(), intervalMs, timer: null };
    topics.set(topic, entry);
    restart(topic, entry);
  } else if (intervalMs < entry.intervalMs) {
    entry.intervalMs = intervalMs;
    restart(topic, entry);
  }
  entry.callbacks.add(callback);
  return () => {
    entry.callbacks.delete(callback);
    if (entry.callbacks.size === 0) {
      clearInterval(entry.timer);
      topics.delete(topic);
    }
  };
}

/** Tell the topic's watchers now (something here changed it). */
export function poke(topic) {
  tick(topic);
}

// Coming back to a hidden tab catches up at once.
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) for (const topic of topics.keys()) tick(topic);
});
