// One WebSocket to /graphql speaking graphql-transport-ws, shared by every
// subscription of the page. It authenticates with the session cookie (the
// server checks the Origin), opens when the first subscription starts and
// closes when the last one stops. When the connection drops it reconnects
// with exponential backoff (0.5 s doubling to 30 s, with jitter) and starts
// every subscription again with fresh variables: live.js passes the last event
// id it received as `after`, so the server replays what was missed.

const PROTOCOL = 'graphql-transport-ws';
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;
const IDLE_CLOSE_MS = 2_000; // keep the socket a moment between two screens

let socket = null;
let ready = false;
let attempts = 0;
let nextId = 0;
let retryTimer = null;
let idleTimer = null;
const active = new Map(); // id → {query, variables(), next, error}
const statusListeners = new Set();

/** 'ready' when subscriptions are live, else 'down' (connecting, dropped, or
 *  no WebSocket in this browser). */
export function status() {
  return ready ? 'ready' : 'down';
}

/** Call `listener(status)` when the connection becomes ready or goes down;
 *  answers a stop function. */
export function onStatus(listener) {
  statusListeners.add(listener);
  return () => statusListeners.delete(listener);
}

function announce() {
  const now = status();
  for (const listener of [...statusListeners]) {
    try {
      listener(now);
    } catch (error) {
      setTimeout(() => { throw error; });
    }
  }
}

function send(message) {
  if (socket && socket.readyState === 1) socket.send(JSON.stringify(message));
}

function start(id, sub) {
  send({ id, type: 'subscribe', payload: { query: sub.query, variables: sub.variables() } });
}

function endpoint() {
  const { protocol, host } = globalThis.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/graphql`;
}

function connect() {
  retryTimer = null;
  if (typeof globalThis.WebSocket !== 'function' || active.size === 0) return;
  let opened;
  try {
    opened = new globalThis.WebSocket(endpoint(), PROTOCOL);
  } catch {
    scheduleReconnect();
    return;
  }
  socket = opened;
  opened.onopen = () => {
    opened.send(JSON.stringify({ type: 'connection_init', payload: {} }));
  };
  opened.onmessage = (event) => {
    if (opened !== socket) return;
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    receive(message);
  };
  opened.onclose = () => {
    if (opened !== socket) return;
    socket = null;
    const was = ready;
    ready = false;
    if (was) announce();
    if (active.size > 0) scheduleReconnect();
  };
}

function receive(message) {
  const sub = message.id === undefined ? null : active.get(message.id);
  switch (message.type) {
    case 'connection_ack':
      attempts = 0;
      ready = true;
      for (const [id, each] of active) start(id, each);
      announce();
      break;
    case 'ping':
      send({ type: 'pong' });
      break;
    case 'next':
      if (sub) sub.next(message.payload?.data ?? null, message.payload?.errors ?? null);
      break;
    case 'error':
      if (sub) {
        active.delete(message.id);
        sub.error(message.payload);
      }
      break;
    case 'complete':
      if (sub) {
        active.delete(message.id);
        sub.error([{ message: 'the server ended the subscription' }]);
      }
      break;
    default:
      break;
  }
}

function scheduleReconnect() {
  if (retryTimer !== null) return;
  const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** attempts);
  attempts += 1;
  retryTimer = setTimeout(connect, delay * (0.5 + Math.random() / 2));
}

function ensureOpen() {
  clearTimeout(idleTimer);
  idleTimer = null;
  if (!socket && retryTimer === null) connect();
}

/** Start `query` (a subscription document) with `variables()` (called again
 *  at every reconnect); `next(data, errors)` per event, `error(errors)` when
 *  the server refuses or ends it. Answers a stop function. */
export function subscribe(query, variables, { next, error = () => {} }) {
  nextId += 1;
  const id = String(nextId);
  const sub = { query, variables, next, error };
  active.set(id, sub);
  ensureOpen();
  if (ready) start(id, sub);
  return () => {
    if (!active.delete(id)) return;
    if (ready) send({ id, type: 'complete' });
    if (active.size === 0) {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(closeIdle, IDLE_CLOSE_MS);
    }
  };
}

function closeIdle() {
  idleTimer = null;
  if (active.size > 0) return;
  clearTimeout(retryTimer);
  retryTimer = null;
  drop();
}

function drop() {
  const old = socket;
  socket = null;
  const was = ready;
  ready = false;
  if (old) {
    old.onclose = null;
    old.onmessage = null;
    try {
      old.close(1000, 'done');
    } catch {
      // already closing
    }
  }
  if (was) announce();
}

/** Start over on a new connection (the viewer changed): every subscription
 *  is started again under the new credentials. */
export function restart() {
  drop();
  clearTimeout(retryTimer);
  retryTimer = null;
  attempts = 0;
  if (active.size > 0) connect();
}
