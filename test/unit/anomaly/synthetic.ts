/** Deterministic synthetic daily series for the anomaly tests. */
import { addDays, weekdayOf } from '../../../src/domain/calendar.ts';

import { seededRandom } from '../../../src/demo/prng.ts';

/** A seeded PRNG (the demo's), so the tests never flake. */
export const rng = seededRandom;

/** Sunday … Saturday: busy weekdays, quiet weekends (an internal tool's AI spend). */
export const WEEKDAY_FACTORS = [0.55, 1.15, 1.2, 1.15, 1.1, 1.0, 0.5];

export interface SyntheticOptions {
  start?: string;
  days?: number;
  base?: number;
  /** ± relative uniform noise. */
  noise?: number;
  seed?: number;
}

export function weeklySeries(opts: SyntheticOptions = {}): { date: string; value: number }[] {
  const { start = '2026-01-05', days = 70, base = 1000, noise = 0.06, seed = 7 } = opts;
  const r = rng(seed);
  return Array.from({ length: days }, (_, i) => {
    const date = addDays(start, i);
    const value = base * WEEKDAY_FACTORS[weekdayOf(date)]! * (1 + noise * (2 * r() - 1));
    return { date, value: Math.round(value * 100) / 100 };
  });
}
