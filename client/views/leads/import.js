// Import leads from a CSV file through `upsertLeads`: pick the file, map its
// columns to lead fields, look at the first rows, then send 500 rows a call
// with progress. Each refused row is listed against its line in the file.

import { html, region, render } from '../../dom.js';
import { describeApiError, sentence } from '../../logic.js';
import { batches, guessMapping, IMPORT_FIELDS, leadsFromCsv, parseCsv } from '../../logic/leads.js';
import { UPSERT_LEADS } from '../../operations/leads.js';

const PREVIEW_ROWS = 5;
const MAX_BYTES = 20 * 1024 * 1024;

export function mount(root, app) {
  const state = { file: null, header: [], records: [], mapping: [], running: false,
    progress: null, result: null, error: null };

  render(root, html`<div class="page">
    <p class="breadcrumb"><a href="#/leads">Leads</a></p>
    <h1>Import leads</h1>
    <p class="subtitle">A CSV file with a header row. Leads are matched by e-mail (or external id): existing ones are updated, new ones created. Empty cells clear nothing unless mapped.</p>
    <section class="card" aria-labelledby="file-title">
      <h2 id="file-title">1. The file</h2>
      <div class="field">
        <label for="import-file">CSV file</label>
        <input id="import-file" type="file" name="file" accept=".csv,text/csv" aria-describedby="import-file-hint">
        <p class="hint" id="import-file-hint">UTF-8, comma-separated, the first row naming the columns.</p>
      </div>
      <p class="form-error" data-region="file-error" role="alert" hidden></p>
    </section>
    <div data-region="mapping"></div>
    <div data-region="run" aria-live="polite"></div>
  </div>`);

  let alive = true;
  const draw = () => {
    if (!alive) return;
    render(region(root, 'mapping'), mappingCard(state));
    render(region(root, 'run'), runCard(state));
  };

  root.querySelector('#import-file').addEventListener('change', async (event) => {
    const file = event.target.files?.[0];
    const box = region(root, 'file-error');
    box.hidden = true;
    Object.assign(state, { file: null, header: [], records: [], mapping: [], result: null, progress: null });
    if (!file) return draw();
    if (file.size > MAX_BYTES) {
      box.textContent = 'The file is over 20 MB; split it into smaller files.';
      box.hidden = false;
      return draw();
    }
    const records = parseCsv(await file.text());
    if (records.length < 2) {
      box.textContent = 'The file needs a header row and at least one lead.';
      box.hidden = false;
      return draw();
    }
    state.file = file.name;
    state.header = records[0].cells;
    state.records = records.slice(1);
    state.mapping = guessMapping(state.header);
    return draw();
  });

  root.addEventListener('change', (event) => {
    const column = event.target.dataset.column;
    if (column === undefined) return;
    state.mapping[Number(column)] = event.target.value;
    draw();
  });

  root.addEventListener('click', (event) => {
    if (event.target.closest('[data-action="import"]')) run();
  });

  async function run() {
    if (state.running) return;
    if (!state.mapping.includes('email')) {
      state.error = 'Map one column to the e-mail address: every lead needs one.';
      draw();
      return;
    }
    const { rows, errors } = leadsFromCsv(state.records, state.mapping);
    const result = { created: 0, updated: 0, unchanged: 0, stale: 0, failed: errors.length,
      errors: errors.map((e) => ({ line: e.line, email: '', messages: e.messages })) };
    Object.assign(state, { running: true, error: null, result, progress: { done: 0, total: rows.length } });
    draw();
    try {
      for (const batch of batches(rows, 500)) {
        const { upsertLeads: r } = await app.request(UPSERT_LEADS, {
          input: { leads: batch.map((row) => row.lead) },
        });
        if (r.userErrors.length) {
          for (const row of batch) {
            result.errors.push({ line: row.line, email: row.lead.email, messages: r.userErrors.map((e) => e.message) });
          }
          result.failed += batch.length;
        }
        for (const item of r.results ?? []) {
          const row = batch[item.index];
          if (item.outcome === 'FAILED') {
            result.failed += 1;
            result.errors.push({ line: row.line, email: row.lead.email,
              messages: item.userErrors.map((e) => `${(e.field ?? []).filter((p) => !/^\d+$/.test(p) && p !== 'leads').join('.') || 'row'}: ${e.message}`) });
          } else {
            result[item.outcome.toLowerCase()] += 1;
          }
        }
        state.progress.done += batch.length;
        draw();
      }
    } catch (error) {
      if (!error.handled) state.error = `${describeApiError(error)} Rows before line ${state.records[state.progress.done]?.line ?? '?'} were imported.`;
    }
    result.errors.sort((a, b) => a.line - b.line);
    state.running = false;
    draw();
    root.querySelector('[data-region="run"] h2')?.focus();
  }

  draw();
  return { unmount() { alive = false; } };
}

function mappingCard(state) {
  if (!state.file) return html``;
  const choices = [['', 'Do not import'], ...Object.keys(IMPORT_FIELDS).map((f) => [f, f])];
  const preview = state.records.slice(0, PREVIEW_ROWS);
  const columns = state.header.map((name, i) => html`<th scope="col">
    <label for="map-${i}" class="column-name">${name || `Column ${i + 1}`}</label>
    <select id="map-${i}" data-column="${i}">${choices.map(([v, t]) => html`<option value="${v}" ${state.mapping[i] === v ? html`selected` : ''}>${t}</option>`)}</select>
  </th>`);
  const rows = preview.map((r) => html`<tr><th scope="row" class="num">${r.line}</th>${state.header.map((_, i) => html`<td>${r.cells[i] ?? ''}</td>`)}</tr>`);
  return html`<section class="card" aria-labelledby="map-title">
    <h2 id="map-title">2. Columns and preview</h2>
    <p>${state.file}: ${state.records.length} lead${state.records.length === 1 ? '' : 's'}. Choose the lead field each column fills; the first ${Math.min(PREVIEW_ROWS, state.records.length)} rows are shown.</p>
    <div class="table-wrap" tabindex="0" role="region" aria-label="Preview of the file"><table class="preview">
      <thead><tr><th scope="col">Line</th>${columns}</tr></thead>
      <tbody>${rows}</tbody>
    </table></div>
  </section>`;
}

function runCard(state) {
  if (!state.file) return html``;
  const p = state.progress;
  const r = state.result;
  return html`<section class="card" aria-labelledby="run-title">
    <h2 id="run-title" tabindex="-1">3. Import</h2>
    ${state.error ? html`<p class="form-error" role="alert">${state.error}</p>` : ''}
    <button type="button" class="primary" data-action="import" ${state.running ? html`disabled` : ''}>Import ${state.records.length} lead${state.records.length === 1 ? '' : 's'}</button>
    ${p ? html`<p><label for="import-progress">Progress</label>
      <progress id="import-progress" max="${p.total || 1}" value="${p.done}">${p.done} of ${p.total}</progress>
      <span>${p.done} of ${p.total} rows sent${state.running ? '…' : ''}</span></p>` : ''}
    ${r && !state.running ? html`<p class="import-summary" role="status">${r.created} created, ${r.updated} updated, ${r.unchanged} unchanged, ${r.stale} stale (older than what is stored), ${r.failed} refused.</p>` : ''}
    ${r?.errors.length ? html`<div class="table-wrap"><table class="import-errors">
      <caption>Rows not imported</caption>
      <thead><tr><th scope="col">Line</th><th scope="col">E-mail</th><th scope="col">Problem</th></tr></thead>
      <tbody>${r.errors.map((e) => html`<tr><th scope="row" class="num">${e.line}</th><td>${e.email}</td><td>${e.messages.map(sentence).join(' ')}</td></tr>`)}</tbody>
    </table></div>` : ''}
  </section>`;
}
