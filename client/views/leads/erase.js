// Erase a person's personal data (admins): says what goes and what stays, asks
// for the reason and for the lead's address typed back before it erases.

import { formValues, html, region, render, setBusy, showErrors } from '../../dom.js';
import { describeApiError, groupUserErrors } from '../../logic.js';
import { ERASE_LEAD, LEAD_TO_ERASE } from '../../operations/leads.js';
import { formError, inputField, submitButton } from '../core/fields.js';

export function mount(root, app, { params }) {
  const id = params.id;
  render(root, html`<div class="page erase-page">
    <p class="breadcrumb"><a href="#/leads">Leads</a> › <a href="#/leads/${encodeURIComponent(id)}">Lead</a></p>
    <h1 tabindex="-1">Erase personal data</h1>
    <div data-region="body"><p class="loading">Loading the lead…</p></div>
  </div>`);
  let alive = true;
  let lead = null;

  async function load() {
    try {
      const data = await app.request(LEAD_TO_ERASE, { id });
      lead = data.node && 'email' in data.node ? data.node : null;
      draw();
    } catch (error) {
      if (error.handled) return;
      render(region(root, 'body'), html`<p class="form-error" role="alert">${describeApiError(error)}</p>`);
    }
  }

  function draw(done = false) {
    if (!alive) return;
    if (!lead) return render(region(root, 'body'), html`<p>No such lead.</p>`);
    if (lead.erased || done) {
      return render(region(root, 'body'), html`<p class="notice success" role="status">This person's data is erased. The anonymous record stays, so every count and figure reads the same.</p>
        <p><a href="#/leads/${encodeURIComponent(id)}">Back to the record</a></p>`);
    }
    render(region(root, 'body'), html`<section class="card">
      <p>This removes <strong>${lead.fullName || lead.email}</strong> (${lead.email}) everywhere Accord stores it: the lead's name, address, company and title, its external ids, activity details, notes and comments about it, notifications and e-mails about it, and its traces in the audit log and the event outbox. Stage, dates and scores stay, anonymous, so dashboards and the funnel keep their counts. A keyed hash of the address is kept so that importing it again is refused. This cannot be undone.</p>
      <form data-form="erase" novalidate>
        ${formError()}
        ${inputField('erase', { name: 'reason', label: 'Reason', hint: 'Recorded in the audit log, e.g. the request it answers.', required: true })}
        ${inputField('erase', { name: 'confirmation', label: `Type ${lead.email} to confirm`, required: true, autocomplete: 'off' })}
        ${submitButton('Erase personal data', 'danger')}
      </form>
    </section>`);
  }

  // on the screen's own element: `root` outlives the screen
  root.querySelector('.erase-page').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.target;
    const values = formValues(form);
    if ((values.confirmation ?? '').trim().toLowerCase() !== lead.email.toLowerCase()) {
      return showErrors(form, { fields: { confirmation: ['Type the address exactly to confirm.'] } });
    }
    setBusy(form, true);
    try {
      const data = await app.request(ERASE_LEAD, { input: { leadId: id, reason: values.reason ?? '' } });
      const errors = data.eraseLead.userErrors;
      if (errors.length) {
        setBusy(form, false);
        return showErrors(form, groupUserErrors(errors, ['reason']));
      }
      draw(true);
    } catch (error) {
      setBusy(form, false);
      if (!error.handled) showErrors(form, { general: [describeApiError(error)] });
    }
  });

  load();
  return () => { alive = false; };
}
