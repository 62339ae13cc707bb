import { allocate, fromUsd, type Money } from './money.ts';
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
  /** The charge's identity in any export (no cost, no tags): the same charge re-exported has the same key. */
  identity: string;
}

export type RowResult = { ok: true; row: FocusRow } | { ok: false; row: number; failure: Failure };

const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** An ISO 8601 time of a FOCUS file as an instant (no zone means UTC, as the specification requires). */
export function parseFocusTime(text: string): Date | null {
  const t = text.trim();
  if (!ISO.test(t)) return null;
  const withZone = /[zZ]|[+-]\d{2}:?\d{2}$/.test(t.slice(10)) ? t : t.length === 10 ? `${t}T00:00:00Z` : `${t.replace(' ', 'T')}Z`;
  const d = new Date(withZone.replace(' ', 'T'));
  return Number.isNaN(d.getTime()) ? null : d;
}

/** A FOCUS decimal in Money (plain decimals exactly; exponent notation through the number). */
export function parseFocusDecimal(text: string): Money | null {
  const t = text.trim();
  if (!DECIMAL.test(t)) return null;
  try {
    return /[eE]/.test(t) ? fromUsd(Number(t)) : fromUsd(t);
  } catch {
    return null;
  }
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
];

/** Validates one record; `row` is its CSV row number. */
export function readFocusRecord(r: FocusRecord, row: number, cost: CostColumn): RowResult {
  const fail = (failure: Failure): RowResult => ({ ok: false, row, failure });
  const currency = (r.BillingCurrency ?? '').trim();
  if (currency.toUpperCase() !== 'USD') return fail({ code: 'focus.currency', currency });
  const start = parseFocusTime(r.ChargePeriodStart ?? '');
  if (!start) return fail({ code: 'focus.time', column: 'ChargePeriodStart', text: r.ChargePeriodStart ?? '' });
  const end = parseFocusTime(r.ChargePeriodEnd ?? '');
  if (!end) return fail({ code: 'focus.time', column: 'ChargePeriodEnd', text: r.ChargePeriodEnd ?? '' });
  if (end <= start) return fail({ code: 'focus.end-before-start' });
  const amount = parseFocusDecimal(r[cost] ?? '');
  if (amount === null) return fail({ code: 'focus.decimal', column: cost, text: r[cost] ?? '' });
  const chargeCategory = (r.ChargeCategory ?? '').trim();
  if (!(CHARGE_CATEGORIES as readonly string[]).includes(chargeCategory))
    return fail({ code: 'focus.charge-category', text: chargeCategory, allowed: CHARGE_CATEGORIES });
  let tags: Record<string, string> = {};
  const tagText = (r.Tags ?? '').trim();
  if (tagText !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(tagText);
    } catch {
      return fail({ code: 'focus.tags' });
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return fail({ code: 'focus.tags' });
    tags = Object.fromEntries(Object.entries(parsed as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  }
  const identity = JSON.stringify([start.toISOString(), end.toISOString(), ...IDENTITY_COLUMNS.map((c) => (r[c] ?? '').trim())]);
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
      providerName: (r.ProviderName ?? r.ServiceProviderName ?? '').trim(),
      serviceName: (r.ServiceName ?? '').trim(),
      serviceCategory: (r.ServiceCategory ?? '').trim(),
      description: (r.ChargeDescription ?? '').trim(),
    },
  };
}

const DAY_MS = 86_400_000;

/**
 * A charge period spread over the UTC days it covers, in proportion to the time in each day, exactly
 * (largest remainder: the parts sum to the amount to the nanodollar).
 */
export function spreadOverDays(start: Date, end: Date, amount: Money): { day: string; amount: Money }[] {
  const days: { day: string; ms: bigint }[] = [];
  for (let t = Math.floor(start.getTime() / DAY_MS) * DAY_MS; t < end.getTime(); t += DAY_MS) {
    const ms = Math.min(end.getTime(), t + DAY_MS) - Math.max(start.getTime(), t);
    if (ms > 0) days.push({ day: new Date(t).toISOString().slice(0, 10), ms: BigInt(ms) });
  }
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
  });
  return problems;
}
