// Admin: the users table (filter, order, keyset pages) and the form to add one.

import {
  clearErrors, errorFields, formValues, html, region, render, setBusy, showErrors,
} from '../../dom.js';
import {
  describeApiError, groupUserErrors, hashFor, label, ROLES, TEAMS, USER_ORDERS,
  userListVariables,
} from '../../logic.js';
import { CREATE_USER, USERS } from '../../operations.js';
import { formError, inputField, selectField, submitButton } from '../core/fields.js';
import { listPlaceholder, pagedList, pager } from '../core/paged.js';
import { timeZoneList } from '../core/zones.js';

const SEARCH_DELAY_MS = 300;

export function mount(root, app) {
  render(root, html`<div class="page">
    <h1>Users</h1>
    <details class="card">
      <summary>Add a user</summary>
      ${createForm(app.viewer.timezone)}
    </details>
    <form class="card filters" data-form="filters" role="search" aria-label="Filter users">
      ${inputField('filter', { name: 'search', label: 'Search', type: 'search', placeholder: 'Name or e-mail' })}
      ${selectField('filter', { name: 'team', label: 'Team', options: [['', 'Any team'], ...TEAMS] })}
      ${selectField('filter', { name: 'role', label: 'Role', options: [['', 'Any role'], ...ROLES] })}
      ${selectField('filter', { name: 'status', label: 'Status', options: [['', 'Any'], ['active', 'Active'], ['inactive', 'Deactivated']] })}
      ${selectField('filter', { name: 'order', label: 'Order', options: Object.entries(USER_ORDERS).map(([k, o]) => [k, o.label]) })}
    </form>
    <div data-region="list" aria-live="polite"></div>
    ${timeZoneList('zones')}
  </div>`);
  const filters = root.querySelector('[data-form="filters"]');
  const list = pagedList(app, {
    document: USERS,
    field: 'users',
    variables: () => userListVariables(formValues(filters)),
  });
  const update = () => render(region(root, 'list'), userTable(list, app));
  const show = async (step) => {
    if (await step()) update();
  };

  let searchTimer = null;
  filters.addEventListener('input', (event) => {
    if (event.target.name !== 'search') return;
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => show(list.first), SEARCH_DELAY_MS);
  });
  filters.addEventListener('change', (event) => {
    if (event.target.name !== 'search') show(list.first);
  });
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(searchTimer);
    show(list.first);
  });
  root.addEventListener('click', (event) => {
    const action = event.target.closest('[data-action]')?.dataset.action;
    if (action === 'page-next') show(list.next);
    if (action === 'page-previous') show(list.previous);
  });
  const createUserForm = root.querySelector('[data-form="create-user"]');
  createUserForm.addEventListener('submit', (event) => {
    event.preventDefault();
    createUser(createUserForm, app);
  });

  update();
  show(list.first);
  return { unmount: () => clearTimeout(searchTimer) };
}

function createForm(timezone) {
  return html`<form class="stack" data-form="create-user" novalidate>
    <p class="muted">New users sign in after they set a password through a one-time
      link, which you issue on their page next.</p>
    <div class="grid">
      ${inputField('new-user', { name: 'email', label: 'E-mail', type: 'email', required: true, spellcheck: false })}
      ${inputField('new-user', { name: 'name', label: 'Name', required: true })}
      ${selectField('new-user', { name: 'team', label: 'Team', options: TEAMS, value: 'SALES' })}
      ${selectField('new-user', { name: 'role', label: 'Role', options: ROLES, value: 'MEMBER' })}
      ${inputField('new-user', { name: 'timezone', label: 'Timezone', value: timezone, list: 'zones', required: true, spellcheck: false, hint: 'An IANA name such as Europe/Berlin.' })}
    </div>
    ${formError()}
    <div class="actions">${submitButton('Add user')}</div>
  </form>`;
}

async function createUser(form, app) {
  const { email, name, team, role, timezone } = formValues(form);
  clearErrors(form);
  setBusy(form, true);
  try {
    const input = { email: email.trim(), name: name.trim(), team, role, timezone: timezone.trim() };
    const { createUser: result } = await app.request(CREATE_USER, { input });
    if (result.user) {
      app.navigate(`/admin/users/${encodeURIComponent(result.user.id)}`, {}, {
        notice: {
          text: `${result.user.name} is added. Issue a set-password link so they can sign in.`,
          kind: 'success',
        },
      });
      return;
    }
    showErrors(form, groupUserErrors(result.userErrors, errorFields(form)));
  } catch (error) {
    if (!error.handled) showErrors(form, { general: [describeApiError(error)] });
  } finally {
    setBusy(form, false);
  }
}

function userTable(list, app) {
  const placeholder = listPlaceholder(list, {
    loading: 'Loading users…',
    empty: 'No users match these filters.',
  });
  if (placeholder) return placeholder;
  const rows = list.rows.map((u) => html`<tr class="${u.active ? '' : 'inactive'}">
    <th scope="row" data-label="Name"><a href="${hashFor(`/admin/users/${encodeURIComponent(u.id)}`)}">${u.name}</a></th>
    <td data-label="E-mail">${u.email}</td>
    <td data-label="Team">${label(u.team)}</td>
    <td data-label="Role">${label(u.role)}</td>
    <td data-label="Status"><span class="status ${u.active ? 'active' : 'revoked'}">${u.active ? 'active' : 'deactivated'}</span></td>
    <td data-label="Added">${app.time(u.createdAt)}</td>
  </tr>`);
  return html`<div class="table-wrap"><table class="cards" aria-describedby="users-summary">
    <thead><tr><th scope="col">Name</th><th scope="col">E-mail</th><th scope="col">Team</th>
      <th scope="col">Role</th><th scope="col">Status</th><th scope="col">Added</th></tr></thead>
    <tbody>${rows}</tbody>
  </table></div>
  ${pager(list, { name: 'Pages of users', summaryId: 'users-summary' })}`;
}
