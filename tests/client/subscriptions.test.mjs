// client/subscriptions.js behind client/live.js: one graphql-transport-ws
// socket, an event calls the topic's watchers (a burst once), a dropped socket
// reconnects with backoff and resubscribes with the last event id as `after`,
// and a refused subscription falls back to polling.

import assert from 'node:assert/strict';
import { mock, test } from 'node:test';

const listeners = {};
globalThis.document = {
  hidden: false,
  addEventListener: (name, fn) => { listeners[name] = fn; },
  removeEventListener: (name) => { delete listeners[name]; },
};
globalThis.location = { protocol: 'http:', host: 'accord.test' };

const sockets = [];
class FakeSocket {
  constructor(url, protocol) {
    this.url = url;
    this.protocol = protocol;
    this.readyState = 0;
    this.sent = [];
    sockets.push(this);
  }

  send(text) { this.sent.push(JSON.parse(text)); }

  close() { this.readyState = 3; }

  // the server's side
  open() { this.readyState = 1; this.onopen?.(); }

  push(message) { this.onmessage?.({ data: JSON.stringify(message) }); }

  drop() { this.readyState = 3; this.onclose?.({ code: 1006 }); }

  subscribes() { return this.sent.filter((m) => m.type === 'subscribe'); }
}
globalThis.WebSocket = FakeSocket;

const { watch } = await import('../../client/live.js');

const flush = async () => { for (let i = 0; i < 5; i += 1) await Promise.resolve(); };

test('events call the watchers; a reconnect resubscribes after the last event', async () => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  mock.method(Math, 'random', () => 1);
  const calls = [];
  const stop = watch('content', () => { calls.push('content'); }, { seconds: 15 });
  assert.equal(sockets.length, 1);
  const first = sockets[0];
  assert.equal(first.url, 'ws://accord.test/graphql');
  assert.equal(first.protocol, 'graphql-transport-ws');
  first.open();
  assert.deepEqual(first.sent[0], { type: 'connection_init', payload: {} });
  first.push({ type: 'connection_ack' });
  const [sub] = first.subscribes();
  assert.match(sub.payload.query, /events\(kinds: \[CONTENT_REQUEST_CHANGED\]/);
  assert.deepEqual(sub.payload.variables, { after: null });
  mock.timers.tick(200); // no cursor yet: one refresh once live
  await flush();
  assert.equal(calls.length, 1);

  // a burst of three events is one refresh
  for (const id of ['E1', 'E2', 'E3']) {
    first.push({ id: sub.id, type: 'next', payload: { data: { events: { id } } } });
  }
  mock.timers.tick(200);
  await flush();
  assert.equal(calls.length, 2);

  // no polling while live
  mock.timers.tick(60_000);
  await flush();
  assert.equal(calls.length, 2);

  // the server closes the socket: polling meanwhile, reconnect after backoff
  first.drop();
  assert.equal(sockets.length, 1, 'not at once');
  mock.timers.tick(500);
  assert.equal(sockets.length, 2);
  const second = sockets[1];
  second.open();
  second.push({ type: 'connection_ack' });
  const [again] = second.subscribes();
  assert.deepEqual(again.payload.variables, { after: 'E3' });
  second.push({ id: again.id, type: 'next', payload: { data: { events: { id: 'E4' } } } });
  mock.timers.tick(200);
  await flush();
  assert.equal(calls.length, 3, 'the replayed event refreshes');

  // the backoff doubles while the server stays away
  second.drop();
  mock.timers.tick(500);
  assert.equal(sockets.length, 3);
  sockets[2].drop();
  mock.timers.tick(999);
  assert.equal(sockets.length, 3);
  mock.timers.tick(1);
  assert.equal(sockets.length, 4);

  stop();
  mock.timers.reset();
  mock.restoreAll();
});

test('a refused subscription falls back to polling', async () => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  const before = sockets.length;
  const calls = [];
  const stop = watch('handoffs', () => { calls.push('handoffs'); }, { seconds: 10 });
  const socket = sockets.at(-1);
  if (sockets.length > before || socket.readyState !== 1) {
    socket.open();
    socket.push({ type: 'connection_ack' });
  }
  const sub = socket.subscribes().find((m) => /myQueue/.test(m.payload.query));
  assert.ok(sub, 'myQueue subscribed');
  socket.push({
    id: sub.id,
    type: 'error',
    payload: [{ message: 'at most 20', extensions: { code: 'LIMIT_EXCEEDED' } }],
  });
  mock.timers.tick(200);
  await flush();
  const afterRefusal = calls.length;
  mock.timers.tick(10_000);
  await flush();
  assert.equal(calls.length, afterRefusal + 1, 'polled on its interval');
  stop();
  mock.timers.reset();
});
