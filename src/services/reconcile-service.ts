import type { BillingMappingRecord, BillingRepository } from './ports/billing.ts';
import type { TeamsRepository } from './ports/teams.ts';
import { OTHER_TEAMS, visibleTeams, type Viewer } from './visibility.ts';
import type { HiddenCost, HiddenCostLine, HiddenCostTarget } from '../domain/hidden-costs.ts';
import { add, allocate, sub, sum, ZERO, type Money } from '../domain/money.ts';
import { daysOf, type Period } from '../domain/periods.ts';
import { billingProviderOf, coveragePct, reconcileDays, unobservedCategory, type DayGap, type Provider } from '../domain/reconciliation.ts';
import type { Authz } from './authz.ts';
import type { DerivedLines } from './true-cost.ts';
import type { Failure } from '../domain/result.ts';

/**
 * Reconciliation with the providers' bills (issue 14): the gaps per provider and day, the unobserved
 * spend as true-cost lines (with the FOCUS charges, see `derivedLines`), `/aicost reconcile`,
 * `/aicost admin map …` and the weekly finance alert. Returns data; formatting is in src/format/.
 */
export type UnmappedMode = 'allocate' | 'line';

export interface ReconcileDeps {
  billing: Pick<BillingRepository, 'billed' | 'observed' | 'mappings' | 'setMapping' | 'charges'>;
  teams: TeamsRepository;
  authz: Authz;
  audit?: (entry: { actor: string; action: string; entity: string; entityId: string; before: unknown; after: unknown }, at: Date) => Promise<void>;
  timeZone: string;
  unmapped: UnmappedMode;
  alertPct: number;
}

export interface ProviderSummary {
  provider: Provider;
  billed: Money;
  observed: Money;
  unobserved: Money;
  coveragePct: number | null;
  days: number;
}

export interface GroupSummary {
  provider: Provider;
  team: string | null;
  scopes: string[];
  billed: Money;
  observed: Money;
  unobserved: Money;
  coveragePct: number | null;
}

export interface ReconcileReport {
  period: Period;
  /** Last complete UTC billing day counted (exclusive bound). */
  completeBefore: string;
  providers: ProviderSummary[];
  groups: GroupSummary[];
  /** The days with the largest gaps (by absolute unobserved), largest first. */
  worstDays: { provider: Provider; day: string; billed: Money; observed: Money; unobserved: Money }[];
  total: { billed: Money; observed: Money; unobserved: Money };
  unmapped: UnmappedMode;
}

const DAY_MS = 86_400_000;
const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
const utcDay = (at: Date) => at.toISOString().slice(0, 10);

/** A provider whose unobserved share of a completed week is above the threshold. */
export interface WeekAlert {
  provider: Provider;
  weekStart: string;
  billed: Money;
  observed: Money;
  unobserved: Money;
  sharePct: number;
}

/** What the reconciliation tells finance (see notices.ts). */
export type ReconcileNotice = { type: 'reconcile.alert'; alert: WeekAlert; thresholdPct: number };

export function reconcileService(deps: ReconcileDeps) {
  const { billing, timeZone } = deps;

  /**
   * The gaps of the billing days labelled `days` (local calendar days of a period, which the UTC billing
   * days are matched by label), and each team's observed spend per provider over those days (what a
   * provider's shared unobserved spend is allocated by).
   */
  async function readGaps(days: string[], now: Date): Promise<{ gaps: DayGap[]; usage: Map<Provider, Map<number, Money>> }> {
    const usage = new Map<Provider, Map<number, Money>>();
    if (days.length === 0) return { gaps: [], usage };
    const first = days[0]!;
    const end = nextDay(days[days.length - 1]!);
    const wanted = new Set(days);
    const billed = (await billing.billed(first, end)).filter((b) => wanted.has(b.day));
    // No bill in range (no admin key, or not read yet): nothing to reconcile, and no scan of the entries.
    if (billed.length === 0) return { gaps: [], usage };
    const [observedRows, mappings] = await Promise.all([billing.observed(new Date(`${first}T00:00:00Z`), new Date(`${end}T00:00:00Z`)), billing.mappings()]);
    const observed = [];
    for (const o of observedRows) {
      const provider = billingProviderOf(o.provider, o.model);
      if (!provider) continue;
      observed.push({ day: o.day, teamId: o.teamId, provider, amount: o.amount });
      if (o.teamId !== null && wanted.has(o.day)) {
        const byTeam = usage.get(provider) ?? usage.set(provider, new Map()).get(provider)!;
        byTeam.set(o.teamId, add(byTeam.get(o.teamId) ?? ZERO, o.amount));
      }
    }
    return { gaps: reconcileDays(billed, observed, mappings, utcDay(now)), usage };
  }
  const gapsForDays = async (days: string[], now: Date): Promise<DayGap[]> => (await readGaps(days, now)).gaps;

  const derivedLines: DerivedLines = {
    async lines(window, now) {
      const days = daysOf(window, timeZone);
      const [{ gaps, usage }, charges] = await Promise.all([
        readGaps(days, now),
        days.length ? billing.charges(days[0]!, nextDay(days[days.length - 1]!)) : [],
      ]);
      const lines: HiddenCostLine[] = [];
      const unassigned: { line: HiddenCostLine; reason: string }[] = [];
      let id = 0;
      const line = (category: string, amount: Money, date: string, target: HiddenCostTarget, note: string, author: string): HiddenCostLine => {
        const entry: HiddenCost = { id: --id, category, amount, kind: 'one_off', date, target, note, author };
        return { entry, amount, units: null };
      };
      for (const d of gaps) {
        const category = unobservedCategory(d.provider);
        // A provider's shared gap goes only to the teams that called that provider, by their observed spend with it (issue 21).
        const users = [...(usage.get(d.provider) ?? [])].filter(([, m]) => m > 0n).sort((a, b) => a[0] - b[0]);
        for (const g of d.groups) {
          if (g.unobserved === 0n) continue;
          const note = `${d.provider} billed ${d.day}, not seen by the observability sources`;
          const shared = () => line(category, g.unobserved, d.day, { type: 'shared', rule: { type: 'direct_spend' } }, note, `${d.provider} billing`);
          if (g.teamId !== null) lines.push(line(category, g.unobserved, d.day, { type: 'team', teamId: g.teamId }, note, `${d.provider} billing`));
          else if (deps.unmapped === 'line') unassigned.push({ line: shared(), reason: `unobserved ${d.provider} spend of unmapped projects` });
          else if (users.length === 0)
            unassigned.push({ line: shared(), reason: `unobserved ${d.provider} spend, and no team's ${d.provider} calls were observed to allocate it by` });
          else
            allocate(
              g.unobserved,
              users.map(([, m]) => m),
            ).forEach((part, i) => {
              if (part !== 0n)
                lines.push(
                  line(
                    category,
                    part,
                    d.day,
                    { type: 'team', teamId: users[i]![0] },
                    `${note}; allocated by observed ${d.provider} spend`,
                    `${d.provider} billing`,
                  ),
                );
            });
        }
      }
      const wanted = new Set(days);
      for (const c of charges) {
        if (!wanted.has(c.day)) continue;
        const target: HiddenCostTarget =
          c.featureId !== null
            ? { type: 'feature', featureId: c.featureId }
            : c.teamId !== null
              ? { type: 'team', teamId: c.teamId }
              : { type: 'shared', rule: { type: 'direct_spend' } };
        const what = `${c.providerName ?? ''} ${c.serviceName ?? ''}`.trim();
        const note = c.originalDay ? `correction of ${c.originalDay} (a closed month): ${what}` : what;
        if (c.unassigned) {
          // A line aicost's own export carried on no team stays on no team in the database it is imported into.
          const reason = c.unassigned === 'unattributed' ? 'unattributed spend of an imported aicost export' : 'unallocated cost of an imported aicost export';
          unassigned.push({ line: line(c.category, c.amount, c.day, target, note, `FOCUS ${c.file}`), reason });
        } else lines.push(line(c.category, c.amount, c.day, target, note, `FOCUS ${c.file}`));
      }
      return { lines, unassigned };
    },
  };

  /**
   * `/aicost reconcile`: the providers' totals and worst days are the organisation's (everyone may see
   * them); the per-team rows are the viewer's own teams, everything else (other teams and unmapped
   * projects, with their provider ids) folded into one "other teams" row per provider.
   */
  async function report(viewer: Viewer, period: Period, now: Date): Promise<ReconcileReport> {
    const whole = await reportAll(period, now);
    if (viewer.all) return whole;
    const teamList = await deps.teams.list();
    const mine = new Set(visibleTeams(viewer, teamList).map((t) => t.slug));
    const groups: GroupSummary[] = [];
    const folded = new Map<Provider, GroupSummary>();
    for (const g of whole.groups) {
      if (g.team !== null && mine.has(g.team)) {
        groups.push(g);
        continue;
      }
      const f = folded.get(g.provider) ?? {
        provider: g.provider,
        team: OTHER_TEAMS,
        scopes: [],
        billed: ZERO,
        observed: ZERO,
        unobserved: ZERO,
        coveragePct: null,
      };
      f.billed = add(f.billed, g.billed);
      f.observed = add(f.observed, g.observed);
      f.unobserved = add(f.unobserved, g.unobserved);
      folded.set(g.provider, f);
    }
    for (const f of folded.values()) groups.push({ ...f, coveragePct: coveragePct(f.observed, f.billed) });
    return { ...whole, groups };
  }

  async function reportAll(period: Period, now: Date): Promise<ReconcileReport> {
    const gaps = await gapsForDays(daysOf(period, timeZone), now);
    const teamList = await deps.teams.list();
    const slug = (id: number | null) => (id === null ? null : (teamList.find((t) => t.id === id)?.slug ?? `team ${id}`));
    const providers: ProviderSummary[] = [];
    const groups = new Map<string, GroupSummary>();
    for (const p of ['openai', 'anthropic'] as const) {
      const ds = gaps.filter((g) => g.provider === p);
      if (ds.length === 0) continue;
      const billed = sum(ds.map((d) => d.billed));
      const observed = sum(ds.map((d) => d.observed));
      providers.push({ provider: p, billed, observed, unobserved: sub(billed, observed), coveragePct: coveragePct(observed, billed), days: ds.length });
      for (const d of ds) {
        for (const g of d.groups) {
          const key = `${p}|${g.teamId ?? ''}`;
          const s = groups.get(key) ?? {
            provider: p,
            team: slug(g.teamId),
            scopes: [],
            billed: ZERO,
            observed: ZERO,
            unobserved: ZERO,
            coveragePct: null,
          };
          s.billed = add(s.billed, g.billed);
          s.observed = add(s.observed, g.observed);
          s.unobserved = add(s.unobserved, g.unobserved);
          for (const sc of g.scopes) if (!s.scopes.includes(sc)) s.scopes.push(sc);
          groups.set(key, s);
        }
      }
    }
    for (const g of groups.values()) g.coveragePct = coveragePct(g.observed, g.billed);
    const abs = (m: bigint) => (m < 0n ? -m : m);
    const worstDays = [...gaps]
      .sort((a, b) => (abs(b.unobserved) > abs(a.unobserved) ? 1 : abs(b.unobserved) < abs(a.unobserved) ? -1 : a.day.localeCompare(b.day)))
      .slice(0, 5)
      .map((d) => ({ provider: d.provider, day: d.day, billed: d.billed, observed: d.observed, unobserved: d.unobserved }));
    const total = {
      billed: sum(providers.map((p) => p.billed)),
      observed: sum(providers.map((p) => p.observed)),
      unobserved: sum(providers.map((p) => p.unobserved)),
    };
    return { period, completeBefore: utcDay(now), providers, groups: [...groups.values()], worstDays, total, unmapped: deps.unmapped };
  }

  return {
    derivedLines,
    report,
    gapsForDays,

    /**
     * `/aicost admin map openai project <id> <team>` / `… openai key <key id> <team>` / `… anthropic
     * workspace <id> <team>` / `… anthropic key <key id> <team>` (finance only). Both bills are read per
     * API key (OpenAI's Costs API groups by key, Anthropic's cost report is split by its usage report):
     * a mapped key wins over its project or workspace.
     */
    async map(words: string[], userId: string, now: Date): Promise<{ ok: true; message: string } | { ok: false; failure: Failure }> {
      if (!(await deps.authz.isFinance(userId))) return { ok: false, failure: { code: 'map.finance-only' } };
      const [provider, scopeType, scopeId, teamSlug, ...extra] = words.map((w) => w.trim());
      if (extra.length || !provider || !scopeType || !scopeId || !teamSlug) return { ok: false, failure: { code: 'map.usage' } };
      const p = provider.toLowerCase();
      if (p !== 'openai' && p !== 'anthropic') return { ok: false, failure: { code: 'map.provider', text: provider } };
      const word = scopeType.toLowerCase();
      const scope = p === 'openai' ? 'project' : 'workspace';
      // Both bills are read per project/workspace and per API key.
      const kinds = [scope, 'key'];
      if (!kinds.includes(word)) return { ok: false, failure: { code: 'map.scope', provider: p, expected: kinds.join(' or '), text: scopeType } };
      const t = word === 'key' ? 'api_key' : (scope as 'project' | 'workspace');
      if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(scopeId))
        return { ok: false, failure: { code: 'map.scope-id', text: scopeId, scope: word === 'key' ? 'API key' : scope } };
      const team = await deps.teams.bySlug(teamSlug.toLowerCase());
      if (!team) return { ok: false, failure: { code: 'team.none', slug: teamSlug } };
      const mapping: BillingMappingRecord = { provider: p, scopeType: t, scopeId, teamId: team.id };
      const before = await billing.setMapping(mapping, userId);
      await deps.audit?.({ actor: userId, action: 'billing.map', entity: 'billing-mapping', entityId: `${p}:${scopeId}`, before, after: mapping }, now);
      return {
        ok: true,
        message: `${p} ${word === 'key' ? 'API key' : t} ${scopeId} now belongs to ${team.slug}: its unobserved spend is ${team.slug}${team.slug.endsWith('s') ? "'" : "'s"} from now on (also for open past months)${word === 'key' ? `, before its ${scope}'s mapping` : ''}.`,
      };
    },

    /** The providers whose unobserved share of the completed UTC week [weekStart, +7d) is above the threshold. */
    async weekAlerts(weekStart: string, now: Date): Promise<WeekAlert[]> {
      const days: string[] = [];
      for (let d = weekStart; days.length < 7; d = nextDay(d)) days.push(d);
      const gaps = await gapsForDays(days, now);
      const out = [];
      for (const p of ['openai', 'anthropic'] as const) {
        const ds = gaps.filter((g) => g.provider === p);
        const billed = sum(ds.map((d) => d.billed));
        if (billed <= 0n) continue;
        const observed = sum(ds.map((d) => d.observed));
        const unobserved = sub(billed, observed);
        const sharePct = Number((unobserved * 10_000n) / billed) / 100;
        if (sharePct > deps.alertPct) out.push({ provider: p, weekStart, billed, observed, unobserved, sharePct });
      }
      return out;
    },
  };
}

export type ReconcileService = ReturnType<typeof reconcileService>;
