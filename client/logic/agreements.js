// Agreements, pure: who may do what in which state (a mirror of SPEC §2.1/§2.2,
// the server decides), the 24-hour cool-off, a field-level diff of nested terms,
// the terms forms' model (every value as typed) to and from the API, and where
// a userError's path belongs on a form. No DOM, no network, the clock passed in.
// Tested with `node --test` (tests/client/agreements.test.mjs).

import { sentence, usableTimeZone, wallTimeToInstant } from '../logic.js';

export const KINDS = ['GOAL', 'PERSONA', 'QUALIFICATION_MODEL', 'SERVICE_LEVEL_AGREEMENT'];
export const SIGNING_TEAMS = ['MARKETING', 'SALES'];
export const NEGOTIATING = ['PROPOSED', 'RETIREMENT_PROPOSED'];
export const COOL_OFF_MS = 24 * 3600 * 1000;

export const KIND_INFO = {
  GOAL: { name: 'goal', plural: 'Goals', slug: 'goal', payload: 'goal', type: 'Goal' },
  PERSONA: { name: 'persona', plural: 'Personas', slug: 'persona', payload: 'persona', type: 'Persona' },
  QUALIFICATION_MODEL: {
    name: 'qualification model', plural: 'Qualification models', slug: 'qualification-model',
    payload: 'qualificationModel', type: 'QualificationModel',
  },
  SERVICE_LEVEL_AGREEMENT: {
    name: 'SLA', plural: 'Service-level agreements', slug: 'sla',
    payload: 'serviceLevelAgreement', type: 'ServiceLevelAgreement',
  },
};

/** The kind a URL slug names (`sla` → SERVICE_LEVEL_AGREEMENT), else null. */
export function kindOfSlug(slug) {
  return KINDS.find((k) => KIND_INFO[k].slug === slug) ?? null;
}

export const STATUS_TEXT = {
  DRAFT: 'Never in force',
  ACTIVE: 'In force',
  RETIRED: 'Retired',
  DISCARDED: 'Discarded',
};

export const PENDING_TEXT = {
  NONE: 'Nothing pending',
  DRAFT: 'Draft being edited',
  PROPOSED: 'Proposed, awaiting sign-offs',
  RETIREMENT_PROPOSED: 'Retirement proposed, awaiting sign-offs',
};

export const VOID_TEXT = {
  WITHDRAWN: 'withdrawn by the signer',
  EDITED: 'the proposal was edited',
  REJECTED: 'the proposal was rejected',
  DISCARDED: 'the proposal was discarded',
  ROLE_CHANGED: "the signer's team or role changed",
  DEACTIVATED: 'the signer was deactivated',
  SUPERSEDED: 'another agreement of this kind came into force',
};

// ---- who may do what -------------------------------------------------------

function active(viewer) {
  return Boolean(viewer && viewer.active !== false);
}

/** Draft, propose, discard, reject: managers of marketing or sales, admins. */
export function mayNegotiate(viewer) {
  if (!active(viewer)) return false;
  return viewer.role === 'ADMIN'
    || (viewer.role === 'MANAGER' && SIGNING_TEAMS.includes(viewer.team));
}

/** Sign and withdraw: managers of marketing or sales (for their own team). */
export function maySign(viewer) {
  return active(viewer) && viewer.role === 'MANAGER' && SIGNING_TEAMS.includes(viewer.team);
}

/** When the viewer's 24-hour cool-off ends (an admin granted their role or
 *  issued their credentials less than 24 hours ago), as a Date; null when
 *  none applies at `now`. */
export function coolOffEnds(viewer, now) {
  if (!viewer) return null;
  const starts = [];
  if (viewer.roleGrantedBy && viewer.roleGrantedAt) starts.push(Date.parse(viewer.roleGrantedAt));
  if (viewer.credentialsIssuedBy && viewer.credentialsIssuedAt) {
    starts.push(Date.parse(viewer.credentialsIssuedAt));
  }
  const ends = Math.max(-Infinity, ...starts.filter(Number.isFinite)) + COOL_OFF_MS;
  return ends > now.getTime() ? new Date(ends) : null;
}

/** The teams whose live sign-off the pending proposal has. */
export function signedTeams(agreement) {
  return (agreement.signOffs ?? []).filter((s) => !s.voidedAt).map((s) => s.team);
}

/** Every action the viewer may take on the agreement now, each true/false;
 *  `sign` may be blocked by the cool-off: then `signBlocked` says why and
 *  `signableFrom` when. */
export function agreementActions(viewer, agreement, now) {
  const none = {
    edit: false, discard: false, propose: false, proposeRetirement: false, sign: false,
    countersign: false, reject: false, withdraw: false, addEvidence: false,
    signBlocked: null, signableFrom: null,
  };
  if (!viewer || !agreement) return none;
  const addEvidence = agreement.kind === 'PERSONA' && active(viewer)
    && SIGNING_TEAMS.includes(viewer.team);
  if (agreement.status === 'RETIRED' || agreement.status === 'DISCARDED') {
    return { ...none, addEvidence };
  }
  const negotiate = mayNegotiate(viewer);
  const { pending, status } = agreement;
  const negotiating = NEGOTIATING.includes(pending);
  const teams = signedTeams(agreement);
  const canSign = maySign(viewer) && negotiating && !teams.includes(viewer.team);
  const until = canSign ? coolOffEnds(viewer, now) : null;
  const mine = (agreement.signOffs ?? []).some((s) => !s.voidedAt && s.user?.id === viewer.id);
  return {
    ...none,
    addEvidence,
    edit: negotiate && pending !== 'RETIREMENT_PROPOSED',
    discard: negotiate && pending !== 'NONE',
    propose: negotiate && pending === 'DRAFT',
    proposeRetirement: negotiate && status === 'ACTIVE' && pending === 'NONE',
    reject: negotiate && negotiating,
    sign: canSign,
    countersign: canSign && teams.length > 0,
    withdraw: maySign(viewer) && negotiating && mine,
    signBlocked: until
      ? 'An admin granted your role or issued your credentials less than 24 hours ago, '
        + 'so you cannot sign yet.'
      : null,
    signableFrom: until,
  };
}

/** Whether the proposal waits for the viewer's own signature. */
export function waitsForViewer(viewer, agreement) {
  return maySign(viewer) && NEGOTIATING.includes(agreement.pending)
    && !signedTeams(agreement).includes(viewer.team);
}

/** Agreements waiting for the viewer's signature first, then the rest, each
 *  group in the order given. */
export function viewerFirst(viewer, agreements) {
  const waiting = agreements.filter((a) => waitsForViewer(viewer, a));
  return [...waiting, ...agreements.filter((a) => !waitsForViewer(viewer, a))];
}

/** "Marketing signed (Name); waiting for Sales" for a pending proposal. */
export function signatureSummary(agreement) {
  if (!NEGOTIATING.includes(agreement.pending)) return '';
  const live = (agreement.signOffs ?? []).filter((s) => !s.voidedAt);
  return SIGNING_TEAMS.map((team) => {
    const signed = live.find((s) => s.team === team);
    const name = team === 'MARKETING' ? 'Marketing' : 'Sales';
    return signed ? `${name} signed (${signed.user?.name ?? 'someone'})` : `waiting for ${name}`;
  }).join('; ');
}

// ---- the diff --------------------------------------------------------------

// Lists of objects are matched by what names an item, so a rule moved or
// inserted shows as what it is, not as every later rule changed.
const ITEM_KEYS = {
  fitRules: (rule) => rule.label,
  engagementRules: (rule) => rule.activityKind,
};

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

function keyedItems(list, name) {
  const keyOf = ITEM_KEYS[name];
  const seen = new Map();
  return (list ?? []).map((item, index) => {
    const base = keyOf && isObject(item) ? String(keyOf(item) ?? index) : null;
    if (base === null) return [`#${index}`, item];
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return [n === 1 ? base : `${base} (${n})`, item];
  });
}

/** Field-level changes from `before` (e.g. the terms in force) to `after` (the
 *  pending terms): [{path, change: 'added'|'removed'|'changed', before, after}].
 *  Objects are compared field by field; lists of plain values (regions,
 *  holidays, working days) item by item as sets; lists of rules by the rule's
 *  label or activity kind. `__typename` is ignored. */
export function diffTerms(before, after, path = []) {
  if (same(before, after)) return [];
  if (before === null || before === undefined) {
    return after === null || after === undefined ? [] : [{ path, change: 'added', before: null, after }];
  }
  if (after === null || after === undefined) return [{ path, change: 'removed', before, after: null }];
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])]
      .filter((k) => k !== '__typename');
    return keys.flatMap((k) => diffTerms(before[k], after[k], [...path, k]));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const objects = [...before, ...after].some(isObject);
    if (!objects) {
      const removed = before.filter((v) => !after.some((w) => same(v, w)));
      const added = after.filter((v) => !before.some((w) => same(v, w)));
      if (!removed.length && !added.length) {
        return [{ path, change: 'changed', before, after }]; // only the order changed
      }
      return [
        ...removed.map((v) => ({ path, change: 'removed', before: v, after: null })),
        ...added.map((v) => ({ path, change: 'added', before: null, after: v })),
      ];
    }
    const name = path.at(-1);
    const old = new Map(keyedItems(before, name));
    const now = new Map(keyedItems(after, name));
    const keys = [...new Set([...old.keys(), ...now.keys()])];
    return keys.flatMap((k) => diffTerms(old.get(k), now.get(k), [...path, k]));
  }
  return [{ path, change: 'changed', before, after }];
}

/** Counts of a diff's changes by kind, e.g. {added: 1, removed: 0, changed: 3}. */
export function diffCounts(changes) {
  const counts = { added: 0, removed: 0, changed: 0 };
  for (const c of changes) counts[c.change] += 1;
  return counts;
}

const FIELD_NAMES = {
  title: 'Title', kind: 'Kind', description: 'Description', metric: 'Metric',
  direction: 'Direction', target: 'Target', unit: 'Unit', periodStart: 'Period start',
  periodEnd: 'Period end', name: 'Name', summary: 'Summary', industries: 'Industries',
  companySizeMin: 'Company size from', companySizeMax: 'Company size to', regions: 'Regions',
  jobTitles: 'Job title keywords', seniorities: 'Seniorities', painPoints: 'Pain points',
  buyingTriggers: 'Buying triggers', objections: 'Objections', channels: 'Channels',
  fitRules: 'Fit rules', engagementRules: 'Engagement rules', mqlThreshold: 'MQL threshold',
  minFitScore: 'Minimum fit score', handRaiseKinds: 'Hand-raise kinds',
  handRaiseWindowDays: 'Hand-raise window (days)', field: 'field', operator: 'operator',
  values: 'values', points: 'points', label: 'label', activityKind: 'activity',
  maxPoints: 'maximum points', halfLifeDays: 'half-life (days)',
  qualifiedLeadsPerMonth: 'Qualified leads per month', acceptWithinHours: 'Accept within (hours)',
  firstTouchWithinHours: 'First touch within (hours)', minTouchAttempts: 'Touch attempts',
  touchWindowDays: 'Touch window (days)', acceptTimeoutAction: 'When acceptance times out',
  routing: 'Routing', businessCalendar: 'Business calendar', timezone: 'timezone',
  workingDays: 'working days', dayStart: 'opens', dayEnd: 'closes', holidays: 'holidays',
  reviewCadenceDays: 'Review cadence (days)', effectiveFrom: 'Effective from',
  effectiveUntil: 'Effective until',
};

/** A diff path in words: ["fitRules", "Manager", "points"] → "Fit rules › Manager › points". */
export function pathText(path) {
  return path.map((p) => FIELD_NAMES[p] ?? p).join(' › ');
}

// ---- the terms forms' model --------------------------------------------------
// The form keeps every value as typed (strings; booleans for switches; lists of
// row objects), so a draft saved in the browser and read back shows exactly what
// was typed, and validation happens once, when it is sent.

export const WEEKDAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];
export const ACTIVITY_KINDS = [
  'PAGE_VIEW', 'PRICING_VIEW', 'EMAIL_OPEN', 'EMAIL_CLICK', 'FORM_SUBMIT', 'CONTENT_DOWNLOAD',
  'WEBINAR_ATTENDED', 'EVENT_VISIT', 'TRIAL_SIGNUP', 'DEMO_REQUEST', 'CONTACT_SALES',
];
export const FIT_FIELDS = [
  'companySize', 'industry', 'jobTitle', 'seniority', 'country', 'source', 'persona', 'isCustomer',
];
export const FIT_OPERATORS = ['EQ', 'IN', 'GTE', 'LTE', 'BETWEEN', 'CONTAINS'];
export const GOAL_KINDS = [
  'MARKET_SHARE', 'NET_NEW_ACQUISITION', 'RECURRING_REVENUE', 'CHURN_REDUCTION',
  'CUSTOMER_LIFETIME_VALUE', 'OTHER',
];
export const GOAL_METRICS = [
  'QUALIFIED_LEADS', 'NEW_CUSTOMERS', 'PIPELINE_VALUE', 'WON_REVENUE', 'RECURRING_REVENUE', 'MANUAL',
];
export const PERSONA_LISTS = [
  'industries', 'regions', 'jobTitles', 'seniorities', 'painPoints', 'buyingTriggers',
  'objections', 'channels',
];

const text = (v) => (v === null || v === undefined ? '' : String(v));
const lines = (list) => (list ?? []).join('\n');

/** An instant as the wall time (`YYYY-MM-DDTHH:MM`) in a timezone, for
 *  datetime-local inputs; '' for none. */
export function instantToWallTime(iso, timeZone) {
  if (!iso) return '';
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return '';
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: usableTimeZone(timeZone), hourCycle: 'h23', year: 'numeric', month: '2-digit',
    day: '2-digit', hour: '2-digit', minute: '2-digit',
  }).formatToParts(when);
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}

/** The form model of a kind's terms (null terms: a new agreement's defaults). */
export function formModel(kind, terms, timeZone = 'UTC') {
  const t = terms ?? {};
  if (kind === 'GOAL') {
    return {
      title: text(t.title), kind: t.kind ?? 'NET_NEW_ACQUISITION', description: text(t.description),
      metric: t.metric ?? 'QUALIFIED_LEADS', direction: t.direction ?? 'INCREASE',
      target: text(t.target), unit: text(t.unit), periodStart: text(t.periodStart),
      periodEnd: text(t.periodEnd),
    };
  }
  if (kind === 'PERSONA') {
    const model = {
      name: text(t.name), summary: text(t.summary),
      companySizeMin: text(t.companySizeMin), companySizeMax: text(t.companySizeMax),
    };
    for (const key of PERSONA_LISTS) model[key] = lines(t[key]);
    return model;
  }
  if (kind === 'QUALIFICATION_MODEL') {
    return {
      fitRules: (t.fitRules ?? []).map((r) => ({
        field: r.field, operator: r.operator, values: r.values ?? [], points: text(r.points),
        label: text(r.label),
      })),
      engagementRules: (t.engagementRules ?? []).map((r) => ({
        activityKind: r.activityKind, points: text(r.points), maxPoints: text(r.maxPoints),
        halfLifeDays: text(r.halfLifeDays),
      })),
      mqlThreshold: text(t.mqlThreshold), minFitScore: text(t.minFitScore),
      handRaiseKinds: [...(t.handRaiseKinds ?? [])],
      handRaiseWindowDays: text(t.handRaiseWindowDays ?? (terms ? '' : 7)),
    };
  }
  const cal = t.businessCalendar;
  return {
    qualifiedLeadsPerMonth: text(t.qualifiedLeadsPerMonth),
    acceptWithinHours: text(t.acceptWithinHours),
    firstTouchWithinHours: text(t.firstTouchWithinHours),
    minTouchAttempts: text(t.minTouchAttempts), touchWindowDays: text(t.touchWindowDays),
    acceptTimeoutAction: t.acceptTimeoutAction ?? 'NOTIFY', routing: t.routing ?? 'ROUND_ROBIN',
    reviewCadenceDays: text(t.reviewCadenceDays),
    effectiveFrom: instantToWallTime(t.effectiveFrom, timeZone),
    effectiveUntil: instantToWallTime(t.effectiveUntil, timeZone),
    // The instants as read: a wall time left as shown keeps its seconds.
    effectiveFromAt: t.effectiveFrom ?? null,
    effectiveUntilAt: t.effectiveUntil ?? null,
    calendarOn: terms ? Boolean(cal) : true,
    businessCalendar: {
      timezone: cal?.timezone ?? (terms ? '' : timeZone),
      workingDays: [...(cal?.workingDays ?? (terms ? [] : ['MON', 'TUE', 'WED', 'THU', 'FRI']))],
      dayStart: cal?.dayStart ?? (terms ? '' : '09:00'),
      dayEnd: cal?.dayEnd ?? (terms ? '' : '17:00'),
      holidays: [...(cal?.holidays ?? [])],
    },
  };
}

const DECIMAL = /^[+-]?\d+(\.\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/** The API input for a form model, or the problems found before sending:
 *  {terms, errors: {path: [message]}}. Only what GraphQL itself would refuse as
 *  a whole request (missing or non-numeric numbers, dates) is checked here;
 *  everything else is the server's to judge, field by field. */
export function termsInput(kind, model, timeZone = 'UTC') {
  const errors = {};
  const fail = (path, message) => (errors[path] ??= []).push(message);
  const decimal = (path, value, required = true) => {
    const v = String(value ?? '').trim();
    if (!v) {
      if (required) fail(path, 'This field is required.');
      return null;
    }
    if (!DECIMAL.test(v)) fail(path, 'Give a number, such as 12 or 12.5.');
    return v;
  };
  const integer = (path, value, required = true) => {
    const v = String(value ?? '').trim();
    if (!v) {
      if (required) fail(path, 'This field is required.');
      return null;
    }
    if (!INTEGER.test(v) || !Number.isSafeInteger(Number(v))) {
      fail(path, 'Give a whole number.');
      return null;
    }
    return Number(v);
  };
  const date = (path, value) => {
    const v = String(value ?? '').trim();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) fail(path, 'Give a date.');
    return v;
  };
  const instant = (path, value, read) => {
    const v = String(value ?? '').trim();
    if (!v) return null;
    if (read && instantToWallTime(read, timeZone) === v) return read;
    const iso = wallTimeToInstant(v, timeZone);
    if (!iso) fail(path, 'Give a date and time.');
    return iso;
  };
  const split = (value) => String(value ?? '').split('\n').map((s) => s.trim()).filter(Boolean);
  let terms;
  if (kind === 'GOAL') {
    terms = {
      title: model.title, kind: model.kind, description: model.description, metric: model.metric,
      direction: model.direction, target: decimal('target', model.target), unit: model.unit,
      periodStart: date('periodStart', model.periodStart),
      periodEnd: date('periodEnd', model.periodEnd),
    };
  } else if (kind === 'PERSONA') {
    terms = {
      name: model.name, summary: model.summary,
      companySizeMin: integer('companySizeMin', model.companySizeMin, false),
      companySizeMax: integer('companySizeMax', model.companySizeMax, false),
    };
    for (const key of PERSONA_LISTS) terms[key] = split(model[key]);
  } else if (kind === 'QUALIFICATION_MODEL') {
    terms = {
      fitRules: model.fitRules.map((r, i) => ({
        field: r.field, operator: r.operator,
        values: Array.isArray(r.values) ? r.values.map((v) => String(v).trim()).filter(Boolean) : split(r.values),
        points: decimal(`fitRules.${i}.points`, r.points), label: r.label,
      })),
      engagementRules: model.engagementRules.map((r, i) => ({
        activityKind: r.activityKind,
        points: decimal(`engagementRules.${i}.points`, r.points),
        maxPoints: decimal(`engagementRules.${i}.maxPoints`, r.maxPoints),
        halfLifeDays: decimal(`engagementRules.${i}.halfLifeDays`, r.halfLifeDays, false),
      })),
      mqlThreshold: decimal('mqlThreshold', model.mqlThreshold),
      minFitScore: decimal('minFitScore', model.minFitScore, false),
      handRaiseKinds: [...model.handRaiseKinds],
      handRaiseWindowDays: integer('handRaiseWindowDays', model.handRaiseWindowDays),
    };
  } else {
    const cal = model.businessCalendar;
    terms = {
      qualifiedLeadsPerMonth: integer('qualifiedLeadsPerMonth', model.qualifiedLeadsPerMonth),
      acceptWithinHours: decimal('acceptWithinHours', model.acceptWithinHours),
      firstTouchWithinHours: decimal('firstTouchWithinHours', model.firstTouchWithinHours),
      minTouchAttempts: integer('minTouchAttempts', model.minTouchAttempts),
      touchWindowDays: integer('touchWindowDays', model.touchWindowDays),
      acceptTimeoutAction: model.acceptTimeoutAction, routing: model.routing,
      businessCalendar: model.calendarOn
        ? {
          timezone: String(cal.timezone ?? '').trim(), workingDays: [...cal.workingDays],
          dayStart: String(cal.dayStart ?? '').trim(), dayEnd: String(cal.dayEnd ?? '').trim(),
          holidays: cal.holidays.map((d) => String(d).trim()).filter(Boolean),
        }
        : null,
      reviewCadenceDays: integer('reviewCadenceDays', model.reviewCadenceDays),
      effectiveFrom: instant('effectiveFrom', model.effectiveFrom, model.effectiveFromAt),
      effectiveUntil: instant('effectiveUntil', model.effectiveUntil, model.effectiveUntilAt),
    };
  }
  return { terms, errors };
}

/** Terms as the API returns them, without `__typename`, for comparing a form's
 *  input with them. */
export function plainTerms(terms) {
  if (Array.isArray(terms)) return terms.map(plainTerms);
  if (!isObject(terms)) return terms;
  return Object.fromEntries(Object.entries(terms)
    .filter(([k]) => k !== '__typename')
    .map(([k, v]) => [k, plainTerms(v)]));
}

/** Where each userError goes: the form field its path names (after the
 *  leading `terms`), or the closest enclosing field the form shows, else the
 *  general messages. {fields: {path: [message]}, general: [message]} */
export function placeErrors(userErrors, formFields) {
  const known = new Set(formFields);
  const fields = {};
  const general = [];
  for (const error of userErrors ?? []) {
    const path = [...(error.field ?? [])];
    if (path[0] === 'input') path.shift();
    if (path[0] === 'terms') path.shift();
    let place = null;
    for (let n = path.length; n > 0 && !place; n -= 1) {
      const key = path.slice(0, n).join('.');
      if (known.has(key)) place = key;
    }
    const message = sentence(error.message);
    if (place) (fields[place] ??= []).push(message);
    else general.push(message);
  }
  return { fields, general };
}

// ---- drafts kept in the browser ----------------------------------------------

/** The localStorage key of a draft: one per viewer and agreement (or new kind). */
export function draftKey(viewerId, agreementKey) {
  return `accord:agreement-draft:${viewerId}:${agreementKey}`;
}

/** A stored draft read back, or null when it is missing, unreadable or for
 *  another kind. */
export function readDraft(stored, kind) {
  if (!stored) return null;
  try {
    const draft = JSON.parse(stored);
    if (!draft || draft.kind !== kind || !isObject(draft.model)) return null;
    return { kind, model: draft.model, baseVersion: draft.baseVersion ?? null, savedAt: draft.savedAt ?? null };
  } catch {
    return null;
  }
}

export function writeDraft(kind, model, baseVersion, now) {
  return JSON.stringify({ kind, model, baseVersion, savedAt: now.toISOString() });
}

// ---- values in words -------------------------------------------------------

/** A terms value as text: lists joined, null as a dash, calendars compact. */
export function valueText(value) {
  if (value === null || value === undefined || value === '') return '—';
  if (Array.isArray(value)) return value.length ? value.map(valueText).join(', ') : 'none';
  if (isObject(value)) {
    return Object.entries(value).filter(([k]) => k !== '__typename')
      .map(([k, v]) => `${FIELD_NAMES[k] ?? k}: ${valueText(v)}`).join('; ');
  }
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

/** A content hash shortened for tables ("3f9a…c21d"); the page shows it whole. */
export function shortHash(hash) {
  const h = String(hash ?? '');
  return h.length > 16 ? `${h.slice(0, 8)}…${h.slice(-8)}` : h;
}

/** "in 5 hours" until the cool-off ends. */
export function untilText(until, now) {
  const ms = until.getTime() - now.getTime();
  if (ms <= 0) return 'now';
  const minutes = Math.ceil(ms / 60000);
  if (minutes < 60) return `in ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return `in ${hours} hour${hours === 1 ? '' : 's'}${rest ? ` ${rest} minute${rest === 1 ? '' : 's'}` : ''}`;
}
