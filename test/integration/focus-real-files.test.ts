import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costWrites } from '../../src/db/repositories/cost-writes.ts';
import { billingRepository } from '../../src/db/repositories/billing.ts';
import { periodsRepository } from '../../src/db/repositories/periods.ts';
import { chargebackFocusRecords, focusCsv, focusExportDays } from '../../src/domain/focus-export.ts';
import { DEFAULT_FOCUS_RULES, validateFocus12, type FocusRecord } from '../../src/domain/focus.ts';
import { add, fromUsd, ZERO, type Money } from '../../src/domain/money.ts';
import { monthPeriod } from '../../src/domain/periods.ts';
import { createServices, serviceSettings } from '../../src/container.ts';
import { loadAppConfig } from '../../src/config.ts';
import { focusImportService } from '../../src/services/focus-service.ts';
import { createTestDatabase, testProviders, type TestDatabase } from '../support/database.ts';

/**
 * Issue 22 (FOCUS part): files aicost did not write. Every fixture here is written from the FOCUS
 * specification's text (null handling, column types, allowed values), none copied from a third party.
 */
function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [resolve('bin/aicost.js'), ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
/** Plain decimal text → nanodollars, independently of aicost's parser (the cross-check). */
const nanoOf = (text: string) => {
  const [w, f = ''] = text.replace('-', '').split('.');
  const n = BigInt(w!) * 1_000_000_000n + BigInt(`${f}000000000`.slice(0, 9));
  return text.startsWith('-') ? -n : n;
};

/**
 * A FOCUS 1.0 dataset as the specification's null handling writes it: every nullable column without a
 * value is the literal NULL (here 20 nullable columns), Tags NULL, JSON null or an object.
 */
const FOCUS_10_COLUMNS = [
  'AvailabilityZone',
  'BilledCost',
  'BillingAccountId',
  'BillingAccountName',
  'BillingCurrency',
  'BillingPeriodEnd',
  'BillingPeriodStart',
  'ChargeCategory',
  'ChargeClass',
  'ChargeDescription',
  'ChargeFrequency',
  'ChargePeriodEnd',
  'ChargePeriodStart',
  'CommitmentDiscountCategory',
  'CommitmentDiscountId',
  'CommitmentDiscountName',
  'CommitmentDiscountType',
  'ConsumedQuantity',
  'ConsumedUnit',
  'ContractedCost',
  'ContractedUnitPrice',
  'EffectiveCost',
  'InvoiceIssuerName',
  'ListCost',
  'ListUnitPrice',
  'PricingCategory',
  'PricingQuantity',
  'PricingUnit',
  'ProviderName',
  'PublisherName',
  'RegionId',
  'RegionName',
  'ResourceId',
  'ResourceName',
  'ResourceType',
  'ServiceCategory',
  'ServiceName',
  'SkuId',
  'SkuPriceId',
  'SubAccountId',
  'SubAccountName',
  'Tags',
];
function focus10Row(o: Partial<Record<string, string>>): string {
  const base: Record<string, string> = {
    BillingAccountId: '111122223333',
    BillingAccountName: 'Example Org',
    BillingCurrency: 'USD',
    BillingPeriodStart: '2026-10-01T00:00:00Z',
    BillingPeriodEnd: '2026-11-01T00:00:00Z',
    ChargeCategory: 'Usage',
    ChargeFrequency: 'Usage-Based',
    InvoiceIssuerName: 'AWS',
    PublisherName: 'AWS',
    ProviderName: 'AWS',
  };
  const r = { ...base, ...o };
  return FOCUS_10_COLUMNS.map((c) => {
    const v = r[c];
    if (v === undefined) return 'NULL';
    return /[",\n]/.test(v) ? q(v) : v;
  }).join(',');
}
const day = (d: number, h = 0) => `2026-10-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:00:00Z`;
const usage = (o: Partial<Record<string, string>>) => {
  const cost = o.EffectiveCost!;
  return focus10Row({ BilledCost: cost, ListCost: cost, ContractedCost: cost, PricingQuantity: '1', PricingUnit: 'Hours', ...o });
};
const FOCUS_10_ROWS: string[] = [
  usage({
    ChargePeriodStart: day(1),
    ChargePeriodEnd: day(2),
    EffectiveCost: '12.3456789',
    ServiceName: 'Amazon EC2',
    ServiceCategory: 'Compute',
    ChargeDescription: 'm7g.large',
  }),
  usage({
    ChargePeriodStart: day(3, 12),
    ChargePeriodEnd: day(5),
    EffectiveCost: '100.000000001',
    ServiceName: 'Amazon OpenSearch Service',
    ServiceCategory: 'Analytics',
    ChargeDescription: 'Vector search',
    Tags: '{"team":"support","env":"prod"}',
    ResourceId: 'arn:aws:es:us-east-1:1:domain/x',
  }),
  usage({
    ChargePeriodStart: day(6),
    ChargePeriodEnd: day(7),
    EffectiveCost: '0.000000333',
    ServiceName: 'Amazon S3',
    ServiceCategory: 'Storage',
    Tags: 'null',
  }),
  usage({
    ChargePeriodStart: day(8),
    ChargePeriodEnd: day(9),
    EffectiveCost: '3.33',
    ServiceName: 'Amazon Bedrock',
    ServiceCategory: 'AI and Machine Learning',
    Tags: '{}',
  }),
  focus10Row({
    ChargePeriodStart: day(10),
    ChargePeriodEnd: day(11),
    BilledCost: '1.07',
    EffectiveCost: '1.07',
    ListCost: '1.07',
    ContractedCost: '1.07',
    ChargeCategory: 'Tax',
    ChargeFrequency: 'Recurring',
    ServiceName: 'Amazon EC2',
    ServiceCategory: 'Compute',
  }),
  focus10Row({
    ChargePeriodStart: day(12),
    ChargePeriodEnd: day(15),
    BilledCost: '-2.5',
    EffectiveCost: '-2.5',
    ListCost: '0',
    ContractedCost: '-2.5',
    ChargeCategory: 'Credit',
    ChargeFrequency: 'One-Time',
    ServiceName: 'Amazon EC2',
    ServiceCategory: 'Compute',
    Tags: '{"team":"search"}',
  }),
];
const FOCUS_10 = [FOCUS_10_COLUMNS.join(','), ...FOCUS_10_ROWS].join('\n');

const HEADER =
  'ChargePeriodStart,ChargePeriodEnd,BilledCost,EffectiveCost,BillingCurrency,ProviderName,ServiceName,ServiceCategory,ChargeCategory,ChargeDescription,Tags';
const row = (start: string, end: string, cost: string, extra = 'Usage,x,') => `${start},${end},${cost},${cost},USD,AWS,Amazon EC2,Compute,${extra}`;
const IMPLAUSIBLE = [
  HEADER,
  row(day(1), day(2), '1.00'),
  row('2026-02-30T00:00:00Z', '2026-03-01T00:00:00Z', '1.00'),
  row('2026-10-01T00:00:00Z', '2029-10-01T00:00:00Z', '360000.00', 'Purchase,3-year commitment,'),
  row(day(2), day(3), '-5000000', 'Credit,promotional credit,'),
  row(day(2), day(3), '99999999999999'),
  row(day(2), day(3), '1e300'),
  row('2026-10-02T24:00:00Z', day(3), '1.00'),
].join('\n');

describe.each(testProviders())('FOCUS files aicost did not write, on %s', (provider) => {
  const dbs: TestDatabase[] = [];
  let dir: string;
  const fresh = async (timeZone: string) => {
    const t = await createTestDatabase(provider);
    dbs.push(t);
    const s = createServices(t.db, { ...serviceSettings(loadAppConfig({ REPORT_TIMEZONE: timeZone })), financeUserIds: ['UFIN'] });
    const support = await s.teams.upsert({ slug: 'support', name: 'Support' });
    const search = await s.teams.upsert({ slug: 'search', name: '=Search', costCenter: 'CC-9' });
    return { t, s, support, search, env: { DATABASE_URL: t.url, REPORT_TIMEZONE: timeZone } };
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'aicost-focus22-'));
  });
  afterAll(async () => {
    for (const t of dbs) await t.destroy();
  });

  it('imports a FOCUS 1.0 file that writes nulls as NULL (and Tags as JSON null), every provider/category total exact', async () => {
    const { t, env } = await fresh('UTC');
    const file = join(dir, 'focus10.csv');
    writeFileSync(file, FOCUS_10);
    const r = await cli(['import', 'focus', file], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('6 rows');
    // An independent sum of the file's EffectiveCost by category (the rules' mapping written out).
    const categoryOf: Record<string, string> = {
      Compute: 'infrastructure',
      Analytics: 'other',
      Storage: 'infrastructure',
      'AI and Machine Learning': 'infrastructure',
    };
    const expected = new Map<string, bigint>();
    for (const line of parse(FOCUS_10, { columns: true }) as FocusRecord[]) {
      const k = categoryOf[line.ServiceCategory!]!;
      expected.set(k, (expected.get(k) ?? 0n) + nanoOf(line.EffectiveCost!));
    }
    const stored = await t.db.prisma.importedCharge.findMany();
    const got = new Map<string, bigint>();
    for (const c of stored) got.set(c.category, (got.get(c.category) ?? 0n) + c.amount);
    expect(got).toEqual(expected);
    expect(
      stored
        .filter((c) => c.serviceName === 'Amazon OpenSearch Service')
        .map((c) => [c.day, c.amount])
        .sort(),
    ).toEqual([
      ['2026-10-03', 33_333_333_334n],
      ['2026-10-04', 66_666_666_667n],
    ]);
  }, 120_000);

  it('refuses impossible dates, a 3-year period, an unbounded credit and overflowing amounts, each with its row number; nothing stored', async () => {
    const { t, env } = await fresh('UTC');
    const file = join(dir, 'implausible.csv');
    writeFileSync(file, IMPLAUSIBLE);
    const r = await cli(['import', 'focus', file], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Refused');
    expect(r.stderr).toContain('6 problems');
    expect(r.stderr).toContain('row 3: ChargePeriodStart "2026-02-30T00:00:00Z" is not an ISO 8601 time');
    expect(r.stderr).toMatch(/row 4: the charge period is 1096 days; at most 32/);
    expect(r.stderr).toMatch(/row 5: EffectiveCost "-5000000" is beyond ±\$1,000,000\.00/);
    expect(r.stderr).toMatch(/row 6: EffectiveCost "99999999999999" is beyond/);
    expect(r.stderr).toMatch(/row 7: EffectiveCost "1e300" is beyond/);
    expect(r.stderr).toContain('row 8: ChargePeriodStart "2026-10-02T24:00:00Z" is not an ISO 8601 time');
    expect(r.stderr).not.toMatch(/prisma|SQLITE|overflow|invalid input/i);
    expect(await t.db.prisma.importedCharge.count()).toBe(0);
    expect(await t.db.prisma.importedChargeStage.count()).toBe(0);
  }, 120_000);

  it("round-trips its own export into a fresh database with the same teams: every team's total to the nanodollar, categories kept, unattributed not allocated", async () => {
    const zone = 'America/New_York';
    const a = await fresh(zone);
    const entry = (teamId: number | null, source: string, id: string, at: string, amount: string) => ({
      source,
      sourceId: id,
      occurredAt: new Date(at),
      teamId,
      featureId: null,
      amount: fromUsd(amount),
    });
    await costWrites(a.t.db).insertMany([
      entry(a.support.id, 'helicone', 'a', '2026-10-15T12:00:00Z', '30.000000007'),
      entry(a.support.id, 'langfuse', 'b', '2026-10-16T12:00:00Z', '1.25'),
      entry(a.search.id, 'helicone', 'c', '2026-10-17T12:00:00Z', '10'),
      entry(null, 'helicone', 'd', '2026-10-18T12:00:00Z', '7.000000001'),
    ]);
    // Hidden costs from a cloud bill: a vector database on support, shared compute allocated by spend.
    const bill = join(dir, 'bill.csv');
    writeFileSync(
      bill,
      [
        HEADER,
        `${day(5)},${day(6)},100.10,100.10,USD,Pinecone,Pinecone,Databases,Usage,index,${q('{"team":"support"}')}`,
        `${day(1)},${day(4)},10.00,10.00,USD,AWS,Amazon EC2,Compute,Usage,m7g.large,`,
      ].join('\n'),
    );
    expect((await cli(['import', 'focus', bill], a.env)).code).toBe(0);
    const cbA = await a.s.chargeback.build('2026-10');
    expect(cbA.unattributed).toBe(fromUsd('7.000000001'));
    const exportFile = join(dir, 'export.csv');
    const out = await cli(['chargeback', '--month', '2026-10', '--format', 'focus', '--out', exportFile], a.env);
    expect(out.code).toBe(0);

    const b = await fresh(zone);
    const imported = await cli(['import', 'focus', exportFile], b.env);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    const cbB = await b.s.chargeback.build('2026-10');
    for (const slug of ['support', 'search']) {
      const la = cbA.lines.find((l) => l.slug === slug)!;
      const lb = cbB.lines.find((l) => l.slug === slug)!;
      expect(lb.total).toBe(la.total);
      // categories survive: API spend as "api", the vector database as vector_db, allocations by their category
      const want = new Map<string, Money>();
      const put = (k: string, v: Money) => want.set(k, add(want.get(k) ?? ZERO, v));
      for (const [, v] of la.directBySource) put('api', v);
      for (const [k, v] of la.hiddenByCategory) put(k, v);
      for (const al of la.allocations) put(al.ruleLabel.split(':')[0]!, al.amount);
      expect(new Map([...lb.hiddenByCategory].sort())).toEqual(new Map([...want].sort()));
    }
    expect(cbB.lines.find((l) => l.slug === 'support')!.hiddenByCategory.get('vector_db')).toBe(fromUsd('100.10'));
    // What no team carried stays on no team: nothing of it is allocated.
    expect(cbB.unattributed + cbB.unallocated).toBe(cbA.unattributed + cbA.unallocated);
    expect(cbB.totals.total).toBe(cbA.totals.total);
    // importing the same export again replaces, never adds
    expect((await cli(['import', 'focus', exportFile], b.env)).stdout).toMatch(/\(0 new, \d+ replaced\)/);
    expect((await b.s.chargeback.build('2026-10')).totals.total).toBe(cbA.totals.total);
  }, 240_000);

  it('exports a running month only up to today, with the FOCUS 1.2 recommended columns and decimal quantities', async () => {
    const { s, support } = await fresh('UTC');
    await costWrites(dbs.at(-1)!.db).insertMany([
      { source: 'helicone', sourceId: 'x', occurredAt: new Date('2026-12-02T10:00:00Z'), teamId: support.id, featureId: null, amount: fromUsd('9') },
    ]);
    const now = new Date('2026-12-03T15:00:00Z');
    const cb = await s.chargeback.build('2026-12');
    const records = chargebackFocusRecords(cb, { days: focusExportDays('2026-12', 'UTC', now), billingPeriod: monthPeriod('2026-12', 'UTC') });
    const csv = focusCsv(records);
    const parsed = parse(csv, { columns: true }) as FocusRecord[];
    const header = csv.split('\n')[0]!.split(',');
    expect(validateFocus12(header, parsed)).toEqual([]);
    expect(
      parsed
        .map((r) => r.ChargePeriodStart)
        .sort()
        .at(-1),
    ).toBe('2026-12-03T00:00:00Z');
    expect(parsed).toHaveLength(3);
    expect(parsed[0]).toMatchObject({
      PricingQuantity: '1.0',
      ChargeFrequency: 'Usage-Based',
      InvoiceId: 'aicost-2026-12',
      ServiceSubcategory: 'Generative AI',
    });
    expect(validateFocus12(header, [{ ...parsed[0]!, PricingQuantity: '1' }])[0]).toMatch(/PricingQuantity "1" is written as an integer/);
    expect(validateFocus12(header, [{ ...parsed[0]!, ServiceSubcategory: 'Other (Compute)' }])[0]).toMatch(/not a subcategory of AI and Machine Learning/);
  }, 120_000);

  it('books rows of a closed month as corrections in the open month: the difference, once, however often the file is imported', async () => {
    const { t, s, env } = await fresh('UTC');
    void env;
    const periods = periodsRepository(t.db);
    const service = focusImportService({
      charges: billingRepository(t.db),
      teams: s.teams,
      monthStatus: async (m) => (await periods.get(m)).status,
      rules: DEFAULT_FOCUS_RULES,
      timeZone: 'UTC',
    });
    const file = (cost: string) =>
      [HEADER, `${day(5)},${day(6)},${cost},${cost},USD,Pinecone,Pinecone,Databases,Usage,index,${q('{"team":"support"}')}`].join('\n');
    const first = await service.importCsv(file('100'), 'oct.csv', 'EffectiveCost', new Date('2026-10-20T00:00:00Z'));
    expect(first).toMatchObject({ ok: true, inserted: 1, corrections: 0 });
    expect((await s.chargeback.transition('2026-10', 'close', 'UFIN', new Date('2026-11-02T00:00:00Z'))).ok).toBe(true);
    const octTotal = (await s.chargeback.build('2026-10')).totals.total;

    // The provider revised October: 100 → 130. October stays as closed; November gets +30.
    const revised = await service.importCsv(file('130'), 'oct-revised.csv', 'EffectiveCost', new Date('2026-11-10T00:00:00Z'));
    expect(revised).toMatchObject({ ok: true, corrections: 1 });
    const again = await service.importCsv(file('130'), 'oct-revised.csv', 'EffectiveCost', new Date('2026-11-11T00:00:00Z'));
    expect(again).toMatchObject({ ok: true, corrections: 1, replaced: 1 });
    const rows = await t.db.prisma.importedCharge.findMany({ orderBy: { day: 'asc' } });
    expect(rows.map((r) => [r.day, r.originalDay, r.amount])).toEqual([
      ['2026-10-05', null, fromUsd('100')],
      ['2026-11-11', '2026-10-05', fromUsd('30')],
    ]);
    expect((await s.chargeback.build('2026-10')).totals.total).toBe(octTotal);
    const nov = await s.chargeback.build('2026-11');
    // Shown as a correction of October among November's adjustments, not as more vector_db spend of November.
    const support = nov.lines.find((l) => l.slug === 'support')!;
    expect(support.hiddenByCategory.get('vector_db')).toBeUndefined();
    expect(support.adjustmentLines).toEqual([{ label: 'correction of 2026-10 (closed): vector_db', amount: fromUsd('30'), reference: null }]);
  }, 120_000);
});
