import type { BudgetsRepository } from './ports/budgets.ts';
import { STANDING } from './ports/budgets.ts';
import type { ClaimsRepository } from './ports/claims.ts';
import type { CostQueries } from './ports/costs.ts';
import type { PeriodAction, PeriodsRepository } from './ports/periods.ts';
import type { Viewer } from './visibility.ts';
import type { TeamsRepository } from './ports/teams.ts';
import { describeRule } from '../domain/allocation.ts';
import { effectiveBudget } from '../domain/budgets.ts';
import { buildChargeback, type Chargeback, type ChargebackInput, type ChargebackLine, type ChargebackTeamInput } from '../domain/chargeback.ts';
import { detailCsv, glCsv, summaryCsv } from '../domain/csv-export.ts';
import { totalOf } from '../domain/hidden-costs.ts';
import { add, nanos, sum, ZERO, type Money } from '../domain/money.ts';
import { monthOf, monthPeriod, previousMonth } from '../domain/periods.ts';
import type { Notifier } from './notifier-port.ts';
import type { Authz } from './authz.ts';
import type { TrueCostService } from './true-cost.ts';
import type { ReconcileService } from './reconcile-service.ts';
import { correctedMonthOf } from '../domain/reconciliation.ts';
import { mention } from '../domain/mentions.ts';
import type { SavingCandidate } from './whatif-service.ts';
import type { Failure } from '../domain/result.ts';

/**
 * The monthly chargeback: the draft (showback) posted to finance with a chart and the detail CSV, the
 * period lifecycle (close / reopen / finalize, finance only, audited), and the exports.
 *
 * A closed or finalized month is shown from the snapshot taken when it closed, so its numbers never
 * change silently; costs that arrive later are booked as corrections into the open month (see the
 * cost store) and listed there as adjustments.
 */
/** The chargeback notices this service emits; the Slack notifier renders them. */
export type ChargebackNotice =
  /** The month's draft in the finance channel (table, chart, reconciliation, the buttons its status allows). */
  | { type: 'chargeback.draft'; chargeback: Chargeback; savings?: Map<number, SavingCandidate> }
  /** A team's own line, posted in its channel when the month closes. */
  | { type: 'chargeback.team-line'; line: ChargebackLine; month: string };

export interface ChargebackDeps {
  trueCost: TrueCostService;
  costs: CostQueries;
  teams: TeamsRepository;
  budgets: BudgetsRepository;
  periods: PeriodsRepository;
  adjustments: (month: string) => Promise<{ id: number; teamId: number; amount: bigint; reason: string; author: string }[]>;
  claims: ClaimsRepository;
  authz: Authz;
  notifier: Notifier<ChargebackNotice> | null;
  timeZone: string;
  financeChannelId: string;
  quickchartUrl: string;
  gl: { expenseAccount: string; clearingAccount: string };
  /**
   * Issue 21: a closed month's unobserved spend is frozen when it closes and read from the bill again when
   * it reopens; closing again reverses the corrections booked for it meanwhile (it now carries them itself).
   */
  unobserved?: Pick<ReconcileService, 'freeze' | 'thaw' | 'bookCorrections'>;
  /** Issue 15: each team's largest model-switch saving in the month, named on the draft. */
  savings?: (month: string) => Promise<Map<number, SavingCandidate>>;
}

/** JSON with bigint and Map support, for the snapshot. */
const toJson = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? { $n: x.toString() } : x instanceof Map ? { $map: [...x] } : x));
const fromJson = (s: string) =>
  JSON.parse(s, (_k, x) =>
    x && typeof x === 'object' && '$n' in x ? BigInt(x.$n) : x && typeof x === 'object' && '$map' in x ? new Map(x.$map) : x,
  ) as ChargebackInput;

/** `/aicost chargeback`: the month, and the teams the reader may see (null: every team, finance). */
export interface ChargebackView {
  month: string;
  /** Null when the reader leads or belongs to no team. */
  chargeback: Chargeback | null;
  teamIds: string[] | null;
}

export function chargebackService(deps: ChargebackDeps) {
  const { trueCost, costs, teams, budgets, periods, timeZone } = deps;

  /** The chargeback's inputs computed from the data as it is now. */
  async function compute(month: string): Promise<ChargebackInput> {
    const period = monthPeriod(month, timeZone);
    const filter = { from: period.from, to: period.to };
    const [cost, bySource, usage, teamList, amounts, approved, direct, manual] = await Promise.all([
      trueCost.periodCost(period, period.to),
      costs.teamSourceSummary(filter),
      costs.usage(filter, 'team'),
      teams.list(),
      budgets.forMonth(month),
      budgets.approvedIncreases(month),
      costs.total(filter),
      deps.adjustments(month),
    ]);
    const name = (id: number) => teamList.find((t) => t.id === id)?.slug ?? `team ${id}`;
    const lines: ChargebackTeamInput[] = [];
    for (const team of teamList) {
      const c = cost.teams.get(team.id);
      const sources = bySource.filter((r) => r.teamId === team.id);
      const directBySource = new Map<string, Money>();
      for (const r of sources.filter((x) => !x.correction)) directBySource.set(r.source, add(directBySource.get(r.source) ?? ZERO, r.amount));
      const adjustments = [
        ...sources
          .filter((x) => x.correction)
          .map((r) => ({
            label: `correction: ${r.count} late ${r.source} record${r.count === 1 ? '' : 's'} of a closed month`,
            amount: r.amount,
            reference: null,
          })),
        ...manual
          .filter((m) => m.teamId === team.id)
          .map((m) => ({
            label: `${m.amount < 0n ? 'credit' : 'adjustment'}: ${m.reason}`,
            amount: nanos(m.amount),
            reference: `adj #${m.id} by ${m.author}`,
          })),
      ];
      // A correction of a closed month's unobserved spend (issue 21) is shown as an adjustment of this month.
      const hidden = new Map<string, Money>();
      for (const [category, amount] of c?.hidden ?? []) {
        const corrected = correctedMonthOf(category);
        if (corrected)
          adjustments.push({ label: `correction of ${corrected} (closed): ${category.replace(/, correction of .*$/, '')}`, amount, reference: null });
        else hidden.set(category, amount);
      }
      const allocated = new Map<string, Money>();
      for (const a of c?.allocations ?? []) {
        const label = `${a.category}: ${describeRule(a.rule, name)}`;
        allocated.set(label, add(allocated.get(label) ?? ZERO, a.amount));
      }
      const standing = amounts.find((a) => a.teamId === team.id && a.month === STANDING)?.amount ?? null;
      const own = amounts.find((a) => a.teamId === team.id && a.month === month)?.amount;
      const budget = effectiveBudget(month, {
        monthly: standing,
        perMonth: new Map(own !== undefined ? [[month, own]] : []),
        approvedIncreases: approved.filter((a) => a.teamId === team.id).map((a) => a.amount),
      });
      const hasAnything = c !== undefined || budget !== null || sources.length > 0 || adjustments.length > 0;
      if (!hasAnything) continue;
      lines.push({
        teamId: String(team.id),
        slug: team.slug,
        name: team.name,
        costCenter: team.costCenter,
        direct: directBySource,
        hidden,
        allocated: [...allocated].map(([ruleLabel, amount]) => ({ ruleLabel, amount })),
        adjustments,
        budget,
        workItems: usage.find((u) => u.key === team.id)?.workItems ?? 0,
      });
    }
    return {
      month,
      teams: lines,
      unattributed: cost.unattributed,
      unallocated: cost.unallocated,
      // Independent of the per-team sums: one SUM over the month's entries plus the month's hidden costs.
      grandTotal: add(direct.amount, totalOf(cost.hiddenLines), sum(manual.map((m) => nanos(m.amount)))),
    };
  }

  async function build(month: string): Promise<Chargeback> {
    const p = await periods.get(month);
    const input = p.status !== 'open' && p.snapshot ? fromJson(p.snapshot) : await compute(month);
    return buildChargeback({ ...input, periodStatus: p.status });
  }

  function files(cb: Chargeback) {
    return {
      detail: detailCsv(cb, { allowUnreconciled: true }),
      summary: summaryCsv(cb, { allowUnreconciled: true }),
      gl: glCsv(cb, { ...deps.gl, allowUnreconciled: true }),
    };
  }

  /** Saving candidates never hold up the draft: without a price table, or on an error, it goes out without them. */
  async function savingsOf(month: string): Promise<Map<number, SavingCandidate> | undefined> {
    if (!deps.savings) return undefined;
    try {
      return await deps.savings(month);
    } catch {
      return undefined;
    }
  }

  async function refreshDraft(month: string, cb: Chargeback): Promise<void> {
    const draft = await deps.claims.findPost(`chargeback:draft:${month}`);
    if (!deps.notifier || !draft?.messageTs) return;
    await deps.notifier.update(draft.channelId, draft.messageTs, { type: 'chargeback.draft', chargeback: cb, savings: await savingsOf(month) });
  }

  return {
    build,
    files,

    /** The scheduled draft for the month before `at`: posted once, with its detail CSV in the thread. */
    async postDraft(at: Date): Promise<string> {
      if (!deps.notifier) return 'no Slack client';
      const month = previousMonth(monthOf(at, timeZone));
      const cb = await build(month);
      const key = `chargeback:draft:${month}`;
      let ts = await deps.notifier.postOnce(key, deps.financeChannelId, { type: 'chargeback.draft', chargeback: cb, savings: await savingsOf(month) }, at);
      if (ts === null) ts = (await deps.claims.findPost(key))?.messageTs ?? null;
      // Each file is claimed separately: a crash between the message and an upload retries only what is missing.
      const f = files(cb);
      const uploads = [
        {
          key: `chargeback:csv:${month}`,
          filename: `aicost-chargeback-${month}.csv`,
          content: f.detail,
          title: `Chargeback detail ${month}`,
          comment: `Detail CSV for ${month}: line items only, so its total column sums to the grand total (columns in docs/finance.md, "Exports").`,
        },
        {
          key: `chargeback:summary:${month}`,
          filename: `aicost-chargeback-${month}-summary.csv`,
          content: f.summary,
          title: `Chargeback summary ${month}`,
          comment: `Summary CSV for ${month}: team totals with budget and variance (positive = over budget), and the grand total.`,
        },
        {
          key: `chargeback:gl:${month}`,
          filename: `aicost-gl-${month}.csv`,
          content: f.gl,
          title: `GL journal ${month}`,
          comment: `GL journal for ${month}: one debit per cost centre, balanced by the clearing credit.`,
        },
      ];
      for (const u of uploads) {
        if (!ts || !(await deps.claims.claimPost(u.key, deps.financeChannelId, at))) continue;
        try {
          await deps.notifier.uploadFile(deps.financeChannelId, { filename: u.filename, content: u.content, title: u.title }, u.comment, ts);
          await deps.claims.postDone(u.key, ts, at);
        } catch (err) {
          await deps.claims.releasePost(u.key);
          throw err;
        }
      }
      return `draft for ${month}: ${cb.lines.length} teams, reconciled ${cb.reconcile().ok}`;
    },

    /**
     * `/aicost chargeback [YYYY-MM]`: whoever sees every team (finance, or everyone under the open policy)
     * gets every line; others their own teams' lines (the allocation needs every team, so the month is
     * built whole and only the viewer's lines leave here). Defaults to last month.
     */
    async show(viewer: Viewer, month: string | null, now: Date): Promise<ChargebackView> {
      const m = month ?? previousMonth(monthOf(now, timeZone));
      if (!viewer.all && viewer.teams.length === 0) return { month: m, chargeback: null, teamIds: [] };
      return { month: m, chargeback: await build(m), teamIds: viewer.scope === null ? null : viewer.scope.map(String) };
    },

    /**
     * Close, reopen or finalize a month (finance only; re-checked on every click). Closing snapshots the
     * month and posts each team its own line in its channel.
     */
    async transition(month: string, action: PeriodAction, userId: string, now: Date): Promise<{ ok: true; message: string } | { ok: false; failure: Failure }> {
      if (!(await deps.authz.isFinance(userId))) return { ok: false, failure: { code: 'chargeback.finance-only' } };
      if (action === 'close' && monthPeriod(month, timeZone).to > now)
        return { ok: false, failure: { code: 'chargeback.not-ended', month, closableFrom: monthPeriod(month, timeZone).to.toISOString().slice(0, 10) } };
      const snapshot = action === 'close' ? toJson(await compute(month)) : undefined;
      const p = await periods.transition(month, action, userId, now, snapshot);
      if (!p) {
        const current = await periods.get(month);
        return { ok: false, failure: { code: 'chargeback.cannot', month, state: current.status, action } };
      }
      if (action === 'close') {
        await deps.unobserved?.freeze(month, now);
        await deps.unobserved?.bookCorrections(now, `${month} was reopened and closed again, so it carries itself what was booked for it before`, userId);
      } else if (action === 'reopen') await deps.unobserved?.thaw(month);
      const cb = await build(month);
      await refreshDraft(month, cb);
      if (action === 'close' && deps.notifier) {
        const closes = (await deps.claims.postsWithPrefix(`chargeback:team-line:${month}:`)).length;
        const all = await teams.list();
        const posts = cb.lines.flatMap((line) => {
          const channel = all.find((t) => String(t.id) === line.teamId)?.channelId;
          return channel
            ? [{ key: `chargeback:team-line:${month}:${line.teamId}:${closes}`, channel, notice: { type: 'chargeback.team-line' as const, line, month } }]
            : [];
        });
        // All claimed (with their messages) before any is sent: a crash part-way leaves the rest to the
        // pending-post retry (slack/poster.ts) rather than never posting them.
        await deps.notifier.postAllOnce(posts, now);
      }
      const verb = action === 'close' ? 'closed' : action === 'reopen' ? 'reopened' : 'finalized';
      return { ok: true, message: `${month} ${verb} by ${mention(userId)}.` };
    },
  };
}

export type ChargebackService = ReturnType<typeof chargebackService>;
