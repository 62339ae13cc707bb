import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import { costWrites } from '../../src/db/repositories/cost-writes.ts';
import { chargebackFocusRecords, focusCsv } from '../../src/domain/focus-export.ts';
import { validateFocus12, type FocusRecord } from '../../src/domain/focus.ts';
import { allocate, fromUsd, nanos, sum } from '../../src/domain/money.ts';
import { dayStart, daysOf, monthPeriod } from '../../src/domain/periods.ts';
import { loadAppConfig } from '../../src/config.ts';
import { createServices, serviceSettings, type Services } from '../../src/container.ts';
import { createTestDatabase, testProviders, type TestDatabase } from '../support/database.ts';

/**
 * "Done when" of issue 14 for FOCUS: a file with tagged and untagged rows, a multi-day charge period and
 * a non-USD row; the export validated against the FOCUS 1.2 column requirements.
 */

const HEADER =
  'BillingAccountId,InvoiceId,ResourceId,ChargePeriodStart,ChargePeriodEnd,BilledCost,EffectiveCost,BillingCurrency,ProviderName,ServiceName,ServiceCategory,ChargeCategory,ChargeDescription,Tags';
const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
const GOOD = [
  HEADER,
  // tagged, one day: support's vector database
  `acct-1,inv-10,idx-main,2026-10-05T00:00:00Z,2026-10-06T00:00:00Z,120.00,100.10,USD,Pinecone,Pinecone,Databases,Usage,Serverless index,${q('{"team":"support","env":"prod"}')}`,
  // untagged, three days: shared, allocated by direct API spend
  `acct-1,inv-10,i-0abc,2026-10-01T00:00:00Z,2026-10-04T00:00:00Z,12.00,10.00,USD,AWS,Amazon EC2,Compute,Usage,m7g.large,`,
  // tagged, a day and a half: 12 h on the 10th, 24 h on the 11th
  `acct-1,inv-11,zap-1,2026-10-10T12:00:00Z,2026-10-12T00:00:00Z,30.00,30.00,USD,Zapier,Zapier,Integration,Usage,Tasks,${q('{"team":"search"}')}`,
].join('\n');
const BAD = `${GOOD}\nacct-1,inv-12,vm-9,2026-10-07T00:00:00Z,2026-10-08T00:00:00Z,5.00,5.00,EUR,Azure,Virtual Machines,Compute,Usage,D2s,`;

describe.each(testProviders())('FOCUS import and export on %s', (provider) => {
  let t: TestDatabase;
  let s: Services;
  let dir: string;
  let env: Record<string, string>;
  const files = () => ({ good: join(dir, 'good.csv'), bad: join(dir, 'bad.csv'), nocol: join(dir, 'nocol.csv') });

  beforeAll(async () => {
    t = await createTestDatabase(provider);
    s = createServices(t.db, { ...serviceSettings(loadAppConfig({ REPORT_TIMEZONE: 'UTC' })) });
    const support = await s.teams.upsert({ slug: 'support', name: 'Support' });
    const search = await s.teams.upsert({ slug: 'search', name: '=Search', costCenter: 'CC-9' });
    const e = (teamId: number, id: string, amount: string) => ({
      source: 'helicone',
      sourceId: id,
      occurredAt: new Date('2026-10-15T12:00:00Z'),
      teamId,
      featureId: null,
      amount: fromUsd(amount),
    });
    await costWrites(t.db).insertMany([e(support.id, 'a', '30'), e(search.id, 'b', '10')]);
    dir = mkdtempSync(join(tmpdir(), 'aicost-focus-'));
    writeFileSync(files().good, GOOD);
    writeFileSync(files().bad, BAD);
    writeFileSync(files().nocol, GOOD.replace('BillingCurrency', 'Currency'));
    env = { DATABASE_URL: t.url, REPORT_TIMEZONE: 'UTC' };
  }, 60_000);
  afterAll(async () => t?.destroy());

  it('refuses a file with a non-USD row, whole, with its row number; and one with a missing column', async () => {
    const r = await cli(['import', 'focus', files().bad], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nothing was imported');
    expect(r.stderr).toContain('row 5: BillingCurrency is "EUR", only USD is imported');
    const m = await cli(['import', 'focus', files().nocol], env);
    expect(m.stderr).toContain('row 1: missing mandatory column BillingCurrency');
    expect(await t.db.prisma.importedCharge.count()).toBe(0);
  }, 60_000);

  it('imports the good file: tagged rows on their teams exactly, untagged allocated, multi-day periods spread exactly; a re-import changes nothing', async () => {
    const r = await cli(['import', 'focus', files().good], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('3 rows as 6 daily charges (6 new, 0 replaced), $140.10');
    const days = await t.db.prisma.importedCharge.findMany({ orderBy: { day: 'asc' } });
    expect(days.filter((d) => d.category === 'infrastructure').map((d) => [d.day, d.amount])).toEqual([
      ['2026-10-01', 3_333_333_334n],
      ['2026-10-02', 3_333_333_333n],
      ['2026-10-03', 3_333_333_333n],
    ]);
    expect(days.filter((d) => d.category === 'integrations').map((d) => [d.day, d.amount])).toEqual([
      ['2026-10-10', fromUsd('10')],
      ['2026-10-11', fromUsd('20')],
    ]);

    const check = async () => {
      const cb = await s.chargeback.build('2026-10');
      expect(cb.reconcile().ok).toBe(true);
      const support = cb.lines.find((l) => l.slug === 'support')!;
      const search = cb.lines.find((l) => l.slug === 'search')!;
      expect(support.hiddenByCategory.get('vector_db')).toBe(fromUsd('100.10'));
      expect(search.hiddenByCategory.get('integrations')).toBe(fromUsd('30'));
      // The untagged $10 is shared by direct spend, 30 : 10, day by day, to the nanodollar.
      expect(support.allocated + search.allocated).toBe(fromUsd('10'));
      const dayParts = [3_333_333_334n, 3_333_333_333n, 3_333_333_333n].map((d) => allocate(nanos(d), [fromUsd('30'), fromUsd('10')]));
      expect(support.allocated).toBe(sum(dayParts.map((p) => p[0]!)));
      expect(cb.totals.total).toBe(fromUsd('40') + fromUsd('140.10'));
      return cb;
    };
    await check();
    const again = await cli(['import', 'focus', files().good], env);
    expect(again.stdout).toContain('(0 new, 6 replaced)');
    await check();
    expect(await t.db.prisma.importedCharge.count()).toBe(6);
  }, 60_000);

  it('--cost billed replaces the same charges with their billed amounts instead of adding', async () => {
    const r = await cli(['import', 'focus', files().good, '--cost', 'billed'], env);
    expect(r.stdout).toContain('(0 new, 6 replaced), $162.00');
    const total = await t.db.prisma.importedCharge.aggregate({ _sum: { amount: true } });
    expect(total._sum.amount).toBe(fromUsd('162'));
    await cli(['import', 'focus', files().good], env); // back to effective cost
  }, 60_000);

  it('exports the chargeback as FOCUS 1.2: every mandatory column valid, BilledCost summing to the chargeback total', async () => {
    const cb = await s.chargeback.build('2026-10');
    const p = monthPeriod('2026-10', 'UTC');
    const days = daysOf(p, 'UTC').map((d, i, all) => ({ from: dayStart(d, 'UTC'), to: i + 1 < all.length ? dayStart(all[i + 1]!, 'UTC') : p.to }));
    const records = chargebackFocusRecords(cb, { days, billingPeriod: p });
    const csv = focusCsv(records);
    const parsed = parse(csv, { columns: true }) as FocusRecord[];
    const header = csv.split('\n')[0]!.split(',');
    expect(validateFocus12(header, parsed)).toEqual([]);
    expect(sum(parsed.map((r) => fromUsd(r.BilledCost!)))).toBe(cb.totals.total);
    // one row per team, day and cost line
    const keys = parsed.map((r) => `${r.SubAccountId}|${r.ChargePeriodStart}|${r.ChargeDescription}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(parsed.filter((r) => r.SubAccountId === 'support' && r.ChargeDescription === 'hidden cost: vector_db')).toHaveLength(31);
    expect(csv).toContain(`,'=Search,`); // formula injection escaped
    const cliOut = await cli(['chargeback', '--month', '2026-10', '--format', 'focus'], env);
    expect(cliOut.code).toBe(0);
    expect(cliOut.stdout).toBe(csv);

    // The validator is not a rubber stamp.
    const first = parsed[0]!;
    expect(
      validateFocus12(
        header.filter((h) => h !== 'ListCost'),
        parsed,
      ),
    ).toContain('missing mandatory column ListCost');
    expect(validateFocus12(header, [{ ...first, ChargePeriodStart: '2026-10-01 00:00' }])[0]).toMatch(/ChargePeriodStart .* not a UTC ISO 8601 datetime/);
    expect(validateFocus12(header, [{ ...first, BilledCost: '1e3' }])[0]).toMatch(/BilledCost "1e3" is not a decimal/);
    expect(validateFocus12(header, [{ ...first, ChargeCategory: 'Tax' }])[0]).toMatch(/must be null for Tax/);
    expect(validateFocus12(header, [{ ...first, PricingUnit: '' }])[0]).toMatch(/must not be null for Usage/);
    expect(validateFocus12(header, [{ ...first, ServiceCategory: 'LLM' }])[0]).toMatch(/ServiceCategory "LLM" is not an allowed value/);
    expect(validateFocus12(header, [{ ...first, BillingCurrency: '' }])[0]).toMatch(/BillingCurrency must not be null/);
  }, 60_000);
});
