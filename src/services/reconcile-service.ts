import type { BillingMappingRecord, BillingRepository } from './ports/billing.ts';
import type { TeamsRepository } from './ports/teams.ts';
import { OTHER_TEAMS, visibleTeams, type Viewer } from './visibility.ts';
import type { HiddenCost, HiddenCostLine, HiddenCostTarget } from '../domain/hidden-costs.ts';
import { add, allocate, formatMoney, sub, sum, ZERO, type Money } from '../domain/money.ts';
import { dayKey, daysOf, monthPeriod, type Period } from '../domain/periods.ts';
import {
  billingProviderOf,
  coveragePct,
  reconcileDays,
  unobservedCategory,
  correctionCategory,
  unobservedCorrectionCategory,
  type DayGap,
  type Provider,
} from '../domain/reconciliation.ts';
import type { Authz } from './authz.ts';
import type { DerivedLines } from './true-cost.ts';
import type { Failure } from '../domain/result.ts';
import type { Notifier } from './notifier-port.ts';
import type { PeriodsRepository } from './ports/periods.ts';
import type { UnobservedBookRepository, UnobservedCorrection, UnobservedRow } from './ports/unobserved-book.ts';

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
  /** Closed months' frozen unobserved spend and its corrections (issue 21 item 2); without it months are read from the bill. */
  book?: UnobservedBookRepository;
  periods?: Pick<PeriodsRepository, 'locked'>;
  /** Finance is told of every correction booked. */
  notifier?: Notifier<ReconcileNotice> | null;
  financeChannelId?: string;
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

/** Corrections of one closed month booked by one change (a mapping, a bill read). */
export interface BookedCorrection {
  month: string;
  /** The open month it is booked in ("YYYY-MM"). */
  bookedIn: string;
  cause: string;
  /** Who made the change (a mapping), or null (a bill read). */
  by: string | null;
  rows: UnobservedCorrection[];
}

/** What the reconciliation tells finance (see notices.ts). */
export type ReconcileNotice =
  | { type: 'reconcile.alert'; alert: WeekAlert; thresholdPct: number }
  /** A change to a closed month's unobserved spend, booked as a correction in the open month. */
  | {
      type: 'reconcile.correction';
      month: string;
      bookedIn: string;
      cause: string;
      by: string | null;
      lines: { team: string | null; provider: Provider; amount: Money }[];
    };

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

  /**
   * The unobserved spend of the billing days labelled `days`, as lines of (day, provider, team): a mapped
   * group goes to its team, a provider's shared gap only to the teams that called that provider, by their
   * observed spend with it (issue 21), and what no team carries stays on no team (`teamId` null, `note`
   * says why).
   */
  async function unobservedRows(days: string[], now: Date): Promise<UnobservedRow[]> {
    const { gaps, usage } = await readGaps(days, now);
    const rows: UnobservedRow[] = [];
    for (const d of gaps) {
      const users = [...(usage.get(d.provider) ?? [])].filter(([, m]) => m > 0n).sort((a, b) => a[0] - b[0]);
      for (const g of d.groups) {
        if (g.unobserved === 0n) continue;
        const note = `${d.provider} billed ${d.day}, not seen by the observability sources`;
        const row = (teamId: number | null, amount: Money, why: string): UnobservedRow => ({ day: d.day, provider: d.provider, teamId, amount, note: why });
        if (g.teamId !== null) rows.push(row(g.teamId, g.unobserved, note));
        else if (deps.unmapped === 'line') rows.push(row(null, g.unobserved, `unobserved ${d.provider} spend of unmapped projects`));
        else if (users.length === 0)
          rows.push(row(null, g.unobserved, `unobserved ${d.provider} spend, and no team's ${d.provider} calls were observed to allocate it by`));
        else
          allocate(
            g.unobserved,
            users.map(([, m]) => m),
          ).forEach((part, i) => {
            if (part !== 0n) rows.push(row(users[i]![0], part, `${note}; allocated by observed ${d.provider} spend`));
          });
      }
    }
    return rows;
  }

  /** The local days of a month, as `derivedLines` reads them. */
  const monthDays = (month: string) => daysOf(monthPeriod(month, timeZone), timeZone);

  const derivedLines: DerivedLines = {
    async lines(window, now) {
      const days = daysOf(window, timeZone);
      const wanted = new Set(days);
      // A closed month's days are read as they were when it closed (issue 21 item 2); the open days from the bill.
      const frozenMonths = deps.book && days.length ? await deps.book.frozenMonths() : new Set<string>();
      const frozenIn = [...new Set(days.map((d) => d.slice(0, 7)))].filter((m) => frozenMonths.has(m));
      const liveDays = days.filter((d) => !frozenMonths.has(d.slice(0, 7)));
      const [live, frozen, corrections, charges] = await Promise.all([
        unobservedRows(liveDays, now),
        deps.book && frozenIn.length ? deps.book.frozen(frozenIn) : [],
        deps.book && days.length ? deps.book.bookedOn(days[0]!, days[days.length - 1]!) : [],
        days.length ? billing.charges(days[0]!, nextDay(days[days.length - 1]!)) : [],
      ]);
      const lines: HiddenCostLine[] = [];
      const unassigned: { line: HiddenCostLine; reason: string }[] = [];
      let id = 0;
      const line = (category: string, amount: Money, date: string, target: HiddenCostTarget, note: string, author: string): HiddenCostLine => {
        const entry: HiddenCost = { id: --id, category, amount, kind: 'one_off', date, target, note, author };
        return { entry, amount, units: null };
      };
      const shared: HiddenCostTarget = { type: 'shared', rule: { type: 'direct_spend' } };
      const unobserved = (r: UnobservedRow, category: string, note: string) => {
        if (r.teamId !== null) lines.push(line(category, r.amount, r.day, { type: 'team', teamId: r.teamId }, note, `${r.provider} billing`));
        else unassigned.push({ line: line(category, r.amount, r.day, shared, note, `${r.provider} billing`), reason: note });
      };
      for (const r of [...live, ...frozen.filter((f) => wanted.has(f.day))]) unobserved(r, unobservedCategory(r.provider), r.note);
      // While the month corrected is reopened it carries the change itself: its corrections booked in a month
      // still open are left out until it closes again (which reverses them), so nothing counts twice.
      for (const c of corrections)
        if (frozenMonths.has(c.month) || frozenMonths.has(c.day.slice(0, 7)))
          unobserved(c, unobservedCorrectionCategory(c.provider, c.month), `correction of ${c.month} (a closed month): ${c.note}`);
      for (const c of charges) {
        if (!wanted.has(c.day)) continue;
        const target: HiddenCostTarget =
          c.featureId !== null ? { type: 'feature', featureId: c.featureId } : c.teamId !== null ? { type: 'team', teamId: c.teamId } : shared;
        const what = `${c.providerName ?? ''} ${c.serviceName ?? ''}`.trim();
        const note = c.originalDay ? `correction of ${c.originalDay} (a closed month): ${what}` : what;
        // A closed month's revised row is a correction wherever it shows, as a bill's is (not more of the category).
        const category = c.originalDay ? correctionCategory(c.category, c.originalDay.slice(0, 7)) : c.category;
        if (c.unassigned) {
          // A line aicost's own export carried on no team stays on no team in the database it is imported into.
          const reason = c.unassigned === 'unattributed' ? 'unattributed spend of an imported aicost export' : 'unallocated cost of an imported aicost export';
          unassigned.push({ line: line(category, c.amount, c.day, target, note, `FOCUS ${c.file}`), reason });
        } else lines.push(line(category, c.amount, c.day, target, note, `FOCUS ${c.file}`));
      }
      return { lines, unassigned };
    },
  };

  /** Freezes a month's unobserved spend as it is now (when it closes). */
  async function freeze(month: string, now: Date): Promise<void> {
    if (!deps.book) return;
    await deps.book.freeze(month, await unobservedRows(monthDays(month), now), now);
  }

  /**
   * Before anything that can change a closed month's unobserved spend (a mapping, a bill read): a closed
   * month not frozen yet (closed before aicost froze months) is frozen as it reads now.
   */
  async function freezeClosed(now: Date): Promise<void> {
    if (!deps.book || !deps.periods) return;
    const [locked, frozen] = await Promise.all([deps.periods.locked(), deps.book.frozenMonths()]);
    for (const p of locked) if (!frozen.has(p.month)) await freeze(p.month, now);
  }

  /**
   * After a change (a mapping, a bill read): for each closed month, what its unobserved spend would be
   * now less what it was closed with and what was already booked for it, per provider and team, is booked
   * once as a correction on today, in the open month, and finance is told. Re-running books nothing.
   * `only`: the billing days a bill read covered ("YYYY-MM-DD", inclusive), when only those can have changed.
   */
  async function bookCorrections(now: Date, cause: string, by: string | null, only?: { fromDay: string; toDay: string }): Promise<BookedCorrection[]> {
    if (!deps.book || !deps.periods) return [];
    const [locked, frozenMonths] = await Promise.all([deps.periods.locked(), deps.book.frozenMonths()]);
    const today = dayKey(now, timeZone);
    const out: BookedCorrection[] = [];
    for (const { month } of locked) {
      if (!frozenMonths.has(month)) continue;
      // A bill read changes only the days it read: the closed months outside them are not computed again.
      if (only && (only.toDay.slice(0, 7) < month || only.fromDay.slice(0, 7) > month)) continue;
      // Another booking of this month at the same time (a sync while finance maps) makes one of the two
      // compute again from what the other booked, so nothing is booked twice.
      for (let attempt = 0; attempt < 5; attempt++) {
        const [live, frozen, booked] = await Promise.all([unobservedRows(monthDays(month), now), deps.book.frozen([month]), deps.book.correctionsOf(month)]);
        const diff = new Map<string, { provider: Provider; teamId: number | null; amount: Money; note: string; seq: number }>();
        const at = (r: UnobservedRow) => {
          const key = `${r.provider}|${r.teamId ?? ''}`;
          return diff.get(key) ?? diff.set(key, { provider: r.provider, teamId: r.teamId, amount: ZERO, note: '', seq: 1 }).get(key)!;
        };
        for (const r of live) {
          const d = at(r);
          d.amount = add(d.amount, r.amount);
          if (r.teamId === null) d.note = r.note;
        }
        for (const r of frozen) at(r).amount = sub(at(r).amount, r.amount);
        for (const r of booked) {
          const d = at(r);
          d.amount = sub(d.amount, r.amount);
          d.seq++;
        }
        const rows = [...diff.values()]
          .filter((d) => d.amount !== 0n)
          .sort((a, b) => a.provider.localeCompare(b.provider) || (a.teamId ?? 0) - (b.teamId ?? 0))
          .map((d) => ({
            day: today,
            provider: d.provider,
            teamId: d.teamId,
            amount: d.amount,
            note: d.teamId === null && d.note ? `${cause}; ${d.note}` : cause,
            seq: d.seq,
          }));
        if (rows.length === 0) break;
        const saved = await deps.book.book(month, rows, now);
        if (saved === null) continue;
        out.push({ month, bookedIn: today.slice(0, 7), cause, by, rows: saved });
        break;
      }
    }
    if (out.length && deps.notifier && deps.financeChannelId) {
      const teamList = await deps.teams.list();
      const slug = (id: number | null) => (id === null ? null : (teamList.find((t) => t.id === id)?.slug ?? `team ${id}`));
      for (const c of out)
        await deps.notifier.postOnce(
          `reconcile:correction:${c.month}:${c.rows[0]!.id}`,
          deps.financeChannelId,
          {
            type: 'reconcile.correction',
            month: c.month,
            bookedIn: c.bookedIn,
            cause: c.cause,
            by: c.by,
            lines: c.rows.map((r) => ({ team: slug(r.teamId), provider: r.provider, amount: r.amount })),
          },
          now,
        );
    }
    return out;
  }

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
    freeze,
    freezeClosed,
    bookCorrections,
    /** A reopened month is read from its bill again. */
    async thaw(month: string): Promise<void> {
      await deps.book?.thaw(month);
    },

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
      const what = `${p} ${word === 'key' ? 'API key' : t} ${scopeId}`;
      // A closed month keeps the unobserved spend it closed with: the difference this mapping makes to it
      // is booked once in the open month as a correction, and finance is told (issue 21 item 2).
      await freezeClosed(now);
      const before = await billing.setMapping(mapping, userId);
      await deps.audit?.({ actor: userId, action: 'billing.map', entity: 'billing-mapping', entityId: `${p}:${scopeId}`, before, after: mapping }, now);
      const booked = await bookCorrections(now, `${what} mapped to ${team.slug}`, userId);
      const corrections = booked.map(
        (c) =>
          `${c.month} is closed and keeps its figures: the ${formatMoney(sum(c.rows.map((r) => (r.amount > 0n ? r.amount : ZERO))))} this moves in ${c.month} is booked in ${c.bookedIn} as a correction of ${c.month}, and finance was told.`,
      );
      return {
        ok: true,
        message: [
          `${what} now belongs to ${team.slug}: its unobserved spend is ${team.slug}${team.slug.endsWith('s') ? "'" : "'s"} from now on (also for open past months)${word === 'key' ? `, before its ${scope}'s mapping` : ''}.`,
          ...corrections,
        ].join(' '),
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
