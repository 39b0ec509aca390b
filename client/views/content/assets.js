// The asset library: what delivered requests made, best rated first, with each
// sales user's own rating (1–5, changed any time).

import { html, link, region, render } from '../../dom.js';
import {
  CONTENT_TYPES, contentLabel, ratingWords,
} from '../../logic/content.js';
import { describeApiError, hashFor } from '../../logic.js';
import { CONTENT_ASSETS, RATE_CONTENT_ASSET } from '../../operations/content.js';
import { inputField, selectField } from '../core/fields.js';
import { listPlaceholder, pagedList, pager } from '../core/paged.js';

export function mount(root, app, { query = {} }) {
  const rater = app.viewer?.team === 'SALES' && app.viewer?.role !== 'ADMIN';
  render(root, html`<div class="page">
    <p class="breadcrumb"><a href="${hashFor('/content')}">Content requests</a></p>
    <h1>Asset library</h1>
    <form class="card filters" data-form="filters" role="search" aria-label="Filter assets">
      ${inputField('assets', { name: 'text', label: 'Search', type: 'search', value: query.q ?? '', placeholder: 'Title' })}
      ${selectField('assets', { name: 'type', label: 'Type', value: query.type ?? '', options: [['', 'Any type'], ...CONTENT_TYPES.map((t) => [t, contentLabel(t)])] })}
      ${selectField('assets', { name: 'order', label: 'Order', value: query.order ?? 'RATING', options: [['RATING', 'Best rated'], ['CREATED', 'Newest']] })}
    </form>
    <p class="visually-hidden" data-region="announce" aria-live="polite"></p>
    <div data-region="list"></div>
  </div>`);
  const filters = root.querySelector('[data-form="filters"]');
  const values = () => Object.fromEntries(new FormData(filters));
  const list = pagedList(app, {
    document: CONTENT_ASSETS,
    field: 'contentAssets',
    variables: () => {
      const v = values();
      const filter = {};
      if (v.text?.trim()) filter.text = v.text.trim();
      if (v.type) filter.contentTypes = [v.type];
      return { filter, orderBy: v.order || 'RATING' };
    },
  });
  let alive = true;
  const update = () => alive && render(region(root, 'list'), assetList(list, rater));
  const show = async (step) => {
    if (await step()) update();
  };
  const remember = () => {
    const v = values();
    history.replaceState(null, '', hashFor('/content/assets', {
      q: v.text, type: v.type, order: v.order === 'RATING' ? '' : v.order,
    }));
  };
  let timer = null;
  filters.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => { remember(); show(list.first); }, 300);
  });
  filters.addEventListener('submit', (event) => event.preventDefault());
  root.addEventListener('click', (event) => {
    const action = event.target.closest('[data-action]')?.dataset.action;
    if (action === 'page-next') show(list.next);
    if (action === 'page-previous') show(list.previous);
  });
  root.addEventListener('change', async (event) => {
    const input = event.target.closest('input[data-rate-asset]');
    if (!input) return;
    try {
      const data = await app.request(RATE_CONTENT_ASSET, {
        input: { assetId: input.dataset.rateAsset, rating: Number(input.value) },
      });
      const payload = data.rateContentAsset;
      if (payload.userErrors.length) throw new Error(payload.userErrors[0].message);
      const row = list.rows.find((r) => r.id === payload.asset.id);
      if (row) row.ratings = payload.asset.ratings;
      render(region(root, 'announce'), html`Rated ${input.value} of 5.`);
      update();
    } catch (error) {
      if (!error.handled) app.notify(describeApiError(error), 'error');
    }
  });
  update();
  show(list.first);
  return {
    unmount: () => {
      alive = false;
      clearTimeout(timer);
    },
  };
}

function stars(asset) {
  const mine = asset.ratings.viewerRating;
  return html`<fieldset class="stars-field"><legend>Your rating<span class="visually-hidden"> of ${asset.title}</span></legend>
    <div class="stars">${[1, 2, 3, 4, 5].map((n) => html`<span class="star-choice">
      <input type="radio" id="asset-${asset.id}-${n}" name="rate-${asset.id}" value="${n}"
        data-rate-asset="${asset.id}" ${mine === n ? html`checked` : ''}>
      <label for="asset-${asset.id}-${n}"><span aria-hidden="true">★</span> ${n}<span class="visually-hidden"> of 5</span></label>
    </span>`)}</div></fieldset>`;
}

function assetList(list, rater) {
  const placeholder = listPlaceholder(list, {
    loading: 'Loading the library…',
    empty: 'No assets match. Delivered requests add theirs here.',
  });
  if (placeholder) return placeholder;
  return html`<ul class="assets">${list.rows.map((a) => html`<li class="card asset">
      <h2 class="asset-title">${link(a.url, a.title)}</h2>
      <p class="card-meta"><span class="badge type">${contentLabel(a.contentType)}</span>
        ${a.personas.map((p) => html`<span class="persona">${p.title}</span>`)}
        ${a.leadStages.map((s) => html`<span class="badge">${contentLabel(s)}</span>`)}</p>
      <p><span class="stars-shown" aria-hidden="true">${'★'.repeat(Math.round(a.ratings.average ?? 0))}${'☆'.repeat(5 - Math.round(a.ratings.average ?? 0))}</span>
        ${ratingWords(a.ratings.average, a.ratings.count)}</p>
      ${rater ? stars(a) : ''}
    </li>`)}</ul>
    ${pager(list, { name: 'Pages of assets' })}`;
}
