// The shell: who is signed in, the header, notices and the hash router.
// Views get `app` (below) and never touch the shell themselves.

import { ApiError, graphql } from './api.js';
import { clear, html, render } from './dom.js';
import { describeApiError, formatInstant, hashFor, matchRoute, parseHash, roleBadge } from './logic.js';
import { LOGOUT, VIEWER } from './operations.js';
import { HOME, ROUTES, homeFor } from './routes.js';
import { restart as restartSubscriptions } from './subscriptions.js';
import { mountBell } from './views/events/bell.js';

const shell = {
  nav: document.getElementById('nav'),
  who: document.getElementById('who'),
  notice: document.getElementById('notice'),
  main: document.getElementById('main'),
};

// Set by the server beside the HttpOnly session cookie, readable here: without
// it nobody is signed in, and the first load does not ask (no 401 logged).
const SIGNED_IN_COOKIE = 'accord_signed_in';

let current = null; // {route, view}
let stopBell = null;
let pendingNotice = null;
let navigation = 0;

const app = {
  viewer: null,

  /** Run a GraphQL operation. An ended session sends everyone back to sign-in;
   *  the error is still thrown (marked handled) so the caller stops. */
  async request(document, variables) {
    try {
      return await graphql(document, variables);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'UNAUTHENTICATED' && app.viewer) {
        error.handled = true;
        signedOut(describeApiError(error), 'error');
      }
      throw error;
    }
  },

  navigate(path, query = {}, { notice = null, replace = false } = {}) {
    pendingNotice = notice;
    const hash = hashFor(path, query);
    if (hash === location.hash) return route();
    if (replace) location.replace(hash);
    else location.hash = hash;
    return undefined;
  },

  /** Show a message above the page: kind 'info', 'success' or 'error'. */
  notify(text, kind = 'info') {
    showNotice(text ? { text, kind } : null);
  },

  /** An API instant in the viewer's timezone. */
  time(iso) {
    return formatInstant(iso, app.viewer?.timezone ?? 'UTC');
  },

  setViewer(viewer) {
    const changed = (viewer?.id ?? null) !== (app.viewer?.id ?? null);
    app.viewer = viewer;
    if (!viewer) forgetSignedIn();
    if (changed) {
      stopBell?.();
      stopBell = null;
      restartSubscriptions(); // the socket speaks for the previous viewer
    }
    renderShell();
  },

  refreshViewer,
  signedOut,
};

function mightBeSignedIn() {
  return document.cookie.split(';').some((c) => c.trim().startsWith(`${SIGNED_IN_COOKIE}=`));
}

function forgetSignedIn() {
  document.cookie = `${SIGNED_IN_COOKIE}=; path=/; max-age=0; samesite=lax`;
}

async function refreshViewer() {
  if (!mightBeSignedIn()) {
    app.setViewer(null);
    return null;
  }
  try {
    const data = await graphql(VIEWER);
    app.setViewer(data.viewer);
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 'UNAUTHENTICATED') throw error;
    app.setViewer(null);
  }
  return app.viewer;
}

function signedOut(text, kind = 'info') {
  app.setViewer(null);
  const here = parseHash(location.hash);
  const next = here && here.path !== '/sign-in' ? here.path : undefined;
  app.navigate('/sign-in', { next }, { notice: { text, kind }, replace: true });
}

async function signOut() {
  try {
    await graphql(LOGOUT);
  } catch (error) {
    if (error.code !== 'UNAUTHENTICATED') {
      app.notify(describeApiError(error), 'error');
      return;
    }
  }
  app.setViewer(null);
  app.navigate('/sign-in', {}, { notice: { text: 'You are signed out.', kind: 'info' } });
}

// ---- the header ---------------------------------------------------------------

function navItems(viewer, active) {
  const visible = ROUTES.filter((r) => r.nav && (!r.allow || r.allow(viewer)));
  const link = (r) => html`<a href="${hashFor(r.path)}" ${
    r.path === active ? html`aria-current="page"` : ''
  }>${r.nav}</a>`;
  const groups = [];
  for (const r of visible) {
    const last = groups.at(-1);
    if (last && last.name === r.group) last.routes.push(r);
    else groups.push({ name: r.group, routes: [r] });
  }
  return groups.map((g) => g.name
    ? html`<li class="nav-group"><span class="nav-group-name">${g.name}</span>
        <ul>${g.routes.map((r) => html`<li>${link(r)}</li>`)}</ul></li>`
    : g.routes.map((r) => html`<li>${link(r)}</li>`));
}

function renderShell() {
  const viewer = app.viewer;
  const active = current ? (current.route.section ?? current.route.path) : null;
  render(shell.nav, viewer ? html`<ul>${navItems(viewer, active)}</ul>` : html``);
  const replaced = render(shell.who, viewer
    ? html`<span data-region="bell" class="bell-slot"></span>
        <a class="who-name" href="#/account">${viewer.name}</a>
        <span class="badge role-${viewer.team.toLowerCase()}-${viewer.role.toLowerCase()}">${roleBadge(viewer)}</span>
        <button type="button" class="link-button" data-action="sign-out">Sign out</button>`
    : html``);
  if (viewer && (replaced || !stopBell)) {
    stopBell?.();
    stopBell = mountBell(shell.who.querySelector('[data-region="bell"]'), app);
  }
}

function showNotice(notice) {
  render(shell.notice, notice
    ? html`<div class="notice ${notice.kind}">
        <p>${notice.text}</p>
        <button type="button" class="link-button" data-action="dismiss-notice"
          aria-label="Dismiss message">Dismiss</button>
      </div>`
    : html``);
}

// ---- the router -----------------------------------------------------------------

function guard(route, viewer, where) {
  const access = route.access ?? 'signed-in';
  if (access === 'signed-in' && !viewer) {
    return { redirect: ['/sign-in', { next: where.path }] };
  }
  if (access === 'signed-out' && viewer) return { redirect: [homeFor(viewer), {}] };
  if (route.allow && !route.allow(viewer)) return { denied: true };
  return {};
}

async function route() {
  const ticket = ++navigation;
  const where = parseHash(location.hash);
  if (!where) return; // an in-page anchor, not a route
  if (where.path === '/') {
    app.navigate(app.viewer ? homeFor(app.viewer) : '/sign-in', {}, { replace: true, notice: pendingNotice });
    return;
  }
  const match = matchRoute(ROUTES, where.path);
  const checked = match ? guard(match.route, app.viewer, where) : {};
  if (checked.redirect) {
    app.navigate(...checked.redirect, { replace: true, notice: pendingNotice });
    return;
  }
  const view = match && !checked.denied ? await match.route.load() : null;
  if (ticket !== navigation) return; // a newer navigation won
  current?.view?.unmount?.();
  clear(shell.main);
  showNotice(pendingNotice);
  pendingNotice = null;
  if (view) {
    current = { route: match.route, view: null };
    document.title = `${match.route.title} · Accord`;
    current.view = view.mount(shell.main, app, { params: match.params, query: where.query });
  } else {
    current = null;
    document.title = 'Not available · Accord';
    render(shell.main, unavailable(Boolean(match)));
  }
  renderShell();
  focusHeading();
}

function unavailable(exists) {
  return html`<section class="page">
    <h1 tabindex="-1">${exists ? 'Not available' : 'Page not found'}</h1>
    <p>${exists
      ? 'This page is not available with your role. Ask an administrator if you need it.'
      : 'There is no page at this address.'}</p>
    <p><a href="${hashFor(HOME)}">Go to my account</a></p>
  </section>`;
}

function focusHeading() {
  const heading = shell.main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
}

// ---- wiring -------------------------------------------------------------------

document.addEventListener('click', (event) => {
  const target = event.target.closest('[data-action]');
  if (!target) return;
  if (target.dataset.action === 'sign-out') signOut();
  if (target.dataset.action === 'dismiss-notice') showNotice(null);
  if (target.dataset.action === 'skip') {
    event.preventDefault();
    shell.main.focus();
  }
});

window.addEventListener('hashchange', () => route());

async function start() {
  try {
    await refreshViewer();
  } catch (error) {
    render(shell.main, html`<section class="page"><h1>Accord is not reachable</h1>
      <p>${describeApiError(error)}</p>
      <p><button type="button" class="primary" data-action="reload">Try again</button></p></section>`);
    shell.main.querySelector('[data-action="reload"]').addEventListener('click', () => location.reload());
    return;
  }
  await route();
}

start();
