// Pure logic for the web client: no DOM, no network, the clock passed in.
// Everything here is tested with `node --test` (tests/client/logic.test.mjs).

export const TEAMS = ['MARKETING', 'SALES', 'LEADERSHIP'];
export const ROLES = ['MEMBER', 'MANAGER', 'ADMIN'];
export const SCOPES = ['READ', 'INGEST', 'WRITE'];
export const PAGE_SIZE = 20;

const LABELS = {
  MARKETING: 'Marketing',
  SALES: 'Sales',
  LEADERSHIP: 'Leadership',
  MEMBER: 'Member',
  MANAGER: 'Manager',
  ADMIN: 'Admin',
  READ: 'Read',
  INGEST: 'Ingest',
  WRITE: 'Write',
};

/** The header's badge: the role, and the team for members and managers
 *  ("Sales manager", "Leadership member", "Admin"). */
export function roleBadge(viewer) {
  if (!viewer) return '';
  if (viewer.role === 'ADMIN') return 'Admin';
  return `${label(viewer.team)} ${label(viewer.role).toLowerCase()}`;
}

/** A readable name for an enum value; unknown values are shown as they are. */
export function label(value) {
  return LABELS[value] ?? String(value ?? '');
}

// ---- permissions (mirrors SPEC §2.1; the server decides, this only hides) ----

const ACTIONS = {
  manageUsers: (viewer) => viewer.role === 'ADMIN',
  importLeads: (viewer) => viewer.team === 'MARKETING' || viewer.role === 'ADMIN',
  workQueue: (viewer) => viewer.team === 'SALES' && viewer.role !== 'ADMIN',
  listEveryonesTokens: (viewer) => viewer.role === 'ADMIN',
  manageWebhooks: (viewer) => viewer.role === 'ADMIN',
  readAudit: (viewer) => viewer.role === 'MANAGER' || viewer.role === 'ADMIN',
  mergeLeads: (viewer) => viewer.role === 'ADMIN'
    || (viewer.team === 'MARKETING' && viewer.role === 'MANAGER'),
  eraseLeads: (viewer) => viewer.role === 'ADMIN',
};

/** Whether the viewer may do a named action at all (role level). */
export function can(viewer, action) {
  const rule = ACTIONS[action];
  if (!rule) throw new Error(`unknown action ${action}`);
  return Boolean(viewer && viewer.active !== false && rule(viewer));
}

/** What an admin may do to one user: nobody changes their own role or access. */
export function userActions(viewer, user) {
  const admin = can(viewer, 'manageUsers');
  const self = Boolean(viewer && user && viewer.id === user.id);
  return {
    edit: admin,
    changeRole: admin && !self,
    deactivate: admin && !self && user.active,
    reactivate: admin && !self && !user.active,
    issueLink: admin && user.active,
  };
}

// ---- routing ----------------------------------------------------------------

/** `#/admin/users?team=SALES` → {path: '/admin/users', query: {team: 'SALES'}};
 *  hashes that are not routes (`#main`) give null. */
export function parseHash(hash) {
  const text = String(hash ?? '').replace(/^#/, '');
  if (text === '') return { path: '/', query: {} };
  if (!text.startsWith('/')) return null;
  const at = text.indexOf('?');
  const path = at < 0 ? text : text.slice(0, at);
  const query = {};
  if (at >= 0) {
    for (const [key, value] of new URLSearchParams(text.slice(at + 1))) query[key] = value;
  }
  return { path: path.length > 1 ? path.replace(/\/+$/, '') : path, query };
}

/** The hash for a path and optional query values (empty values are left out). */
export function hashFor(path, query = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, value);
  }
  const text = params.toString();
  return `#${path}${text ? `?${text}` : ''}`;
}

/** The first route whose pattern (`/admin/users/:id`) matches the path. */
export function matchRoute(routes, path) {
  const parts = path.split('/').filter(Boolean);
  for (const route of routes) {
    const pattern = route.path.split('/').filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params = {};
    const ok = pattern.every((piece, i) => {
      if (piece.startsWith(':')) {
        params[piece.slice(1)] = safeDecode(parts[i]);
        return params[piece.slice(1)] !== null;
      }
      return piece === parts[i];
    });
    if (ok) return { route, params };
  }
  return null;
}

function safeDecode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** Where to go after signing in: the `next` path when it is one of ours. */
export function nextPath(query, fallback = '/account') {
  const next = query?.next;
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//')) {
    return fallback;
  }
  return next === '/sign-in' ? fallback : next;
}

// ---- money ------------------------------------------------------------------

/**
 * An amount from the API (`Money { amount currency }`, the amount a decimal
 * string) in the viewer's locale with its currency: "€1,234.50", "1.234,50 €".
 * Whole amounts drop the cents; '—' for none; an unknown currency code shows
 * the number then the code.
 */
export function formatMoney(money, locale = undefined) {
  if (!money || money.amount === null || money.amount === undefined) return '—';
  const n = Number(money.amount);
  if (Number.isNaN(n)) return `${money.amount} ${money.currency ?? ''}`.trim();
  const digits = Number.isInteger(n) ? 0 : 2;
  try {
    return new Intl.NumberFormat(locale, {
      style: 'currency', currency: money.currency,
      minimumFractionDigits: digits, maximumFractionDigits: 2,
    }).format(n);
  } catch {
    const plain = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(n);
    return `${plain} ${money.currency ?? ''}`.trim();
  }
}

// ---- time -------------------------------------------------------------------

/** The timezone to show times in: the viewer's, when the browser knows it. */
export function usableTimeZone(timeZone) {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return timeZone;
  } catch {
    return 'UTC';
  }
}

/** An instant from the API, shown in the viewer's timezone ('' for none). */
export function formatInstant(iso, timeZone, locale = undefined) {
  if (!iso) return '';
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return String(iso);
  return new Intl.DateTimeFormat(locale, {
    timeZone: usableTimeZone(timeZone),
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(when);
}

/** How far an instant lies from `now`, in words: "in 3 days", "5 minutes ago". */
export function formatRelative(iso, now) {
  const seconds = Math.round((new Date(iso).getTime() - now.getTime()) / 1000);
  const words = formatWait(Math.abs(seconds));
  if (Math.abs(seconds) < 45) return 'just now';
  return seconds > 0 ? `in ${words}` : `${words} ago`;
}

/** A wait in seconds, rounded up to a unit a person reads at a glance. */
export function formatWait(seconds) {
  const s = Math.max(0, Math.ceil(Number(seconds) || 0));
  const units = [
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, unit] of units) {
    if (s >= size) {
      const n = Math.round(s / size);
      return `${n} ${unit}${n === 1 ? '' : 's'}`;
    }
  }
  return `${s} second${s === 1 ? '' : 's'}`;
}

function zoneOffsetMs(epochMs, timeZone) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(epochMs));
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'),
    get('minute'), get('second'));
  return wall - Math.floor(epochMs / 1000) * 1000;
}

/** A wall-clock time (`2026-03-29T23:59`) in a timezone, as a UTC ISO instant.
 *  Returns null for an empty or malformed value. */
export function wallTimeToInstant(text, timeZone) {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text ?? '');
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = m;
  const wall = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
  const zone = usableTimeZone(timeZone);
  let guess = wall - zoneOffsetMs(wall, zone);
  // A second pass settles instants next to a DST change.
  guess = wall - zoneOffsetMs(guess, zone);
  return new Date(guess).toISOString();
}

/** An optional expiry date (`YYYY-MM-DD`): the end of that day in the timezone. */
export function endOfDayInstant(date, timeZone) {
  if (!date) return null;
  return wallTimeToInstant(`${date}T23:59:59`, timeZone);
}

/** Today's date (`YYYY-MM-DD`) in a timezone, for date pickers' minimum. */
export function todayIn(timeZone, now) {
  // en-CA writes dates as YYYY-MM-DD, the format of <input type="date">.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: usableTimeZone(timeZone),
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

// ---- errors -----------------------------------------------------------------

/** `userErrors` split into messages per form field (`field` path joined with
 *  dots) and general ones: errors naming no field, or a field the form lacks.
 *  Messages are shown as sentences. */
export function groupUserErrors(userErrors, formFields) {
  const known = new Set(formFields);
  const fields = {};
  const general = [];
  for (const error of userErrors ?? []) {
    const key = (error.field ?? []).join('.');
    const message = sentence(error.message);
    if (key && known.has(key)) {
      (fields[key] ??= []).push(message);
    } else {
      general.push(message);
    }
  }
  return { fields, general };
}

/** The update was refused because someone else changed the object first. */
export function isConflict(userErrors) {
  return (userErrors ?? []).some((e) => e.code === 'CONFLICT');
}

/** A top-level API error (see api.js) in words for the person at the screen. */
export function describeApiError(error) {
  const code = error?.code;
  const message = error?.message ? sentence(error.message) : '';
  switch (code) {
    case 'THROTTLED':
      return error.retryAfter
        ? `Too many attempts. Try again in ${formatWait(error.retryAfter)}.`
        : 'Too many attempts. Wait a moment and try again.';
    case 'UNAUTHENTICATED':
      return 'Your session has ended. Sign in again.';
    case 'FORBIDDEN':
      return `Not allowed: ${message || 'you may not do this.'}`;
    case 'NETWORK':
      return 'Cannot reach Accord. Check your connection and try again.';
    case 'INTERNAL_SERVER_ERROR':
      return `Something went wrong on the server${
        error.requestId ? ` (request ${error.requestId})` : ''
      }. Try again; if it keeps happening, report the request id.`;
    default:
      return message || 'The request failed.';
  }
}

/** Server messages are terse ("not an e-mail address"): shown as sentences. */
export function sentence(text) {
  const trimmed = String(text).trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** The operation name of a GraphQL document (`query Users(…)` → "Users"). */
export function operationName(document) {
  const m = /\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(document);
  return m ? m[1] : null;
}

// ---- safe links ------------------------------------------------------------

/** The URL when it is an absolute http(s) link, else null (no javascript:, data:…). */
export function safeHttpUrl(value) {
  if (typeof value !== 'string') return null;
  let url;
  try {
    url = new URL(value.trim());
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}

// ---- paging (keyset: the server's cursors, a stack to go back) -------------

export function firstPage(size = PAGE_SIZE) {
  return { size, after: null, previous: [] };
}

export function nextPage(state, endCursor) {
  if (!endCursor) return state;
  return { ...state, after: endCursor, previous: [...state.previous, state.after] };
}

export function previousPage(state) {
  if (state.previous.length === 0) return state;
  const previous = state.previous.slice(0, -1);
  return { ...state, after: state.previous.at(-1), previous };
}

export function pageVariables(state) {
  return { first: state.size, after: state.after };
}

/** "21–40 of 57" for the rows shown on this page. */
export function pageSummary(state, shown, total) {
  if (!shown) return total ? `none of ${total} on this page` : 'none';
  const from = state.previous.length * state.size + 1;
  return `${from}–${from + shown - 1} of ${total}`;
}

// ---- users ------------------------------------------------------------------

export const USER_ORDERS = {
  NAME_ASC: { field: 'NAME', direction: 'ASC', label: 'Name A–Z' },
  NAME_DESC: { field: 'NAME', direction: 'DESC', label: 'Name Z–A' },
  CREATED_DESC: { field: 'CREATED_AT', direction: 'DESC', label: 'Newest first' },
  CREATED_ASC: { field: 'CREATED_AT', direction: 'ASC', label: 'Oldest first' },
};

/** The users query's `filter` and `orderBy` from the filter form's values. */
export function userListVariables(form) {
  const filter = {};
  const search = (form.search ?? '').trim();
  if (search) filter.search = search;
  if (TEAMS.includes(form.team)) filter.team = [form.team];
  if (ROLES.includes(form.role)) filter.role = [form.role];
  if (form.status === 'active') filter.active = true;
  if (form.status === 'inactive') filter.active = false;
  const order = USER_ORDERS[form.order] ?? USER_ORDERS.NAME_ASC;
  return { filter, orderBy: { field: order.field, direction: order.direction } };
}

const EDITABLE = ['name', 'team', 'role', 'timezone', 'outOfOffice', 'acceptsLeads'];

/** Only the fields the admin changed, for `updateUser` (empty when none). */
export function changedUserFields(user, values) {
  const changes = {};
  for (const key of EDITABLE) {
    if (!(key in values)) continue;
    const value = typeof values[key] === 'string' ? values[key].trim() : values[key];
    if (value !== user[key]) changes[key] = value;
  }
  return changes;
}

// ---- sessions, tokens, audit -----------------------------------------------

/** 'revoked', 'expired' or 'active', as of `now`. */
export function tokenStatus(token, now) {
  if (token.revokedAt) return 'revoked';
  if (token.expiresAt && new Date(token.expiresAt).getTime() <= now.getTime()) {
    return 'expired';
  }
  return 'active';
}

/** "Chrome on Linux" from a user-agent string, or the raw text shortened. */
export function describeUserAgent(userAgent) {
  const ua = String(userAgent ?? '');
  if (!ua) return 'Unknown device';
  const browser = [
    [/Edg\//, 'Edge'],
    [/OPR\//, 'Opera'],
    [/Firefox\//, 'Firefox'],
    [/Chrom(e|ium)\//, 'Chrome'],
    [/Safari\//, 'Safari'],
    [/curl\//, 'curl'],
  ].find(([re]) => re.test(ua))?.[1];
  const system = [
    [/Android/, 'Android'],
    [/iPhone|iPad/, 'iOS'],
    [/Windows/, 'Windows'],
    [/Mac OS X|Macintosh/, 'macOS'],
    [/CrOS/, 'ChromeOS'],
    [/Linux/, 'Linux'],
  ].find(([re]) => re.test(ua))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  if (browser) return browser;
  return ua.length > 60 ? `${ua.slice(0, 57)}…` : ua;
}

/** An audit entry's `changes` as [name, text] pairs, values as compact JSON. */
export function describeChanges(changes) {
  if (changes === null || changes === undefined) return [];
  if (typeof changes !== 'object' || Array.isArray(changes)) {
    return [['value', JSON.stringify(changes)]];
  }
  return Object.entries(changes).map(([key, value]) => [
    key,
    typeof value === 'string' ? value : JSON.stringify(value),
  ]);
}

/** The audit query's filter from the form: actions split on commas and spaces,
 *  `since` a wall time in the viewer's timezone. */
export function auditFilter(form, timeZone) {
  const filter = {};
  const actions = String(form.action ?? '')
    .split(/[\s,]+/)
    .filter(Boolean);
  if (actions.length) filter.action = actions;
  const since = wallTimeToInstant(form.since, timeZone);
  if (since) filter.since = since;
  return filter;
}

// ---- a filter input type read from the URL (the dashboard's drill-down) -----
// A spec maps each filter field to its GraphQL type as the schema declares it
// ('DateTime', 'Boolean', 'Int', 'String', 'ID', or an enum's values), with
// `list: true` for list types, and its words for the "filtered by" summary.
// Lists are comma-separated, booleans true/false, instants ISO 8601.

function readParam(type, text) {
  if (Array.isArray(type)) return type.includes(text) ? text : undefined;
  if (type === 'Boolean') return text === 'true' ? true : text === 'false' ? false : undefined;
  if (type === 'Int') return /^-?\d+$/.test(text) ? Number(text) : undefined;
  if (type === 'DateTime') {
    return /^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(Date.parse(text)) ? text : undefined;
  }
  return text || undefined;
}

/** The filter the URL query asks for, by the fields' declared types: values
 *  that do not fit their type are dropped, and a list with no valid item. */
export function filterFromParams(fields, query = {}) {
  const filter = {};
  for (const [name, spec] of Object.entries(fields)) {
    const raw = query[name];
    if (raw === undefined || raw === null || raw === '') continue;
    if (spec.list) {
      const items = String(raw).split(',').map((s) => readParam(spec.type, s.trim()))
        .filter((v) => v !== undefined);
      if (items.length) filter[name] = items;
    } else {
      const value = readParam(spec.type, String(raw).trim());
      if (value !== undefined) filter[name] = value;
    }
  }
  return filter;
}

/** A filter back as URL query parameters. */
export function paramsFromFilter(filter) {
  const query = {};
  for (const [key, value] of Object.entries(filter ?? {})) {
    query[key] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return query;
}

/** The "filtered by" lines [{key, label, text}]: instants in `timeZone`, ids
 *  named through `names` (Map id → name) when known, enum values by `word`. */
export function filterSummary(fields, filter, { timeZone, names = new Map(), word = String }) {
  const say = (spec, v) => {
    if (spec.type === 'DateTime') return formatInstant(v, timeZone);
    if (spec.type === 'Boolean') return v ? 'yes' : 'no';
    if (spec.type === 'ID') return names.get(v) ?? v;
    return word(v);
  };
  return Object.entries(filter).filter(([key]) => fields[key]).map(([key, value]) => ({
    key,
    label: fields[key].label,
    text: (Array.isArray(value) ? value : [value]).map((v) => say(fields[key], v)).join(', '),
  }));
}
