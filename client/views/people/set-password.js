// Redeem an admin-issued one-time link: `#/set-password?token=…`.

import { clearErrors, errorFields, formValues, html, render, setBusy, showErrors } from '../../dom.js';
import { describeApiError, groupUserErrors } from '../../logic.js';
import { SET_PASSWORD } from '../../operations.js';
import { formError, inputField, submitButton } from '../core/fields.js';

const RULES = 'At least 12 characters, not too common, and without your name or e-mail address.';

export function mount(root, app, { query }) {
  const token = query.token ?? '';
  if (!token) {
    render(root, html`<section class="page narrow">
      <h1>Set your password</h1>
      <p class="form-error">This link is incomplete. Open the whole link you were
        given, or ask an administrator for a new one.</p>
    </section>`);
    return {};
  }
  render(root, html`<section class="page narrow">
    <h1>Set your password</h1>
    <form class="card stack" data-form="set-password" novalidate>
      ${inputField('set-password', { name: 'password', label: 'New password', type: 'password', required: true, autocomplete: 'new-password', hint: RULES })}
      ${inputField('set-password', { name: 'repeat', label: 'Repeat the new password', type: 'password', required: true, autocomplete: 'new-password' })}
      ${formError()}
      <div class="actions">${submitButton('Set password')}</div>
    </form>
  </section>`);
  const form = root.querySelector('form');

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const { password, repeat } = formValues(form);
    if (!password || password !== repeat) {
      const message = password ? 'The two passwords differ.' : 'Choose a password.';
      showErrors(form, { fields: { [password ? 'repeat' : 'password']: [message] } });
      return;
    }
    clearErrors(form);
    setBusy(form, true);
    try {
      const { setPassword } = await app.request(SET_PASSWORD, { input: { token, password } });
      if (setPassword.ok) {
        // Redeeming ends the account's sessions; the link is spent, so it leaves
        // the address bar and the history entry.
        await app.refreshViewer();
        const notice = { text: 'Your password is set. Sign in with it now.', kind: 'success' };
        app.navigate(app.viewer ? '/account' : '/sign-in', {}, { notice, replace: true });
        return;
      }
      showErrors(form, groupUserErrors(setPassword.userErrors, errorFields(form)));
    } catch (error) {
      showErrors(form, { general: [describeApiError(error)] });
    } finally {
      setBusy(form, false);
    }
  });
  return {};
}
