// Pure logic for the lead screens: the list's filters and their URL form, the
// actions SPEC §2.1 and §2.3 allow a viewer on a lead, the score's lines, and
// CSV in and out. No DOM, no network (tests/client/leads.test.mjs).

import { filterFromParams, paramsFromFilter, usableTimeZone, wallTimeToInstant } from '../logic.js';

export const LEAD_STAGES = ['NEW', 'NURTURING', 'MQL', 'SAL', 'SQL', 'OPPORTUNITY', 'WON',
  'LOST', 'RECYCLED', 'DISQUALIFIED'];
export const GRADES = ['A', 'B', 'C', 'D'];
export const REJECTION_REASONS = ['NOT_A_FIT', 'WRONG_PERSONA', 'BAD_CONTACT_DATA', 'NO_BUDGET',
  'NOT_READY', 'EXISTING_CUSTOMER', 'DUPLICATE', 'COMPETITOR', 'OTHER'];
export const FOLLOW_UP_CHANNELS = ['CALL', 'EMAIL', 'MEETING', 'SOCIAL', 'OTHER'];

const WORDS = {
  NEW: 'New', NURTURING: 'Nurturing', MQL: 'MQL', SAL: 'SAL', SQL: 'SQL',
  OPPORTUNITY: 'Opportunity', WON: 'Won', LOST: 'Lost', RECYCLED: 'Recycled',
  DISQUALIFIED: 'Disqualified',
  NOT_A_FIT: 'Not a fit', WRONG_PERSONA: 'Wrong persona', BAD_CONTACT_DATA: 'Bad contact data',
  NO_BUDGET: 'No budget', NOT_READY: 'Not ready', EXISTING_CUSTOMER: 'Existing customer',
  DUPLICATE: 'Duplicate', COMPETITOR: 'Competitor', OTHER: 'Other',
  RECYCLE: 'Recycle (back to marketing)', DISQUALIFY: 'Disqualify',
  CALL: 'Call', EMAIL: 'E-mail', MEETING: 'Meeting', SOCIAL: 'Social',
  ATTEMPTED: 'Attempted', CONNECTED: 'Connected',
  PENDING: 'Pending', ACCEPTED: 'Accepted', REJECTED: 'Rejected', REASSIGNED: 'Reassigned',
  WITHDRAWN: 'Withdrawn',
  NO_SLA: 'No SLA', ON_TRACK: 'On track', AT_RISK: 'At risk', MET: 'Met', BREACHED: 'Breached',
  FIT: 'Fit', ENGAGEMENT: 'Engagement', HAND_RAISE: 'Hand-raise',
  CREATED: 'created', QUALIFICATION: 'qualification', MANUAL_QUALIFICATION: 'qualified by hand',
  MOVE: 'moved', CLOSE: 'closed', HANDOFF_DECISION: 'handoff decision', PULL_BACK: 'pulled back',
  IMPORTED: 'imported',
  PAGE_VIEW: 'Page view', PRICING_VIEW: 'Pricing page view', EMAIL_OPEN: 'E-mail opened',
  EMAIL_CLICK: 'E-mail clicked', FORM_SUBMIT: 'Form submitted',
  CONTENT_DOWNLOAD: 'Content downloaded', WEBINAR_ATTENDED: 'Webinar attended',
  EVENT_VISIT: 'Event visit', TRIAL_SIGNUP: 'Trial sign-up', DEMO_REQUEST: 'Demo request',
  CONTACT_SALES: 'Contact sales',
  ACTIVITY: 'Activity (automatic)', MODEL_CHANGE: 'Scoring model change', MANUAL: 'By hand',
};

/** A lead-related enum value in words (unknown values as they are). */
export function leadWord(value) {
  return WORDS[value] ?? String(value ?? '');
}

// ---- the list's filters, as form values, URL query and query variables -------

export const LEAD_ORDERS = {
  SCORE_DESC: { field: 'SCORE', direction: 'DESC', label: 'Score, highest first' },
  SCORE_ASC: { field: 'SCORE', direction: 'ASC', label: 'Score, lowest first' },
  CREATED_AT_DESC: { field: 'CREATED_AT', direction: 'DESC', label: 'Newest first' },
  CREATED_AT_ASC: { field: 'CREATED_AT', direction: 'ASC', label: 'Oldest first' },
  UPDATED_AT_DESC: { field: 'UPDATED_AT', direction: 'DESC', label: 'Recently updated' },
  UPDATED_AT_ASC: { field: 'UPDATED_AT', direction: 'ASC', label: 'Least recently updated' },
  NAME_ASC: { field: 'NAME', direction: 'ASC', label: 'Name A–Z' },
  NAME_DESC: { field: 'NAME', direction: 'DESC', label: 'Name Z–A' },
};

const LIST_KEYS = ['stages', 'grades', 'personas', 'owners'];
const TEXT_KEYS = ['q', 'scoreMin', 'scoreMax', 'qualified', 'customer', 'createdFrom',
  'createdTo', 'enteredFrom', 'enteredTo', 'sort'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The `LeadFilter` fields the filter form has no control for, as the
 *  dashboard puts them in the URL (instants ISO, so `createdFrom=2026-03-01`
 *  is the form's day and `createdFrom=2026-03-01T00:00:00Z` the dashboard's). */
export const LEAD_DRILL_FIELDS = {
  stageAt: { type: 'DateTime', label: 'Stages as of' },
  qualifiedFrom: { type: 'DateTime', label: 'Qualified from' },
  qualifiedTo: { type: 'DateTime', label: 'Qualified before' },
  qualifiedBy: { type: ['ACTIVITY', 'MODEL_CHANGE', 'MANUAL'], list: true, label: 'Qualified by' },
  qualifiedPersonaIds: { type: 'ID', list: true, label: 'Persona when qualified' },
  enteredStage: { type: LEAD_STAGES, label: 'Entered stage' },
  enteredFrom: { type: 'DateTime', label: 'Entered from' },
  enteredTo: { type: 'DateTime', label: 'Entered before' },
  advanced: { type: 'Boolean', label: 'Reached the next stage' },
  deliveredFrom: { type: 'DateTime', label: 'Handed to sales from' },
  deliveredTo: { type: 'DateTime', label: 'Handed to sales before' },
  deliveredManually: { type: 'Boolean', label: 'Qualified by hand before the handoff' },
  deliveredPersonaIds: { type: 'ID', list: true, label: 'Persona at the handoff' },
  deliveredDecision: { type: ['ACCEPTED', 'REJECTED'], label: 'Sales decided that handoff' },
  createdFrom: { type: 'DateTime', label: 'Created from' },
  createdTo: { type: 'DateTime', label: 'Created before' },
  stageEnteredFrom: { type: 'DateTime', label: 'In its stage since' },
  stageEnteredTo: { type: 'DateTime', label: 'In its stage since before' },
  personaIds: { type: 'ID', list: true, label: 'Persona' },
  ownerIds: { type: 'ID', list: true, label: 'Owner' },
  qualified: { type: 'Boolean', label: 'Qualified' },
  isCustomer: { type: 'Boolean', label: 'Customer' },
  scoreMin: { type: 'Int', label: 'Score at least' },
  scoreMax: { type: 'Int', label: 'Score at most' },
  search: { type: 'String', label: 'Text' },
};

function splitList(text) {
  return String(text ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

function score(text) {
  const n = Number(text);
  return text !== '' && text !== undefined && text !== null && Number.isInteger(n) && n >= 0
    ? n : null;
}

/** The filter state from the URL query (unknown or malformed values dropped). */
export function leadFiltersFromQuery(query = {}) {
  const state = {
    stages: splitList(query.stages).filter((s) => LEAD_STAGES.includes(s)),
    grades: splitList(query.grades).filter((g) => GRADES.includes(g)),
    personas: splitList(query.personas),
    owners: splitList(query.owners),
    q: String(query.q ?? '').trim(),
    scoreMin: score(query.scoreMin),
    scoreMax: score(query.scoreMax),
    qualified: ['yes', 'no'].includes(query.qualified) ? query.qualified : '',
    customer: ['yes', 'no'].includes(query.customer) ? query.customer : '',
    sort: LEAD_ORDERS[query.sort] ? query.sort : 'SCORE_DESC',
    // the dashboard's fields (a form key of the same name read as a day wins)
    extra: filterFromParams(LEAD_DRILL_FIELDS, query),
  };
  for (const key of ['createdFrom', 'createdTo', 'enteredFrom', 'enteredTo']) {
    state[key] = DATE.test(query[key] ?? '') ? query[key] : '';
  }
  for (const key of ['scoreMin', 'scoreMax']) if (state[key] !== null) delete state.extra[key];
  return state;
}

/** The filter form's values (formValues: checkbox groups as arrays) as state. */
export function leadFiltersFromForm(values) {
  const asList = (v) => (Array.isArray(v) ? v : splitList(v));
  const query = {};
  for (const key of LIST_KEYS) query[key] = asList(values[key] ?? []).join(',');
  for (const key of TEXT_KEYS) query[key] = values[key] ?? '';
  return leadFiltersFromQuery(query);
}

/** The URL query for a filter state: empty values and the default order left out. */
export function leadQueryFromFilters(state) {
  const query = {};
  for (const key of LIST_KEYS) if (state[key]?.length) query[key] = state[key].join(',');
  for (const key of TEXT_KEYS) {
    const value = state[key];
    if (value !== null && value !== undefined && value !== '') query[key] = String(value);
  }
  if (query.sort === 'SCORE_DESC') delete query.sort;
  return { ...paramsFromFilter(state.extra), ...query };
}

/** The `leads` query's `filter` and `orderBy`; dates are whole days in `timeZone`
 *  ("created to 2026-03-02" takes in all of that day). */
export function leadListVariables(state, timeZone) {
  const filter = {};
  if (state.stages.length) filter.stages = state.stages;
  if (state.grades.length) filter.grades = state.grades;
  if (state.personas.length) filter.personaIds = state.personas;
  if (state.owners.length) filter.ownerIds = state.owners;
  if (state.q) filter.search = state.q;
  if (state.scoreMin !== null) filter.scoreMin = state.scoreMin;
  if (state.scoreMax !== null) filter.scoreMax = state.scoreMax;
  if (state.qualified) filter.qualified = state.qualified === 'yes';
  if (state.customer) filter.isCustomer = state.customer === 'yes';
  const from = (d) => (d ? wallTimeToInstant(`${d}T00:00:00`, timeZone) : null);
  const to = (d) => (d ? new Date(Date.parse(from(d)) + 86_400_000 - 1000).toISOString() : null);
  const ranges = [['createdFrom', 'createdFrom', from], ['createdTo', 'createdTo', to],
    ['enteredFrom', 'stageEnteredFrom', from], ['enteredTo', 'stageEnteredTo', to]];
  for (const [key, name, convert] of ranges) {
    const value = convert(state[key]);
    if (value) filter[name] = value;
  }
  Object.assign(filter, state.extra ?? {});
  const order = LEAD_ORDERS[state.sort] ?? LEAD_ORDERS.SCORE_DESC;
  return { filter, orderBy: { field: order.field, direction: order.direction } };
}

/** How many filters are set (the order is not a filter). */
export function activeFilterCount(state) {
  let n = 0;
  for (const key of LIST_KEYS) if (state[key].length) n += 1;
  for (const key of TEXT_KEYS) {
    if (key !== 'sort' && state[key] !== null && state[key] !== '') n += 1;
  }
  return n + Object.keys(state.extra ?? {}).length;
}

// ---- who may do what on a lead (SPEC §2.1, §2.3, §2.4; the server decides) ----

const isManager = (v) => v.role === 'MANAGER';
const onTeam = (v, team) => v.team === team && v.role !== 'ADMIN';

/** The open (PENDING) handoff of a lead, if any. */
export function openHandoff(lead) {
  return (lead.handoffs ?? []).find((h) => h.status === 'PENDING') ?? null;
}

/** Whether the viewer works the lead: its owner or its open handoff's assignee. */
export function worksLead(viewer, lead) {
  const open = openHandoff(lead);
  return Boolean(viewer && (lead.owner?.id === viewer.id || open?.assignee?.id === viewer.id));
}

/** The stages the viewer may move the lead to with `moveLeadStage`, each with
 *  whether a reason is required. WON and LOST are left to closing. */
export function stageMoves(viewer, lead) {
  if (!viewer || viewer.active === false) return [];
  const marketing = onTeam(viewer, 'MARKETING');
  const sales = onTeam(viewer, 'SALES');
  const salesWorking = sales && (isManager(viewer) || worksLead(viewer, lead));
  const manager = (marketing || sales) && isManager(viewer);
  const moves = [];
  const add = (stage, reason = false) => moves.push({ stage, reasonRequired: reason });
  switch (lead.stage) {
    case 'NEW':
    case 'NURTURING':
      if (marketing) {
        if (lead.stage !== 'NURTURING') add('NURTURING');
        add('DISQUALIFIED');
      }
      if (marketing && isManager(viewer)) add('MQL', true);
      break;
    case 'RECYCLED':
      if (marketing) add('NURTURING');
      if (marketing && isManager(viewer)) add('MQL', true);
      break;
    case 'MQL':
      if (marketing) add('NURTURING');
      break;
    case 'SAL':
      if (salesWorking) ['SQL', 'RECYCLED', 'DISQUALIFIED'].forEach((s) => add(s));
      break;
    case 'SQL':
      if (salesWorking) ['OPPORTUNITY', 'RECYCLED'].forEach((s) => add(s));
      break;
    case 'LOST':
    case 'DISQUALIFIED':
      if (manager) add('RECYCLED', true);
      break;
    case 'WON':
      if (marketing && isManager(viewer)) add('NURTURING', true);
      break;
    default:
      break;
  }
  return moves;
}

/** Every action the lead page offers the viewer on this lead, in this stage. */
export function leadActions(viewer, lead) {
  const none = {
    edit: false, handOff: false, override: false, accept: false, reject: false,
    reassign: false, followUp: false, close: [], feedback: false, moves: [],
  };
  if (!viewer || viewer.active === false || !lead) return none;
  const marketing = onTeam(viewer, 'MARKETING');
  const sales = onTeam(viewer, 'SALES');
  const salesManager = sales && isManager(viewer);
  const open = openHandoff(lead);
  const working = salesManager || (sales && worksLead(viewer, lead));
  const preHandoff = ['NEW', 'NURTURING', 'RECYCLED', 'MQL'].includes(lead.stage);
  const decider = open && sales && (salesManager || open.assignee?.id === viewer.id);
  const close = [];
  if (working && lead.stage === 'OPPORTUNITY') close.push('WON', 'LOST');
  if (working && lead.stage === 'SQL') close.push('LOST');
  return {
    // An erased person's record stays anonymous: nobody writes data back into it.
    edit: (marketing || viewer.role === 'ADMIN') && !lead.erased,
    handOff: marketing && !open && lead.qualified && lead.stage === 'MQL',
    override: marketing && isManager(viewer) && !open && !lead.qualified && preHandoff,
    accept: Boolean(decider),
    reject: Boolean(decider),
    reassign: Boolean(open && salesManager),
    followUp: working && (lead.handoffs ?? []).length > 0,
    close,
    feedback: working && (lead.handoffs ?? []).length > 0,
    moves: stageMoves(viewer, lead),
  };
}

// ---- the score --------------------------------------------------------------

/** The breakdown as lines with their sum; `matches` says whether the lines add
 *  up to the stored score (rounded as the score is). */
export function scoreLines(lead) {
  const lines = (lead.scoreBreakdown ?? []).map((entry) => ({
    ...entry, points: Number(entry.points),
  }));
  const sum = lines.reduce((total, line) => total + line.points, 0);
  const byKind = (kind) => lines.filter((l) => l.kind === kind)
    .reduce((t, l) => t + l.points, 0);
  return {
    lines,
    fit: byKind('FIT'),
    engagement: byKind('ENGAGEMENT'),
    handRaises: lines.filter((l) => l.kind === 'HAND_RAISE'),
    sum,
    matches: lead.score === null || lead.score === undefined
      ? lines.length === 0
      : Math.abs(Math.max(0, Math.round(sum)) - lead.score) <= 1,
  };
}

/** A day in a timezone ("4 Dec 2026"), for tables where the hour is noise. */
export function formatDay(iso, timeZone, locale = undefined) {
  if (!iso) return '';
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return String(iso);
  return new Intl.DateTimeFormat(locale, { timeZone: usableTimeZone(timeZone), dateStyle: 'medium' })
    .format(when);
}

/** A decimal as at most one decimal place ("41.5", "55"). */
export function oneDecimal(value) {
  const n = Number(value ?? 0);
  return String(Math.round(n * 10) / 10);
}

/** Points as "+12.5" / "−3". */
export function formatPoints(points) {
  const n = Number(points);
  const text = Number.isInteger(n) ? String(Math.abs(n)) : Math.abs(n).toFixed(1);
  return `${n < 0 ? '−' : '+'}${text}`;
}

// ---- CSV ----------------------------------------------------------------------

/** Records of a CSV text (RFC 4180: quotes, doubled quotes, CRLF or LF, a BOM),
 *  each `{line, cells}` with the 1-based line the record starts on. Blank lines
 *  are skipped. */
export function parseCsv(text) {
  const source = String(text ?? '').replace(/^\uFEFF/, '');
  const records = [];
  let cells = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let touched = false;
  const endCell = () => {
    cells.push(cell);
    cell = '';
  };
  const endRecord = () => {
    endCell();
    if (touched || cells.length > 1 || cells[0] !== '') records.push({ line: start, cells });
    cells = [];
    touched = false;
  };
  for (let i = 0; i < source.length; i += 1) {
    const c = source[i];
    if (quoted) {
      if (c === '"' && source[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') {
        quoted = false;
      } else {
        if (c === '\n') line += 1;
        cell += c;
      }
    } else if (c === '"') {
      quoted = true;
      touched = true;
    } else if (c === ',') {
      endCell();
      touched = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && source[i + 1] === '\n') i += 1;
      endRecord();
      line += 1;
      start = line;
    } else {
      cell += c;
    }
  }
  if (cell !== '' || cells.length || touched) endRecord();
  return records;
}

/** A value as one CSV cell: quoted when needed, and text a spreadsheet would run
 *  as a formula (starting with = + - @, or a tab or carriage return before one)
 *  prefixed with an apostrophe so it stays text. */
export function csvCell(value) {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows (arrays of values) as CSV text: a header row first, CRLF line ends, and
 *  a UTF-8 byte-order mark so spreadsheets read accents right. */
export function toCsv(header, rows) {
  const lines = [header, ...rows].map((row) => row.map(csvCell).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** The columns a lead export has, each [header, value of a lead]. */
export const EXPORT_COLUMNS = [
  ['email', (l) => l.email],
  ['firstName', (l) => l.firstName],
  ['lastName', (l) => l.lastName],
  ['company', (l) => l.company],
  ['jobTitle', (l) => l.jobTitle],
  ['country', (l) => l.country],
  ['stage', (l) => l.stage],
  ['score', (l) => l.score],
  ['grade', (l) => l.grade],
  ['qualified', (l) => (l.qualified ? 'yes' : 'no')],
  ['isCustomer', (l) => (l.isCustomer ? 'yes' : 'no')],
  ['persona', (l) => l.persona?.name],
  ['owner', (l) => l.owner?.name],
  ['createdAt', (l) => l.createdAt],
  ['stageEnteredAt', (l) => l.stageEnteredAt],
];

export function leadsCsv(leads) {
  return toCsv(EXPORT_COLUMNS.map(([h]) => h), leads.map((l) => EXPORT_COLUMNS.map(([, f]) => f(l))));
}

/** The lead fields an import can fill, with how a cell becomes the field's value. */
export const IMPORT_FIELDS = {
  email: 'text',
  firstName: 'text',
  lastName: 'text',
  company: 'text',
  companySize: 'integer',
  industry: 'text',
  jobTitle: 'text',
  seniority: 'text',
  country: 'text',
  source: 'text',
  campaign: 'text',
  isCustomer: 'boolean',
  doNotContact: 'boolean',
  products: 'list',
  sourceUpdatedAt: 'instant',
};

const ALIASES = {
  email: ['email', 'e-mail', 'emailaddress', 'mail'],
  firstName: ['firstname', 'first', 'givenname', 'forename'],
  lastName: ['lastname', 'last', 'surname', 'familyname'],
  company: ['company', 'companyname', 'organisation', 'organization', 'account'],
  companySize: ['companysize', 'employees', 'size', 'headcount'],
  industry: ['industry', 'sector'],
  jobTitle: ['jobtitle', 'title', 'position', 'role'],
  seniority: ['seniority', 'level'],
  country: ['country', 'countrycode'],
  source: ['source', 'leadsource'],
  campaign: ['campaign'],
  isCustomer: ['iscustomer', 'customer'],
  doNotContact: ['donotcontact', 'optout', 'unsubscribed'],
  products: ['products', 'product'],
  sourceUpdatedAt: ['sourceupdatedat', 'updatedat', 'modified', 'lastmodified'],
};

/** A first guess at which lead field each header names ('' = not imported). */
export function guessMapping(headers) {
  const used = new Set();
  return headers.map((header) => {
    const key = String(header).toLowerCase().replace(/[^a-z]/g, '');
    const field = Object.keys(ALIASES).find((f) => !used.has(f) && ALIASES[f].includes(key));
    if (field) used.add(field);
    return field ?? '';
  });
}

const TRUE = ['yes', 'y', 'true', '1', 'x'];
const FALSE = ['no', 'n', 'false', '0', ''];

function convert(kind, text) {
  const value = text.trim();
  switch (kind) {
    case 'integer': {
      if (value === '') return { value: null };
      const n = Number(value);
      return Number.isInteger(n) ? { value: n } : { error: `“${value}” is not a whole number` };
    }
    case 'boolean': {
      const low = value.toLowerCase();
      if (TRUE.includes(low)) return { value: true };
      if (FALSE.includes(low)) return { value: false };
      return { error: `“${value}” is not yes or no` };
    }
    case 'list':
      return { value: value.split(/[;|]/).map((s) => s.trim()).filter(Boolean) };
    case 'instant': {
      if (value === '') return { value: null };
      const t = Date.parse(value);
      return Number.isNaN(t) ? { error: `“${value}” is not a date and time` }
        : { value: new Date(t).toISOString() };
    }
    default:
      return { value: value === '' ? null : value };
  }
}

/** The data records (after the header) as `upsertLeads` rows, keeping each
 *  record's CSV line; a cell the client can already tell is wrong becomes an
 *  error of that line and the record is not sent. */
export function leadsFromCsv(records, mapping) {
  const rows = [];
  const errors = [];
  for (const record of records) {
    const lead = {};
    const problems = [];
    mapping.forEach((field, column) => {
      if (!field || !(field in IMPORT_FIELDS)) return;
      const result = convert(IMPORT_FIELDS[field], record.cells[column] ?? '');
      if (result.error) problems.push(`${field}: ${result.error}`);
      else if (!(field === 'email' && result.value === null)) lead[field] = result.value;
    });
    if (!lead.email) problems.push('email: missing');
    if (problems.length) errors.push({ line: record.line, messages: problems });
    else rows.push({ line: record.line, lead });
  }
  return { rows, errors };
}

/** Items in batches of at most `size` (upsertLeads takes 500 a call). */
export function batches(items, size = 500) {
  const out = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
