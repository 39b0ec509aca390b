// client/live.js: `watch` calls back on its interval, skips a hidden tab, calls
// once more when the tab shows again, never overlaps itself, and stops.

import assert from 'node:assert/strict';
import { mock, test } from 'node:test';

const listeners = {};
globalThis.document = {
  hidden: false,
  addEventListener: (name, fn) => { listeners[name] = fn; },
  removeEventListener: (name) => { delete listeners[name]; },
};

const { watch } = await import('../../client/live.js');

test('watch polls, pauses while hidden, catches up when shown, and stops', async () => {
  mock.timers.enable({ apis: ['setInterval'] });
  const calls = [];
  const stop = watch('content', (topic) => { calls.push(topic); }, { seconds: 15 });
  mock.timers.tick(15_000);
  await Promise.resolve();
  assert.deepEqual(calls, ['content']);
  document.hidden = true;
  mock.timers.tick(30_000);
  await Promise.resolve();
  assert.equal(calls.length, 1, 'a hidden tab is not polled');
  document.hidden = false;
  listeners.visibilitychange();
  await Promise.resolve();
  assert.equal(calls.length, 2, 'showing the tab again refreshes at once');
  stop();
  listeners.visibilitychange();
  await Promise.resolve();
  assert.equal(calls.length, 2, 'a stopped watcher is not called when the tab shows');
  mock.timers.tick(60_000);
  await Promise.resolve();
  assert.equal(calls.length, 2, 'nothing after stop');
  mock.timers.reset();
});

test('a slow refresh is never run twice at once', async () => {
  mock.timers.enable({ apis: ['setInterval'] });
  let running = 0;
  let most = 0;
  let release;
  const stop = watch('content', () => {
    running += 1;
    most = Math.max(most, running);
    return new Promise((resolve) => { release = () => { running -= 1; resolve(); }; });
  }, { seconds: 1 });
  mock.timers.tick(1000);
  mock.timers.tick(1000);
  mock.timers.tick(1000);
  await Promise.resolve();
  assert.equal(most, 1);
  release();
  stop();
  mock.timers.reset();
});
