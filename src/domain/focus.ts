import { addDays as addCalendarDays } from './calendar.ts';
import { allocate, fromUsd, nanos, type Money } from './money.ts';
import { dayKey, dayStart } from './periods.ts';
import type { Failure } from './result.ts';

/**
 * FinOps FOCUS (1.0–1.2) cost rows: reading them as charges per UTC day, and the column requirements
 * aicost's own FOCUS 1.2 export is validated against. Pure: the caller parses the CSV text.
 */

export type CostColumn = 'EffectiveCost' | 'BilledCost';

/** Columns an import needs (FOCUS 1.0–1.2 names; 1.3's ServiceProviderName is accepted for ProviderName). */
export const IMPORT_REQUIRED = [
  'ChargePeriodStart',
  'ChargePeriodEnd',
  'BillingCurrency',
  'ProviderName',
  'ServiceName',
  'ServiceCategory',
  'ChargeCategory',
  'ChargeDescription',
] as const;

export const CHARGE_CATEGORIES = ['Usage', 'Purchase', 'Tax', 'Credit', 'Adjustment'] as const;

/** FOCUS 1.2 ServiceCategory values. */
export const SERVICE_CATEGORIES = [
  'AI and Machine Learning',
  'Analytics',
  'Business Applications',
  'Compute',
  'Databases',
  'Developer Tools',
  'Multicloud',
  'Identity',
  'Integration',
  'Internet of Things',
  'Management and Governance',
  'Media',
  'Migration',
  'Mobile',
  'Networking',
  'Security',
  'Storage',
  'Web',
  'Other',
] as const;

/** One CSV record: header → cell. */
export type FocusRecord = Record<string, string>;

export interface FocusRow {
  /** CSV row number (the header is row 1). */
  row: number;
  start: Date;
  end: Date;
  amount: Money;
  providerName: string;
  serviceName: string;
  serviceCategory: string;
  chargeCategory: string;
  description: string;
  tags: Record<string, string>;
  /** aicost's own export: the category it was exported with (`x_AicostCategory`), or null. */
  aicostCategory: string | null;
  /** aicost's own export: a line no team carries (`x_AicostAttribution`), kept so instead of allocated. */
  unassigned: 'unattributed' | 'unallocated' | null;
  /** The charge's identity in any export (no cost, no tags): the same charge re-exported has the same key. */
  identity: string;
}

export type RowResult = { ok: true; row: FocusRow } | { ok: false; row: number; failure: Failure };

/**
 * Plausibility limits of an imported row, as a finance user would want them: a bigger row is far more
 * likely a unit mix-up, a wrong column or a test file than a real AI-related charge, and refusing the
 * file costs one re-export while importing it corrupts every report. See docs/data.md, "FOCUS import".
 */
export const FOCUS_LIMITS = {
  /** At most $1,000,000 per row, charge or credit. */
  rowAmount: nanos(1_000_000n * 1_000_000_000n),
  /** The file's amounts, in absolute value, add up to at most $1,000,000,000 (sums stay far inside 64 bits). */
  fileTotal: nanos(1_000_000_000n * 1_000_000_000n),
  /** A charge period of at most 32 days: a calendar month, in any time zone. A 3-year commitment is not a daily cost. */
  periodDays: 32,
} as const;

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|z|[+-]\d{2}:?\d{2})?$/;
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * FOCUS null handling: a nullable column is null when its cell is empty or the literal `NULL` (how the
 * FOCUS working group's own sample files write it); any other text is a value.
 */
export function isNull(text: string | undefined): boolean {
  if (text === undefined) return true;
  const t = text.trim();
  return t === '' || t === 'NULL' || t === 'null';
}

/** A cell's text, '' when it is null. */
export function cell(r: FocusRecord, column: string): string {
  const v = r[column];
  return isNull(v) ? '' : v!.trim();
}

/**
 * An ISO 8601 time of a FOCUS file as an instant (no zone means UTC, as the specification requires).
 * Impossible dates and times (2026-02-30, 24:00, 10:61) are refused, never rolled over.
 */
export function parseFocusTime(text: string): Date | null {
  const m = ISO.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', sec = '00', zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (year < 2000 || year > 2099 || month < 1 || month > 12 || day < 1) return null;
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return null;
  let offsetMin = 0;
  if (zone && zone !== 'Z' && zone !== 'z') {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    if (Number(z[2]) > 14 || Number(z[3]) > 59) return null;
    offsetMin = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3]));
  }
  const fraction = /\.(\d+)/.exec(text)?.[1] ?? '';
  const ms = Number(`${fraction}00`.slice(0, 3));
  const t = Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(sec), ms) - offsetMin * 60_000;
  return new Date(t);
}

/**
 * A FOCUS decimal in Money, exactly, also in exponent notation ("1.5e-3"); more than 9 decimals are
 * rounded half up to the nanodollar. Null when it is not a decimal or is absurdly large (|x| ≥ 1e30).
 */
export function parseFocusDecimal(text: string): Money | null {
  const m = DECIMAL.exec(text.trim());
  if (!m) return null;
  const [, sign = '', whole = '', frac = '', exp] = m;
  if (whole === '' && frac === '') return null;
  const all = `${whole}${frac}`;
  const first = all.search(/[1-9]/);
  if (first < 0) return fromUsd('0');
  const pointAt = whole.length + (exp === undefined ? 0 : Number(exp));
  if (pointAt - first > 30) return null;
  if (pointAt - first < -30) return fromUsd('0');
  const plain =
    pointAt <= 0
      ? `0.${'0'.repeat(-pointAt)}${all}`
      : pointAt >= all.length
        ? `${all}${'0'.repeat(pointAt - all.length)}`
        : `${all.slice(0, pointAt)}.${all.slice(pointAt)}`;
  return fromUsd(`${sign}${plain}`);
}

/** Which columns an import cannot do without, given the header. */
export function missingColumns(header: readonly string[], cost: CostColumn): string[] {
  const has = new Set(header);
  const missing: string[] = [];
  for (const c of [...IMPORT_REQUIRED, cost]) {
    if (has.has(c)) continue;
    if (c === 'ProviderName' && has.has('ServiceProviderName')) continue;
    missing.push(c);
  }
  return missing;
}

const IDENTITY_COLUMNS = [
  'BillingAccountId',
  'SubAccountId',
  'InvoiceId',
  'ResourceId',
  'ChargeCategory',
  'ChargeClass',
  'ChargeFrequency',
  'ServiceName',
  'ChargeDescription',
  'SkuId',
  'SkuPriceId',
  'PricingUnit',
  'RegionId',
  'CommitmentDiscountId',
  'x_AicostCategory',
  'x_AicostAttribution',
];

const CATEGORY = /^[a-z0-9_]{1,40}$/;
const abs = (m: Money) => (m < 0n ? -m : m);

/** Validates one record; `row` is its CSV row number. */
export function readFocusRecord(r: FocusRecord, row: number, cost: CostColumn): RowResult {
  const fail = (failure: Failure): RowResult => ({ ok: false, row, failure });
  const currency = cell(r, 'BillingCurrency');
  if (currency.toUpperCase() !== 'USD') return fail({ code: 'focus.currency', currency });
  const start = parseFocusTime(cell(r, 'ChargePeriodStart'));
  if (!start) return fail({ code: 'focus.time', column: 'ChargePeriodStart', text: r.ChargePeriodStart ?? '' });
  const end = parseFocusTime(cell(r, 'ChargePeriodEnd'));
  if (!end) return fail({ code: 'focus.time', column: 'ChargePeriodEnd', text: r.ChargePeriodEnd ?? '' });
  if (end <= start) return fail({ code: 'focus.end-before-start' });
  const days = (end.getTime() - start.getTime()) / DAY_MS;
  if (days > FOCUS_LIMITS.periodDays) return fail({ code: 'focus.period-too-long', days: Math.ceil(days), maxDays: FOCUS_LIMITS.periodDays });
  const costText = cell(r, cost);
  const amount = parseFocusDecimal(costText);
  if (amount === null) {
    if (/^[+-]?[\d.]+([eE][+-]?\d+)?$/.test(costText) && /\d/.test(costText))
      return fail({ code: 'focus.amount-limit', column: cost, text: costText, max: FOCUS_LIMITS.rowAmount });
    return fail({ code: 'focus.decimal', column: cost, text: r[cost] ?? '' });
  }
  if (abs(amount) > FOCUS_LIMITS.rowAmount) return fail({ code: 'focus.amount-limit', column: cost, text: costText, max: FOCUS_LIMITS.rowAmount });
  const chargeCategory = cell(r, 'ChargeCategory');
  if (!(CHARGE_CATEGORIES as readonly string[]).includes(chargeCategory))
    return fail({ code: 'focus.charge-category', text: chargeCategory, allowed: CHARGE_CATEGORIES });
  let tags: Record<string, string> = {};
  const tagText = cell(r, 'Tags');
  if (tagText !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(tagText);
    } catch {
      return fail({ code: 'focus.tags' });
    }
    if (parsed === null) parsed = {};
    if (typeof parsed !== 'object' || Array.isArray(parsed)) return fail({ code: 'focus.tags' });
    tags = Object.fromEntries(
      Object.entries(parsed as Record<string, unknown>)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    );
  }
  const categoryText = cell(r, 'x_AicostCategory');
  const aicostCategory = CATEGORY.test(categoryText) ? categoryText : null;
  const attribution = cell(r, 'x_AicostAttribution');
  if (attribution !== '' && attribution !== 'team' && attribution !== 'unattributed' && attribution !== 'unallocated')
    return fail({ code: 'focus.attribution', text: attribution });
  const identity = JSON.stringify([start.toISOString(), end.toISOString(), ...IDENTITY_COLUMNS.map((c) => cell(r, c))]);
  return {
    ok: true,
    row: {
      row,
      start,
      end,
      amount,
      identity,
      tags,
      chargeCategory,
      aicostCategory,
      unassigned: attribution === 'unattributed' || attribution === 'unallocated' ? attribution : null,
      providerName: cell(r, 'ProviderName') || cell(r, 'ServiceProviderName'),
      serviceName: cell(r, 'ServiceName'),
      serviceCategory: cell(r, 'ServiceCategory'),
      description: cell(r, 'ChargeDescription'),
    },
  };
}

const DAY_MS = 86_400_000;

/**
 * The local days of a time zone, cached: the day an instant falls on and each day's bounds. UTC is
 * plain arithmetic; other zones go through the calendar once per quarter hour seen (every zone's
 * offset is a multiple of 15 minutes) and once per day.
 */
export function dayCalendar(timeZone: string) {
  const utc = timeZone === 'UTC' || timeZone === 'Etc/UTC';
  const keyOf = new Map<number, string>();
  const startOf = new Map<string, number>();
  const QUARTER = 900_000;
  return {
    dayOf(t: number): string {
      if (utc) return new Date(Math.floor(t / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
      const q = Math.floor(t / QUARTER);
      let k = keyOf.get(q);
      if (k === undefined) {
        k = dayKey(new Date(q * QUARTER), timeZone);
        if (keyOf.size > 100_000) keyOf.clear();
        keyOf.set(q, k);
      }
      return k;
    },
    startOf(day: string): number {
      if (utc) return Date.parse(`${day}T00:00:00Z`);
      let s = startOf.get(day);
      if (s === undefined) {
        s = dayStart(day, timeZone).getTime();
        if (startOf.size > 100_000) startOf.clear();
        startOf.set(day, s);
      }
      return s;
    },
  };
}
export type DayCalendar = ReturnType<typeof dayCalendar>;

/**
 * A charge period spread over the days (of the calendar's time zone) it covers, in proportion to the
 * time in each day, exactly (largest remainder: the parts sum to the amount to the nanodollar).
 */
export function spreadOverDays(start: Date, end: Date, amount: Money, calendar: DayCalendar = dayCalendar('UTC')): { day: string; amount: Money }[] {
  const days: { day: string; ms: bigint }[] = [];
  let day = calendar.dayOf(start.getTime());
  for (let from = calendar.startOf(day); from < end.getTime(); ) {
    const next = addCalendarDays(day, 1);
    const to = calendar.startOf(next);
    const ms = Math.min(end.getTime(), to) - Math.max(start.getTime(), from);
    if (ms > 0) days.push({ day, ms: BigInt(ms) });
    day = next;
    from = to;
  }
  if (days.length === 1) return [{ day: days[0]!.day, amount }];
  const parts = allocate(
    amount,
    days.map((d) => d.ms),
  );
  return days.map((d, i) => ({ day: d.day, amount: parts[i]! }));
}

// ---------------------------------------------------------------------------------------------
// Category rules (finance-editable) and tag keys.

export interface FocusRules {
  /** First match wins; fields compared case-insensitively; an absent field matches anything. */
  categories: { providerName?: string; serviceName?: string; serviceCategory?: string; category: string }[];
  teamTags: string[];
  featureTags: string[];
}

export const DEFAULT_FOCUS_RULES: FocusRules = {
  categories: [
    { serviceName: 'Pinecone', category: 'vector_db' },
    { serviceName: 'Weaviate', category: 'vector_db' },
    { serviceName: 'Qdrant', category: 'vector_db' },
    { serviceCategory: 'Databases', category: 'infrastructure' },
    { serviceCategory: 'Compute', category: 'infrastructure' },
    { serviceCategory: 'Storage', category: 'infrastructure' },
    { serviceCategory: 'Networking', category: 'infrastructure' },
    { serviceCategory: 'AI and Machine Learning', category: 'infrastructure' },
    { serviceCategory: 'Integration', category: 'integrations' },
    { serviceCategory: 'Business Applications', category: 'integrations' },
    { serviceCategory: 'Developer Tools', category: 'integrations' },
    { serviceCategory: 'Management and Governance', category: 'observability' },
  ],
  teamTags: ['team', 'aicost-team', 'user:team', 'Team'],
  featureTags: ['feature', 'aicost-feature', 'user:feature', 'Feature'],
};

export function categoryOf(row: Pick<FocusRow, 'providerName' | 'serviceName' | 'serviceCategory'>, rules: FocusRules): string {
  const eq = (a: string | undefined, b: string) => a === undefined || a.toLowerCase() === b.toLowerCase();
  return (
    rules.categories.find((c) => eq(c.providerName, row.providerName) && eq(c.serviceName, row.serviceName) && eq(c.serviceCategory, row.serviceCategory))
      ?.category ?? 'other'
  );
}

export function tagValue(tags: Record<string, string>, keys: readonly string[]): string | null {
  for (const k of keys) {
    const v = tags[k]?.trim();
    if (v) return v.toLowerCase();
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// FOCUS 1.2 export: the mandatory columns and their requirements (what the export is validated against).

export type FocusType = 'decimal' | 'datetime' | 'string' | 'currency';
export interface FocusColumnSpec {
  name: string;
  type: FocusType;
  nullable: boolean;
  allowed?: readonly string[];
}

export const FOCUS_12_MANDATORY: readonly FocusColumnSpec[] = [
  { name: 'BilledCost', type: 'decimal', nullable: false },
  { name: 'BillingAccountId', type: 'string', nullable: false },
  { name: 'BillingAccountName', type: 'string', nullable: true },
  { name: 'BillingCurrency', type: 'currency', nullable: false },
  { name: 'BillingPeriodEnd', type: 'datetime', nullable: false },
  { name: 'BillingPeriodStart', type: 'datetime', nullable: false },
  { name: 'ChargeCategory', type: 'string', nullable: false, allowed: CHARGE_CATEGORIES },
  { name: 'ChargeClass', type: 'string', nullable: true, allowed: ['Correction'] },
  { name: 'ChargeDescription', type: 'string', nullable: true },
  { name: 'ChargePeriodEnd', type: 'datetime', nullable: false },
  { name: 'ChargePeriodStart', type: 'datetime', nullable: false },
  { name: 'ContractedCost', type: 'decimal', nullable: false },
  { name: 'EffectiveCost', type: 'decimal', nullable: false },
  { name: 'InvoiceIssuerName', type: 'string', nullable: false },
  { name: 'ListCost', type: 'decimal', nullable: false },
  { name: 'PricingQuantity', type: 'decimal', nullable: true },
  { name: 'PricingUnit', type: 'string', nullable: true },
  { name: 'ProviderName', type: 'string', nullable: false },
  { name: 'PublisherName', type: 'string', nullable: false },
  { name: 'ServiceCategory', type: 'string', nullable: false, allowed: SERVICE_CATEGORIES },
  { name: 'ServiceName', type: 'string', nullable: false },
];

const CHARGE_FREQUENCIES = ['One-Time', 'Recurring', 'Usage-Based'];
/** The FOCUS 1.2 subcategories aicost writes, with their category ("Other (…)" ones name theirs). */
const KNOWN_SUBCATEGORIES: Record<string, string> = { 'Generative AI': 'AI and Machine Learning', Observability: 'Management and Governance' };
const UTC_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const NUMERIC = /^-?\d+(\.\d+)?$/;

/**
 * Every problem of a FOCUS 1.2 dataset (header + records) against the mandatory columns: presence,
 * type (decimals in plain numeric format, UTC datetimes "YYYY-MM-DDTHH:mm:ssZ", ISO 4217 currency),
 * nullability, allowed values, ChargePeriodStart < ChargePeriodEnd, and PricingQuantity/PricingUnit
 * set for Usage and Purchase (not corrections) and null for Tax. Empty = valid.
 */
export function validateFocus12(header: readonly string[], records: readonly FocusRecord[]): string[] {
  const problems: string[] = [];
  for (const c of FOCUS_12_MANDATORY) if (!header.includes(c.name)) problems.push(`missing mandatory column ${c.name}`);
  if (problems.length) return problems;
  records.forEach((r, i) => {
    const at = `row ${i + 2}`;
    for (const c of FOCUS_12_MANDATORY) {
      const v = r[c.name] ?? '';
      if (v === '') {
        if (!c.nullable) problems.push(`${at}: ${c.name} must not be null`);
        continue;
      }
      if (c.type === 'decimal' && !NUMERIC.test(v)) problems.push(`${at}: ${c.name} "${v}" is not a decimal`);
      if (c.type === 'datetime' && !UTC_DATETIME.test(v)) problems.push(`${at}: ${c.name} "${v}" is not a UTC ISO 8601 datetime`);
      if (c.type === 'currency' && !/^[A-Z]{3}$/.test(v)) problems.push(`${at}: ${c.name} "${v}" is not an ISO 4217 code`);
      if (c.allowed && !c.allowed.includes(v)) problems.push(`${at}: ${c.name} "${v}" is not an allowed value`);
    }
    if ((r.ChargePeriodStart ?? '') >= (r.ChargePeriodEnd ?? '')) problems.push(`${at}: ChargePeriodStart is not before ChargePeriodEnd`);
    if ((r.BillingPeriodStart ?? '') >= (r.BillingPeriodEnd ?? '')) problems.push(`${at}: BillingPeriodStart is not before BillingPeriodEnd`);
    const usage = (r.ChargeCategory === 'Usage' || r.ChargeCategory === 'Purchase') && r.ChargeClass !== 'Correction';
    if (usage && (!r.PricingQuantity || !r.PricingUnit)) problems.push(`${at}: PricingQuantity and PricingUnit must not be null for ${r.ChargeCategory}`);
    if (r.ChargeCategory === 'Tax' && (r.PricingQuantity || r.PricingUnit)) problems.push(`${at}: PricingQuantity and PricingUnit must be null for Tax`);
    // Decimals are written with a decimal point: the FinOps Foundation's validator types "1" as an integer.
    for (const c of FOCUS_12_MANDATORY)
      if (c.type === 'decimal' && r[c.name] && !/\./.test(r[c.name]!)) problems.push(`${at}: ${c.name} "${r[c.name]}" is written as an integer`);
    if (header.includes('ChargeFrequency')) {
      const f = r.ChargeFrequency ?? '';
      if (!CHARGE_FREQUENCIES.includes(f)) problems.push(`${at}: ChargeFrequency "${f}" is not an allowed value`);
      if (f === 'Usage-Based' && r.ChargeCategory === 'Purchase') problems.push(`${at}: ChargeFrequency must not be Usage-Based for a Purchase`);
    }
    if (header.includes('ServiceSubcategory')) {
      const sub = r.ServiceSubcategory ?? '';
      const of = /^Other \((.+)\)$/.exec(sub)?.[1] ?? KNOWN_SUBCATEGORIES[sub];
      if (of !== r.ServiceCategory) problems.push(`${at}: ServiceSubcategory "${sub}" is not a subcategory of ${r.ServiceCategory}`);
    }
  });
  return problems;
}
