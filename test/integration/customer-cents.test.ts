import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costStore } from '../../src/db/repositories/cost-store.ts';
import { formatMoney, fromUsd, nanos } from '../../src/domain/money.ts';
import type { NormalizedCost } from '../../src/services/ports/source.ts';
import { heliconeCall } from '../support/cost-records.ts';
import { testProviders } from '../support/database.ts';
import { blocksText, startHarness, type Harness, type ResponseUrlPost } from '../support/app-harness.ts';

/**
 * `/aicost customer <id>` shows, for its period and for each month of its trend, the same cents as the
 * `/aicost margin` row of that customer and month (issue 25: the customer answer computes only its own
 * figures): local months whose edges fall in another UTC month, a closed month, an alias, a team whose
 * customers' net spend is negative (a lower re-costing of a closed month, booked as a correction), spend
 * with no customer, and a customer whose share of a cent-sized hidden cost turns on the odd nanodollar.
 */
const FINANCE = 'U0FINANCE';
const NOW = new Date('2026-11-20T15:00:00Z');

let seq = 0;
const call = (at: string, team: string, customer: string | null, amount: string, sourceId = `c${++seq}`): NormalizedCost =>
  heliconeCall({ sourceId, at, team, feature: `${team}-main`, customer, amount });

/** A table the reply shows (a table block after its caption, or monospace), as rows of cells without the header. */
function table(reply: ResponseUrlPost, caption: string): string[][] | null {
  const blocks = reply.blocks ?? [];
  const at = blocks.findIndex((b) => JSON.stringify(b).includes(`*${caption}*`));
  if (at < 0) return null;
  const next = blocks[at + 1] as { type: string; rows?: { text: string }[][] } | undefined;
  if (next?.type === 'table') return next.rows!.slice(1).map((r) => r.map((c) => c.text));
  const body = (blocks[at] as unknown as { text: { text: string } }).text.text.split('```')[1]!;
  return body
    .split('\n')
    .filter((l) => l.trim() && !/^-+(\s+-+)*$/.test(l.trim()))
    .slice(1)
    .map((l) => l.trim().split(/\s{2,}/));
}

interface Cents {
  revenue: string;
  cost: string;
  /** Shown only for customers with revenue (the other table shows API and hidden-and-shared instead). */
  margin?: string;
  share: string;
  api?: string;
  shared?: string;
}

describe.each(testProviders())('customer answers show the margin table’s cents on %s', (provider) => {
  let h: Harness;
  const margins = new Map<string, ResponseUrlPost>();

  /** One customer's row of `/aicost margin <month>` (null: not in it). */
  async function marginRow(month: string, customer: string): Promise<Cents | null> {
    if (!margins.has(month)) margins.set(month, (await h.command(`margin ${month}`, { userId: FINANCE })).reply);
    const reply = margins.get(month)!;
    const withRevenue = table(reply, 'By customer (losses first)')?.find((r) => r[0] === customer);
    if (withRevenue) return { revenue: withRevenue[2]!, cost: withRevenue[3]!, margin: withRevenue[4]!, share: withRevenue[5]! };
    const noRevenue = table(reply, 'Cost with no revenue imported')?.find((r) => r[0] === customer);
    if (noRevenue) return { revenue: '-', cost: noRevenue[1]!, share: '-', api: noRevenue[2]!, shared: noRevenue[3]! };
    return null;
  }

  beforeAll(async () => {
    h = await startHarness(provider, { REPORT_TIMEZONE: 'America/New_York', SCHEDULER_ENABLED: 'false', FINANCE_USER_IDS: FINANCE }, () => NOW);
    const store = costStore(h.db.db, { timeZone: 'America/New_York', clock: () => new Date(NOW.getTime() - 3_600_000) });
    await store.upsertCosts([
      // August. "tiny": three customers with equal spend split a $0.01 hidden cost; a gets the odd nanodollar.
      call('2026-08-10T15:00:00Z', 'tiny', 'a', '0.001666666'),
      call('2026-08-10T15:00:00Z', 'tiny', 'b', '0.001666666'),
      call('2026-08-10T15:00:00Z', 'tiny', 'c', '0.001666666'),
      call('2026-08-05T15:00:00Z', 'payments', 'acme', '100.123456789'),
      call('2026-08-06T15:00:00Z', 'payments', 'globex', '55.5'),
      call('2026-08-07T15:00:00Z', 'payments', null, '20.0000001'),
      // 23:30 on 31 August in New York: September in UTC, August here.
      call('2026-09-01T03:30:00Z', 'payments', 'acme-corp', '10.000000003'),
      call('2026-08-08T15:00:00Z', 'support', 'initech', '12.3456789'),
      call('2026-08-09T15:00:00Z', 'support', 'hooli', '0.004999999'),
      // September.
      call('2026-09-03T15:00:00Z', 'payments', 'acme', '80.0049'),
      call('2026-09-04T15:00:00Z', 'payments', 'globex', '120.33333333'),
      call('2026-09-05T15:00:00Z', 'payments', 'hooli', '3.141592653'),
      call('2026-09-06T15:00:00Z', 'support', 'acme-corp', '40.25'),
      call('2026-09-07T15:00:00Z', 'support', 'initech', '7.777777777'),
      call('2026-09-08T15:00:00Z', 'support', null, '5'),
      // October (22:00 on 30 September in New York is still September).
      call('2026-10-01T02:00:00Z', 'payments', 'acme-corp', '1.111111111'),
      call('2026-10-03T15:00:00Z', 'payments', 'acme', '50.005'),
      call('2026-10-04T15:00:00Z', 'payments', 'globex', '0.0033'),
      call('2026-10-05T15:00:00Z', 'support', 'initech', '12.3456789'),
      call('2026-10-06T15:00:00Z', 'support', 'hooli', '9.99999999'),
      call('2026-10-07T15:00:00Z', 'search', 'globex', '33.333333333', 'globex-search-oct'),
      call('2026-10-08T15:00:00Z', 'search', 'initech', '1.01'),
      // November, running.
      call('2026-11-03T15:00:00Z', 'payments', 'globex', '5'),
      call('2026-11-04T15:00:00Z', 'support', 'acme', '2.5'),
      call('2026-11-05T15:00:00Z', 'search', 'initech', '4.44'),
      call('2026-11-06T15:00:00Z', 'search', 'globex', '1.5'),
    ]);
    const say = async (text: string) => blocksText((await h.command(text, { userId: FINANCE })).reply.blocks);
    expect(await say('add 0.01 other once 2026-08-15 tiny "a cent"')).toContain('Added');
    expect(await say('add 300 vector_db monthly 2026-08 payments "Pinecone"')).toContain('Added');
    expect(await say('add 77.77 other monthly 2026-10 search "search tools"')).toContain('Added');
    expect(await say('add 100.01 vector_db monthly 2026-09 shared "shared index"')).toContain('Added');
    expect(await say('admin customer alias acme-corp acme')).toContain('acme-corp now counts as acme');
    const revenue = await h.services.revenue.importCsv(
      [
        'customer,month,revenue,plan',
        'acme,2026-08,1000,pro',
        'acme-corp,2026-09,999.99,enterprise',
        'globex,2026-09,150,pro',
        'globex,2026-10,$150,pro',
        'initech,2026-10,25,starter',
        'a,2026-08,1,starter',
        'b,2026-08,1,starter',
      ].join('\n'),
      { actor: FINANCE, source: 'test', now: NOW, slackUser: true },
    );
    expect(revenue.ok).toBe(true);
    // October closes; then the source re-costs globex's October search call lower: a -$30 correction booked
    // in November, so globex's November net spend on search is negative (it takes no share there).
    expect((await h.services.chargeback.transition('2026-10', 'close', FINANCE, NOW)).ok).toBe(true);
    const late = await store.upsertCosts([call('2026-10-07T15:00:00Z', 'search', 'globex', '3.333333333', 'globex-search-oct')]);
    expect(late.corrections).toBe(1);
    store.close();
  });
  afterAll(async () => h?.stop());

  const months = Array.from({ length: 11 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`);

  it.each([
    ['acme', '2026-11'],
    ['acme-corp', '2026-10'],
    ['globex', '2026-11'],
    ['initech', '2026-10'],
    ['initech', '2026-11'],
    ['hooli', '2026-11'],
    ['a', '2026-08'],
    ['b', '2026-08'],
    ['c', '2026-08'],
  ])('customer %s, six months to %s: each trend month and the period show the margin row’s cents', async (typed, last) => {
    const { reply } = await h.command(`customer ${typed} ${last}`, { userId: FINANCE });
    const customer = typed === 'acme-corp' ? 'acme' : typed;
    const trend = table(reply, 'Trend')!;
    const trendMonths = months.slice(0, months.indexOf(last) + 1).slice(-6);
    expect(trend.map((r) => r[0])).toEqual(trendMonths);
    let seen = 0;
    for (const row of trend) {
      const m = await marginRow(row[0]!, customer);
      if (m === null) {
        expect(row.slice(1), `${customer} ${row[0]}`).toEqual(['-', '$0.00', '$0.00', '-']);
        continue;
      }
      seen++;
      expect([row[1], row[2], row[4]], `${customer} ${row[0]}`).toEqual([m.revenue, m.cost, m.share]);
      if (m.margin) expect(row[3], `${customer} ${row[0]}`).toBe(m.margin);
    }
    expect(seen).toBeGreaterThan(0);
    // The period's own line: cost, its API and hidden-and-shared parts, margin.
    const text = blocksText(reply.blocks);
    const m = await marginRow(last, customer);
    if (m === null) {
      expect(text).toContain('No cost and no revenue in this period.');
      return;
    }
    expect(text).toContain(`AI cost to serve ${m.cost} (API `);
    if (m.api) expect(text).toContain(`(API ${m.api} + hidden and shared ${m.shared})`);
    if (m.margin) expect(text).toContain(`margin ${m.margin}`);
  });

  it('top customers with more customers than it shows: each change is against that customer’s own previous spend (aliases too), the total’s against the whole previous period', async () => {
    // May and April 2025, months no other test reads: 17 customers (the ranking shows 15), p01 also under
    // an alias, "gone" spent only in April, and spend with no customer in both.
    const store = costStore(h.db.db, { timeZone: 'America/New_York', clock: () => NOW });
    const may: [string, string][] = [];
    const april: [string, string][] = [];
    for (let i = 1; i <= 17; i++) {
      const id = `p${String(i).padStart(2, '0')}`;
      may.push([id, `${100 - i}.${String(i).padStart(2, '0')}`]);
      april.push([id, `${50 + i * 3}.5`]);
    }
    april.push(['p01-old', '7.25'], ['gone', '500'], [null as unknown as string, '3']);
    may.push(['p01-old', '1.75'], [null as unknown as string, '2']);
    await store.upsertCosts([
      ...may.map(([c, a]) => call('2025-05-10T15:00:00Z', 'payments', c, a)),
      ...april.map(([c, a]) => call('2025-04-10T15:00:00Z', 'payments', c, a)),
    ]);
    store.close();
    expect(blocksText((await h.command('admin customer alias p01-old p01', { userId: FINANCE })).reply.blocks)).toContain('p01-old now counts as p01');
    const { reply } = await h.command('top customers 2025-05', { userId: FINANCE });
    const rows = table(reply, 'Top customers by API spend')!;
    const sumOf = (xs: [string, string][], who: (c: string | null) => boolean) => nanos(xs.filter(([c]) => who(c)).reduce((s, [, a]) => s + fromUsd(a), 0n));
    const canonical = (c: string | null) => (c === 'p01-old' ? 'p01' : c);
    const shown = rows.filter((r) => r[0] !== 'Total' && r[0] !== 'Other');
    expect(shown.length).toBe(15);
    for (const r of shown) {
      const change = sumOf(may, (c) => canonical(c) === r[0]) - sumOf(april, (c) => canonical(c) === r[0]);
      expect(r[4], r[0]).toBe(change > 0n ? `+${formatMoney(nanos(change))} ▲` : `${formatMoney(nanos(change))} ▼`);
    }
    // The folded rows leave the calls cell empty: the change is the last cell.
    const change = (label: string) => rows.find((r) => r[0] === label)!.at(-1);
    const changeText = (d: bigint) => (d > 0n ? `+${formatMoney(nanos(d))} ▲` : d < 0n ? `${formatMoney(nanos(d))} ▼` : formatMoney(nanos(d)));
    const isShown = (c: string | null) => shown.some((r) => r[0] === canonical(c));
    expect(change('Other')).toBe(changeText(sumOf(may, (c) => !isShown(c)) - sumOf(april, (c) => !isShown(c))));
    expect(change('Total')).toBe(changeText(sumOf(may, () => true) - sumOf(april, () => true)));
  });

  it('rounds each customer’s cost once, whatever the other rows: three costs of half a cent less a nanodollar or so', async () => {
    // a: 0.001666666 + 0.003333334 = 0.005 → $0.01; b and c: 0.004999999 → $0.00. Rounding the table as a
    // whole (largest remainder to the total's $0.02) gave b a cent it does not have.
    const august = await Promise.all(['a', 'b', 'c'].map((c) => marginRow('2026-08', c)));
    expect(august.map((r) => r?.cost)).toEqual(['$0.01', '$0.00', '$0.00']);
    for (const [c, cost] of [
      ['a', '$0.01'],
      ['b', '$0.00'],
    ] as const)
      expect(blocksText((await h.command(`customer ${c} 2026-08`, { userId: FINANCE })).reply.blocks)).toContain(
        `AI cost to serve ${cost} (API $0.00 + hidden and shared ${cost})`,
      );
  });

  // Last: it adds revenue and an alias the tests above do not expect.
  it('shows one plan for a customer whose month has revenue under two ids (an alias made after the import), in margin and customer', async () => {
    const revenue = await h.services.revenue.importCsv(['customer,month,revenue,plan', 'hooli,2026-09,500,pro', 'hooli-uk,2026-09,200,basic'].join('\n'), {
      actor: FINANCE,
      source: 'test',
      now: NOW,
      slackUser: true,
    });
    expect(revenue.ok).toBe(true);
    expect(blocksText((await h.command('admin customer alias hooli-uk hooli', { userId: FINANCE })).reply.blocks)).toContain('hooli-uk now counts as hooli');
    // The larger row names the plan, whichever order the database returns them in.
    const margin = table((await h.command('margin 2026-09', { userId: FINANCE })).reply, 'By customer (losses first)')!.find((r) => r[0] === 'hooli')!;
    expect([margin[1], margin[2]]).toEqual(['pro', '$700.00']);
    const customer = blocksText((await h.command('customer hooli 2026-09', { userId: FINANCE })).reply.blocks);
    expect(customer).toContain('Revenue $700.00');
    expect(customer).toContain('Plan: pro');
  });
});
