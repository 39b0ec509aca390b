// API tokens: the viewer's own (with the create form) or, for admins, everyone's.
// A new token's secret is shown once, with a copy button, and then forgotten.

import {
  clearErrors, confirmDialog, errorFields, formValues, html, region, render,
  setBusy, showErrors,
} from '../../dom.js';
import {
  describeApiError, endOfDayInstant, groupUserErrors, label, SCOPES, sentence, todayIn,
  tokenStatus,
} from '../../logic.js';
import { API_TOKENS, CREATE_API_TOKEN, REVOKE_API_TOKEN } from '../../operations.js';
import { checkboxGroup, formError, inputField, submitButton } from '../core/fields.js';
import { listPlaceholder, pagedList } from '../core/paged.js';
import { copySecret, secretPanel } from '../core/secret.js';

const LIST_SIZE = 50;
const SCOPE_HELP = {
  READ: 'read what you can read',
  INGEST: 'push leads and activities',
  WRITE: 'everything you may do',
};

/** Mount the tokens panel into root. `everyone` lists every user's tokens
 *  (admins); `create` shows the form for a new token of one's own. */
export function mountTokens(root, app, { everyone = false, create = true } = {}) {
  const view = { app, root, everyone, onlyActive: false, secret: null };
  view.list = pagedList(app, {
    document: API_TOKENS,
    field: 'apiTokens',
    size: LIST_SIZE,
    variables: () => ({ filter: { everyone, active: view.onlyActive } }),
  });
  view.update = () => {
    render(region(root, 'secret'), secretPanel(view.secret, {
      inputId: 'token-secret',
      label: 'Secret',
      use: 'Store it where your integration keeps secrets.',
    }));
    render(region(root, 'list'), tokenList(view));
  };
  view.show = async (step) => {
    if (await step()) view.update();
  };

  render(root, html`
    ${create ? createForm(app.viewer.timezone) : ''}
    <div data-region="secret"></div>
    <div class="toolbar">
      <div class="field checkbox">
        <input id="tokens-only-active" type="checkbox" data-control="only-active">
        <label for="tokens-only-active">Only tokens still in use</label>
      </div>
    </div>
    <div data-region="list" aria-live="polite"></div>`);
  root.addEventListener('submit', (event) => {
    if (event.target.dataset.form !== 'create-token') return;
    event.preventDefault();
    createToken(event.target, view);
  });
  root.addEventListener('change', (event) => {
    if (event.target.dataset.control !== 'only-active') return;
    view.onlyActive = event.target.checked;
    view.show(view.list.first);
  });
  root.addEventListener('click', (event) => clicked(event, view));

  view.update();
  view.show(view.list.first);
  return {
    unmount() {
      view.secret = null;
    },
  };
}

function clicked(event, view) {
  const button = event.target.closest('[data-action]');
  const action = button?.dataset.action;
  if (action === 'revoke') revoke(button.dataset.id, view);
  if (action === 'more') view.show(view.list.more);
  if (action === 'copy-secret') copySecret(view.root, 'token-secret');
  if (action === 'dismiss-secret') {
    view.secret = null;
    view.update();
  }
}

async function createToken(form, view) {
  const values = formValues(form);
  const input = {
    name: values.name.trim(),
    scopes: values.scopes,
    expiresAt: endOfDayInstant(values.expiresAt, view.app.viewer.timezone),
  };
  clearErrors(form);
  setBusy(form, true);
  try {
    const { createApiToken } = await view.app.request(CREATE_API_TOKEN, { input });
    if (createApiToken.userErrors.length) {
      showErrors(form, groupUserErrors(createApiToken.userErrors, errorFields(form)));
      return;
    }
    form.reset();
    view.secret = {
      title: `Copy the secret of “${createApiToken.apiToken.name}” now`,
      value: createApiToken.secret,
    };
    view.update();
    view.root.querySelector('#token-secret').focus();
    await view.show(view.list.first);
  } catch (error) {
    if (!error.handled) showErrors(form, { general: [describeApiError(error)] });
  } finally {
    setBusy(form, false);
  }
}

async function revoke(id, view) {
  const { app, list } = view;
  const token = list.rows.find((t) => t.id === id);
  const ok = await confirmDialog({
    title: `Revoke “${token.name}”?`,
    message: 'Integrations using this token stop working at once. This cannot be undone.',
    confirm: 'Revoke token',
  });
  if (!ok) return;
  try {
    const { revokeApiToken } = await app.request(REVOKE_API_TOKEN, { input: { id } });
    if (revokeApiToken.userErrors.length) {
      app.notify(revokeApiToken.userErrors.map((e) => sentence(e.message)).join(' '), 'error');
      return;
    }
    list.replace(revokeApiToken.apiToken);
    app.notify(`Token “${token.name}” is revoked.`, 'success');
    view.update();
  } catch (error) {
    if (!error.handled) app.notify(describeApiError(error), 'error');
  }
}

// The expiry is picked as a date and sent as the end of that day (viewer's zone).
function createForm(tz) {
  return html`<form class="card stack" data-form="create-token" novalidate>
    <h3>New token</h3>
    ${inputField('token', { name: 'name', label: 'Name', required: true, hint: 'What uses it, e.g. “CRM sync”.' })}
    ${checkboxGroup('token', {
      name: 'scopes',
      label: 'Scopes',
      options: SCOPES.map((s) => [s, label(s), SCOPE_HELP[s]]),
      hint: 'A token can never do more than you can.',
    })}
    ${inputField('token', {
      name: 'expiresAt',
      label: 'Expires on (optional)',
      type: 'date',
      min: todayIn(tz, new Date()),
      hint: `At the end of that day in your timezone (${tz}). Leave empty for a token that does not expire.`,
    })}
    ${formError()}
    <div class="actions">${submitButton('Create token')}</div>
  </form>`;
}

function tokenRow(t, app, everyone, now) {
  const status = tokenStatus(t, now);
  return html`<tr>
    <th scope="row" data-label="Name">${t.name}</th>
    ${everyone ? html`<td data-label="Owner">${t.owner?.name ?? '—'}</td>` : ''}
    <td data-label="Starts with" class="mono">${t.prefix}…</td>
    <td data-label="Scopes">${t.scopes.map((s) => html`<span class="badge">${label(s)}</span> `)}</td>
    <td data-label="Created">${app.time(t.createdAt)}</td>
    <td data-label="Expires">${t.expiresAt ? app.time(t.expiresAt) : 'never'}</td>
    <td data-label="Last used">${t.lastUsedAt ? app.time(t.lastUsedAt) : 'never'}</td>
    <td data-label="Status"><span class="status ${status}">${status === 'active' ? 'in use' : status}</span></td>
    <td>${status === 'revoked'
      ? ''
      : html`<button type="button" class="danger small" data-action="revoke" data-id="${t.id}"
          aria-label="Revoke ${t.name}">Revoke</button>`}</td>
  </tr>`;
}

function tokenList({ list, app, everyone, onlyActive }) {
  const placeholder = listPlaceholder(list, {
    loading: 'Loading tokens…',
    empty: onlyActive ? 'No tokens in use.' : 'No API tokens yet.',
  });
  if (placeholder) return placeholder;
  const now = new Date();
  return html`<div class="table-wrap"><table class="cards">
    <thead><tr>
      <th scope="col">Name</th>${everyone ? html`<th scope="col">Owner</th>` : ''}
      <th scope="col">Starts with</th><th scope="col">Scopes</th><th scope="col">Created</th>
      <th scope="col">Expires</th><th scope="col">Last used</th><th scope="col">Status</th>
      <th scope="col"><span class="visually-hidden">Actions</span></th>
    </tr></thead>
    <tbody>${list.rows.map((t) => tokenRow(t, app, everyone, now))}</tbody>
  </table></div>
  <div class="pager">
    <span>${list.rows.length} of ${list.total}</span>
    ${list.pageInfo?.hasNextPage ? html`<button type="button" data-action="more">Show more</button>` : ''}
  </div>`;
}
