import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { Failure } from '../domain/result.ts';
import { z } from 'zod';
import type { BillingRepository, StagedCharge } from './ports/billing.ts';
import type { TeamsRepository } from './ports/teams.ts';
import {
  DEFAULT_FOCUS_RULES,
  FOCUS_LIMITS,
  categoryOf,
  dayCalendar,
  missingColumns,
  readFocusRecord,
  spreadOverDays,
  tagValue,
  type CostColumn,
  type FocusRecord,
  type FocusRules,
} from '../domain/focus.ts';
import { add, ZERO, type Money } from '../domain/money.ts';
import { dayKey } from '../domain/periods.ts';

/**
 * `aicost import focus FILE.csv [--cost effective|billed]`: a FOCUS 1.0–1.2 cost export becomes hidden
 * costs per day of REPORT_TIMEZONE (team and feature from the tags, category by finance's rules, untagged
 * rows shared and allocated by direct API spend). Streamed: the file is read record by record and staged
 * in batches, so memory does not grow with its length. All or nothing: one bad row refuses the whole
 * file, with every problem's row number (the first {@link MAX_PROBLEMS} are kept), and nothing staged is
 * kept. Each (charge, day) has a stable key, so a re-import or an overlapping export replaces what it
 * imported before instead of adding to it. A day in a closed month is booked as a correction into the
 * open month (the difference from what that charge already booked there), as late source costs are.
 */
export interface FocusImportDeps {
  charges: Pick<BillingRepository, 'beginChargeImport'>;
  teams: Pick<TeamsRepository, 'bySlug' | 'listFeatures'>;
  monthStatus: (month: string) => Promise<string>;
  rules: FocusRules;
  timeZone: string;
}

/** Problems kept for the answer; the rest are counted. */
export const MAX_PROBLEMS = 1000;
/** Rows staged at a time: small batches are collected young, so the heap stays flat over a million rows. */
const BATCH = 500;

export type FocusImportResult =
  | { ok: false; rows: number; problems: { row: number; failure: Failure }[]; problemCount: number }
  | {
      ok: true;
      rows: number;
      charges: number;
      inserted: number;
      replaced: number;
      corrections: number;
      total: Money;
      byTeamCategory: { team: string; category: string; amount: Money }[];
    };

const rulesSchema = z
  .object({
    categories: z
      .array(
        z
          .object({
            providerName: z.string().optional(),
            serviceName: z.string().optional(),
            serviceCategory: z.string().optional(),
            category: z.string().regex(/^[a-z0-9_]{1,40}$/, 'a category is lowercase letters, digits and _'),
          })
          .strict(),
      )
      .optional(),
    teamTags: z.array(z.string().min(1)).min(1).optional(),
    featureTags: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict();

/** FOCUS_RULES_FILE: finance's category rules (tried before the defaults) and tag keys. */
export function loadFocusRules(file: string | undefined): FocusRules {
  if (!file) return DEFAULT_FOCUS_RULES;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`FOCUS_RULES_FILE ${file} could not be read as JSON: ${(err as Error).message}`);
  }
  const r = rulesSchema.safeParse(json);
  if (!r.success) throw new Error(`FOCUS_RULES_FILE ${file}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return {
    categories: [...(r.data.categories ?? []), ...DEFAULT_FOCUS_RULES.categories],
    teamTags: r.data.teamTags ?? DEFAULT_FOCUS_RULES.teamTags,
    featureTags: r.data.featureTags ?? DEFAULT_FOCUS_RULES.featureTags,
  };
}

export function focusImportService(deps: FocusImportDeps) {
  return {
    /** Imports a FOCUS CSV read from `input` (a file stream); `now` decides where corrections are booked. */
    async importCsv(input: Readable | string, file: string, cost: CostColumn, now: Date): Promise<FocusImportResult> {
      let header: string[] = [];
      const parser = parse({
        columns: (h: string[]) => (header = h.map((x) => x.replace(/^\uFEFF/, '').trim())),
        skip_empty_lines: true,
        bom: true,
        relax_column_count: false,
      });
      const source = typeof input === 'string' ? Readable.from([input]) : input;
      source.on('error', (err) => parser.destroy(err));
      source.pipe(parser);

      const calendar = dayCalendar(deps.timeZone);
      const bookDay = dayKey(now, deps.timeZone);
      const bookMonth = bookDay.slice(0, 7);
      const features = new Map((await deps.teams.listFeatures()).map((f) => [f.slug, f]));
      const teamCache = new Map<string, { id: number; slug: string } | null>();
      const statusCache = new Map<string, string>();
      const status = async (month: string) => {
        let st = statusCache.get(month);
        if (st === undefined) statusCache.set(month, (st = await deps.monthStatus(month)));
        return st;
      };
      const problems: { row: number; failure: Failure }[] = [];
      let problemCount = 0;
      const problem = (row: number, failure: Failure) => {
        problemCount++;
        if (problems.length < MAX_PROBLEMS) problems.push({ row, failure });
      };
      const session = await deps.charges.beginChargeImport();
      let batch: StagedCharge[] = [];
      let rows = 0;
      let charges = 0;
      let total: Money = ZERO;
      let absTotal = 0n;
      const groups = new Map<string, { team: string; category: string; amount: Money }>();
      const slugOf = new Map<number, string>();
      try {
        for await (const record of parser as AsyncIterable<FocusRecord>) {
          rows++;
          const rowNo = rows + 1;
          if (rows === 1) {
            const missing = missingColumns(header, cost);
            if (missing.length) {
              problem(1, { code: 'focus.missing-columns', missing });
              parser.destroy();
              break;
            }
          }
          const read = readFocusRecord(record, rowNo, cost);
          if (!read.ok) {
            problem(read.row, read.failure);
            continue;
          }
          const r = read.row;
          absTotal += r.amount < 0n ? -r.amount : r.amount;
          if (absTotal > FOCUS_LIMITS.fileTotal) {
            problem(rowNo, { code: 'focus.file-total-limit', max: FOCUS_LIMITS.fileTotal });
            parser.destroy();
            break;
          }
          let teamId: number | null = null;
          let featureId: number | null = null;
          let team: string = r.unassigned ?? 'shared (allocated)';
          if (r.unassigned === null) {
            const teamSlug = tagValue(r.tags, deps.rules.teamTags);
            const featureSlug = tagValue(r.tags, deps.rules.featureTags);
            if (featureSlug) {
              const f = features.get(featureSlug);
              if (!f) {
                problem(rowNo, { code: 'focus.feature-tag', slug: featureSlug });
                continue;
              }
              featureId = f.id;
              teamId = f.teamId;
              team = featureSlug;
            }
            if (teamSlug && featureId === null) {
              if (!teamCache.has(teamSlug)) teamCache.set(teamSlug, await deps.teams.bySlug(teamSlug));
              const t = teamCache.get(teamSlug);
              if (!t) {
                problem(rowNo, { code: 'focus.team-tag', slug: teamSlug });
                continue;
              }
              teamId = t.id;
              team = t.slug;
              slugOf.set(t.id, t.slug);
            }
          }
          const category = r.aicostCategory ?? categoryOf(r, deps.rules);
          let refused = false;
          for (const part of spreadOverDays(r.start, r.end, r.amount, calendar)) {
            const month = part.day.slice(0, 7);
            const open = (await status(month)) === 'open';
            if (!open && (await status(bookMonth)) !== 'open') {
              problem(rowNo, { code: 'focus.month-locked', day: part.day, month, state: statusCache.get(month)! });
              refused = true;
              break;
            }
            if (problemCount) continue; // the file is refused: validate the rest, store nothing
            const chargeKey = createHash('sha256').update(`${r.identity}|${part.day}`).digest('hex');
            batch.push({
              rowKey: open ? chargeKey : `${chargeKey}#${bookMonth}`,
              chargeKey: open ? null : chargeKey,
              day: open ? part.day : bookDay,
              originalDay: open ? null : part.day,
              category,
              amount: part.amount,
              teamId,
              featureId,
              unassigned: r.unassigned,
              providerName: r.providerName.slice(0, 200),
              serviceName: r.serviceName.slice(0, 200),
              description: r.description.slice(0, 500),
              file: file.slice(-200),
            });
            charges++;
          }
          if (refused || problemCount) continue;
          total = add(total, r.amount);
          const key = `${team}|${category}`;
          const g = groups.get(key) ?? { team, category, amount: ZERO };
          g.amount = add(g.amount, r.amount);
          groups.set(key, g);
          if (batch.length >= BATCH) {
            await session.stage(batch);
            batch = [];
          }
        }
        if (rows === 0 && header.length) {
          const missing = missingColumns(header, cost);
          if (missing.length) problem(1, { code: 'focus.missing-columns', missing });
        }
      } catch (err) {
        await session.abort();
        const e = err as Error & { lines?: number };
        if (e.name === 'AbortError') throw err;
        return { ok: false, rows, problems: [{ row: e.lines ?? rows + 1, failure: { code: 'focus.not-csv', detail: e.message } }], problemCount: 1 };
      }
      source.destroy();
      if (problemCount) {
        await session.abort();
        return { ok: false, rows, problems, problemCount };
      }
      if (batch.length) await session.stage(batch);
      const stored = await session.commit(now);
      return { ok: true, rows, charges, ...stored, total, byTeamCategory: [...groups.values()] };
    },
  };
}
