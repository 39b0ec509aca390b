// The dashboard's drill-down read back by the list screens: a filter input
// type's fields from the URL by their declared types (client/logic.js), the
// leads list keeping the dashboard's fields, and HandoffFilter's fields
// matching the schema's.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import { filterFromParams, filterSummary, paramsFromFilter } from '../../client/logic.js';
import {
  activeFilterCount, LEAD_DRILL_FIELDS, leadFiltersFromForm, leadFiltersFromQuery,
  leadListVariables, leadQueryFromFilters, leadWord,
} from '../../client/logic/leads.js';
import { drillHref } from '../../client/logic/metrics.js';
import { HANDOFF_FILTER_FIELDS } from '../../client/logic/waterfall.js';

const SCHEMA = readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');

function inputFields(name) {
  const body = SCHEMA.match(new RegExp(`input ${name} \\{([^}]*)\\}`))[1];
  const fields = {};
  for (const m of body.matchAll(/^\s*(\w+): (\[?)(\w+)!?\]?/gm)) {
    fields[m[1]] = { list: m[2] === '[', type: m[3] };
  }
  return fields;
}

function enumValues(name) {
  const body = SCHEMA.match(new RegExp(`enum ${name} \\{([^}]*)\\}`))[1];
  return body.split('\n').map((s) => s.trim()).filter((s) => /^[A-Z_]+$/.test(s));
}

function sameAsSchema(spec, declared, name) {
  const t = declared.type;
  if (['DateTime', 'Boolean', 'Int', 'String', 'ID'].includes(t)) {
    assert.equal(spec.type, t, name);
  } else {
    assert.deepEqual(spec.type, enumValues(t), name);
  }
  assert.equal(Boolean(spec.list), declared.list, name);
}

describe('drill-down filters', () => {
  test('HandoffFilter: every field of the schema, with its type', () => {
    const declared = inputFields('HandoffFilter');
    assert.deepEqual(Object.keys(HANDOFF_FILTER_FIELDS).sort(), Object.keys(declared).sort());
    for (const [name, spec] of Object.entries(HANDOFF_FILTER_FIELDS)) {
      sameAsSchema(spec, declared[name], name);
    }
  });

  test('LeadFilter: the dashboard fields are the schema\'s, with their types', () => {
    const declared = inputFields('LeadFilter');
    for (const [name, spec] of Object.entries(LEAD_DRILL_FIELDS)) {
      assert.ok(declared[name], name);
      sameAsSchema(spec, declared[name], name);
    }
    // every LeadFilter field is read: by the form (stages, grades, …) or here
    const byForm = ['stages', 'grades'];
    for (const name of Object.keys(declared)) {
      assert.ok(byForm.includes(name) || LEAD_DRILL_FIELDS[name], `${name} is not read`);
    }
  });

  test('values are read by type and the ill-typed dropped', () => {
    const filter = filterFromParams(HANDOFF_FILTER_FIELDS, {
      status: 'ACCEPTED,NOPE,REJECTED', latestInChain: 'true', touched: 'maybe',
      autoAccepted: 'false', chainStartedFrom: '2026-10-01T00:00:00Z', chainStartedTo: '2026-10-01',
      assigneeIds: 'VXNlcjox,', chainOutcomes: 'NOPE', unknown: 'x',
    });
    assert.deepEqual(filter, {
      status: ['ACCEPTED', 'REJECTED'], latestInChain: true, autoAccepted: false,
      chainStartedFrom: '2026-10-01T00:00:00Z', assigneeIds: ['VXNlcjox'],
    });
    assert.deepEqual(filterFromParams(HANDOFF_FILTER_FIELDS, paramsFromFilter(filter)), filter);
  });

  test('a dashboard link read back gives the figure\'s filter exactly', () => {
    const leads = {
      stages: ['SQL', 'OPPORTUNITY'], stageAt: '2026-12-31T23:00:00Z',
      qualifiedFrom: '2026-10-01T00:00:00Z', qualifiedTo: '2027-01-01T00:00:00Z',
      qualifiedBy: ['MANUAL'], qualifiedPersonaIds: ['UGVyc29uYTox'], advanced: false,
      enteredStage: 'SQL', enteredFrom: '2026-10-01T00:00:00Z', deliveredManually: true,
    };
    const href = drillHref({ count: 3, leads });
    const query = Object.fromEntries(new URLSearchParams(href.split('?')[1]));
    const state = leadFiltersFromQuery(query);
    assert.deepEqual(leadListVariables(state, 'Europe/Berlin').filter, leads);
    // sorting by the form (its stage boxes checked) keeps them; so does the URL
    const sorted = { ...leadFiltersFromForm({ sort: 'NAME_ASC', stages: state.stages }), extra: state.extra };
    assert.deepEqual(leadListVariables(sorted, 'UTC').filter, leads);
    const again = leadFiltersFromQuery(leadQueryFromFilters(sorted));
    assert.deepEqual(leadListVariables(again, 'UTC').filter, leads);
    assert.equal(again.sort, 'NAME_ASC');
    assert.equal(activeFilterCount(state), 1 + Object.keys(leads).length - 1);
  });

  test('the form\'s day and the dashboard\'s instant under one name do not mix', () => {
    const day = leadFiltersFromQuery({ createdFrom: '2026-03-01' });
    assert.equal(day.createdFrom, '2026-03-01');
    assert.deepEqual(day.extra, {});
    const instant = leadFiltersFromQuery({ createdFrom: '2026-03-01T00:00:00Z', qualified: 'true' });
    assert.equal(instant.createdFrom, '');
    assert.deepEqual(instant.extra, { createdFrom: '2026-03-01T00:00:00Z', qualified: true });
    assert.equal(instant.qualified, '');
  });

  test('the summary speaks words, in the viewer\'s timezone', () => {
    const lines = filterSummary(HANDOFF_FILTER_FIELDS, {
      status: ['ACCEPTED'], latestInChain: true, assigneeIds: ['A', 'B'],
      createdFrom: '2026-10-01T00:00:00Z',
    }, { timeZone: 'Asia/Tokyo', names: new Map([['A', 'Ann']]), word: leadWord });
    assert.deepEqual(lines.map((l) => [l.key, l.text.replace(/\s/g, ' ')]), [
      ['status', 'Accepted'], ['latestInChain', 'yes'], ['assigneeIds', 'Ann, B'],
      ['createdFrom', lines[3].text.replace(/\s/g, ' ')],
    ]);
    assert.match(lines[3].text, /1 Oct 2026|Oct 1, 2026/);
    assert.match(lines[3].text, /09:00/);
  });
});
