import { z } from 'zod';
import { monthOf, nextMonth, parsePeriod, previousMonth, type Period } from '../domain/periods.ts';
import type { Failure } from '../domain/result.ts';
import { invalid, type Invalid } from './command.ts';

/** Argument readers the verbs share. */
export const slug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_.-]*$/, 'a team is named by its slug: lowercase letters, digits, "-", "_" or "."');

/** The period words, or the invalid-command answer explaining them with `usage` as the example. */
export function periodOf(tokens: string[], usage: string, now: Date, timeZone: string): Period | Invalid {
  const r = parsePeriod(tokens.join(' '), now, timeZone);
  if (r.ok) return r.value;
  return invalid({ code: 'command.period', cause: r.failure }, [usage]);
}

const MAX_MONTHS = 24;

/**
 * Calendar months for revenue answers: empty is last month (revenue is imported after a month ends);
 * "this month", "last month", YYYY-MM, YYYY-MM..YYYY-MM, or a number N: the N complete months up to last
 * month (at most 24 months), or why not.
 */
export function parseMonths(tokens: string[], now: Date, timeZone: string): string[] | Failure {
  const t = tokens.join(' ').trim().toLowerCase();
  const month = /^\d{4}-(0[1-9]|1[0-2])$/;
  if (t === '') return [previousMonth(monthOf(now, timeZone))];
  if (/^\d{1,4}$/.test(t)) {
    const n = Number(t);
    if (n < 1) return { code: 'months.not-monthly', text: tokens.join(' ') };
    if (n > MAX_MONTHS) return { code: 'months.too-many', max: MAX_MONTHS };
    const out = [previousMonth(monthOf(now, timeZone))];
    while (out.length < n) out.unshift(previousMonth(out[0]!));
    return out;
  }
  const range = /^(\S+)\s*(?:\.\.|to)\s*(\S+)$/.exec(t);
  if (range && month.test(range[1]!) && month.test(range[2]!)) {
    const [a, b] = [range[1]!, range[2]!];
    if (b < a) return { code: 'period.ends-before-start', text: tokens.join(' ') };
    const out = [a];
    while (out[out.length - 1]! < b && out.length <= MAX_MONTHS) out.push(nextMonth(out[out.length - 1]!));
    if (out.length > MAX_MONTHS) return { code: 'months.too-many', max: MAX_MONTHS };
    return out;
  }
  const p = parsePeriod(t, now, timeZone);
  if (p.ok && p.value.month) return [p.value.month];
  return { code: 'months.not-monthly', text: tokens.join(' ') };
}
