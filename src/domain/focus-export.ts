import { stringify } from 'csv-stringify/sync';
import { isUnobservedCategory } from './reconciliation.ts';
import type { Chargeback } from './chargeback.ts';
import { escapeCell } from './csv-export.ts';
import { FOCUS_12_MANDATORY, type FocusRecord } from './focus.ts';
import { allocate, toDecimalString, type Money } from './money.ts';
import { dayStart, daysOf, monthPeriod } from './periods.ts';

/**
 * aicost's own chargeback as FOCUS 1.2 rows, for Vantage, Datadog Custom Costs or a warehouse: one row
 * per team (SubAccount), local day and cost line (API by source, each hidden category, each allocation
 * rule, each adjustment), plus the unattributed and unallocated lines. The chargeback is monthly, so a
 * line's month amount is spread evenly over the month's days, exactly (largest remainder): the
 * BilledCost column sums to the chargeback total to the nanodollar. Costs are not discounted here, so
 * ListCost = ContractedCost = EffectiveCost = BilledCost.
 */
export const FOCUS_EXPORT_COLUMNS = [
  ...FOCUS_12_MANDATORY.map((c) => c.name),
  // FOCUS 1.2 recommended columns
  'ChargeFrequency',
  'InvoiceId',
  'ServiceSubcategory',
  // conditional: aicost has sub accounts (teams) and tags
  'SubAccountId',
  'SubAccountName',
  'Tags',
  // custom columns (FOCUS reserves the x_ prefix for them): what an aicost import needs to rebuild the
  // chargeback exactly in another database, categories and lines no team carries included
  'x_AicostCategory',
  'x_AicostAttribution',
];

const SERVICE_CATEGORY: Record<string, string> = {
  api: 'AI and Machine Learning',
  embeddings: 'AI and Machine Learning',
  unobserved: 'AI and Machine Learning',
  retries: 'AI and Machine Learning',
  vector_db: 'Databases',
  infrastructure: 'Compute',
  integrations: 'Integration',
  observability: 'Management and Governance',
};

/** FOCUS 1.2 ServiceSubcategory of each ServiceCategory aicost writes (a subcategory of its category). */
const SERVICE_SUBCATEGORY: Record<string, string> = {
  'AI and Machine Learning': 'Generative AI',
  Databases: 'Other (Databases)',
  Compute: 'Other (Compute)',
  Integration: 'Other (Integration)',
  'Management and Governance': 'Observability',
  Other: 'Other (Other)',
};

/**
 * The days a month's export spreads its lines over: the month's local days with their UTC bounds, only
 * up to today for the running month (month-to-date cost is never spread to days that have not happened).
 */
export function focusExportDays(month: string, timeZone: string, now: Date): { from: Date; to: Date }[] {
  const p = monthPeriod(month, timeZone);
  const all = daysOf(p, timeZone).map((d, i, days) => ({ from: dayStart(d, timeZone), to: i + 1 < days.length ? dayStart(days[i + 1]!, timeZone) : p.to }));
  const happened = all.filter((d) => d.from < now);
  return happened.length ? happened : all.slice(0, 1);
}

export interface FocusExportOptions {
  /** The month's local days with their UTC bounds. */
  days: { from: Date; to: Date }[];
  billingPeriod: { from: Date; to: Date };
  accountId?: string;
  accountName?: string;
}

type Attribution = 'team' | 'unattributed' | 'unallocated';

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function chargebackFocusRecords(cb: Chargeback, opts: FocusExportOptions): FocusRecord[] {
  if (opts.days.length === 0) throw new RangeError('a FOCUS export needs the days of the month');
  const items: {
    sub: string;
    subName: string;
    costCenter: string | null;
    attribution: Attribution;
    category: string;
    description: string;
    chargeCategory: string;
    amount: Money;
  }[] = [];
  for (const l of cb.lines) {
    const base = { sub: l.slug, subName: l.name, costCenter: l.costCenter, attribution: 'team' as const };
    for (const [source, amount] of l.directBySource)
      items.push({ ...base, category: 'api', description: `API spend observed by ${source}`, chargeCategory: 'Usage', amount });
    for (const [category, amount] of l.hiddenByCategory) {
      items.push({
        ...base,
        category,
        description: isUnobservedCategory(category) ? `API spend billed by the provider, not observed: ${category}` : `hidden cost: ${category}`,
        chargeCategory: 'Usage',
        amount,
      });
    }
    for (const a of l.allocations)
      items.push({
        ...base,
        category: a.ruleLabel.split(':')[0] ?? 'shared',
        description: `shared cost allocated: ${a.ruleLabel}`,
        chargeCategory: 'Usage',
        amount: a.amount,
      });
    for (const a of l.adjustmentLines)
      items.push({ ...base, category: 'adjustment', description: a.label, chargeCategory: a.amount < 0n ? 'Credit' : 'Adjustment', amount: a.amount });
  }
  if (cb.unattributed !== 0n)
    items.push({
      sub: '',
      subName: '',
      costCenter: null,
      attribution: 'unattributed',
      category: 'api',
      description: 'API spend with no team',
      chargeCategory: 'Usage',
      amount: cb.unattributed,
    });
  if (cb.unallocated !== 0n)
    items.push({
      sub: '',
      subName: '',
      costCenter: null,
      attribution: 'unallocated',
      category: 'shared',
      description: 'shared cost no rule allocates',
      chargeCategory: 'Usage',
      amount: cb.unallocated,
    });

  const ones = opts.days.map(() => 1n);
  const out: FocusRecord[] = [];
  for (const it of items) {
    if (it.amount === 0n) continue;
    const parts = allocate(it.amount, ones);
    opts.days.forEach((d, i) => {
      const part = parts[i]!;
      if (part === 0n) return;
      const cost = toDecimalString(part);
      const usage = it.chargeCategory === 'Usage';
      const serviceCategory = SERVICE_CATEGORY[isUnobservedCategory(it.category) ? 'unobserved' : it.category] ?? 'Other';
      out.push({
        BilledCost: cost,
        BillingAccountId: opts.accountId ?? 'aicost',
        BillingAccountName: opts.accountName ?? 'aicost chargeback',
        BillingCurrency: 'USD',
        BillingPeriodEnd: iso(opts.billingPeriod.to),
        BillingPeriodStart: iso(opts.billingPeriod.from),
        ChargeCategory: it.chargeCategory,
        ChargeClass: '',
        ChargeDescription: it.description,
        ChargeFrequency: usage ? 'Usage-Based' : 'One-Time',
        ChargePeriodEnd: iso(d.to),
        ChargePeriodStart: iso(d.from),
        ContractedCost: cost,
        EffectiveCost: cost,
        InvoiceId: `aicost-${cb.month}`,
        InvoiceIssuerName: 'aicost',
        ListCost: cost,
        // A Decimal (the Foundation's validator reads "1" as an integer): one day of the line.
        PricingQuantity: usage ? '1.0' : '',
        PricingUnit: usage ? 'Days' : '',
        ProviderName: 'aicost',
        PublisherName: 'aicost',
        ServiceCategory: serviceCategory,
        ServiceSubcategory: SERVICE_SUBCATEGORY[serviceCategory]!,
        ServiceName: it.category === 'api' || isUnobservedCategory(it.category) ? 'LLM API' : it.category,
        SubAccountId: it.sub,
        SubAccountName: it.subName,
        Tags: JSON.stringify({
          ...(it.attribution === 'team' ? { team: it.sub } : {}),
          aicost_category: it.category,
          ...(it.costCenter ? { cost_center: it.costCenter } : {}),
        }),
        x_AicostCategory: it.category,
        x_AicostAttribution: it.attribution,
      });
    });
  }
  return out;
}

/** The records as CSV (header first), every cell escaped against formula injection. */
export function focusCsv(records: readonly FocusRecord[]): string {
  return stringify([FOCUS_EXPORT_COLUMNS, ...records.map((r) => FOCUS_EXPORT_COLUMNS.map((c) => escapeCell(r[c] ?? '')))]);
}
