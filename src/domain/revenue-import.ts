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

/**
 * Parses and checks the whole file. `resolve` maps a customer as written to its canonical id (aliases),
 * so two rows naming the same customer under two names in one month are caught as duplicates.
 */
export function parseRevenueCsv(content: string, resolve: (customer: string) => string = (c) => c): RevenueParse {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(content, { bom: true, skip_empty_lines: true, relax_column_count: true, info: true, trim: false }) as unknown as typeof records;
  } catch (err) {
    const line = (err as { lines?: number }).lines ?? 1;
    return { ok: false, problems: [{ line, failure: { code: 'revenue.not-csv', detail: (err as Error).message.replace(/^Invalid .*?:\s*/, '') } }] };
  }
  if (records.length === 0) return { ok: false, problems: [{ line: 1, failure: { code: 'revenue.empty' } }] };
  const header = records[0]!.record.map((h) => h.trim().toLowerCase());
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
  for (const { record, info } of records.slice(1)) {
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
