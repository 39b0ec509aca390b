// The client's pure logic, without a browser: `node --test tests/client/`
// (run from pytest by tests/client/test_logic.py).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  auditFilter, can, changedUserFields, describeApiError, describeChanges, describeUserAgent,
  endOfDayInstant, firstPage, formatInstant, formatMoney, formatRelative, formatWait, groupUserErrors,
  hashFor, isConflict, matchRoute, nextPage, nextPath, operationName, pageSummary,
  pageVariables, parseHash, previousPage, safeHttpUrl, sentence, todayIn, tokenStatus,
  userActions,
  userListVariables, usableTimeZone, wallTimeToInstant,
} from '../../client/logic.js';

const admin = { id: 'a', role: 'ADMIN', active: true };
const manager = { id: 'm', role: 'MANAGER', active: true };
const member = { id: 'u', role: 'MEMBER', active: true };

describe('permissions', () => {
  test('only admins manage users and see everyone\'s tokens', () => {
    assert.equal(can(admin, 'manageUsers'), true);
    assert.equal(can(manager, 'manageUsers'), false);
    assert.equal(can(member, 'listEveryonesTokens'), false);
  });

  test('managers and admins read the audit log, members do not', () => {
    assert.deepEqual([admin, manager, member].map((v) => can(v, 'readAudit')), [true, true, false]);
  });

  test('marketing managers and admins merge leads; only admins erase them', () => {
    const marketingManager = { ...manager, team: 'MARKETING' };
    const salesManager = { ...manager, team: 'SALES' };
    const marketer = { ...member, team: 'MARKETING' };
    const who = [admin, marketingManager, salesManager, marketer];
    assert.deepEqual(who.map((v) => can(v, 'mergeLeads')), [true, true, false, false]);
    assert.deepEqual(who.map((v) => can(v, 'eraseLeads')), [true, false, false, false]);
  });

  test('nobody signed in may do nothing', () => {
    assert.equal(can(null, 'readAudit'), false);
  });

  test('an unknown action is a programming error, not a silent no', () => {
    assert.throws(() => can(admin, 'launchRockets'), /unknown action/);
  });

  test('an admin may not change their own role or deactivate themselves', () => {
    const self = userActions(admin, { id: 'a', active: true });
    assert.equal(self.edit, true);
    assert.equal(self.changeRole, false);
    assert.equal(self.deactivate, false);
  });

  test('an admin deactivates an active user and reactivates an inactive one', () => {
    assert.equal(userActions(admin, { id: 'x', active: true }).deactivate, true);
    const inactive = userActions(admin, { id: 'x', active: false });
    assert.equal(inactive.reactivate, true);
    assert.equal(inactive.issueLink, false);
  });
});

describe('routing', () => {
  test('a hash splits into a path and query values', () => {
    assert.deepEqual(parseHash('#/set-password?token=abc%2Bdef'), {
      path: '/set-password', query: { token: 'abc+def' },
    });
  });

  test('an empty hash is the root and an in-page anchor is no route', () => {
    assert.deepEqual(parseHash(''), { path: '/', query: {} });
    assert.equal(parseHash('#main'), null);
  });

  test('a trailing slash does not make another page', () => {
    assert.equal(parseHash('#/account/').path, '/account');
  });

  test('hashFor leaves out empty query values', () => {
    assert.equal(hashFor('/sign-in', { next: '/audit', empty: '' }), '#/sign-in?next=%2Faudit');
    assert.equal(hashFor('/account'), '#/account');
  });

  test('a route pattern captures its parameters, decoded', () => {
    const routes = [{ path: '/admin/users' }, { path: '/admin/users/:id' }];
    const match = matchRoute(routes, '/admin/users/ab%3Dc');
    assert.equal(match.route, routes[1]);
    assert.deepEqual(match.params, { id: 'ab=c' });
    assert.equal(matchRoute(routes, '/admin/nothing'), null);
  });

  test('after sign-in only our own paths are followed', () => {
    assert.equal(nextPath({ next: '/audit' }), '/audit');
    assert.equal(nextPath({ next: '//evil.example' }), '/account');
    assert.equal(nextPath({ next: 'https://evil.example' }), '/account');
    assert.equal(nextPath({}), '/account');
  });
});

describe('time', () => {
  const at = '2026-11-27T09:41:32.997636+00:00';

  test('instants are shown in the viewer\'s timezone, not the browser\'s', () => {
    assert.equal(formatInstant(at, 'Asia/Tokyo', 'en-GB'), '27 Nov 2026, 18:41 GMT+9');
    assert.equal(formatInstant(at, 'UTC', 'en-GB'), '27 Nov 2026, 09:41 UTC');
  });

  test('an unknown timezone falls back to UTC instead of failing', () => {
    assert.equal(usableTimeZone('Mars/Olympus'), 'UTC');
    assert.equal(formatInstant(at, 'Mars/Olympus', 'en-GB'), '27 Nov 2026, 09:41 UTC');
  });

  test('no instant shows as nothing', () => {
    assert.equal(formatInstant(null, 'UTC'), '');
  });

  test('a wall time in a timezone becomes the right UTC instant, across DST', () => {
    assert.equal(wallTimeToInstant('2026-07-01T09:00', 'Europe/Berlin'), '2026-07-01T07:00:00.000Z');
    assert.equal(wallTimeToInstant('2026-01-01T09:00', 'Europe/Berlin'), '2026-01-01T08:00:00.000Z');
    assert.equal(wallTimeToInstant('2026-11-01T01:30', 'America/New_York'), '2026-11-01T05:30:00.000Z');
    assert.equal(wallTimeToInstant('', 'UTC'), null);
    assert.equal(wallTimeToInstant('yesterday', 'UTC'), null);
  });

  test('an expiry date means the end of that day in the viewer\'s timezone', () => {
    assert.equal(endOfDayInstant('2030-01-01', 'America/New_York'), '2030-01-02T04:59:59.000Z');
    assert.equal(endOfDayInstant('', 'UTC'), null);
  });

  test('today is the viewer\'s date, which may differ from the UTC one', () => {
    const now = new Date('2026-11-27T20:00:00Z');
    assert.equal(todayIn('Asia/Tokyo', now), '2026-11-28');
    assert.equal(todayIn('UTC', now), '2026-11-27');
  });

  test('waits read in the largest whole unit', () => {
    assert.equal(formatWait(1), '1 second');
    assert.equal(formatWait(59), '59 seconds');
    assert.equal(formatWait(900), '15 minutes');
    assert.equal(formatWait(3600), '1 hour');
    assert.equal(formatWait(2 * 86400), '2 days');
  });

  test('relative times use the clock passed in', () => {
    const now = new Date('2026-01-01T12:00:00Z');
    assert.equal(formatRelative('2026-01-01T11:55:00Z', now), '5 minutes ago');
    assert.equal(formatRelative('2026-01-04T12:00:00Z', now), 'in 3 days');
    assert.equal(formatRelative('2026-01-01T12:00:10Z', now), 'just now');
  });
});

describe('errors', () => {
  test('user errors land on the form field their path names', () => {
    const errors = [
      { field: ['email'], message: 'not an e-mail address', code: 'INVALID_INPUT' },
      { field: ['timezone'], message: 'unknown timezone', code: 'INVALID_INPUT' },
    ];
    assert.deepEqual(groupUserErrors(errors, ['email', 'name', 'timezone']), {
      fields: { email: ['Not an e-mail address.'], timezone: ['Unknown timezone.'] },
      general: [],
    });
  });

  test('errors naming no field, or a field the form lacks, are shown for the form', () => {
    const errors = [
      { field: null, message: 'Wrong e-mail or password.', code: 'INVALID_INPUT' },
      { field: ['token'], message: 'link expired', code: 'INVALID_INPUT' },
    ];
    assert.deepEqual(groupUserErrors(errors, ['password']), {
      fields: {}, general: ['Wrong e-mail or password.', 'Link expired.'],
    });
  });

  test('a nested field path is joined with dots', () => {
    const errors = [{ field: ['leads', '3', 'email'], message: 'bad', code: 'INVALID_INPUT' }];
    assert.deepEqual(groupUserErrors(errors, ['leads.3.email']).fields, { 'leads.3.email': ['Bad.'] });
  });

  test('a stale version is recognised as a conflict', () => {
    assert.equal(isConflict([{ field: ['expectedVersion'], code: 'CONFLICT', message: 'x' }]), true);
    assert.equal(isConflict([{ field: ['name'], code: 'INVALID_INPUT', message: 'x' }]), false);
  });

  test('throttling says how long to wait', () => {
    assert.equal(
      describeApiError({ code: 'THROTTLED', message: 'too many', retryAfter: 900 }),
      'Too many attempts. Try again in 15 minutes.',
    );
    assert.match(describeApiError({ code: 'THROTTLED' }), /Wait a moment/);
  });

  test('a masked server failure shows its request id', () => {
    const text = describeApiError({ code: 'INTERNAL_SERVER_ERROR', message: 'x', requestId: 'abc123' });
    assert.match(text, /request abc123/);
  });

  test('other errors read as a sentence', () => {
    assert.equal(describeApiError({ code: 'INVALID_INPUT', message: 'first must be 1–100' }),
      'First must be 1–100.');
    assert.equal(describeApiError({ code: 'FORBIDDEN', message: 'users is for admins' }),
      'Not allowed: Users is for admins.');
  });

  test('the operation name is read from the document', () => {
    assert.equal(operationName('mutation Login($input: LoginInput!) { login }'), 'Login');
    assert.equal(operationName('query Viewer { viewer { ...F } } fragment F on User { id }'), 'Viewer');
    assert.equal(operationName('{ viewer { id } }'), null);
  });
});

describe('links', () => {
  test('only http and https links are allowed', () => {
    assert.equal(safeHttpUrl('https://example.com/a?b=1'), 'https://example.com/a?b=1');
    assert.equal(safeHttpUrl(' http://example.com '), 'http://example.com/');
    assert.equal(safeHttpUrl('javascript:alert(1)'), null);
    assert.equal(safeHttpUrl('JaVaScRiPt:alert(1)'), null);
    assert.equal(safeHttpUrl('data:text/html,<b>x</b>'), null);
    assert.equal(safeHttpUrl('/relative'), null);
    assert.equal(safeHttpUrl(42), null);
  });
});

describe('paging', () => {
  test('next and previous walk a stack of keyset cursors', () => {
    let state = firstPage(20);
    assert.deepEqual(pageVariables(state), { first: 20, after: null });
    state = nextPage(state, 'c1');
    state = nextPage(state, 'c2');
    assert.deepEqual(pageVariables(state), { first: 20, after: 'c2' });
    state = previousPage(state);
    assert.deepEqual(pageVariables(state), { first: 20, after: 'c1' });
    state = previousPage(state);
    assert.deepEqual(pageVariables(state), { first: 20, after: null });
    assert.equal(previousPage(state), state);
  });

  test('without an end cursor there is no next page', () => {
    const state = firstPage();
    assert.equal(nextPage(state, null), state);
  });

  test('the summary counts rows across pages', () => {
    const second = nextPage(firstPage(20), 'c1');
    assert.equal(pageSummary(second, 17, 37), '21–37 of 37');
    assert.equal(pageSummary(firstPage(20), 0, 0), 'none');
  });
});

describe('users', () => {
  test('the filter form becomes the users query\'s filter and order', () => {
    assert.deepEqual(
      userListVariables({ search: '  ann ', team: 'SALES', role: '', status: 'inactive', order: 'CREATED_DESC' }),
      {
        filter: { search: 'ann', team: ['SALES'], active: false },
        orderBy: { field: 'CREATED_AT', direction: 'DESC' },
      },
    );
  });

  test('unknown filter values are ignored and the order defaults to name', () => {
    assert.deepEqual(userListVariables({ team: 'PIRATES', order: 'nope' }), {
      filter: {}, orderBy: { field: 'NAME', direction: 'ASC' },
    });
  });

  test('only changed fields are sent in an update', () => {
    const user = { name: 'Ann', team: 'SALES', role: 'MEMBER', timezone: 'UTC', outOfOffice: false, acceptsLeads: true };
    assert.deepEqual(
      changedUserFields(user, { name: ' Ann ', team: 'MARKETING', timezone: 'UTC', outOfOffice: true, acceptsLeads: true }),
      { team: 'MARKETING', outOfOffice: true },
    );
    assert.deepEqual(changedUserFields(user, { name: 'Ann' }), {});
  });
});

describe('sessions, tokens and audit', () => {
  const now = new Date('2026-06-01T00:00:00Z');

  test('a token is revoked, expired or in use as of now', () => {
    assert.equal(tokenStatus({ revokedAt: '2026-05-01T00:00:00Z', expiresAt: null }, now), 'revoked');
    assert.equal(tokenStatus({ revokedAt: null, expiresAt: '2026-05-31T23:59:59Z' }, now), 'expired');
    assert.equal(tokenStatus({ revokedAt: null, expiresAt: '2026-06-02T00:00:00Z' }, now), 'active');
    assert.equal(tokenStatus({ revokedAt: null, expiresAt: null }, now), 'active');
  });

  test('a user agent is summarised as browser and system', () => {
    const chrome = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36';
    assert.equal(describeUserAgent(chrome), 'Chrome on Linux');
    const iphone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
    assert.equal(describeUserAgent(iphone), 'Safari on iOS');
    assert.equal(describeUserAgent(''), 'Unknown device');
    assert.equal(describeUserAgent('x'.repeat(100)).length, 58);
  });

  test('audit changes become name and text pairs', () => {
    assert.deepEqual(describeChanges({ name: 'x', scopes: ['READ'], user: 1 }), [
      ['name', 'x'], ['scopes', '["READ"]'], ['user', '1'],
    ]);
    assert.deepEqual(describeChanges(null), []);
  });

  test('the audit filter splits actions and reads since in the viewer\'s timezone', () => {
    assert.deepEqual(auditFilter({ action: 'login, updateUser  logout', since: '2026-07-01T09:00' }, 'Europe/Berlin'), {
      action: ['login', 'updateUser', 'logout'],
      since: '2026-07-01T07:00:00.000Z',
    });
    assert.deepEqual(auditFilter({ action: ' ', since: '' }, 'UTC'), {});
  });
});

describe('messages', () => {
  test('terse server messages are shown as sentences', () => {
    assert.equal(sentence('the user changed meanwhile'), 'The user changed meanwhile.');
    assert.equal(sentence('Already a sentence.'), 'Already a sentence.');
  });
});

describe('money', () => {
  test('an amount is shown with its currency in the viewer\'s locale', () => {
    assert.equal(formatMoney({ amount: '1234.5', currency: 'USD' }, 'en-US'), '$1,234.50');
    assert.equal(formatMoney({ amount: '5000.00', currency: 'EUR' }, 'de-DE'), '5.000\u00a0€');
    assert.equal(formatMoney({ amount: '2.799E+5', currency: 'GBP' }, 'en-GB'), '£279,900');
    assert.equal(formatMoney({ amount: '1000', currency: 'JPY' }, 'ja-JP'), '￥1,000');
  });

  test('no amount is a dash; an unknown currency keeps its code', () => {
    assert.equal(formatMoney(null), '—');
    assert.equal(formatMoney({ amount: null, currency: 'USD' }), '—');
    assert.equal(formatMoney({ amount: '12.5', currency: 'usd!' }, 'en-US'), '12.5 usd!');
    assert.equal(formatMoney({ amount: 'n/a', currency: 'USD' }), 'n/a USD');
  });
});
