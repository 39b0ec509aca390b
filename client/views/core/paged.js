// A connection (`edges`, `pageInfo`, `totalCount`) read a page at a time with
// keyset cursors. Only the latest request's answer is kept, so a slow answer to
// an old filter never replaces a newer one.

import { html } from '../../dom.js';
import {
  describeApiError, firstPage, nextPage, PAGE_SIZE, pageSummary, pageVariables, previousPage,
} from '../../logic.js';

/** `variables()` gives the query's other variables (filter, order) when a page
 *  loads. Each step resolves true when the view should render again. */
export function pagedList(app, { document, field, variables = () => ({}), size = PAGE_SIZE }) {
  let ticket = 0;
  const list = {
    paging: firstPage(size), rows: [], total: 0, pageInfo: null, error: null, loaded: false,
  };

  async function load(paging, append = false) {
    const mine = ++ticket;
    try {
      const data = await app.request(document, { ...pageVariables(paging), ...variables() });
      if (mine !== ticket) return false;
      const connection = data[field];
      const rows = connection.edges.map((e) => e.node);
      Object.assign(list, {
        paging,
        rows: append ? [...list.rows, ...rows] : rows,
        total: connection.totalCount,
        pageInfo: connection.pageInfo,
        error: null,
        loaded: true,
      });
    } catch (error) {
      if (error.handled || mine !== ticket) return false;
      list.error = describeApiError(error);
    }
    return true;
  }

  return Object.assign(list, {
    first: () => load(firstPage(size)),
    next: () => load(nextPage(list.paging, list.pageInfo?.endCursor)),
    previous: () => load(previousPage(list.paging)),
    more: () => load(nextPage(list.paging, list.pageInfo?.endCursor), true),
    replace(row) {
      list.rows = list.rows.map((r) => (r.id === row.id ? row : r));
    },
  });
}

/** What to show instead of the table while loading, on failure or when empty. */
export function listPlaceholder(list, { loading, empty }) {
  if (list.error) return html`<p class="form-error">${list.error}</p>`;
  if (!list.loaded) return html`<p class="loading">${loading}</p>`;
  if (!list.rows.length) return html`<p class="empty">${empty}</p>`;
  return null;
}

/** Previous / "21–40 of 57" / Next; the buttons carry data-action page-previous
 *  and page-next. */
export function pager(list, { name, summaryId, previous = 'Previous', next = 'Next' }) {
  return html`<nav class="pager" aria-label="${name}">
    <button type="button" data-action="page-previous" ${list.paging.previous.length ? '' : html`disabled`}>${previous}</button>
    <span ${summaryId ? html`id="${summaryId}"` : ''}>${pageSummary(list.paging, list.rows.length, list.total)}</span>
    <button type="button" data-action="page-next" ${list.pageInfo?.hasNextPage ? '' : html`disabled`}>${next}</button>
  </nav>`;
}
