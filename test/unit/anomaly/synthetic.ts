/** Deterministic synthetic daily series for the anomaly tests. */
import { addDays, weekdayOf } from '../../../src/domain/anomaly/dates.ts';

/** mulberry32: small deterministic PRNG so the tests never flake. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
