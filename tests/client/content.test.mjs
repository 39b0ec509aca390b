// The content board's pure logic (client/logic/content.js) without a browser.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  apiFilter, boardColumns, boardVariables, cancelledCount, checkNewRequest, dueState,
  filterFromQuery, formatDay, highlight, initials, moveByKey, moveTo, moved, movesFor,
  newRequestInput, queryFromFilter, ratingWords, targetOf,
} from '../../client/logic/content.js';

const card = (status, viewerActions, extra = {}) => ({ id: 'r1', status, viewerActions, ...extra });
// Friday 4 December 2026, 23:30 UTC: already Saturday in Tokyo.
const NOW = new Date('2026-12-04T23:30:00Z');

describe('moves', () => {
  test('only the moves the server allows the viewer are offered, with their target', () => {
    const review = card('IN_REVIEW', ['REQUEST_CHANGES', 'DELIVER', 'COMMENT', 'VOTE']);
    assert.deepEqual(movesFor(review).map((m) => [m.action, m.to]), [
      ['REQUEST_CHANGES', 'IN_PROGRESS'], ['DELIVER', 'DELIVERED'],
    ]);
    assert.deepEqual(movesFor(card('IN_REVIEW', ['COMMENT', 'VOTE'])), []);
  });

  test('reopening goes back to work or to triage depending on why it closed', () => {
    assert.equal(targetOf('REOPEN', 'DELIVERED'), 'IN_PROGRESS');
    assert.equal(targetOf('REOPEN', 'DECLINED'), 'SUBMITTED');
  });

  test('a drop on a column finds the move that goes there, or none', () => {
    const submitted = card('SUBMITTED', ['ACCEPT', 'DECLINE', 'COMMENT']);
    assert.equal(moveTo(submitted, 'ACCEPTED').action, 'ACCEPT');
    assert.equal(moveTo(submitted, 'DECLINED').action, 'DECLINE');
    assert.equal(moveTo(submitted, 'IN_REVIEW'), null);
    assert.equal(moveTo(card('SUBMITTED', ['CANCEL']), 'ACCEPTED'), null);
  });

  test('shift and an arrow key move a card to the nearest allowed column that way', () => {
    const review = card('IN_REVIEW', ['REQUEST_CHANGES', 'DELIVER']);
    assert.equal(moveByKey(review, 1).action, 'DELIVER');
    assert.equal(moveByKey(review, -1).action, 'REQUEST_CHANGES');
    assert.equal(moveByKey(card('DELIVERED', ['RATE']), 1), null);
    const submitted = card('SUBMITTED', ['ACCEPT', 'DECLINE']);
    assert.equal(moveByKey(submitted, 1).action, 'ACCEPT');
  });

  test('an optimistic move shows the card in its new column with nothing to do yet', () => {
    const after = moved(card('ACCEPTED', ['START']), { to: 'IN_PROGRESS' });
    assert.deepEqual([after.status, after.viewerActions], ['IN_PROGRESS', []]);
  });
});

describe('due dates in the viewer\'s timezone', () => {
  const open = card('IN_PROGRESS', []);
  test('overdue, this week and later count from the viewer\'s today', () => {
    assert.equal(dueState('2026-12-04', open, 'UTC', NOW), 'this-week');
    assert.equal(dueState('2026-12-04', open, 'Asia/Tokyo', NOW), 'overdue');
    assert.equal(dueState('2026-12-11', open, 'Asia/Tokyo', NOW), 'this-week');
    assert.equal(dueState('2026-12-12', open, 'Asia/Tokyo', NOW), 'later');
    assert.equal(dueState(null, open, 'UTC', NOW), '');
  });

  test('a delivery is on time or late against each date separately', () => {
    const done = card('DELIVERED', [], { deliveredAt: '2026-11-20T10:00:00Z' });
    assert.equal(dueState('2026-11-18', done, 'UTC', NOW), 'late');
    assert.equal(dueState('2026-11-20', done, 'UTC', NOW), 'on-time');
  });

  test('declined and cancelled requests are never highlighted', () => {
    for (const status of ['DECLINED', 'CANCELLED']) {
      assert.equal(dueState('2020-01-01', card(status, []), 'UTC', NOW), '');
    }
  });

  test('a card is highlighted by the worse of its two dates', () => {
    const both = card('ACCEPTED', [], {
      requestedDueDate: '2026-12-01', committedDueDate: '2026-12-20',
    });
    assert.equal(highlight(both, 'UTC', NOW), 'overdue');
    assert.equal(highlight({ ...both, requestedDueDate: null }, 'UTC', NOW), '');
  });

  test('a calendar date is shown as that day whatever the timezone', () => {
    assert.equal(formatDay('2026-12-04'), 'Fri 4 Dec');
  });
});

describe('filters in the URL', () => {
  test('a query round-trips through the filter, defaults left out', () => {
    const filter = filterFromQuery({ type: 'VIDEO', q: 'deck', order: 'VOTES', mine: 'requested' });
    assert.deepEqual(queryFromFilter(filter), {
      q: 'deck', type: 'VIDEO', mine: 'requested', order: 'VOTES',
    });
    assert.deepEqual(queryFromFilter(filterFromQuery({})), {});
  });

  test('values that are not choices are dropped, not sent', () => {
    const filter = filterFromQuery({ type: '<img>', order: 'DROP', overdue: 'yes' });
    assert.deepEqual([filter.type, filter.order, filter.overdue], ['', 'DUE_DATE', '']);
  });

  test('"mine" becomes the viewer as requester or assignee', () => {
    const viewer = { id: 'U1' };
    assert.deepEqual(apiFilter(filterFromQuery({ mine: 'assigned', overdue: '1' }), viewer), {
      assigneeIds: ['U1'], overdue: true,
    });
    const variables = boardVariables(filterFromQuery({ q: ' deck ' }), viewer);
    assert.equal(variables.text, 'deck');
    assert.deepEqual(variables.filter, { text: 'deck' });
    assert.equal(variables.first, 50);
  });
});

describe('the board\'s answer', () => {
  test('columns in board order with their counts, cards and whether more exist', () => {
    const data = {
      counts: [{ status: 'SUBMITTED', count: 51 }, { status: 'CANCELLED', count: 2 }],
      submitted: { edges: [{ node: { id: 'a' } }], pageInfo: { hasNextPage: true } },
    };
    const columns = boardColumns(data);
    assert.equal(columns.length, 6);
    assert.deepEqual(
      [columns[0].status, columns[0].count, columns[0].cards.length, columns[0].more],
      ['SUBMITTED', 51, 1, true],
    );
    assert.deepEqual([columns[1].count, columns[1].cards], [0, []]);
    assert.equal(cancelledCount(data), 2);
  });
});

describe('the create form', () => {
  test('a title and a type are required; a past requested date is refused', () => {
    const fields = checkNewRequest({ title: ' ', contentType: '', requestedDueDate: '2026-12-01' }, '2026-12-04');
    assert.deepEqual(Object.keys(fields).sort(), ['contentType', 'requestedDueDate', 'title']);
    assert.deepEqual(checkNewRequest({ title: 'Deck', contentType: 'VIDEO' }, '2026-12-04'), {});
  });

  test('the input trims text and sends nothing for empty choices', () => {
    const input = newRequestInput(
      { title: ' Deck ', contentType: 'VIDEO', priority: '', description: '  ', personaId: '' },
      'key-1',
    );
    assert.deepEqual(input, {
      title: 'Deck', contentType: 'VIDEO', priority: 'MEDIUM', description: null,
      personaId: null, leadStage: null, requestedDueDate: null, idempotencyKey: 'key-1',
    });
  });
});

test('ratings and initials read at a glance', () => {
  assert.equal(ratingWords(4.25, 4), '4.3 of 5 (4 ratings)');
  assert.equal(ratingWords(null, 0), 'Not rated yet');
  assert.equal(initials('Aylin  Demir'), 'AD');
});
