// The agreements screens' pure logic (client/logic/agreements.js) under Node.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  agreementActions, coolOffEnds, diffCounts, diffTerms, draftKey, formModel, kindOfSlug,
  instantToWallTime, pathText, placeErrors, plainTerms, readDraft, signatureSummary,
  termsInput, untilText, viewerFirst, waitsForViewer, writeDraft,
} from '../../client/logic/agreements.js';

const NOW = new Date('2026-12-04T12:00:00Z');
const LONG_AGO = '2026-01-01T00:00:00Z';
const person = (id, team, role, extra = {}) => ({
  id, team, role, active: true, roleGrantedAt: LONG_AGO, roleGrantedBy: { id: 'admin' },
  credentialsIssuedAt: null, credentialsIssuedBy: null, ...extra,
});
const marketingManager = person('mm', 'MARKETING', 'MANAGER');
const salesManager = person('sm', 'SALES', 'MANAGER');
const marketingMember = person('mx', 'MARKETING', 'MEMBER');
const salesMember = person('sx', 'SALES', 'MEMBER');
const admin = person('ad', 'LEADERSHIP', 'ADMIN');
const leadershipManager = person('lm', 'LEADERSHIP', 'MANAGER');

const signOff = (team, userId, extra = {}) => ({
  team, user: { id: userId, name: userId }, voidedAt: null, signedAt: '2026-12-03T10:00:00Z', ...extra,
});
const agreement = (status, pending, signOffs = [], kind = 'SERVICE_LEVEL_AGREEMENT') => ({
  id: 'A', kind, status, pending, revision: status === 'ACTIVE' ? 1 : 0, signOffs,
});

describe('who may do what', () => {
  test('a proposal signed by marketing: the sales manager countersigns, the marketing manager withdraws', () => {
    const a = agreement('ACTIVE', 'PROPOSED', [signOff('MARKETING', 'mm')]);
    const sales = agreementActions(salesManager, a, NOW);
    assert.equal(sales.sign, true);
    assert.equal(sales.countersign, true);
    assert.equal(sales.withdraw, false);
    assert.equal(sales.reject, true);
    const marketing = agreementActions(marketingManager, a, NOW);
    assert.equal(marketing.sign, false, 'one sign-off per team');
    assert.equal(marketing.withdraw, true);
    assert.equal(marketing.propose, false);
    assert.equal(marketing.edit, true, 'editing a proposal is allowed (it voids sign-offs)');
  });

  test('only the manager who signed withdraws, not a colleague of the same team', () => {
    const a = agreement('ACTIVE', 'PROPOSED', [signOff('MARKETING', 'someone-else')]);
    assert.equal(agreementActions(marketingManager, a, NOW).withdraw, false);
    const voided = agreement('ACTIVE', 'PROPOSED', [signOff('MARKETING', 'mm', { voidedAt: LONG_AGO })]);
    assert.equal(agreementActions(marketingManager, voided, NOW).withdraw, false);
    assert.equal(agreementActions(marketingManager, voided, NOW).sign, true, 'a voided sign-off does not count');
  });

  test('members, leadership and admins never sign; admins negotiate', () => {
    const a = agreement('ACTIVE', 'PROPOSED');
    for (const viewer of [marketingMember, salesMember, leadershipManager, admin]) {
      assert.equal(agreementActions(viewer, a, NOW).sign, false, viewer.id);
      assert.equal(agreementActions(viewer, a, NOW).withdraw, false, viewer.id);
    }
    for (const viewer of [marketingMember, salesMember, leadershipManager]) {
      const may = agreementActions(viewer, a, NOW);
      assert.deepEqual([may.edit, may.reject, may.discard], [false, false, false], viewer.id);
    }
    const byAdmin = agreementActions(admin, a, NOW);
    assert.deepEqual([byAdmin.edit, byAdmin.reject, byAdmin.discard], [true, true, true]);
  });

  test('each state offers its own actions', () => {
    const draft = agreementActions(marketingManager, agreement('DRAFT', 'DRAFT'), NOW);
    assert.deepEqual(
      [draft.edit, draft.propose, draft.discard, draft.proposeRetirement, draft.sign, draft.reject],
      [true, true, true, false, false, false],
    );
    const inForce = agreementActions(salesManager, agreement('ACTIVE', 'NONE'), NOW);
    assert.deepEqual(
      [inForce.edit, inForce.propose, inForce.discard, inForce.proposeRetirement, inForce.sign],
      [true, false, false, true, false],
    );
    const retiring = agreementActions(salesManager, agreement('ACTIVE', 'RETIREMENT_PROPOSED'), NOW);
    assert.deepEqual([retiring.edit, retiring.sign, retiring.reject, retiring.discard], [false, true, true, true]);
    for (const status of ['RETIRED', 'DISCARDED']) {
      const done = agreementActions(admin, agreement(status, 'NONE'), NOW);
      assert.equal(Object.entries(done).some(([k, v]) => k !== 'signBlocked' && k !== 'signableFrom' && v), false);
    }
  });

  test('persona evidence: any marketing or sales user, also on a retired persona', () => {
    const persona = agreement('RETIRED', 'NONE', [], 'PERSONA');
    assert.equal(agreementActions(salesMember, persona, NOW).addEvidence, true);
    assert.equal(agreementActions(marketingMember, persona, NOW).addEvidence, true);
    assert.equal(agreementActions(admin, persona, NOW).addEvidence, false);
    assert.equal(agreementActions(salesMember, agreement('ACTIVE', 'NONE'), NOW).addEvidence, false);
  });

  test('an inactive viewer may do nothing', () => {
    const a = agreement('ACTIVE', 'PROPOSED');
    const may = agreementActions({ ...salesManager, active: false }, a, NOW);
    assert.equal(may.sign || may.edit || may.reject, false);
  });
});

describe('the 24-hour cool-off', () => {
  test('a role an admin granted 5 hours ago blocks signing for 19 more hours', () => {
    const fresh = person('new', 'SALES', 'MANAGER', { roleGrantedAt: '2026-12-04T07:00:00Z' });
    const until = coolOffEnds(fresh, NOW);
    assert.equal(until.toISOString(), '2026-12-05T07:00:00.000Z');
    const may = agreementActions(fresh, agreement('ACTIVE', 'PROPOSED'), NOW);
    assert.equal(may.sign, true, 'the button shows, disabled');
    assert.match(may.signBlocked, /24 hours/);
    assert.equal(may.signableFrom.toISOString(), '2026-12-05T07:00:00.000Z');
    assert.equal(untilText(until, NOW), 'in 19 hours');
  });

  test('credentials issued later than the role count from their issue', () => {
    const v = person('new', 'SALES', 'MANAGER', {
      credentialsIssuedAt: '2026-12-04T11:30:00Z', credentialsIssuedBy: { id: 'admin' },
    });
    assert.equal(coolOffEnds(v, NOW).toISOString(), '2026-12-05T11:30:00.000Z');
  });

  test('no admin grant, or one over 24 hours old, blocks nothing', () => {
    assert.equal(coolOffEnds(salesManager, NOW), null);
    const selfMade = person('x', 'SALES', 'MANAGER', { roleGrantedAt: '2026-12-04T11:00:00Z', roleGrantedBy: null });
    assert.equal(coolOffEnds(selfMade, NOW), null);
    const exactly = person('y', 'SALES', 'MANAGER', { roleGrantedAt: '2026-12-03T12:00:00Z' });
    assert.equal(coolOffEnds(exactly, NOW), null);
    assert.equal(agreementActions(salesManager, agreement('ACTIVE', 'PROPOSED'), NOW).signBlocked, null);
  });

  test('the countdown reads in minutes under an hour', () => {
    assert.equal(untilText(new Date(NOW.getTime() + 61_000), NOW), 'in 2 minutes');
    assert.equal(untilText(new Date(NOW.getTime() + 90 * 60_000), NOW), 'in 1 hour 30 minutes');
    assert.equal(untilText(new Date(NOW.getTime() - 1), NOW), 'now');
  });
});

describe('what waits for the viewer', () => {
  test('proposals the viewer\'s team has not signed come first', () => {
    const signedBySales = { ...agreement('ACTIVE', 'PROPOSED', [signOff('SALES', 'sm')]), id: 'B' };
    const open = { ...agreement('DRAFT', 'PROPOSED'), id: 'C' };
    const quiet = { ...agreement('ACTIVE', 'NONE'), id: 'D' };
    assert.deepEqual(viewerFirst(salesManager, [quiet, signedBySales, open]).map((a) => a.id), ['C', 'D', 'B']);
    assert.equal(waitsForViewer(marketingManager, signedBySales), true);
    assert.equal(waitsForViewer(marketingMember, open), false);
    assert.equal(signatureSummary(signedBySales), 'waiting for Marketing; Sales signed (sm)');
    assert.equal(signatureSummary(quiet), '');
  });
});

describe('the diff of nested terms', () => {
  const sla = {
    __typename: 'ServiceLevelAgreementTerms', acceptWithinHours: '4', minTouchAttempts: 3,
    businessCalendar: { timezone: 'Europe/Berlin', workingDays: ['MON', 'TUE'], holidays: ['2026-12-25', '2026-12-26'] },
    effectiveUntil: null,
  };

  test('changed, added and removed fields, holidays item by item', () => {
    const amended = {
      ...sla, acceptWithinHours: '3', effectiveUntil: '2027-01-01T00:00:00+00:00',
      businessCalendar: { ...sla.businessCalendar, holidays: ['2026-12-25', '2026-12-31'] },
    };
    const changes = diffTerms(sla, amended);
    assert.deepEqual(changes, [
      { path: ['acceptWithinHours'], change: 'changed', before: '4', after: '3' },
      { path: ['businessCalendar', 'holidays'], change: 'removed', before: '2026-12-26', after: null },
      { path: ['businessCalendar', 'holidays'], change: 'added', before: null, after: '2026-12-31' },
      { path: ['effectiveUntil'], change: 'added', before: null, after: '2027-01-01T00:00:00+00:00' },
    ]);
    assert.deepEqual(diffCounts(changes), { added: 2, removed: 1, changed: 1 });
    assert.equal(pathText(changes[1].path), 'Business calendar › holidays');
  });

  test('rules are matched by label or activity, so an inserted rule is one change', () => {
    const rule = (label, points) => ({ field: 'industry', operator: 'EQ', values: ['X'], points, label });
    const before = { fitRules: [rule('Core', '20'), rule('Size', '10')], engagementRules: [{ activityKind: 'PAGE_VIEW', points: '1' }] };
    const after = {
      fitRules: [rule('New', '5'), rule('Core', '25'), rule('Size', '10')],
      engagementRules: [{ activityKind: 'PAGE_VIEW', points: '2' }, { activityKind: 'DEMO_REQUEST', points: '25' }],
    };
    const changes = diffTerms(before, after);
    assert.deepEqual(changes.map((c) => [c.path.join('.'), c.change]), [
      ['fitRules.Core.points', 'changed'],
      ['fitRules.New', 'added'],
      ['engagementRules.PAGE_VIEW.points', 'changed'],
      ['engagementRules.DEMO_REQUEST', 'added'],
    ]);
    const removed = diffTerms(after, before).filter((c) => c.change === 'removed').map((c) => c.path.join('.'));
    assert.deepEqual(removed, ['fitRules.New', 'engagementRules.DEMO_REQUEST']);
  });

  test('a whole calendar removed or terms unchanged', () => {
    assert.deepEqual(diffTerms(sla, { ...sla, businessCalendar: null }).map((c) => c.change), ['removed']);
    assert.deepEqual(diffTerms(sla, plainTerms(sla)), []);
    assert.deepEqual(diffTerms(null, { a: 1 }), [{ path: [], change: 'added', before: null, after: { a: 1 } }]);
  });

  test('two rules with the same label are still told apart', () => {
    const r = (points) => ({ label: 'Dup', points });
    const changes = diffTerms({ fitRules: [r('1'), r('2')] }, { fitRules: [r('1'), r('3')] });
    assert.deepEqual(changes.map((c) => c.path.join('.')), ['fitRules.Dup (2).points']);
  });
});

describe('the terms forms', () => {
  test('SLA terms round-trip through the form, keeping instants to the second', () => {
    const terms = {
      qualifiedLeadsPerMonth: 30, acceptWithinHours: '4', firstTouchWithinHours: '8',
      minTouchAttempts: 3, touchWindowDays: 7, acceptTimeoutAction: 'NOTIFY', routing: 'ROUND_ROBIN',
      businessCalendar: { timezone: 'Europe/Berlin', workingDays: ['MON'], dayStart: '09:00', dayEnd: '18:00', holidays: ['2026-12-25'] },
      reviewCadenceDays: 14, effectiveFrom: '2026-09-05T21:32:17.250000+00:00', effectiveUntil: null,
    };
    const model = formModel('SERVICE_LEVEL_AGREEMENT', terms, 'Europe/Berlin');
    assert.equal(model.effectiveFrom, '2026-09-05T23:32');
    assert.equal(model.acceptWithinHours, '4');
    const { terms: back, errors } = termsInput('SERVICE_LEVEL_AGREEMENT', model, 'Europe/Berlin');
    assert.deepEqual(errors, {});
    assert.deepEqual(back, terms);
    const moved = termsInput('SERVICE_LEVEL_AGREEMENT', { ...model, effectiveFrom: '2026-10-01T09:00', calendarOn: false }, 'Europe/Berlin');
    assert.equal(moved.terms.effectiveFrom, '2026-10-01T07:00:00.000Z');
    assert.equal(moved.terms.businessCalendar, null);
  });

  test('what GraphQL would refuse whole is caught per field first', () => {
    const model = formModel('SERVICE_LEVEL_AGREEMENT', null, 'UTC');
    assert.equal(model.calendarOn, true, 'a new SLA starts on business hours');
    const { errors } = termsInput('SERVICE_LEVEL_AGREEMENT', { ...model, acceptWithinHours: 'four', minTouchAttempts: '2.5' }, 'UTC');
    assert.deepEqual(Object.keys(errors).sort(), [
      'acceptWithinHours', 'firstTouchWithinHours', 'minTouchAttempts', 'qualifiedLeadsPerMonth',
      'reviewCadenceDays', 'touchWindowDays',
    ]);
  });

  test('model rules: values one per line, optional numbers stay null', () => {
    const model = formModel('QUALIFICATION_MODEL', null);
    model.fitRules.push({ field: 'industry', operator: 'IN', values: 'Retail\n Logistics \n', points: '-5', label: 'Ind' });
    model.engagementRules.push({ activityKind: 'PAGE_VIEW', points: '1', maxPoints: '5', halfLifeDays: '' });
    model.mqlThreshold = '50';
    const { terms, errors } = termsInput('QUALIFICATION_MODEL', model);
    assert.deepEqual(errors, {});
    assert.deepEqual(terms.fitRules[0].values, ['Retail', 'Logistics']);
    assert.equal(terms.engagementRules[0].halfLifeDays, null);
    assert.equal(terms.minFitScore, null);
    assert.equal(terms.handRaiseWindowDays, 7);
    model.engagementRules[0].points = '';
    assert.deepEqual(Object.keys(termsInput('QUALIFICATION_MODEL', model).errors), ['engagementRules.0.points']);
  });

  test('goals and personas', () => {
    const goal = termsInput('GOAL', { ...formModel('GOAL', null), title: 'T', target: '100', periodStart: '2027-01-01', periodEnd: '2027-03-31' });
    assert.deepEqual(goal.errors, {});
    assert.equal(goal.terms.target, '100');
    const persona = formModel('PERSONA', { name: 'P', industries: ['A', 'B'], companySizeMin: 50, companySizeMax: null });
    assert.equal(persona.industries, 'A\nB');
    const back = termsInput('PERSONA', persona).terms;
    assert.deepEqual([back.industries, back.companySizeMin, back.companySizeMax, back.regions], [['A', 'B'], 50, null, []]);
  });

  test('wall times follow the zone', () => {
    assert.equal(instantToWallTime('2026-07-01T12:00:00Z', 'America/New_York'), '2026-07-01T08:00');
    assert.equal(instantToWallTime(null, 'UTC'), '');
  });
});

describe('errors, drafts, slugs', () => {
  test('a userError lands on its field, or the closest enclosing one, else above the form', () => {
    const errors = [
      { field: ['terms', 'fitRules', '2', 'values'], message: 'give two values' },
      { field: ['terms', 'businessCalendar', 'holidays', '3'], message: 'not a date' },
      { field: ['terms', 'businessCalendar', 'workingDays', '0'], message: 'unknown weekday' },
      { field: ['expectedVersion'], message: 'stale' },
      { field: null, message: 'forbidden' },
    ];
    const placed = placeErrors(errors, ['fitRules.2.values', 'businessCalendar.holidays', 'businessCalendar.workingDays']);
    assert.deepEqual(placed.fields, {
      'fitRules.2.values': ['Give two values.'],
      'businessCalendar.holidays': ['Not a date.'],
      'businessCalendar.workingDays': ['Unknown weekday.'],
    });
    assert.deepEqual(placed.general, ['Stale.', 'Forbidden.']);
  });

  test('drafts are per viewer and agreement, and a broken one is ignored', () => {
    assert.notEqual(draftKey('u1', 'A'), draftKey('u2', 'A'));
    assert.notEqual(draftKey('u1', 'A'), draftKey('u1', 'B'));
    const stored = writeDraft('GOAL', { title: 'x' }, 4, NOW);
    assert.deepEqual(readDraft(stored, 'GOAL'), { kind: 'GOAL', model: { title: 'x' }, baseVersion: 4, savedAt: NOW.toISOString() });
    assert.equal(readDraft(stored, 'PERSONA'), null);
    assert.equal(readDraft('{not json', 'GOAL'), null);
    assert.equal(readDraft(null, 'GOAL'), null);
  });

  test('kinds by slug', () => {
    assert.equal(kindOfSlug('sla'), 'SERVICE_LEVEL_AGREEMENT');
    assert.equal(kindOfSlug('qualification-model'), 'QUALIFICATION_MODEL');
    assert.equal(kindOfSlug('nope'), null);
  });
});
