import { countToBigInt, divideHalfUp, validateRule, type AllocationRule } from './allocation.ts';
import { add, allocate, mulInt, nanos, sum, ZERO, type Money } from './money.ts';
import { daysOf, type Period } from './periods.ts';
import { daysInMonth, isIsoDate as isDay, isMonth } from './calendar.ts';

/**
 * Hidden costs: what the API sources do not see (human review, embeddings, vector databases,
 * integrations, infrastructure, observability, retries, …). Pure functions over entries the caller
 * has read; no I/O.
 *
 * Kinds:
 * - `one_off`: `amount` on one local day `date` ("YYYY-MM-DD", org time zone).
 * - `monthly`: `amount` every calendar month from `fromMonth` to `untilMonth` inclusive (null/absent:
 *   open-ended).
 * - `per_unit`: `amount` per work item or per request of the target feature, so the cost follows the
 *   volume the sources report. Optional `fromMonth` / `untilMonth` bound the months it applies to.
 *   Per-unit entries must target a feature (the volume is the feature's).
 *
 * Categories are data (finance can add some), so `category` is a plain string; DEFAULT_CATEGORIES
 * lists the built-in ones.
 */

export const DEFAULT_CATEGORIES = ['human_review', 'embeddings', 'vector_db', 'integrations', 'infrastructure', 'observability', 'retries', 'other'] as const;

export type HiddenCostKind = 'one_off' | 'monthly' | 'per_unit';
export type HiddenCostUnit = 'work_item' | 'request';

export type HiddenCostTarget = { type: 'team'; teamId: number } | { type: 'feature'; featureId: number } | { type: 'shared'; rule: AllocationRule };

export interface HiddenCost {
  id: number;
  category: string;
  /** The one-off amount, the monthly amount, or the amount per unit. */
  amount: Money;
  kind: HiddenCostKind;
  /** one_off: local day "YYYY-MM-DD". */
  date?: string;
  /** monthly: first month "YYYY-MM" (required); per_unit: first month it applies to (optional). */
  fromMonth?: string;
  /** Last month included, or null/absent for open-ended. */
  untilMonth?: string | null;
  /** per_unit only. */
  unit?: HiddenCostUnit;
  target: HiddenCostTarget;
  note?: string | null;
  author: string;
}

/** A feature's volume in the month or period being computed. */
export interface Volume {
  workItems: number | bigint;
  requests: number | bigint;
}

/** What one entry contributes to a month or period. */
export interface HiddenCostLine {
  entry: HiddenCost;
  amount: Money;
  /** per_unit: the units the amount was multiplied by; null for other kinds. */
  units: bigint | null;
}

export { isIsoDate as isDay, isMonth } from './calendar.ts';

/** The entry's problem as a sentence, or null when it is consistent. */
export function checkHiddenCost(entry: HiddenCost): string | null {
  const until = entry.untilMonth ?? null;
  if (until !== null && !isMonth(until)) return `untilMonth "${until}" is not a month`;
  if (entry.fromMonth !== undefined && !isMonth(entry.fromMonth)) return `fromMonth "${entry.fromMonth}" is not a month`;
  if (until !== null && entry.fromMonth !== undefined && until < entry.fromMonth) return `untilMonth ${until} is before fromMonth ${entry.fromMonth}`;
  switch (entry.kind) {
    case 'one_off':
      if (entry.date === undefined || !isDay(entry.date)) return `a one-off cost needs a valid date, got ${String(entry.date)}`;
      break;
    case 'monthly':
      if (entry.fromMonth === undefined) return 'a monthly cost needs fromMonth';
      break;
    case 'per_unit':
      if (entry.unit !== 'work_item' && entry.unit !== 'request') return `a per-unit cost needs unit work_item or request, got ${String(entry.unit)}`;
      if (entry.target.type !== 'feature') return "a per-unit cost must target a feature (its volume is the feature's)";
      break;
    default:
      return `unknown kind ${String((entry as { kind: unknown }).kind)}`;
  }
  if (entry.target.type === 'shared') {
    const r = validateRule(entry.target.rule);
    if (!r.ok) return r.error;
  }
  return null;
}

/** Throws a RangeError naming the entry when it is inconsistent. */
export function assertEntry(entry: HiddenCost): void {
  const problem = checkHiddenCost(entry);
  if (problem) throw new RangeError(`hidden cost #${entry.id}: ${problem}`);
}

function inWindow(month: string, entry: HiddenCost): boolean {
  if (entry.fromMonth !== undefined && month < entry.fromMonth) return false;
  const until = entry.untilMonth ?? null;
  return until === null || month <= until;
}

function unitsOf(entry: HiddenCost, volumes: ReadonlyMap<number, Volume>): bigint {
  if (entry.target.type !== 'feature') return 0n;
  const v = volumes.get(entry.target.featureId);
  if (!v) return 0n;
  return entry.unit === 'request' ? countToBigInt(v.requests, 'requests') : countToBigInt(v.workItems, 'work items');
}

/**
 * What each entry contributes to the calendar month "YYYY-MM" (the whole month's charge):
 * - one_off: its amount when its date is in the month;
 * - monthly: its amount when the month is within [fromMonth, untilMonth];
 * - per_unit: amount × the feature's work items or requests in the month (`volumes`, by featureId),
 *   when the month is within its optional window. Listed even with 0 units, so "0 work items" shows.
 * Entries that do not apply are left out. Lines keep the order of `entries`.
 * An inconsistent entry (see `checkHiddenCost`) throws a RangeError naming it: inputs are validated
 * when entered, so this is a bug to surface, not a cost to guess.
 */
export function hiddenCostsForMonth(entries: readonly HiddenCost[], month: string, volumes: ReadonlyMap<number, Volume>): HiddenCostLine[] {
  if (!isMonth(month)) throw new RangeError(`not a month: ${month}`);
  const lines: HiddenCostLine[] = [];
  for (const entry of entries) {
    assertEntry(entry);
    if (entry.kind === 'one_off') {
      if (entry.date!.slice(0, 7) === month) lines.push({ entry, amount: entry.amount, units: null });
    } else if (entry.kind === 'monthly') {
      if (inWindow(month, entry)) lines.push({ entry, amount: entry.amount, units: null });
    } else if (inWindow(month, entry)) {
      const units = unitsOf(entry, volumes);
      lines.push({ entry, amount: mulInt(entry.amount, units), units });
    }
  }
  return lines;
}

/**
 * What each entry contributes to any period (a month, month-to-date, "30d", a date range).
 *
 * The period's days are its local calendar days in `timeZone` (`daysOf`: every day that starts before
 * `period.to`, so a running period counts today).
 * - one_off: its amount when its date is one of the period's days.
 * - monthly: prorated by days. Each month's amount is split over the days of that month with
 *   `allocate` (equal weights, largest remainder, the odd nanodollars on the earliest days), and the
 *   period gets the sum of its days' parts. So the days of a month always sum exactly to the monthly
 *   amount: a full month gets the whole amount, and periods that tile a month reconcile to the
 *   nanodollar. (A month is its calendar days, whatever their length in hours on DST changes.)
 * - per_unit: amount × the feature's volume in the period (`volumes` must be for this period). When
 *   its month window covers only some of the period's days, the result is scaled by
 *   coveredDays / periodDays, rounded half-up to the nanodollar (volume is not known per day here).
 * Inconsistent entries throw, as in `hiddenCostsForMonth`.
 */
export function hiddenCostsForPeriod(
  entries: readonly HiddenCost[],
  period: Pick<Period, 'from' | 'to'>,
  volumes: ReadonlyMap<number, Volume>,
  timeZone: string,
): HiddenCostLine[] {
  const days = daysOf(period, timeZone);
  const daySet = new Set(days);
  const monthDays = new Map<string, string[]>();
  for (const d of days) {
    const m = d.slice(0, 7);
    const list = monthDays.get(m);
    if (list) list.push(d);
    else monthDays.set(m, [d]);
  }
  const dayParts = new Map<string, Money[]>(); // per (amount, month): the day split, cached

  const lines: HiddenCostLine[] = [];
  for (const entry of entries) {
    assertEntry(entry);
    if (entry.kind === 'one_off') {
      if (daySet.has(entry.date!)) lines.push({ entry, amount: entry.amount, units: null });
    } else if (entry.kind === 'monthly') {
      let amount = 0n;
      let active = false;
      for (const [month, ds] of monthDays) {
        if (!inWindow(month, entry)) continue;
        active = true;
        const key = `${entry.amount}|${month}`;
        let parts = dayParts.get(key);
        if (!parts) {
          parts = allocate(entry.amount, new Array<bigint>(daysInMonth(month)).fill(1n));
          dayParts.set(key, parts);
        }
        for (const d of ds) amount += parts[Number(d.slice(8, 10)) - 1]!;
      }
      if (active) lines.push({ entry, amount: nanos(amount), units: null });
    } else {
      let covered = 0;
      for (const [month, ds] of monthDays) if (inWindow(month, entry)) covered += ds.length;
      if (covered === 0) continue;
      const units = unitsOf(entry, volumes);
      const full = entry.amount * units;
      const amount = covered === days.length ? full : divideHalfUp(full * BigInt(covered), BigInt(days.length));
      lines.push({ entry, amount: nanos(amount), units });
    }
  }
  return lines;
}

/** Sum of the lines. */
export function totalOf(lines: readonly HiddenCostLine[]): Money {
  return sum(lines.map((l) => l.amount));
}

/** Lines summed by category (categories in first-seen order). */
export function byCategory(lines: readonly HiddenCostLine[]): Map<string, Money> {
  const out = new Map<string, Money>();
  for (const l of lines) out.set(l.entry.category, add(out.get(l.entry.category) ?? ZERO, l.amount));
  return out;
}

/**
 * A per-unit amount from people's time: `minutes` of work at `hourlyRate` per unit
 * (5 minutes at $54/hour = $4.50). Minutes may have up to 2 decimals ("2.5"); the result is
 * rate × minutes / 60 rounded half-up to the nanodollar, in bigint.
 */
export function perUnitAmountFromTime(hourlyRate: Money, minutes: number | string): Money {
  const text = typeof minutes === 'number' ? String(minutes) : minutes.trim();
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) throw new RangeError(`not a number of minutes (up to 2 decimals): ${text}`);
  const hundredths = BigInt(m[1]!) * 100n + BigInt((m[2] ?? '').padEnd(2, '0'));
  return nanos(divideHalfUp(hourlyRate * hundredths, 6000n));
}

/** A hidden cost before it is stored (no id, no author yet). */
export type NewHiddenCost = Omit<HiddenCost, 'id' | 'author'>;

/** Whether an entry charges anything to the month "YYYY-MM" (one-off: its date's month; others: their window). */
export function entryCoversMonth(entry: Pick<HiddenCost, 'kind' | 'date' | 'fromMonth' | 'untilMonth'>, month: string): boolean {
  if (entry.kind === 'one_off') return entry.date?.slice(0, 7) === month;
  if (entry.fromMonth !== undefined && month < entry.fromMonth) return false;
  const until = entry.untilMonth ?? null;
  return until === null || month <= until;
}

/**
 * Closed months are immutable: the first closed or finalized month whose charge a change would alter
 * (`before` null: a new entry; `after` null: a deletion), or null when the change only touches open
 * months. An edit may still end a recurring entry (its until month) or move it in open months.
 */
export function lockedMonthTouched(
  before: Omit<HiddenCost, 'id' | 'author'> | null,
  after: Omit<HiddenCost, 'id' | 'author'> | null,
  locked: readonly string[],
): string | null {
  const charge = (e: Omit<HiddenCost, 'id' | 'author'> | null, month: string) =>
    e && entryCoversMonth(e, month) ? stable([e.category, e.amount.toString(), e.kind, e.date ?? null, e.unit ?? null, e.target]) : null;
  for (const month of [...locked].sort()) if (charge(before, month) !== charge(after, month)) return month;
  return null;
}

/** JSON with object keys sorted (records from the database and drafts list keys in different orders). */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return typeof v === 'bigint' ? v.toString() : JSON.stringify(v ?? null);
}
