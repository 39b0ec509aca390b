// Keeping a screen current: `watch(topic, callback)` calls back whenever what
// the topic names may have changed, until the returned `stop()`. Today that is
// polling (every `seconds`, paused while the tab is hidden, once more when it
// shows again); a subscription over graphql-transport-ws can replace it here
// without any screen changing.

const DEFAULT_SECONDS = 15;

/** Call `callback()` when `topic` may have changed; returns `stop`. */
export function watch(topic, callback, { seconds = DEFAULT_SECONDS } = {}) {
  let timer = null;
  let running = false;
  const tick = async () => {
    if (running || document.hidden) return;
    running = true;
    try {
      await callback(topic);
    } finally {
      running = false;
    }
  };
  const start = () => {
    clearInterval(timer);
    timer = setInterval(tick, seconds * 1000);
  };
  const visibility = () => {
    if (!document.hidden) tick();
  };
  document.addEventListener('visibilitychange', visibility);
  start();
  return () => {
    clearInterval(timer);
    document.removeEventListener('visibilitychange', visibility);
  };
}
