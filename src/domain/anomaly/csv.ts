/**
 * Operator path: a `date,value` CSV in, alert lines out (the CLI prints each as one JSON line).
 * The header row is optional; with a header, the columns named `date` (or `day`) and `value` (or
 * `cost`, `amount`, `spend`) are used, otherwise the first two. Extra columns are ignored; repeated
 * dates are summed; missing days count as 0.
 */
import { parse } from 'csv-parse/sync';
import { detectAnomalies, type DetectorOptions } from './detector.ts';
import { isIsoDate } from '../calendar.ts';

export interface AlertLine {
  date: string;
  actual: number;
  expected: number;
  /** actual − expected. */
  impact: number;
  /** 100 × impact ÷ expected; null when expected is 0. */
  impactPct: number | null;
  /** Robust z. */
  score: number;
}

const DATE_HEADERS = ['date', 'day'];
const VALUE_HEADERS = ['value', 'cost', 'amount', 'spend'];

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Parses the CSV into daily points. Throws a RangeError naming the line on a bad row. */
export function readDailyCsv(text: string): { date: string; value: number }[] {
  const records = parse(text, { skip_empty_lines: true, trim: true, relax_column_count: true, bom: true }) as string[][];
  if (records.length === 0) return [];
  const first = records[0]!.map((c) => c.toLowerCase());
  // A data row always carries a date; a first row without one is the header.
  const hasHeader = !records[0]!.some((c) => isIsoDate(c.trim()));
  let dateCol = 0;
  let valueCol = 1;
  if (hasHeader) {
    const d = first.findIndex((c) => DATE_HEADERS.includes(c));
    const v = first.findIndex((c) => VALUE_HEADERS.includes(c));
    if (d >= 0) dateCol = d;
    if (v >= 0) valueCol = v;
  }
  const out: { date: string; value: number }[] = [];
  records.forEach((row, i) => {
    if (hasHeader && i === 0) return;
    const line = i + 1;
    const date = (row[dateCol] ?? '').trim();
    const raw = (row[valueCol] ?? '').trim().replace(/^\$/, '');
    if (!isIsoDate(date)) throw new RangeError(`line ${line}: not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
    const value = raw === '' ? NaN : Number(raw);
    if (!Number.isFinite(value)) throw new RangeError(`line ${line}: not a number: ${JSON.stringify(row[valueCol] ?? '')}`);
    out.push({ date, value });
  });
  return out;
}

/** Alerting days of the CSV's series, rounded for display (amounts to 4 decimals, % and z to 2). */
export function anomaliesFromCsv(text: string, options: Partial<DetectorOptions> = {}): AlertLine[] {
  return detectAnomalies(readDailyCsv(text), options)
    .filter((v) => v.alert && v.expected !== null && v.score !== null)
    .map((v) => ({
      date: v.date,
      actual: round(v.actual, 4),
      expected: round(v.expected!, 4),
      impact: round(v.actual - v.expected!, 4),
      impactPct: v.impactPct === null ? null : round(v.impactPct, 2),
      score: round(v.score!, 2),
    }));
}
