// A new goal, persona, qualification model or SLA: a draft nobody has signed.
// What is typed is kept in this browser until it is created.

import { html, region, render } from '../../dom.js';
import { describeApiError, hashFor } from '../../logic.js';
import {
  draftKey, formModel, KIND_INFO, kindOfSlug, mayNegotiate, readDraft,
} from '../../logic/agreements.js';
import { CREATE, PERSONA_CHOICES } from '../../operations/agreements.js';
import { timeZoneList } from '../core/zones.js';
import { mountEditor } from './editor.js';

export function mount(root, app, { params }) {
  const kind = kindOfSlug(params.kind);
  if (!kind || !mayNegotiate(app.viewer)) {
    render(root, html`<div class="page"><h1>Not available</h1>
      <p>${kind ? 'Only managers of marketing or sales, and admins, draft agreements.' : 'There is no such kind of agreement.'}</p>
      <p><a href="${hashFor('/agreements')}">All agreements</a></p></div>`);
    return {};
  }
  const info = KIND_INFO[kind];
  render(root, html`<div class="page">
    <p class="breadcrumb"><a href="${hashFor('/agreements')}">← All agreements</a></p>
    <h1>New ${info.name}</h1>
    <p class="subtitle">A draft: nothing applies until it is proposed and a manager of each team has signed it.</p>
    <section class="card" aria-label="Terms of the new ${info.name}">
      <div data-region="editor"><p class="loading">Loading…</p></div>
    </section>
    ${timeZoneList('zones')}
  </div>`);
  start(root.firstElementChild, app, kind);
  return {};
}

async function start(root, app, kind) {
  const key = draftKey(app.viewer.id, `new-${kind}`);
  let personas = [];
  try {
    if (kind === 'QUALIFICATION_MODEL') {
      const { personas: found } = await app.request(PERSONA_CHOICES);
      personas = found.edges.map((e) => e.node);
    }
  } catch (error) {
    if (!error.handled) app.notify(describeApiError(error), 'error');
  }
  let stored = null;
  try {
    stored = localStorage.getItem(key);
  } catch {
    stored = null;
  }
  const draft = readDraft(stored, kind);
  const tz = app.viewer.timezone;
  mountEditor(region(root, 'editor'), {
    kind,
    model: draft?.model ?? formModel(kind, null, tz),
    personas,
    storageKey: key,
    timeZone: tz,
    restored: Boolean(draft),
    submit: `Create the ${KIND_INFO[kind].name} draft`,
    cancel: 'Back to all agreements',
    onCancel: () => app.navigate('/agreements'),
    async onSubmit(terms, editor) {
      try {
        const data = await app.request(CREATE[kind], { input: { terms } });
        const result = data[Object.keys(data)[0]];
        const made = result[KIND_INFO[kind].payload];
        if (made) {
          editor.forget();
          app.navigate(`/agreements/${made.id}`, {}, {
            notice: { text: 'Draft created. Propose it when both teams should sign.', kind: 'success' },
          });
          return true;
        }
        editor.showUserErrors(result.userErrors);
      } catch (error) {
        if (!error.handled) editor.showGeneral(describeApiError(error));
      }
      return false;
    },
  });
  region(root, 'editor').querySelector('input, select, textarea')?.focus();
}
