// Keeping a screen current: `watch(topic, callback)` calls back whenever what
// the topic names may have changed, until the returned stop function runs.
// Today that is polling (one timer per topic however many watchers, paused
// while the tab is hidden, once more when it shows again; a callback still
// running is not called again); a subscription can replace it here without any
// screen changing. `poke(topic)` calls the watchers now, e.g. after this tab
// changed what the topic covers.

const DEFAULT_INTERVAL_MS = 15_000;
const topics = new Map(); // topic → {watchers: Set<{callback, running}>, intervalMs, timer}

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
  if (!entry || document.hidden) return;
  for (const watcher of [...entry.watchers]) call(watcher, topic);
}

function restart(topic, entry) {
  clearInterval(entry.timer);
  entry.timer = setInterval(() => tick(topic), entry.intervalMs);
}

/** Call `callback(topic)` when `topic` may have changed; returns `stop`.
 *  `intervalMs` (or `seconds`) is how often polling asks at most. */
export function watch(topic, callback, { intervalMs, seconds } = {}) {
  const every = intervalMs ?? (seconds ? seconds * 1000 : DEFAULT_INTERVAL_MS);
  let entry = topics.get(topic);
  if (!entry) {
    entry = { watchers: new Set(), intervalMs: every, timer: null };
    topics.set(topic, entry);
    restart(topic, entry);
  } else if (every < entry.intervalMs) {
    entry.intervalMs = every;
    restart(topic, entry);
  }
  const watcher = { callback, running: false };
  entry.watchers.add(watcher);
  return () => {
    entry.watchers.delete(watcher);
    if (entry.watchers.size === 0 && topics.get(topic) === entry) {
      clearInterval(entry.timer);
      topics.delete(topic);
    }
  };
}

/** Call the topic's watchers now (something here changed it). */
export function poke(topic) {
  tick(topic);
}

document.addEventListener('visibilitychange', () => {
  if (!document.hidden) for (const topic of topics.keys()) tick(topic);
});
