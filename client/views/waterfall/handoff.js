// A handoff's address (`#/handoffs/<id>`) opens its lead's page, where the
// handoff is shown with both clocks.

import { html, render } from '../../dom.js';
import { describeApiError } from '../../logic.js';
import { HANDOFF_PAGE } from '../../operations/waterfall.js';

export function mount(root, app, { params }) {
  render(root, html`<div class="page"><h1>Handoff</h1><p class="loading">Opening the handoff…</p></div>`);
  app.request(HANDOFF_PAGE, { id: params.id }).then((data) => {
    const lead = data.node?.lead;
    if (lead) {
      app.navigate(`/leads/${lead.id}`, {}, { replace: true });
      return;
    }
    render(root, html`<div class="page"><h1 tabindex="-1">Handoff not found</h1>
      <p>No handoff has this address.</p><p><a href="#/queue">Go to the queue</a></p></div>`);
  }).catch((error) => {
    if (error.handled) return;
    render(root, html`<div class="page"><h1 tabindex="-1">Handoff</h1>
      <p class="form-error">${describeApiError(error)}</p></div>`);
  });
  return {};
}
