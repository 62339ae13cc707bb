import { nanos, NANOS_PER_CENT, roundToCents, type Money } from './money.ts';

/**
 * Displayed figures that foot: rounds each part to whole cents so that the rounded parts add up to the
 * rounded total exactly (largest remainder: every part is first rounded down to the cent, then the
 * cents the total still needs go to the parts with the largest remainders; ties to the earlier part).
 * The total is the sum of the exact parts rounded half away from zero (the project's one rounding
 * rule), or `total` when given (a figure already displayed elsewhere that these parts must add up to,
 * whole cents; cents are then also taken from the parts with the smallest remainders).
 */
export function footCents(parts: readonly Money[], total?: Money): { parts: Money[]; total: Money } {
  const exact = parts.reduce((a, b) => a + b, 0n);
  const target = total ?? roundToCents(nanos(exact));
  if (target % NANOS_PER_CENT !== 0n) throw new RangeError('footCents needs a total in whole cents');
  const split = parts.map((p, i) => {
    const rem = ((p % NANOS_PER_CENT) + NANOS_PER_CENT) % NANOS_PER_CENT;
    return { i, base: p - rem, rem };
  });
  const out = split.map((s) => s.base);
  let missing = (target - out.reduce((a, b) => a + b, 0n)) / NANOS_PER_CENT;
  if (parts.length === 0) return { parts: [], total: target };
  const desc = [...split].sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
  for (let k = 0; missing > 0n; k = (k + 1) % desc.length, missing--) out[desc[k]!.i]! += NANOS_PER_CENT;
  const asc = [...desc].reverse();
  for (let k = 0; missing < 0n; k = (k + 1) % asc.length, missing++) out[asc[k]!.i]! -= NANOS_PER_CENT;
  return { parts: out.map((p) => nanos(p)), total: target };
}
