// A secret shown once (an API token's, a webhook's signing secret): read-only,
// with a copy button and a way to say it is stored. Its controls carry
// data-action copy-secret and dismiss-secret.

import { copyFrom, html } from '../../dom.js';

export function secretPanel(secret, { inputId, label, use }) {
  if (!secret) return html``;
  return html`<div class="secret card" role="region" aria-labelledby="secret-title">
    <h3 id="secret-title">${secret.title}</h3>
    <p>It is shown only this once and cannot be retrieved later. ${use}</p>
    <label for="${inputId}">${label}</label>
    <div class="copy-row">
      <input id="${inputId}" class="mono" readonly value="${secret.value}" spellcheck="false">
      <button type="button" data-action="copy-secret">Copy</button>
    </div>
    <p class="muted" data-copy-status role="status"></p>
    <div class="actions">
      <button type="button" class="primary" data-action="dismiss-secret">I have stored it</button>
    </div>
  </div>`;
}

/** Copy the panel's secret, saying whether it worked. */
export async function copySecret(root, inputId) {
  const copied = await copyFrom(root.querySelector(`#${inputId}`));
  root.querySelector('[data-copy-status]').textContent = copied
    ? 'Copied to the clipboard.'
    : 'Copy did not work here: the secret is selected, press Ctrl+C (⌘C).';
}
