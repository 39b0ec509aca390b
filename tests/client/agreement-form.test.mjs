// The terms form's pure helpers (client/views/agreements/form.js): rows added
// and removed without touching the model given, and fit-rule values switching
// between a persona choice (a list) and typed lines (text).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { addRow, normaliseRows, removeRow } from '../../client/views/agreements/form.js';

test('rows are added at the end and removed by index, on copies', () => {
  const model = { fitRules: [{ label: 'A' }], businessCalendar: { holidays: ['2026-12-25'] } };
  const more = addRow(model, 'fitRules');
  assert.equal(more.fitRules.length, 2);
  assert.deepEqual(more.fitRules[1], { field: 'industry', operator: 'EQ', values: [], points: '', label: '' });
  assert.equal(model.fitRules.length, 1, 'the model given is unchanged');
  const day = addRow(model, 'businessCalendar.holidays');
  assert.deepEqual(day.businessCalendar.holidays, ['2026-12-25', '']);
  assert.deepEqual(removeRow(day, 'businessCalendar.holidays', 0).businessCalendar.holidays, ['']);
  assert.deepEqual(model.businessCalendar.holidays, ['2026-12-25']);
});

test('a fit rule switched to the persona field gets a list of values, and back to lines', () => {
  const model = { fitRules: [{ field: 'persona', values: 'typed text' }, { field: 'industry', values: ['A', 'B'] }] };
  normaliseRows(model);
  assert.deepEqual(model.fitRules[0].values, []);
  assert.equal(model.fitRules[1].values, 'A\nB');
  assert.deepEqual(normaliseRows({ mqlThreshold: '5' }), { mqlThreshold: '5' });
});
