// GraphQL over HTTP: JSON POSTs to /graphql with the session cookie (HttpOnly,
// so the client never sees it). Top-level errors become an ApiError;
// `userErrors` stay in the data for the view to place next to its fields.

import { operationName } from './logic.js';

export class ApiError extends Error {
  constructor(code, message, { retryAfter = null, requestId = null, status = 0 } = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.retryAfter = retryAfter;
    this.requestId = requestId;
    this.status = status;
  }
}

/** Run one operation; resolves to `data`, rejects with ApiError. */
export async function graphql(document, variables = {}) {
  let response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        query: document,
        variables,
        operationName: operationName(document),
      }),
    });
  } catch {
    throw new ApiError('NETWORK', 'cannot reach the server');
  }
  const body = await response.json().catch(() => null);
  const problem = body?.errors?.[0];
  if (problem || !body?.data) {
    throw errorFrom(problem, response, body);
  }
  return body.data;
}

function errorFrom(problem, response, body) {
  const extensions = problem?.extensions ?? {};
  const header = Number(response.headers.get('retry-after'));
  return new ApiError(
    extensions.code ?? (response.status === 401 ? 'UNAUTHENTICATED' : 'ERROR'),
    problem?.message ?? `the server answered ${response.status}`,
    {
      retryAfter: extensions.retryAfter ?? (header > 0 ? header : null),
      requestId:
        extensions.requestId ?? body?.extensions?.requestId ??
        response.headers.get('x-request-id'),
      status: response.status,
    },
  );
}
