// client/logic/events.js, webhooks: kind labels, the form's input and checks,
// how a delivery stands, durations and summaries.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  deliveryState, EVENT_KINDS, eventKindLabel, eventsSummary, formatDuration, webhookInput,
  webhookProblems,
} from '../../client/logic/events.js';

test('event kinds read as words', () => {
  assert.equal(eventKindLabel('HANDOFF_CREATED'), 'Handoff created');
  assert.equal(eventKindLabel('SLA_AT_RISK'), 'SLA at risk');
  assert.equal(eventKindLabel('FOLLOW_UP_RECORDED'), 'Follow-up recorded');
  assert.equal(eventKindLabel(''), '');
  assert.equal(new Set(EVENT_KINDS).size, EVENT_KINDS.length);
});

test('the form gives a trimmed URL and known kinds only, checked before sending', () => {
  const input = webhookInput({ url: '  https://a.example.com/h ', events: ['LEAD_CREATED', 'NOPE'] });
  assert.deepEqual(input, { url: 'https://a.example.com/h', events: ['LEAD_CREATED'] });
  assert.deepEqual(webhookProblems(input), {});
  const bad = webhookProblems(webhookInput({ url: 'ftp://x', events: [] }));
  assert.deepEqual(Object.keys(bad).sort(), ['events', 'url']);
  assert.match(webhookProblems({ url: '', events: ['LEAD_CREATED'] }).url[0], /URL/);
});

test('a delivery says where it stands', () => {
  assert.deepEqual(deliveryState({ status: 'SUCCEEDED', attempts: 1 }), { text: 'Delivered', tone: 'ok' });
  assert.equal(deliveryState({ status: 'SUCCEEDED', attempts: 3 }).text, 'Delivered after 3 attempts');
  assert.equal(deliveryState({ status: 'FAILED', attempts: 10 }).tone, 'bad');
  assert.equal(deliveryState({ status: 'PENDING', attempts: 0 }).text, 'Waiting to be sent');
  assert.equal(deliveryState({ status: 'PENDING', attempts: 2 }).tone, 'warn');
});

test('durations and summaries', () => {
  assert.equal(formatDuration(null), '—');
  assert.equal(formatDuration(412), '412 ms');
  assert.equal(formatDuration(3210), '3.2 s');
  assert.equal(eventsSummary(EVENT_KINDS), 'All events');
  assert.equal(eventsSummary(['LEAD_CREATED']), 'Lead created');
  assert.equal(
    eventsSummary(['LEAD_CREATED', 'LEAD_UPDATED', 'LEAD_MERGED', 'SLA_BREACHED']),
    'Lead created, Lead updated, Lead merged and 1 more',
  );
});
