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
