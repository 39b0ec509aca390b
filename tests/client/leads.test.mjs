// The lead screens' pure logic (client/logic/leads.js, waterfall.js, events.js)
// under Node: filters and their URL form, who may do what in which stage, the
// score's lines, CSV in and out, countdowns and notification links.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { roleBadge } from '../../client/logic.js';
import { notificationPath, unreadBadge } from '../../client/logic/events.js';
import {
  batches, csvCell, guessMapping, leadActions, leadFiltersFromForm, leadFiltersFromQuery,
  leadListVariables, leadQueryFromFilters, leadsCsv, leadsFromCsv, parseCsv, scoreLines,
  stageMoves, toCsv,
} from '../../client/logic/leads.js';
import { countdown, formatSpan, runningClock, soonestFirst } from '../../client/logic/waterfall.js';

const person = (team, role, id = 'me') => ({ id, team, role, active: true });

describe('lead list filters', () => {
  test('the URL query round-trips through the filter state, dropping junk', () => {
    const state = leadFiltersFromQuery({
      stages: 'MQL,BOGUS,SAL', grades: 'A,Z', q: ' acme ', scoreMin: '70', scoreMax: 'x',
      qualified: 'yes', customer: 'maybe', createdFrom: '2026-03-01', createdTo: '03/02',
      sort: 'NAME_ASC',
    });
    assert.deepEqual(state.stages, ['MQL', 'SAL']);
    assert.deepEqual(state.grades, ['A']);
    assert.equal(state.q, 'acme');
    assert.equal(state.scoreMin, 70);
    assert.equal(state.scoreMax, null);
    assert.equal(state.customer, '');
    assert.equal(state.createdTo, '');
    assert.deepEqual(leadQueryFromFilters(state), {
      stages: 'MQL,SAL', grades: 'A', q: 'acme', scoreMin: '70', qualified: 'yes',
      createdFrom: '2026-03-01', sort: 'NAME_ASC',
    });
    // the default order stays out of the URL
    assert.deepEqual(leadQueryFromFilters(leadFiltersFromQuery({})), {});
  });

  test('form values (checkbox groups as arrays) become the same state', () => {
    const state = leadFiltersFromForm({
      stages: ['NEW', 'MQL'], grades: [], personas: ['p1'], owners: '', q: 'x', sort: 'SCORE_ASC',
      qualified: '', customer: 'no', scoreMin: '', scoreMax: '120',
    });
    assert.deepEqual(state.stages, ['NEW', 'MQL']);
    assert.deepEqual(state.personas, ['p1']);
    assert.equal(state.scoreMax, 120); // scores can pass 100
    assert.equal(state.customer, 'no');
  });

  test('query variables: every filter, whole days in the viewer timezone, the order', () => {
    const state = leadFiltersFromQuery({
      stages: 'MQL', personas: 'p1', owners: 'u1,u2', grades: 'B', q: 'acme', scoreMin: '10',
      scoreMax: '90', qualified: 'no', customer: 'yes', createdFrom: '2026-03-01',
      createdTo: '2026-03-01', enteredFrom: '2026-07-01', enteredTo: '2026-07-02',
      sort: 'UPDATED_AT_ASC',
    });
    const { filter, orderBy } = leadListVariables(state, 'Europe/Berlin');
    assert.deepEqual(filter, {
      stages: ['MQL'], grades: ['B'], personaIds: ['p1'], ownerIds: ['u1', 'u2'],
      search: 'acme', scoreMin: 10, scoreMax: 90, qualified: false, isCustomer: true,
      createdFrom: '2026-02-28T23:00:00.000Z', createdTo: '2026-03-01T22:59:59.000Z',
      stageEnteredFrom: '2026-06-30T22:00:00.000Z', stageEnteredTo: '2026-07-02T21:59:59.000Z',
    });
    assert.deepEqual(orderBy, { field: 'UPDATED_AT', direction: 'ASC' });
  });
});

describe('who may do what on a lead', () => {
  const mql = (extra = {}) => ({ stage: 'MQL', qualified: true, handoffs: [], owner: null, ...extra });
  const pending = (assignee) => ({ id: 'h1', status: 'PENDING', assignee: { id: assignee } });

  test('marketing hands off a qualified MQL; only a marketing manager overrides', () => {
    assert.equal(leadActions(person('MARKETING', 'MEMBER'), mql()).handOff, true);
    assert.equal(leadActions(person('SALES', 'MANAGER'), mql()).handOff, false);
    assert.equal(leadActions(person('MARKETING', 'ADMIN'), mql()).handOff, false);
    const cold = mql({ stage: 'NURTURING', qualified: false });
    assert.equal(leadActions(person('MARKETING', 'MEMBER'), cold).override, false);
    assert.equal(leadActions(person('MARKETING', 'MANAGER'), cold).override, true);
    const open = mql({ handoffs: [pending('rep')] });
    assert.equal(leadActions(person('MARKETING', 'MEMBER'), open).handOff, false);
  });

  test('an erased record is offered to nobody for editing', () => {
    assert.equal(leadActions(person('MARKETING', 'MEMBER'), mql()).edit, true);
    assert.equal(leadActions(person('MARKETING', 'MEMBER'), mql({ erased: true })).edit, false);
    assert.equal(leadActions(person('MARKETING', 'ADMIN'), mql({ erased: true })).edit, false);
  });

  test('the assignee or a sales manager decides; only a sales manager reassigns', () => {
    const lead = mql({ handoffs: [pending('rep')] });
    const rep = leadActions(person('SALES', 'MEMBER', 'rep'), lead);
    assert.deepEqual([rep.accept, rep.reject, rep.reassign], [true, true, false]);
    const other = leadActions(person('SALES', 'MEMBER', 'other'), lead);
    assert.deepEqual([other.accept, other.followUp], [false, false]);
    const boss = leadActions(person('SALES', 'MANAGER', 'boss'), lead);
    assert.deepEqual([boss.accept, boss.reassign], [true, true]);
    assert.equal(leadActions(person('LEADERSHIP', 'MANAGER'), lead).accept, false);
  });

  test('closing and stage moves follow the waterfall table', () => {
    const owner = person('SALES', 'MEMBER', 'rep');
    const opp = { stage: 'OPPORTUNITY', qualified: true, owner: { id: 'rep' },
      handoffs: [{ id: 'h', status: 'ACCEPTED', assignee: { id: 'rep' } }] };
    assert.deepEqual(leadActions(owner, opp).close, ['WON', 'LOST']);
    assert.deepEqual(leadActions(owner, { ...opp, stage: 'SQL' }).close, ['LOST']);
    assert.deepEqual(stageMoves(owner, { ...opp, stage: 'SAL' }).map((m) => m.stage),
      ['SQL', 'RECYCLED', 'DISQUALIFIED']);
    assert.deepEqual(stageMoves(person('SALES', 'MEMBER', 'x'), { ...opp, stage: 'SAL' }), []);
    const lost = { ...opp, stage: 'LOST' };
    assert.deepEqual(stageMoves(owner, lost), []);
    assert.deepEqual(stageMoves(person('MARKETING', 'MANAGER'), lost),
      [{ stage: 'RECYCLED', reasonRequired: true }]);
    const nurturing = { stage: 'NURTURING', handoffs: [] };
    assert.deepEqual(stageMoves(person('MARKETING', 'MANAGER'), nurturing),
      [{ stage: 'DISQUALIFIED', reasonRequired: false }, { stage: 'MQL', reasonRequired: true }]);
    assert.deepEqual(stageMoves(person('MARKETING', 'MEMBER'), { stage: 'MQL', handoffs: [] })
      .map((m) => m.stage), ['NURTURING']);
    assert.deepEqual(leadActions(person('MARKETING', 'MEMBER'), opp).moves, []);
    assert.deepEqual(leadActions({ ...owner, active: false }, opp).close, []);
  });
});

describe('the score', () => {
  test('lines add up to the score; hand-raises are picked out', () => {
    const lead = { score: 85, scoreBreakdown: [
      { label: 'Size', kind: 'FIT', points: '20', detail: '' },
      { label: 'Industry', kind: 'FIT', points: '40', detail: '' },
      { label: 'Demo', kind: 'ENGAGEMENT', points: '24.999999975', detail: '' },
      { label: 'Hand-raise: demo', kind: 'HAND_RAISE', points: '0', detail: '' },
    ] };
    const s = scoreLines(lead);
    assert.equal(s.fit, 60);
    assert.equal(Math.round(s.engagement), 25);
    assert.equal(s.handRaises.length, 1);
    assert.equal(s.matches, true);
    assert.equal(scoreLines({ ...lead, score: 40 }).matches, false);
  });
});

describe('CSV', () => {
  test('parsing keeps quotes, commas, new lines and each record first line', () => {
    const records = parseCsv('\uFEFFa,b\r\n"x, y","say ""hi"""\n\n"two\nlines",3\n');
    assert.deepEqual(records, [
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['x, y', 'say "hi"'] },
      { line: 4, cells: ['two\nlines', '3'] },
    ]);
  });

  test('formula cells are neutralised, the rest quoted only when needed', () => {
    assert.equal(csvCell('=1+2'), "'=1+2");
    assert.equal(csvCell('+49 30 1234'), "'+49 30 1234");
    assert.equal(csvCell('-cmd'), "'-cmd");
    assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvCell('\t=x'), "'\t=x");
    assert.equal(csvCell('a "b", c'), '"a ""b"", c"');
    assert.equal(csvCell(null), '');
    assert.equal(csvCell('Zoë'), 'Zoë');
    const text = toCsv(['h1', 'h2'], [['=x', 'ok']]);
    assert.equal(text, "\uFEFFh1,h2\r\n'=x,ok\r\n");
  });

  test('an export has a header row and one row per lead', () => {
    const text = leadsCsv([{ email: 'a@x.example', firstName: '=cmd', qualified: true,
      isCustomer: false, persona: { name: 'Ops' }, owner: null }]);
    const [header, row] = text.replace('\uFEFF', '').trim().split('\r\n');
    assert.ok(header.startsWith('email,firstName,lastName'));
    assert.ok(row.startsWith("a@x.example,'=cmd,"));
    assert.ok(row.includes(',yes,no,Ops,'));
  });

  test('columns are guessed from headers, rows converted, bad cells kept with their line', () => {
    const [head, ...rows] = parseCsv(
      'E-mail,First Name,Employees,Customer,Products,Notes\n'
      + 'a@x.example,Ann,120,yes,A;B,hi\n'
      + 'b@x.example,Bo,many,no,,\n'
      + ',Cy,3,,,\n',
    );
    const mapping = guessMapping(head.cells);
    assert.deepEqual(mapping, ['email', 'firstName', 'companySize', 'isCustomer', 'products', '']);
    const { rows: good, errors } = leadsFromCsv(rows, mapping);
    assert.deepEqual(good, [{ line: 2, lead: {
      email: 'a@x.example', firstName: 'Ann', companySize: 120, isCustomer: true,
      products: ['A', 'B'] } }]);
    assert.deepEqual(errors.map((e) => e.line), [3, 4]);
    assert.match(errors[0].messages[0], /companySize/);
    assert.match(errors[1].messages.at(-1), /email: missing/);
  });

  test('upsertLeads takes 500 rows a call', () => {
    const sizes = batches(Array.from({ length: 1203 }, (_, i) => i)).map((b) => b.length);
    assert.deepEqual(sizes, [500, 500, 203]);
  });
});

describe('handoff clocks', () => {
  const handoff = {
    status: 'PENDING', handedOffAt: '2026-03-02T09:00:00Z',
    acceptAtRiskAt: '2026-03-02T12:00:00Z', acceptDueAt: '2026-03-02T13:00:00Z',
    acceptStatus: 'ON_TRACK', firstTouchDueAt: '2026-03-03T09:00:00Z',
  };

  test('the running clock is the decision, then the first touch, then none', () => {
    assert.equal(runningClock(handoff).name, 'accept');
    assert.equal(runningClock({ ...handoff, status: 'ACCEPTED' }).name, 'firstTouch');
    assert.equal(runningClock({ ...handoff, status: 'ACCEPTED', firstTouchAt: 'x' }), null);
    assert.equal(runningClock({ ...handoff, status: 'REJECTED' }), null);
  });

  test('countdowns count wall time to the server instants, never business time', () => {
    const clock = runningClock(handoff);
    assert.deepEqual(countdown(clock, new Date('2026-03-02T10:30:00Z')),
      { phase: 'on-track', text: 'At risk in 1 h 30 min, due in 2 h 30 min' });
    assert.deepEqual(countdown(clock, new Date('2026-03-02T12:59:30Z')),
      { phase: 'at-risk', text: 'Due in 30 s' });
    assert.deepEqual(countdown(clock, new Date('2026-03-04T15:00:00Z')),
      { phase: 'overdue', text: 'Overdue by 2 d 2 h' });
    assert.equal(formatSpan(65_000), '1 min 05 s');
  });

  test('the queue puts the soonest running deadline first', () => {
    const later = { ...handoff, acceptDueAt: '2026-03-05T00:00:00Z', handedOffAt: 'b' };
    const none = { ...handoff, status: 'REJECTED', handedOffAt: 'c' };
    assert.deepEqual(soonestFirst([none, later, handoff]), [handoff, later, none]);
  });
});

describe('notifications and the header', () => {
  test('links open client pages only', () => {
    assert.equal(notificationPath('/#/leads/abc'), '/leads/abc');
    assert.equal(notificationPath('https://accord.example/#/agreements/x', 'https://accord.example'),
      '/agreements/x');
    assert.equal(notificationPath('https://evil.example/#/leads/x', 'https://accord.example'), null);
    assert.equal(notificationPath('/#//evil.example'), null);
    assert.equal(notificationPath('javascript:alert(1)'), null);
  });

  test('the bell says 99+ past 99 and nothing at 0', () => {
    assert.deepEqual([unreadBadge(0), unreadBadge(7), unreadBadge(120)], ['', '7', '99+']);
  });

  test('the badge names the team of members and managers', () => {
    assert.equal(roleBadge({ team: 'SALES', role: 'MANAGER' }), 'Sales manager');
    assert.equal(roleBadge({ team: 'LEADERSHIP', role: 'MANAGER' }), 'Leadership manager');
    assert.equal(roleBadge({ team: 'MARKETING', role: 'MEMBER' }), 'Marketing member');
    assert.equal(roleBadge({ team: 'LEADERSHIP', role: 'ADMIN' }), 'Admin');
  });
});
