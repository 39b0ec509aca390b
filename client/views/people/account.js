// My account: who I am, my password, my sessions and my API tokens.

import {
  clearErrors, confirmDialog, errorFields, formValues, html, region, render, setBusy,
  showErrors,
} from '../../dom.js';
import { describeApiError, describeUserAgent, groupUserErrors, isConflict, label } from '../../logic.js';
import { CHANGE_PASSWORD, LOGOUT_EVERYWHERE, SESSIONS } from '../../operations.js';
import { UPDATE_PREFERENCES } from '../../operations/people.js';
import { checkboxField, formError, inputField, submitButton } from '../core/fields.js';
import { mountMyItems } from '../meetings/items.js';
import { mountTokens } from './tokens.js';

export function mount(root, app) {
  render(root, html`<div class="page">
    <h1>My account</h1>
    <section class="card" aria-labelledby="details-title">
      <h2 id="details-title">Details</h2>
      <div data-region="details"></div>
    </section>
    <section class="card" aria-labelledby="my-items-title">
      <h2 id="my-items-title" tabindex="-1">My action items</h2>
      <div data-region="my-items" aria-live="polite"><p class="loading">Loading action items…</p></div>
    </section>
    <section class="card" aria-labelledby="preferences-title">
      <h2 id="preferences-title">Availability</h2>
      <div data-region="preferences"></div>
    </section>
    <section class="card" aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      <form class="stack" data-form="change-password" novalidate>
        <input type="email" name="username" autocomplete="username" value="${app.viewer.email}" hidden readonly>
        ${inputField('password', { name: 'currentPassword', label: 'Current password', type: 'password', required: true, autocomplete: 'current-password' })}
        ${inputField('password', { name: 'newPassword', label: 'New password', type: 'password', required: true, autocomplete: 'new-password', hint: 'At least 12 characters, not too common, and without your name or e-mail address. Your other sessions are signed out.' })}
        ${inputField('password', { name: 'repeat', label: 'Repeat the new password', type: 'password', required: true, autocomplete: 'new-password' })}
        ${formError()}
        <div class="actions">${submitButton('Change password')}</div>
      </form>
    </section>
    <section class="card" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Sessions</h2>
      <p class="muted">Where you are signed in. Sessions end after 12 hours without use, and after 7 days at the latest.</p>
      <div data-region="sessions" aria-live="polite"><p class="loading">Loading sessions…</p></div>
      <div class="actions">
        <button type="button" class="danger" data-action="logout-everywhere">Sign out everywhere</button>
      </div>
    </section>
    <section class="card" aria-labelledby="tokens-title">
      <h2 id="tokens-title">API tokens</h2>
      <p class="muted">Tokens let integrations call the API as you, limited to the scopes you choose.</p>
      <div data-region="tokens"></div>
    </section>
  </div>`);

  render(region(root, 'details'), details(app.viewer, app));
  mountMyItems(region(root, 'my-items'), app);
  const drawPreferences = () => render(region(root, 'preferences'), preferencesForm(app.viewer));
  drawPreferences();
  root.addEventListener('submit', (event) => {
    if (event.target.dataset.form !== 'preferences') return;
    event.preventDefault();
    savePreferences(event.target, app, drawPreferences);
  });
  const tokens = mountTokens(region(root, 'tokens'), app);
  const passwordForm = root.querySelector('[data-form="change-password"]');
  passwordForm.addEventListener('submit', (event) => {
    event.preventDefault();
    changePassword(passwordForm, app);
  });
  root.querySelector('[data-action="logout-everywhere"]')
    .addEventListener('click', () => logoutEverywhere(app));
  loadSessions(region(root, 'sessions'), app);
  return { unmount: () => tokens.unmount() };
}

function details(viewer, app) {
  const granted = viewer.roleGrantedAt
    ? html`${app.time(viewer.roleGrantedAt)}${viewer.roleGrantedBy ? html` by ${viewer.roleGrantedBy.name}` : ''}`
    : 'at creation';
  return html`<dl class="details">
    <dt>Name</dt><dd>${viewer.name}</dd>
    <dt>E-mail</dt><dd>${viewer.email}</dd>
    <dt>Team</dt><dd>${label(viewer.team)}</dd>
    <dt>Role</dt><dd>${label(viewer.role)} <span class="muted">(granted ${granted})</span></dd>
    <dt>Timezone</dt><dd>${viewer.timezone} <span class="muted">— all times are shown in it</span></dd>
    <dt>Member since</dt><dd>${app.time(viewer.createdAt)}</dd>
  </dl>
  <p class="muted">Ask an administrator to change your name, team, role or timezone.</p>`;
}

function preferencesForm(viewer) {
  const sales = viewer.team === 'SALES';
  return html`<form class="stack" data-form="preferences" novalidate>
    ${checkboxField('preferences', { name: 'outOfOffice', label: 'I am out of office', checked: viewer.outOfOffice, hint: sales ? 'No new leads are routed to you, and your pending handoffs go to someone else.' : 'Colleagues see that you are away.' })}
    ${sales ? checkboxField('preferences', { name: 'acceptsLeads', label: 'I am taking new leads', checked: viewer.acceptsLeads, hint: 'Off: automatic routing skips you (a person handing off can still choose you).' }) : ''}
    ${formError()}
    <div class="actions">${submitButton('Save availability')}</div>
  </form>`;
}

async function savePreferences(form, app, redraw) {
  const values = formValues(form);
  const viewer = app.viewer;
  const input = { expectedVersion: viewer.version };
  if (values.outOfOffice !== viewer.outOfOffice) input.outOfOffice = values.outOfOffice;
  if ('acceptsLeads' in values && values.acceptsLeads !== viewer.acceptsLeads) {
    input.acceptsLeads = values.acceptsLeads;
  }
  if (Object.keys(input).length === 1) {
    app.notify('Nothing changed.', 'info');
    return;
  }
  clearErrors(form);
  setBusy(form, true);
  try {
    const { updatePreferences: result } = await app.request(UPDATE_PREFERENCES, { input });
    if (result.user) {
      app.setViewer(result.user);
      redraw();
      app.notify(result.user.outOfOffice ? 'Saved: you are out of office.' : 'Saved your availability.', 'success');
      return;
    }
    if (isConflict(result.userErrors)) {
      await app.refreshViewer();
      redraw();
      showErrors(form, { general: ['Your account changed elsewhere meanwhile; this shows it as it is now. Choose again.'] });
      return;
    }
    showErrors(form, groupUserErrors(result.userErrors, errorFields(form)));
  } catch (error) {
    if (!error.handled) showErrors(form, { general: [describeApiError(error)] });
  } finally {
    if (form.isConnected) setBusy(form, false);
  }
}

async function changePassword(form, app) {
  const { currentPassword, newPassword, repeat } = formValues(form);
  if (newPassword !== repeat) {
    showErrors(form, { fields: { repeat: ['The two new passwords differ.'] } });
    return;
  }
  clearErrors(form);
  setBusy(form, true);
  try {
    const input = { currentPassword, newPassword };
    const { changePassword: result } = await app.request(CHANGE_PASSWORD, { input });
    if (result.ok) {
      form.reset();
      app.notify('Your password is changed. Your other sessions are signed out.', 'success');
      return;
    }
    showErrors(form, groupUserErrors(result.userErrors, errorFields(form)));
  } catch (error) {
    if (!error.handled) showErrors(form, { general: [describeApiError(error)] });
  } finally {
    setBusy(form, false);
  }
}

async function loadSessions(container, app) {
  try {
    const { sessions } = await app.request(SESSIONS, { first: 100 });
    render(container, sessionTable(sessions.edges.map((e) => e.node), app));
  } catch (error) {
    if (!error.handled) render(container, html`<p class="form-error">${describeApiError(error)}</p>`);
  }
}

function sessionTable(sessions, app) {
  const rows = sessions.map((s) => html`<tr>
    <th scope="row" data-label="Device">${describeUserAgent(s.userAgent)}
      ${s.current ? html`<span class="badge current">this session</span>` : ''}</th>
    <td data-label="Address">${s.clientAddress}</td>
    <td data-label="Signed in">${app.time(s.createdAt)}</td>
    <td data-label="Last active">${app.time(s.lastSeenAt)}</td>
    <td data-label="Ends at the latest">${app.time(s.expiresAt)}</td>
  </tr>`);
  return html`<div class="table-wrap"><table class="cards">
    <thead><tr><th scope="col">Device</th><th scope="col">Address</th>
      <th scope="col">Signed in</th><th scope="col">Last active</th>
      <th scope="col">Ends at the latest</th></tr></thead>
    <tbody>${rows}</tbody>
  </table></div>`;
}

async function logoutEverywhere(app) {
  const ok = await confirmDialog({
    title: 'Sign out everywhere?',
    message: 'Every session of yours ends, this one included. API tokens keep working.',
    confirm: 'Sign out everywhere',
  });
  if (!ok) return;
  try {
    const { logoutEverywhere: result } = await app.request(LOGOUT_EVERYWHERE);
    const n = result.sessionsEnded;
    app.setViewer(null);
    app.navigate('/sign-in', {}, {
      notice: { text: `Signed out everywhere (${n} session${n === 1 ? '' : 's'} ended).`, kind: 'success' },
      replace: true,
    });
  } catch (error) {
    if (!error.handled) app.notify(describeApiError(error), 'error');
  }
}
