// Sign in with e-mail and password. The session cookie is HttpOnly: who we are
// comes back in the payload's `viewer`.

import { clearErrors, errorFields, formValues, html, render, setBusy, showErrors } from '../../dom.js';
import { describeApiError, groupUserErrors, nextPath } from '../../logic.js';
import { homeFor } from '../../routes.js';
import { LOGIN } from '../../operations.js';
import { formError, inputField, submitButton } from '../core/fields.js';

export function mount(root, app, { query }) {
  render(root, html`<section class="page narrow">
    <h1>Sign in to Accord</h1>
    <form class="card stack" data-form="sign-in" novalidate>
      ${inputField('sign-in', { name: 'email', label: 'E-mail', type: 'email', required: true, autocomplete: 'username', spellcheck: false })}
      ${inputField('sign-in', { name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'current-password' })}
      ${formError()}
      <div class="actions">${submitButton('Sign in')}</div>
    </form>
    <p class="muted">Forgot your password, or new here? Ask an administrator for a
      one-time link to set your password.</p>
  </section>`);
  const form = root.querySelector('form');

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const { email, password } = formValues(form);
    const missing = {};
    if (!email.trim()) missing.email = ['Enter your e-mail address.'];
    if (!password) missing.password = ['Enter your password.'];
    if (Object.keys(missing).length) {
      showErrors(form, { fields: missing, general: [] });
      return;
    }
    clearErrors(form);
    setBusy(form, true);
    try {
      const { login } = await app.request(LOGIN, { input: { email, password } });
      if (login.viewer) {
        app.setViewer(login.viewer);
        app.navigate(nextPath(query, homeFor(login.viewer)), {}, { replace: true });
        return;
      }
      form.elements.password.value = '';
      showErrors(form, groupUserErrors(login.userErrors, errorFields(form)), { focus: false });
      form.elements.password.focus();
    } catch (error) {
      showErrors(form, { general: [describeApiError(error)] });
    } finally {
      setBusy(form, false);
    }
  });
  return {};
}
