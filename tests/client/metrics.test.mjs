// The dashboard's pure logic (client/logic/metrics.js), without a browser.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  drillHref, funnelBars, lastDay, percent, periodFor, reasonLabel,
} from '../../client/logic/metrics.js';

const NOW = new Date('2026-01-10T12:00:00Z');

test('presets are half-open periods of local dates', () => {
  assert.deepEqual(periodFor('this-month', NOW, 'Europe/Berlin'), { from: '2026-01-01', to: '2026-02-01' });
  assert.deepEqual(periodFor('last-month', NOW, 'Europe/Berlin'), { from: '2025-12-01', to: '2026-01-01' });
  assert.deepEqual(periodFor('quarter', NOW, 'Europe/Berlin'), { from: '2026-01-01', to: '2026-04-01' });
  assert.deepEqual(periodFor('custom', NOW, 'UTC', { from: '2026-03-02', to: '2026-03-09' }), { from: '2026-03-02', to: '2026-03-09' });
});

test('the month is read in the viewer timezone, not UTC', () => {
  const newYear = new Date('2025-12-31T23:30:00Z'); // already 1 January in Berlin
  assert.equal(periodFor('this-month', newYear, 'Europe/Berlin').from, '2026-01-01');
  assert.equal(periodFor('this-month', newYear, 'America/New_York').from, '2025-12-01');
});

test('the last day shown is the day before the excluded end', () => {
  assert.equal(lastDay('2026-03-01'), '2026-02-28');
  assert.equal(lastDay('2027-01-01'), '2026-12-31');
});

test('a figure links to its list with the filter in the URL', () => {
  const href = drillHref({ count: 2, handoffs: { latestInChain: true, chainOutcomes: ['ACCEPTED', 'REJECTED'] } });
  assert.equal(href, '#/handoffs?latestInChain=true&chainOutcomes=ACCEPTED%2CREJECTED');
  assert.equal(drillHref({ count: 1, leads: { stages: ['SAL'] } }), '#/leads?stages=SAL');
  assert.equal(drillHref({ count: 0 }), null);
});

test('funnel bars scale to the largest stage and keep small ones visible', () => {
  const bars = funnelBars([{ stage: 'NEW', count: 200 }, { stage: 'WON', count: 1 }, { stage: 'LOST', count: 0 }]);
  assert.deepEqual(bars.map((b) => b.share), [1, 0.01, 0]);
});

test('ratios read as percentages, none as a dash', () => {
  assert.equal(percent(null), '—');
  assert.equal(percent(0.75), '75 %');
  assert.equal(percent(0.05), '5.0 %');
  assert.equal(reasonLabel('NOT_A_FIT'), 'Not a fit');
});

test('the planner reads percentages and leaves blanks to the observed rates', async () => {
  const { planInput } = await import('../../client/logic/metrics.js');
  const { input, errors } = planInput({
    revenue: '1,000,000', months: '12', lookBackDays: '', averageDealSize: '', mqlToSal: '50', salToSql: '', sqlToWon: '25',
  });
  assert.deepEqual(errors, {});
  assert.deepEqual(input, { revenue: '1000000', months: 12, lookBackDays: 180, mqlToSal: '0.5', sqlToWon: '0.25' });
  const bad = planInput({ revenue: '0', months: '0', mqlToSal: '120' });
  assert.deepEqual(Object.keys(bad.errors).sort(), ['months', 'mqlToSal', 'revenue']);
});

test('each plan step says what it was divided by', async () => {
  const { planRows } = await import('../../client/logic/metrics.js');
  const rows = planRows({
    averageDealSize: '20000', sqlToWon: '0.25', salToSql: '0.4', mqlToSal: '0.5',
    steps: [
      { name: 'revenue', value: 1000000, exact: 1000000 },
      { name: 'deals', value: 50, exact: 50 },
      { name: 'sqls', value: 200, exact: 200 },
      { name: 'sals', value: 500, exact: 500 },
      { name: 'mqls', value: 1000, exact: 1000 },
    ],
  });
  assert.deepEqual(rows.map((r) => r.how), [
    '', '÷ 20,000 average deal size', '÷ 25 % SQL → won', '÷ 40 % SAL → SQL', '÷ 50 % MQL → SAL',
  ]);
});

test('the simulator shows the draft beside the model in force, or a dash without one', async () => {
  const { verdictRows } = await import('../../client/logic/metrics.js');
  const verdicts = {
    qualifyNow: 8, precision: 0.875, recall: 1, truePositives: 7, falsePositives: 1, falseNegatives: 0,
  };
  const rows = verdictRows({ draft: verdicts, inForce: null });
  assert.deepEqual(rows[0], ['Would qualify now', 8, '—']);
  assert.deepEqual(rows[1].slice(1), ['88 %', '—']);
});
