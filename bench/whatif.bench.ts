import { makeViewer } from '../src/services/visibility.ts';
import { calcPrice } from '@pydantic/genai-prices';
import { fromUsd } from '../src/domain/money.ts';
import { whatIfService, type WhatIfCall } from '../src/services/whatif-service.ts';
import { genaiPriceTable } from '../src/sources/price-table.ts';
import { monthPeriod } from '../src/domain/periods.ts';

/**
 * `/aicost whatif` re-pricing cost: one feature-month of calls re-priced call by call at each call's
 * instant, on one target and with `cheapest` (rank the family, then exact prices for the best three),
 * against the baseline of calling the price table's `calcPrice` once per call directly.
 */
const CALLS = Number(process.env.BENCH_WHATIF_CALLS ?? 20_000);
const month = monthPeriod('2026-10', 'UTC');
let seed = 42;
const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
const calls: WhatIfCall[] = Array.from({ length: CALLS }, (_, i) => {
  const input = 500 + Math.floor(rand() * 6000);
  return {
    occurredAt: new Date(month.from.getTime() + Math.floor((i / CALLS) * (month.to.getTime() - month.from.getTime()))),
    model: 'gpt-4o',
    provider: 'openai',
    teamId: 1,
    featureId: 1,
    inputTokens: input,
    outputTokens: Math.floor(input / 4),
    cacheReadTokens: Math.floor(input / 3),
    cacheWriteTokens: 0,
    amount: fromUsd('0.01'),
    pricedBy: 'source',
  };
});
const service = whatIfService({ calls: async () => calls, features: async () => [{ id: 1, slug: 'f', teamId: 1 }], prices: genaiPriceTable() });

const t0 = performance.now();
for (const c of calls)
  calcPrice({ input_tokens: c.inputTokens, output_tokens: c.outputTokens, cache_read_tokens: c.cacheReadTokens }, 'gpt-4o-mini', { timestamp: c.occurredAt });
const baselineMs = performance.now() - t0;

const t1 = performance.now();
const EVERYONE = makeViewer({ userId: 'bench', policy: 'teams', finance: true, teams: [] });
const one = await service.whatIf(EVERYONE, 'f', 'gpt-4o-mini', month, month.to);
const oneMs = performance.now() - t1;
const t2 = performance.now();
const cheapest = await service.whatIf(EVERYONE, 'f', 'cheapest', month, month.to);
const cheapestMs = performance.now() - t2;
if (one.kind !== 'whatif' || one.wouldCost === null || cheapest.kind !== 'whatif') throw new Error('what-if did not price');

const line = (bench: string, value: number) =>
  console.log(
    JSON.stringify({
      bench,
      value: Math.round(value),
      unit: 'ms',
      calls: CALLS,
      baseline: Math.round(baselineMs),
      baselineLabel: 'calcPrice once per call, called directly',
    }),
  );
line('whatif.one_target', oneMs);
line('whatif.cheapest', cheapestMs);
