// A <datalist> of the browser's IANA timezones, for timezone inputs.

import { html } from '../../dom.js';

let zones = null;

function known() {
  if (!zones) {
    const listed = typeof Intl.supportedValuesOf === 'function'
      ? Intl.supportedValuesOf('timeZone')
      : [];
    zones = ['UTC', ...listed.filter((z) => z !== 'UTC')];
  }
  return zones;
}

export function timeZoneList(id) {
  return html`<datalist id="${id}">${known().map((z) => html`<option value="${z}"></option>`)}</datalist>`;
}
