export const DAY_MS = 86_400_000;

/** Consecutive half-open windows [from, to) of at most `stepMs`, ascending, covering [from, to). */
export function* timeWindows(from: Date, to: Date, stepMs: number): Generator<{ from: Date; to: Date }> {
  if (!(stepMs > 0)) throw new RangeError(`window size must be positive, got ${stepMs}`);
  for (let start = from.getTime(); start < to.getTime(); start += stepMs) {
    yield { from: new Date(start), to: new Date(Math.min(start + stepMs, to.getTime())) };
  }
}

export function countWindows(from: Date, to: Date, stepMs: number): number {
  return Math.max(0, Math.ceil((to.getTime() - from.getTime()) / stepMs));
}

/**
 * A source timestamp as a Date. ISO with `Z` or an offset is taken as is; ClickHouse-style text without
 * a zone ("2026-08-20 14:03:13.352") is UTC, as both sources store it. Null when unparseable.
 */
export function parseSourceTime(text: string): Date | null {
  let t = text.trim();
  if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(t)) t = `${t.replace(' ', 'T')}Z`;
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? null : d;
}
