import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { parseAmount, type Money } from './money.ts';
import type { Failure } from './result.ts';

/**
 * The revenue file finance imports: one row per customer and month.
 *
 *   customer,month,revenue,plan
 *   acme,2026-10,12500.00,enterprise
 *
 * Header names are case-insensitive; `plan` is optional. Amounts are USD with at most two decimals,
 * read by the one money parser (`parseAmount`: "12500", "12,500.50", "$99"). A file is taken whole or
 * not at all: any bad row refuses the file, and every problem is reported with its line number
 * (line 1 is the header).
 */
export interface RevenueRow {
  line: number;
  customer: string;
  month: string;
  amount: Money;
  plan: string | null;
}

/** What is wrong on a line of the file (line 1 is the header); the words are in src/format/failure-text.ts. */
export interface RowProblem {
  line: number;
  failure: Failure;
}

export type RevenueParse = { ok: true; rows: RevenueRow[]; months: string[] } | { ok: false; problems: RowProblem[] };

export const REVENUE_COLUMNS = ['customer', 'month', 'revenue', 'plan'] as const;
export const MAX_REVENUE_ROWS = 200_000;

const text = (max: number, what: string) =>
  z
    .string()
    .trim()
    .min(1, `${what} is empty`)
    .max(max, `${what} is longer than ${max} characters`)
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), `${what} contains control characters`);

const rowSchema = z.object({
  customer: text(200, 'customer'),
  month: z
    .string()
    .trim()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'month must be YYYY-MM, e.g. 2026-10'),
  revenue: z.string().trim().min(1, 'revenue is empty'),
  plan: z.union([text(100, 'plan'), z.literal('').transform(() => null)]).optional(),
});

/** A record as the CSV reader gives it, with the file line it ends on. */
export type CsvRecord = { record: string[]; info: { lines: number } };
export const CSV_OPTIONS = { bom: true, skip_empty_lines: true, relax_column_count: true, info: true, trim: false } as const;

/** The CSV reader's error as the file's first problem. */
export function notCsv(err: unknown): RevenueParse {
  const line = (err as { lines?: number }).lines ?? 1;
  return { ok: false, problems: [{ line, failure: { code: 'revenue.not-csv', detail: (err as Error).message.replace(/^Invalid .*?:\s*/, '') } }] };
}

/**
 * Parses and checks the whole file. `resolve` maps a customer as written to its canonical id (aliases),
 * so two rows naming the same customer under two names in one month are caught as duplicates.
 */
export function parseRevenueCsv(content: string, resolve: (customer: string) => string = (c) => c): RevenueParse {
  let records: CsvRecord[];
  try {
    records = parse(content, CSV_OPTIONS) as unknown as CsvRecord[];
  } catch (err) {
    return notCsv(err);
  }
  const steps = checkRevenueRecords(records, resolve);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Rows checked between two pauses of `checkRevenueRecords`. */
export const ROWS_PER_STEP = 2_000;

/**
 * Checks the records read from a revenue file, pausing (yielding) every ROWS_PER_STEP rows so that a
 * caller on a server can let other work run between steps; `parseRevenueCsv` runs it straight through.
 */
export function* checkRevenueRecords(records: CsvRecord[], resolve: (customer: string) => string = (c) => c): Generator<void, RevenueParse> {
  if (records.length === 0) return { ok: false, problems: [{ line: 1, failure: { code: 'revenue.empty' } }] };
  const header = records[0]!.record.map((h) => h.trim().toLowerCase());
  const separator = separatorOf(header);
  if (separator) return { ok: false, problems: [{ line: 1, failure: { code: 'revenue.separator', separator } }] };
  const problems: RowProblem[] = [];
  const unknown = header.filter((h) => !(REVENUE_COLUMNS as readonly string[]).includes(h));
  const missing = REVENUE_COLUMNS.filter((c) => c !== 'plan' && !header.includes(c));
  const repeated = header.filter((h, i) => header.indexOf(h) !== i);
  if (missing.length || unknown.length || repeated.length)
    return { ok: false, problems: [{ line: 1, failure: { code: 'revenue.header', missing, unknown, repeated } }] };
  if (records.length - 1 > MAX_REVENUE_ROWS)
    return { ok: false, problems: [{ line: 1, failure: { code: 'revenue.too-many-rows', rows: records.length - 1, max: MAX_REVENUE_ROWS } }] };

  const rows: RevenueRow[] = [];
  const seen = new Map<string, number>();
  for (let n = 1; n < records.length; n++) {
    if (n % ROWS_PER_STEP === 0) yield;
    const { record, info } = records[n]!;
    const line = info.lines;
    if (record.length !== header.length) {
      problems.push({ line, failure: { code: 'revenue.cells', cells: record.length, header: header.length } });
      continue;
    }
    const raw = Object.fromEntries(header.map((h, i) => [h, record[i] ?? '']));
    const r = rowSchema.safeParse(raw);
    if (!r.success) {
      problems.push({ line, failure: { code: 'input.invalid', issue: r.error.issues.map((i) => i.message).join('; ') } });
      continue;
    }
    const amount = parseAmount(r.data.revenue);
    if (amount === null) {
      problems.push({ line, failure: { code: 'revenue.amount', text: r.data.revenue } });
      continue;
    }
    const customer = resolve(r.data.customer);
    const key = `${customer}\u0000${r.data.month}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      problems.push({ line, failure: { code: 'revenue.duplicate', customer, month: r.data.month, earlierLine: earlier } });
      continue;
    }
    seen.set(key, line);
    rows.push({ line, customer, month: r.data.month, amount, plan: r.data.plan ?? null });
  }
  if (problems.length) return { ok: false, problems };
  if (rows.length === 0) return { ok: false, problems: [{ line: 2, failure: { code: 'revenue.no-rows' } }] };
  return { ok: true, rows, months: [...new Set(rows.map((r) => r.month))].sort() };
}

/** A header read as one cell that holds semicolons or tabs: a file separated by those, not by commas. */
function separatorOf(header: string[]): ';' | 'tab' | null {
  if (header.length !== 1) return null;
  const only = header[0]!;
  if (only.includes(';')) return ';';
  if (only.includes('\t')) return 'tab';
  return null;
}

/**
 * A revenue file's bytes as text. UTF-8 (with or without its byte-order mark) is read as it is; UTF-16
 * with a byte-order mark (what Excel's "Unicode text" writes) is decoded; anything else is refused with
 * the reason rather than stored garbled: UTF-16 without a byte-order mark (NUL bytes), and bytes that are
 * not valid UTF-8 (Windows-1252 from Excel's "CSV (Comma delimited)": `Société` would become `Soci�t�`).
 */
export function decodeRevenueFile(bytes: Uint8Array): { ok: true; text: string } | { ok: false; failure: Failure } {
  const [a, b, c] = bytes;
  try {
    if (a === 0xff && b === 0xfe) return { ok: true, text: new TextDecoder('utf-16le', { fatal: true }).decode(bytes.subarray(2)) };
    if (a === 0xfe && b === 0xff) return { ok: true, text: new TextDecoder('utf-16be', { fatal: true }).decode(bytes.subarray(2)) };
    const body = a === 0xef && b === 0xbb && c === 0xbf ? bytes.subarray(3) : bytes;
    if (body.includes(0)) return { ok: false, failure: { code: 'revenue.encoding', found: 'utf-16' } };
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body) };
  } catch {
    return { ok: false, failure: { code: 'revenue.encoding', found: 'not-utf8' } };
  }
}
