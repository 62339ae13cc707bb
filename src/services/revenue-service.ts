import { randomUUID } from 'node:crypto';
import { sum, ZERO, type Money } from '../domain/money.ts';
import { parseRevenueCsv, type RowProblem } from '../domain/revenue-import.ts';
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
      const parsed = parseRevenueCsv(content, (c) => aliases.get(c) ?? c);
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
