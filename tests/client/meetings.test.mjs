// The meetings' pure logic (client/logic/meetings.js) without a browser.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  defaultPeriod, figureHref, itemCounts, lines, mayChangeItem, mayEdit, mayRun,
  periodWords, recordHref, scheduleInput,
} from '../../client/logic/meetings.js';

const manager = { id: 'u1', role: 'MANAGER' };
const member = { id: 'u2', role: 'MEMBER' };
const admin = { id: 'u3', role: 'ADMIN' };
const meeting = { attendees: [{ id: 'u2' }], actionItems: [] };

describe('who', () => {
  test('managers run meetings; attendees and managers edit; owners change their items', () => {
    assert.equal(mayRun(manager), true);
    assert.equal(mayRun(admin), false);
    assert.equal(mayEdit(member, meeting), true);
    assert.equal(mayEdit({ id: 'u9', role: 'MEMBER' }, meeting), false);
    assert.equal(mayChangeItem({ id: 'u9', role: 'MEMBER' }, meeting, { owner: { id: 'u9' } }), true);
  });
});

describe('links', () => {
  test('figures open their list, records their page', () => {
    assert.equal(figureHref({ handoffs: { rejectionReasons: ['NO_BUDGET'] } }),
      '#/handoffs?rejectionReasons=NO_BUDGET');
    assert.equal(figureHref({ contentRequests: { overdue: true } }), '#/content?overdue=1');
    assert.equal(figureHref({ label: 'x' }), null);
    assert.equal(recordHref({ type: 'Lead', id: 'a b' }), '#/leads/a%20b');
    assert.equal(recordHref({ type: 'Other', id: 'x' }), null);
  });
});

describe('schedule form', () => {
  const toInstant = (text) => (text ? `${text}:00Z` : null);

  test('a complete form becomes the input, topics one per line', () => {
    const { input } = scheduleInput({
      kind: 'LEAD_REVIEW', title: ' Weekly ', scheduledFor: '2026-12-07T10:00',
      attendeeIds: ['u1', 'u2'], from: '2026-11-01', to: '2026-12-01', agendaTopics: 'a\n\n b ',
    }, toInstant, 'UTC');
    assert.deepEqual(input, {
      kind: 'LEAD_REVIEW', title: 'Weekly', scheduledFor: '2026-12-07T10:00:00Z',
      attendeeIds: ['u1', 'u2'], timezone: 'UTC', agendaTopics: ['a', 'b'],
      reviewedPeriod: { from: '2026-11-01', to: '2026-12-01' },
    });
  });

  test('missing pieces are named before anything is sent', () => {
    const { problems } = scheduleInput({ kind: 'X', title: '', attendeeIds: [], from: '2026-12-02', to: '2026-12-01' }, toInstant, 'UTC');
    assert.deepEqual(Object.keys(problems).sort(), ['attendeeIds', 'kind', 'reviewedPeriod', 'scheduledFor', 'title']);
  });
});

test('counts, lines, periods', () => {
  assert.deepEqual(itemCounts({ actionItems: [{ status: 'OPEN', overdue: true }, { status: 'DONE', overdue: false }] }), { open: 1, overdue: 1 });
  assert.deepEqual(lines(' a \n\nb'), ['a', 'b']);
  assert.deepEqual(defaultPeriod('2026-03-01'), { from: '2026-01-30', to: '2026-03-01' });
  assert.equal(periodWords({ from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z', timezone: 'UTC' }), '1 Nov 2026 – 30 Nov 2026');
});
