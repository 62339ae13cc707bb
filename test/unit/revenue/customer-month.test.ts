import { describe, expect, it } from 'vitest';
import { allocateShared } from '../../../src/domain/allocation.ts';
import { customerMonth, type MonthInput } from '../../../src/domain/margin.ts';
import { nanos, type Money } from '../../../src/domain/money.ts';
import { seededRandom } from '../../../src/demo/prng.ts';

/**
 * customerMonth's split, checked against the rule as the margin documents it (domain/margin.ts): per team,
 * `allocateShared` with the `direct_spend` rule over the team's customers (and its no-customer spend) in
 * name order, collator first, code units for names it finds equal. customerMonth computes it its own way
 * for speed (issue 25: 10,000 customers × teams), so this pins every nanodollar on generated months:
 * negative net spend, spend with no customer, teams with no spend, names the collator finds equal, rows of
 * one customer and team split over several input rows, and in any row order.
 */
const collator = new Intl.Collator().compare;
const byName = (a: string | null, b: string | null) => collator(a ?? '', b ?? '') || ((a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0);

type Flat = { teamId: number | null; customer: string | null; amount: Money };
type Generated = Omit<MonthInput, 'spend'> & { spend: Flat[] };

/** Flat rows as customerMonth's input: one row each, or (grouped) each customer's rows in one entry (teams repeating). */
function pivot(spend: Flat[], grouped: boolean): MonthInput['spend'] {
  if (!grouped) return spend.map((s) => ({ customer: s.customer, teamIds: [s.teamId], amounts: [s.amount] }));
  const by = new Map<string | null, MonthInput['spend'][number]>();
  for (const s of spend) {
    const e = by.get(s.customer) ?? { customer: s.customer, teamIds: [], amounts: [] };
    e.teamIds.push(s.teamId);
    e.amounts.push(s.amount);
    by.set(s.customer, e);
  }
  return [...by.values()];
}

function reference(input: Generated) {
  const direct = new Map<string, bigint>();
  const shared = new Map<string, bigint>();
  let notCarried = 0n;
  const byTeam = new Map<number | null, Map<string | null, bigint>>();
  for (const s of input.spend) {
    const t = byTeam.get(s.teamId) ?? new Map<string | null, bigint>();
    t.set(s.customer, (t.get(s.customer) ?? 0n) + s.amount);
    byTeam.set(s.teamId, t);
    if (s.customer === null) notCarried += s.amount;
    else direct.set(s.customer, (direct.get(s.customer) ?? 0n) + s.amount);
  }
  for (const [teamId, extra] of input.teamExtra) {
    if (extra === 0n) continue;
    const spend = [...(byTeam.get(teamId) ?? new Map())].sort((a, b) => byName(a[0], b[0]));
    const r = allocateShared(
      extra,
      { type: 'direct_spend' },
      spend.map(([, amount], i) => ({ teamId: i + 1, directSpend: nanos(amount), requests: 0, tokens: 0, workItems: 0 })),
    );
    notCarried += r.unallocated;
    for (const p of r.parts) {
      const c = spend[p.teamId - 1]![0] as string | null;
      if (c === null) notCarried += p.amount;
      else shared.set(c, (shared.get(c) ?? 0n) + p.amount);
    }
  }
  return { direct, shared, notCarried };
}

// Names the collator orders differently from code units, and pairs it finds equal (NFC and NFD "é").
const NAMES = [
  'acme',
  'Acme',
  'ACME',
  'b\u00e9ta',
  'be\u0301ta',
  'zeta',
  '\u00c5ngstr\u00f6m',
  'a-1',
  'a_1',
  'a1',
  '10',
  '9',
  'customer-42',
  '\u00fcber',
  'uber',
  'x',
];

function generated(seed: number): Generated {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const spend: Flat[] = [];
  const rows = 1 + Math.floor(rnd() * 60);
  const tied = rnd() < 0.5;
  for (let i = 0; i < rows; i++) {
    // Half the months spend in a few equal amounts, so remainders tie and the name order decides.
    const amount = tied ? pick([7_000_000n, 7_000_000n, 21_000_000n]) : BigInt(Math.floor(rnd() * 2_000_000_000)) - (rnd() < 0.15 ? 2_500_000_000n : 0n);
    spend.push({ teamId: pick([1, 2, 3, null]), customer: rnd() < 0.1 ? null : pick(NAMES), amount: nanos(amount) });
  }
  const teamExtra = new Map<number, Money>();
  for (const t of [1, 2, 3, 4])
    if (rnd() < 0.8)
      teamExtra.set(
        t,
        nanos(tied ? BigInt(1 + Math.floor(rnd() * 50)) : BigInt(Math.floor(rnd() * 9_000_000_000_000)) - (rnd() < 0.2 ? 5_000_000_000_000n : 0n)),
      );
  return { month: '2026-10', teamExtra, spend, revenue: [] };
}

describe('customerMonth', () => {
  it('splits each team by the direct_spend rule in name order, to the nanodollar, on 500 generated months', () => {
    let credits = 0;
    let unallocated = 0;
    for (let seed = 1; seed <= 500; seed++) {
      const input = generated(seed);
      const want = reference(input);
      const got = customerMonth({ ...input, spend: pivot(input.spend, seed % 2 === 0) });
      expect(got.notCarried, `seed ${seed}`).toBe(want.notCarried);
      const names = new Set([...want.direct.keys(), ...want.shared.keys(), ...got.customers.keys()]);
      for (const c of names) {
        expect(got.customers.get(c)?.direct ?? 0n, `seed ${seed} ${c} direct`).toBe(want.direct.get(c) ?? 0n);
        expect(got.customers.get(c)?.shared ?? 0n, `seed ${seed} ${c} shared`).toBe(want.shared.get(c) ?? 0n);
      }
      // The same month in another row order gives the same figures.
      const shuffled = customerMonth({ ...input, spend: pivot([...input.spend].reverse(), seed % 2 === 1) });
      for (const [c, v] of got.customers) expect(shuffled.customers.get(c), `seed ${seed} ${c} reversed`).toEqual(v);
      expect(shuffled.notCarried).toBe(got.notCarried);
      if ([...input.teamExtra.values()].some((v) => v < 0n)) credits++;
      if (
        reference({ ...input, teamExtra: new Map([...input.teamExtra].filter(([t]) => t === 4)) }).notCarried !==
        reference({ ...input, teamExtra: new Map() }).notCarried
      )
        unallocated++;
    }
    // The generated months reach the cases the rule distinguishes.
    expect(credits).toBeGreaterThan(50);
    expect(unallocated).toBeGreaterThan(50);
  });
});
