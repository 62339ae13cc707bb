import { randomUUID } from 'node:crypto';
import { sum, ZERO, type Money } from '../domain/money.ts';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { parse } from 'csv-parse/sync';
import { checkRevenueRecords, CSV_OPTIONS, notCsv, type CsvRecord, type RevenueParse, type RowProblem } from '../domain/revenue-import.ts';
import type { Authz } from './authz.ts';
import type { Failure } from '../domain/result.ts';

/**
 * Revenue import and customer aliases (finance). A file replaces every month it contains, in one
 * transaction with its audit entry; a file with any bad row is refused whole and stores nothing.
 */
export interface RevenueStore {
  replaceMonths(
    rows: { customer: string; month: string; amount: Money; plan: string | null }[],
    months: string[],
    meta: { importId: string; actor: string; at: Date; source: string },
  ): Promise<{ before: Map<string, { rows: number; total: Money }> }>;
  aliases(): Promise<Map<string, string>>;
  setAlias(alias: string, customer: string, actor: string, at: Date): Promise<{ before: string | null }>;
  removeAlias(alias: string, actor: string, at: Date): Promise<boolean>;
}

export type ImportResult =
  | { ok: true; importId: string; rows: number; months: { month: string; rows: number; total: Money; replacedRows: number; replacedTotal: Money }[] }
  | { ok: false; refused: 'not-finance' }
  | { ok: false; refused: 'invalid'; problems: RowProblem[] };

export type AliasResult =
  | { ok: true; action: 'set'; alias: string; customer: string; before: string | null }
  | { ok: true; action: 'removed'; alias: string }
  | { ok: true; action: 'list'; aliases: [string, string][] }
  | { ok: false; failure: Failure };

export const CUSTOMER_ID = /^[^\s<>&]{1,200}$/;
export const ALIAS_USAGE = ['/aicost admin customer alias <alias> <customer>', '/aicost admin customer unalias <alias>', '/aicost admin customer aliases'];

export function revenueService(deps: { store: RevenueStore; authz: Authz }) {
  const { store } = deps;
  return {
    /**
     * Imports a revenue CSV. `actor` is a Slack user (checked for finance) or, from the CLI, `cli:<user>`
     * (whoever can run the CLI already holds the database).
     */
    async importCsv(content: string, ctx: { actor: string; source: string; now: Date; slackUser: boolean }): Promise<ImportResult> {
      if (ctx.slackUser && !(await deps.authz.isFinance(ctx.actor))) return { ok: false, refused: 'not-finance' };
      const aliases = await store.aliases();
      const parsed = await parseInSteps(content, (c) => aliases.get(c) ?? c);
      if (!parsed.ok) return { ok: false, refused: 'invalid', problems: parsed.problems };
      const importId = randomUUID();
      const { before } = await store.replaceMonths(parsed.rows, parsed.months, { importId, actor: ctx.actor, at: ctx.now, source: ctx.source });
      return {
        ok: true,
        importId,
        rows: parsed.rows.length,
        months: parsed.months.map((month) => {
          const rows = parsed.rows.filter((r) => r.month === month);
          const b = before.get(month);
          return {
            month,
            rows: rows.length,
            total: sum(rows.map((r) => r.amount)),
            replacedRows: b?.rows ?? 0,
            replacedTotal: b?.total ?? ZERO,
          };
        }),
      };
    },

    /** `admin customer alias <alias> <customer>` | `unalias <alias>` | `aliases` (finance only; audited). */
    async alias(words: string[], actor: string, now: Date): Promise<AliasResult | { ok: false; refused: 'not-finance' }> {
      if (!(await deps.authz.isFinance(actor))) return { ok: false, refused: 'not-finance' };
      const [verb, a, b, ...extra] = words;
      if (verb === 'aliases' && !a) return { ok: true, action: 'list', aliases: [...(await store.aliases())].sort((x, y) => x[0].localeCompare(y[0])) };
      if (verb === 'unalias' && a && !b) {
        return (await store.removeAlias(a, actor, now)) ? { ok: true, action: 'removed', alias: a } : { ok: false, failure: { code: 'alias.none', alias: a } };
      }
      if (verb === 'alias' && a && b && !extra.length) {
        if (!CUSTOMER_ID.test(a) || !CUSTOMER_ID.test(b)) return { ok: false, failure: { code: 'alias.bad-id' } };
        if (a === b) return { ok: false, failure: { code: 'alias.same' } };
        const aliases = await store.aliases();
        // Aliases are one step: the target must be a canonical id, and an alias cannot be a target.
        if (aliases.has(b)) return { ok: false, failure: { code: 'alias.of-alias', customer: b, of: aliases.get(b)! } };
        if ([...aliases.values()].includes(a)) return { ok: false, failure: { code: 'alias.has-aliases', alias: a } };
        const r = await store.setAlias(a, b, actor, now);
        return { ok: true, action: 'set', alias: a, customer: b, before: r.before };
      }
      return { ok: false, failure: { code: 'alias.usage' } };
    },
  };
}

export type RevenueService = ReturnType<typeof revenueService>;

/** About how many characters of the file the CSV reader takes between two turns of the event loop. */
const CHARS_PER_STEP = 64 * 1024;

/**
 * `parseRevenueCsv`, in steps: the file is cut into slices of whole records (at a line end outside
 * quotes), each read by the CSV reader with its line numbers shifted, and the rows are checked
 * ROWS_PER_STEP at a time, with a turn of the event loop between steps, so that a 200,000-row file
 * shared in Slack does not stop the bot answering (acks, /healthz) while it is read.
 */
async function parseInSteps(content: string, resolve: (customer: string) => string): Promise<RevenueParse> {
  const records: CsvRecord[] = [];
  let linesBefore = 0;
  for (let start = 0; start < content.length; ) {
    const end = sliceEnd(content, start);
    const slice = content.slice(start, end);
    try {
      const part = parse(slice, { ...CSV_OPTIONS, bom: start === 0 }) as unknown as CsvRecord[];
      for (const r of part) records.push({ record: r.record, info: { lines: r.info.lines + linesBefore } });
    } catch (err) {
      const e = err as { lines?: number };
      if (typeof e.lines === 'number') e.lines += linesBefore;
      return notCsv(err);
    }
    for (let i = slice.indexOf('\n'); i !== -1; i = slice.indexOf('\n', i + 1)) linesBefore++;
    start = end;
    await nextTurn();
  }
  const steps = checkRevenueRecords(records, resolve);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await nextTurn();
  }
}

/** Where the slice starting at `start` ends: after the first line end outside quotes past CHARS_PER_STEP (or at the end). */
function sliceEnd(content: string, start: number): number {
  let quoted = false;
  for (let i = start; i < content.length; i++) {
    const c = content.charCodeAt(i);
    if (c === 34)
      quoted = !quoted; // '"' (an escaped "" toggles twice)
    else if (c === 10 && !quoted && i - start >= CHARS_PER_STEP) return i + 1;
  }
  return content.length;
}
