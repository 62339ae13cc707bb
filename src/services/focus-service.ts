import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Failure } from '../domain/result.ts';
import { z } from 'zod';
import type { ImportedChargeRecord } from './ports/billing.ts';
import type { TeamsRepository } from './ports/teams.ts';
import {
  DEFAULT_FOCUS_RULES,
  categoryOf,
  missingColumns,
  readFocusRecord,
  spreadOverDays,
  tagValue,
  type CostColumn,
  type FocusRecord,
  type FocusRules,
} from '../domain/focus.ts';
import { add, sum, ZERO, type Money } from '../domain/money.ts';

/**
 * `aicost import focus FILE.csv [--cost effective|billed]`: a FOCUS 1.0–1.2 cost export becomes hidden
 * costs per UTC day (team and feature from the tags, category by finance's rules, untagged rows shared
 * and allocated by direct API spend). All or nothing: one bad row refuses the whole file, with every
 * problem's row number. Each (charge, day) has a stable key, so a re-import or an overlapping export
 * replaces what it imported before instead of adding to it.
 */
export interface FocusImportDeps {
  charges: { upsertCharges(rows: ImportedChargeRecord[]): Promise<{ inserted: number; replaced: number }> };
  teams: Pick<TeamsRepository, 'bySlug' | 'listFeatures'>;
  monthStatus: (month: string) => Promise<string>;
  rules: FocusRules;
}

export type FocusImportResult =
  | { ok: false; rows: number; problems: { row: number; failure: Failure }[] }
  | {
      ok: true;
      rows: number;
      charges: number;
      inserted: number;
      replaced: number;
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
    async importCsv(text: string, file: string, cost: CostColumn): Promise<FocusImportResult> {
      let records: FocusRecord[];
      let header: string[] = [];
      try {
        records = parse(text, {
          columns: (h: string[]) => (header = h.map((x) => x.replace(/^\uFEFF/, '').trim())),
          skip_empty_lines: true,
          bom: true,
          relax_column_count: false,
        }) as FocusRecord[];
      } catch (err) {
        const e = err as Error & { lines?: number };
        return { ok: false, rows: 0, problems: [{ row: e.lines ?? 0, failure: { code: 'focus.not-csv', detail: e.message } }] };
      }
      const missing = missingColumns(header, cost);
      if (missing.length)
        return {
          ok: false,
          rows: records.length,
          problems: [{ row: 1, failure: { code: 'focus.missing-columns', missing } }],
        };

      const features = new Map((await deps.teams.listFeatures()).map((f) => [f.slug, f]));
      const teamCache = new Map<string, { id: number; slug: string } | null>();
      const statusCache = new Map<string, string>();
      const problems: { row: number; failure: Failure }[] = [];
      const byKey = new Map<string, ImportedChargeRecord>();
      for (let i = 0; i < records.length; i++) {
        const rowNo = i + 2;
        const read = readFocusRecord(records[i]!, rowNo, cost);
        if (!read.ok) {
          problems.push({ row: read.row, failure: read.failure });
          continue;
        }
        const r = read.row;
        const teamSlug = tagValue(r.tags, deps.rules.teamTags);
        const featureSlug = tagValue(r.tags, deps.rules.featureTags);
        let teamId: number | null = null;
        let featureId: number | null = null;
        if (featureSlug) {
          const f = features.get(featureSlug);
          if (!f) {
            problems.push({ row: rowNo, failure: { code: 'focus.feature-tag', slug: featureSlug } });
            continue;
          }
          featureId = f.id;
          teamId = f.teamId;
        }
        if (teamSlug && featureId === null) {
          if (!teamCache.has(teamSlug)) teamCache.set(teamSlug, await deps.teams.bySlug(teamSlug));
          const t = teamCache.get(teamSlug);
          if (!t) {
            problems.push({ row: rowNo, failure: { code: 'focus.team-tag', slug: teamSlug } });
            continue;
          }
          teamId = t.id;
        }
        const category = categoryOf(r, deps.rules);
        for (const part of spreadOverDays(r.start, r.end, r.amount)) {
          const month = part.day.slice(0, 7);
          if (!statusCache.has(month)) statusCache.set(month, await deps.monthStatus(month));
          if (statusCache.get(month) !== 'open') {
            problems.push({ row: rowNo, failure: { code: 'focus.month-locked', day: part.day, month, state: statusCache.get(month)! } });
            break;
          }
          const rowKey = createHash('sha256').update(`${r.identity}|${part.day}`).digest('hex');
          const prev = byKey.get(rowKey);
          if (prev)
            prev.amount = add(prev.amount, part.amount); // the same charge twice in one file: one charge
          else
            byKey.set(rowKey, {
              rowKey,
              day: part.day,
              category,
              amount: part.amount,
              teamId,
              featureId,
              providerName: r.providerName.slice(0, 200),
              serviceName: r.serviceName.slice(0, 200),
              description: r.description.slice(0, 500),
              file: file.slice(-200),
            });
        }
      }
      if (problems.length) return { ok: false, rows: records.length, problems };
      const charges = [...byKey.values()];
      const stored = await deps.charges.upsertCharges(charges);
      const slugOf = new Map<number, string>();
      for (const t of teamCache.values()) if (t) slugOf.set(t.id, t.slug);
      const groups = new Map<string, { team: string; category: string; amount: Money }>();
      for (const c of charges) {
        const team =
          c.teamId === null
            ? 'shared (allocated)'
            : (slugOf.get(c.teamId) ?? [...features.values()].find((f) => f.id === c.featureId)?.slug ?? `team ${c.teamId}`);
        const key = `${team}|${c.category}`;
        const g = groups.get(key) ?? { team, category: c.category, amount: ZERO };
        g.amount = add(g.amount, c.amount);
        groups.set(key, g);
      }
      return {
        ok: true,
        rows: records.length,
        charges: charges.length,
        ...stored,
        total: sum(charges.map((c) => c.amount)),
        byTeamCategory: [...groups.values()],
      };
    },
  };
}
