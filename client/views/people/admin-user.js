// Admin: one user. Edit (with the version read, so a concurrent edit is a clear
// conflict), issue a one-time set-password link, deactivate or reactivate.

import {
  clear, clearErrors, confirmDialog, copyFrom, errorFields, formValues, html, region, render,
  setBusy, showErrors,
} from '../../dom.js';
import {
  changedUserFields, describeApiError, groupUserErrors, isConflict, label, ROLES, sentence,
  TEAMS, userActions,
} from '../../logic.js';
import {
  CREATE_SET_PASSWORD_LINK, DEACTIVATE_USER, UPDATE_USER, USER,
} from '../../operations.js';
import { checkboxField, formError, inputField, selectField, submitButton } from '../core/fields.js';
import { timeZoneList } from '../core/zones.js';

export function mount(root, app, { params }) {
  const view = { app, root, id: params.id, user: null, link: null, conflict: null, error: null };
  view.update = () => update(view);
  render(root, html`<div class="page">
    <p class="breadcrumb"><a href="#/admin/users">← All users</a></p>
    <h1 data-region="title">User</h1>
    <div data-region="body"><p class="loading">Loading…</p></div>
    ${timeZoneList('zones')}
  </div>`);
  root.addEventListener('submit', (event) => {
    if (event.target.dataset.form !== 'edit-user') return;
    event.preventDefault();
    save(event.target, view);
  });
  root.addEventListener('click', (event) => clicked(event, view));
  load(view);
  return {
    unmount() {
      view.link = null;
    },
  };
}

// Each part renders on its own, so showing a conflict keeps the form's edits.
function update(view) {
  const { app, root, user } = view;
  region(root, 'title').textContent = user ? user.name : 'User';
  render(region(root, 'body'), user ? SECTIONS : problem(view.error));
  if (!user) return;
  const may = userActions(app.viewer, user);
  render(region(root, 'subtitle'), subtitle(user));
  render(region(root, 'conflict'), conflictBanner(view.conflict));
  render(region(root, 'edit'), editForm(user, may));
  render(region(root, 'link'), linkSection(user, view.link, may, app));
  render(region(root, 'access'), accessSection(user, may));
  render(region(root, 'record'), record(user, app));
}

function clicked(event, view) {
  const action = event.target.closest('[data-action]')?.dataset.action;
  if (action === 'reload') {
    clear(region(view.root, 'edit')); // the latest values replace the edits, even if equal
    load(view);
  }
  if (action === 'issue-link') issueLink(view);
  if (action === 'copy-link') copyLink(view.root);
  if (action === 'deactivate') deactivate(view);
  if (action === 'reactivate') reactivate(view);
  if (action === 'dismiss-link') {
    view.link = null;
    view.update();
  }
}

async function load(view) {
  try {
    const { node } = await view.app.request(USER, { id: view.id });
    view.user = node && 'email' in node ? node : null;
    view.error = view.user ? null : 'There is no user with this ID.';
    view.conflict = null;
  } catch (error) {
    if (error.handled) return;
    view.error = describeApiError(error);
  }
  view.update();
}

/** Apply a UserPayload: the changed user, a conflict banner, or the errors (in
 *  the form when there is one). Answers whether the change was made. */
function applied(view, payload, form) {
  if (payload.user) {
    Object.assign(view, { user: payload.user, conflict: null });
    view.update();
    return true;
  }
  if (isConflict(payload.userErrors)) {
    view.conflict = sentence(payload.userErrors.find((e) => e.code === 'CONFLICT').message);
    view.update();
    view.root.querySelector('[data-conflict]')?.focus();
  } else if (form) {
    showErrors(form, groupUserErrors(payload.userErrors, errorFields(form)));
  } else {
    view.app.notify(payload.userErrors.map((e) => sentence(e.message)).join(' '), 'error');
  }
  return false;
}

async function save(form, view) {
  const { app, user } = view;
  const changes = changedUserFields(user, formValues(form));
  if (!Object.keys(changes).length) {
    showErrors(form, { general: ['Nothing to save: no field was changed.'] });
    return;
  }
  clearErrors(form);
  setBusy(form, true);
  try {
    const input = { id: user.id, expectedVersion: user.version, ...changes };
    const { updateUser } = await app.request(UPDATE_USER, { input });
    if (applied(view, updateUser, form)) app.notify(`Saved changes to ${view.user.name}.`, 'success');
  } catch (error) {
    if (!error.handled) showErrors(form, { general: [describeApiError(error)] });
  } finally {
    setBusy(form, false);
  }
}

async function issueLink(view) {
  const { app, user } = view;
  try {
    const { createSetPasswordLink: r } = await app.request(CREATE_SET_PASSWORD_LINK, {
      input: { userId: user.id },
    });
    if (r.userErrors.length) {
      app.notify(r.userErrors.map((e) => sentence(e.message)).join(' '), 'error');
      return;
    }
    view.link = { url: r.url, emailed: r.emailed, expiresAt: r.expiresAt };
    view.update();
    view.root.querySelector('#set-password-url, [data-action="dismiss-link"]').focus();
  } catch (error) {
    if (!error.handled) app.notify(describeApiError(error), 'error');
  }
}

async function copyLink(root) {
  const copied = await copyFrom(root.querySelector('#set-password-url'));
  root.querySelector('[data-copy-status]').textContent = copied
    ? 'Copied to the clipboard.'
    : 'Copy did not work here: the link is selected, press Ctrl+C (⌘C).';
}

async function deactivate(view) {
  const { name, id } = view.user;
  const ok = await confirmDialog({
    title: `Deactivate ${name}?`,
    message: 'They can no longer sign in, their sessions end at once, their API tokens '
      + 'stop working and their sign-offs on pending proposals are voided.',
    confirm: 'Deactivate',
  });
  if (ok) await mutate(view, DEACTIVATE_USER, { id }, 'deactivateUser', `${name} is deactivated.`);
}

async function reactivate(view) {
  const { id, version, name } = view.user;
  const input = { id, expectedVersion: version, active: true };
  await mutate(view, UPDATE_USER, input, 'updateUser', `${name} is active again.`);
}

async function mutate(view, document, input, field, done) {
  try {
    const data = await view.app.request(document, { input });
    if (applied(view, data[field], null)) view.app.notify(done, 'success');
  } catch (error) {
    if (!error.handled) view.app.notify(describeApiError(error), 'error');
  }
}

function problem(error) {
  return error ? html`<p class="form-error">${error}</p>` : html`<p class="loading">Loading…</p>`;
}

const SECTIONS = html`
  <p class="subtitle" data-region="subtitle"></p>
  <section class="card" aria-labelledby="edit-title">
    <h2 id="edit-title">Profile and role</h2>
    <div data-region="conflict"></div>
    <div data-region="edit"></div>
  </section>
  <section class="card" aria-labelledby="link-title">
    <h2 id="link-title">Set-password link</h2>
    <div data-region="link"></div>
  </section>
  <section class="card" aria-labelledby="access-title">
    <h2 id="access-title">Access</h2>
    <div data-region="access"></div>
  </section>
  <section class="card" aria-labelledby="record-title">
    <h2 id="record-title">Record</h2>
    <div data-region="record"></div>
  </section>`;

function subtitle(user) {
  return html`${user.email} ·
    <span class="status ${user.active ? 'active' : 'revoked'}">${user.active ? 'active' : 'deactivated'}</span>`;
}

function conflictBanner(conflict) {
  if (!conflict) return html``;
  return html`<div class="conflict" role="alert" tabindex="-1" data-conflict>
    <p><strong>Not saved: someone else changed this user while you were editing.</strong>
      ${conflict}</p>
    <div class="actions">
      <button type="button" class="primary" data-action="reload">Load the latest version</button>
      <span class="muted">Your edits here will be replaced.</span>
    </div>
  </div>`;
}

function editForm(user, may) {
  return html`<form class="stack" data-form="edit-user" novalidate>
    <div class="grid">
      ${inputField('edit-user', { name: 'name', label: 'Name', value: user.name, required: true })}
      ${selectField('edit-user', { name: 'team', label: 'Team', options: TEAMS, value: user.team })}
      ${selectField('edit-user', {
        name: 'role', label: 'Role', options: ROLES, value: user.role, disabled: !may.changeRole,
        hint: may.changeRole ? 'Changing team or role voids their pending sign-offs.' : 'You cannot change your own role.',
      })}
      ${inputField('edit-user', { name: 'timezone', label: 'Timezone', value: user.timezone, list: 'zones', spellcheck: false })}
    </div>
    ${checkboxField('edit-user', { name: 'outOfOffice', label: 'Out of office', checked: user.outOfOffice })}
    ${checkboxField('edit-user', { name: 'acceptsLeads', label: 'Accepts leads', checked: user.acceptsLeads })}
    ${formError()}
    <div class="actions">${submitButton('Save changes')}</div>
  </form>`;
}

function linkSection(user, link, may, app) {
  if (!may.issueLink) {
    return html`<p class="muted">Reactivate ${user.name} before issuing a link.</p>`;
  }
  const panel = link?.emailed ? html`<div class="secret">
    <p role="status">The link was e-mailed to ${user.email}; it works once, until
      ${app.time(link.expiresAt)}.</p>
    <div class="actions"><button type="button" data-action="dismiss-link">Done</button></div>
  </div>` : link ? html`<div class="secret">
    <p><strong>Shown only this once.</strong> Send it to ${user.name} over a channel you
      trust; it works once, until ${app.time(link.expiresAt)}.</p>
    <label for="set-password-url">Link for ${user.name}</label>
    <div class="copy-row">
      <input id="set-password-url" class="mono" readonly value="${link.url}" spellcheck="false">
      <button type="button" data-action="copy-link">Copy</button>
    </div>
    <p class="muted" data-copy-status role="status"></p>
    <div class="actions"><button type="button" data-action="dismiss-link">Done</button></div>
  </div>` : '';
  return html`<p class="muted">A one-time link lets ${user.name} choose a password. Issuing
    a new one cancels any earlier unused link. Administrators never set passwords.</p>
    ${panel}
    <div class="actions">
      <button type="button" class="${link ? '' : 'primary'}" data-action="issue-link">${link ? 'Issue a new link' : 'Issue set-password link'}</button>
    </div>`;
}

function accessSection(user, may) {
  if (may.deactivate) {
    return html`<p class="muted">Deactivating ends every session and stops every API
      token of ${user.name} at once.</p>
      <div class="actions"><button type="button" class="danger" data-action="deactivate">Deactivate ${user.name}</button></div>`;
  }
  if (may.reactivate) {
    return html`<p>${user.name} is deactivated and cannot sign in.</p>
      <div class="actions"><button type="button" data-action="reactivate">Reactivate ${user.name}</button></div>`;
  }
  return html`<p class="muted">You cannot deactivate yourself.</p>`;
}

function record(user, app) {
  const by = (who) => (who ? html` by ${who.name}` : '');
  return html`<dl class="details">
    <dt>Added</dt><dd>${app.time(user.createdAt)}</dd>
    <dt>Last changed</dt><dd>${app.time(user.updatedAt)} <span class="muted">(version ${user.version})</span></dd>
    <dt>Role granted</dt><dd>${user.roleGrantedAt ? html`${app.time(user.roleGrantedAt)}${by(user.roleGrantedBy)}` : 'at creation'} <span class="muted">(${label(user.role)})</span></dd>
    <dt>Password set</dt><dd>${user.credentialsIssuedAt ? html`${app.time(user.credentialsIssuedAt)} through a link${by(user.credentialsIssuedBy)}` : 'not through a link'}</dd>
  </dl>`;
}
