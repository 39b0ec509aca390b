// Admin: every user's API tokens (metadata only), each revocable.

import { html, region, render } from '../../dom.js';
import { mountTokens } from './tokens.js';

export function mount(root, app) {
  render(root, html`<div class="page">
    <h1>API tokens</h1>
    <p class="muted">Every user's tokens. Secrets are never shown here: only their
      owner saw each one, once. Revoking stops a token at once.</p>
    <section class="card" aria-label="All tokens"><div data-region="tokens"></div></section>
  </div>`);
  return mountTokens(region(root, 'tokens'), app, { everyone: true, create: false });
}
