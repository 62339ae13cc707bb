import type { KnownBlock } from '@slack/types';
import type { BudgetsRepository, OverrunRequestRecord } from '../db/repositories/budgets.ts';
import { STANDING } from '../db/repositories/budgets.ts';
import type { ClaimsRepository } from '../db/repositories/claims.ts';
import type { CostQueries } from '../db/repositories/costs.ts';
import type { TeamRecord, TeamsRepository } from '../db/repositories/teams.ts';
import { budgetStatus, crossedThresholds, effectiveBudget, forecastAlert, type BudgetStatus } from '../domain/budgets.ts';
import { forecastMonth, type ForecastResult } from '../domain/forecast.ts';
import { formatMoney, type Money } from '../domain/money.ts';
import { dayBoundaries, zipDays } from '../domain/series.ts';
import { dayStart, dayKey, monthOf, monthPeriod } from '../domain/periods.ts';
import { closest } from '../domain/suggest.ts';
import { overrunRequestBlocks, thresholdBlocks, forecastBlocks } from '../slack/blocks/budget-blocks.ts';
import type { Notifier } from '../slack/notifier.ts';
import type { Authz } from './authz.ts';
import type { TeamTrueCost, TrueCostService } from './true-cost.ts';
import { mention } from '../domain/mentions.ts';

/**
 * Budgets per team per calendar month. Budgets count the TRUE cost: direct API spend, hidden costs and
 * allocated shared costs (the point of aicost), and every view shows that split.
 * The effective budget of a month is its own amount if set, else the standing monthly amount, plus the
 * overrun increases finance approved for that month.
 */
export interface BudgetRow {
  team: TeamRecord;
  status: BudgetStatus;
  cost: Pick<TeamTrueCost, 'direct' | 'hiddenTotal' | 'allocated' | 'total'>;
  forecast: ForecastResult;
  approved: Money;
}

export interface BudgetDeps {
  budgets: BudgetsRepository;
  teams: TeamsRepository;
  costs: CostQueries;
  trueCost: TrueCostService;
  claims: ClaimsRepository;
  authz: Authz;
  notifier: Notifier | null;
  timeZone: string;
  financeChannelId: string;
  thresholds: number[];
  /** Closed and finalized months (their budgets no longer change). */
  periods?: { locked(): Promise<{ month: string; status: string }[]> };
}

type Result = { ok: boolean; message: string };

export function budgetService(deps: BudgetDeps) {
  const { budgets, teams, costs, trueCost, claims, authz, timeZone } = deps;

  async function rows(now: Date, only?: number[]): Promise<BudgetRow[]> {
    const month = monthOf(now, timeZone);
    const period = monthPeriod(month, timeZone);
    const [teamList, amounts, approvedList, cost] = await Promise.all([teams.list(), budgets.forMonth(month), budgets.approvedIncreases(month), trueCost.periodCost(period, now)]);
    const toCome = await trueCost.hiddenStillToCome(period, now, cost);
    // Daily direct spend of the last 6 weeks and this month, per team, for the weekday-aware forecast.
    const historyStart = dayStart(dayKey(new Date(period.from.getTime() - 42 * 86_400_000), timeZone), timeZone);
    const { days, boundaries } = dayBoundaries({ from: historyStart, to: period.to }, timeZone, now);
    const out: BudgetRow[] = [];
    for (const team of teamList.filter((t) => !only || only.includes(t.id))) {
      const standing = amounts.find((a) => a.teamId === team.id && a.month === STANDING)?.amount ?? null;
      const own = amounts.find((a) => a.teamId === team.id && a.month === month)?.amount;
      const approved = approvedList.filter((a) => a.teamId === team.id).map((a) => a.amount);
      const budget = effectiveBudget(month, { monthly: standing, perMonth: new Map(own !== undefined ? [[month, own]] : []), approvedIncreases: approved });
      const c = cost.teams.get(team.id);
      const daily = zipDays(days, await costs.intervalTotals({ teamIds: [team.id] }, boundaries));
      const indirectSoFar = ((c?.hiddenTotal ?? 0n) + (c?.allocated ?? 0n)) as Money;
      const forecast = forecastMonth({ history: daily, month, now, timeZone, recurringStillToCome: ((toCome.get(team.id) ?? 0n) + indirectSoFar) as Money, budget });
      out.push({
        team,
        forecast,
        approved: approved.reduce((a, b) => a + b, 0n) as Money,
        cost: { direct: c?.direct ?? 0n, hiddenTotal: c?.hiddenTotal ?? 0n, allocated: c?.allocated ?? 0n, total: c?.total ?? 0n },
        status: budgetStatus({ budget, spent: c?.total ?? 0n, forecast }),
      });
    }
    return out;
  }

  async function findTeam(slug: string): Promise<TeamRecord | string> {
    const team = await teams.bySlug(slug);
    if (team) return team;
    const known = closest(slug, (await teams.list()).map((t) => t.slug));
    return `There is no team "${slug}".${known.length ? ` Known teams, closest first: ${known.join(', ')}.` : ''}`;
  }

  async function postRequest(req: OverrunRequestRecord, team: TeamRecord): Promise<void> {
    if (!deps.notifier) return;
    const vm = { request: req, team, timeZone };
    const ts = await deps.notifier.post(deps.financeChannelId, `Budget request from ${team.name}: ${formatMoney(req.amount)}`, overrunRequestBlocks(vm));
    await budgets.setRequestMessage(req.id, deps.financeChannelId, ts);
  }

  return {
    rows,

    /** The pending request behind "Approve another amount", for finance only. */
    async requestToDecide(id: number, userId: string): Promise<{ ok: true; request: OverrunRequestRecord; teamName: string } | { ok: false; message: string }> {
      if (!(await authz.isFinance(userId))) return { ok: false, message: 'Only finance can decide budget requests. Nothing was changed.' };
      const request = await budgets.request(id);
      if (!request || request.status !== 'pending') return { ok: false, message: request ? `Request #${request.id} was already ${request.status}.` : 'That request no longer exists.' };
      const team = (await teams.list()).find((t) => t.id === request.teamId);
      return { ok: true, request, teamName: team?.name ?? 'the team' };
    },

    /** App Home: the user's teams (finance: every team) with their budget rows, and the open requests. */
    async home(userId: string, now: Date) {
      const finance = await authz.isFinance(userId);
      const all = await teams.list();
      const mine = finance ? all : all.filter((t) => t.leadUserIds.includes(userId) || t.memberUserIds.includes(userId));
      const [list, pending] = await Promise.all([rows(now, mine.map((t) => t.id)), budgets.pending(finance ? undefined : mine.map((t) => t.id))]);
      return { rows: list, pending, teams: all, finance, timeZone, now };
    },

    async set(slug: string, amount: Money, when: string, userId: string, now: Date): Promise<Result> {
      if (!(await authz.isFinance(userId))) return { ok: false, message: 'Only finance can set budgets. Nothing was changed.' };
      const team = await findTeam(slug);
      if (typeof team === 'string') return { ok: false, message: team };
      const month = when === 'monthly' ? STANDING : when;
      const locked = month === STANDING ? undefined : (await deps.periods?.locked())?.find((p) => p.month === month);
      if (locked) return { ok: false, message: `${month} is ${locked.status}: its budget no longer changes. Set the budget of an open month instead. Nothing was changed.` };
      const { before } = await budgets.set({ teamId: team.id, month, amount, actor: userId, at: now });
      const what = month === STANDING ? 'every month' : month;
      return { ok: true, message: `${team.name}'s budget for ${what} is now ${formatMoney(amount)}${before !== null ? ` (was ${formatMoney(before)})` : ''}.` };
    },

    /** `/aicost request <amount> [team] <reason>` by a team lead (or finance, for any team). */
    async request(amount: Money, words: string[], userId: string, now: Date): Promise<Result> {
      const all = await teams.list();
      const named = all.find((t) => t.slug === words[0]?.toLowerCase());
      const led = all.filter((t) => authz.leads(t, userId));
      const team = named ?? (led.length === 1 ? led[0] : undefined);
      const reason = (named ? words.slice(1) : words).join(' ').trim();
      if (!team) {
        return { ok: false, message: led.length > 1 ? `You lead several teams (${led.map((t) => t.slug).join(', ')}): name one, e.g. /aicost request ${formatMoney(amount).slice(1)} ${led[0]!.slug} <reason>.` : 'Name the team the request is for, e.g. /aicost request 2000 payments launch traffic.' };
      }
      if (!reason) return { ok: false, message: 'Say why the budget should grow, after the amount and team.' };
      if (!(await authz.canManage(team, userId))) return { ok: false, message: `Only ${team.name}'s leads can ask for more budget for it. Nothing was sent.` };
      const req = await budgets.createRequest({ teamId: team.id, month: monthOf(now, timeZone), amount, reason: reason.slice(0, 500), requestedBy: userId, automatic: false, at: now });
      await postRequest(req, team);
      return { ok: true, message: `Request #${req.id} for ${formatMoney(amount)} more for ${team.name} in ${req.month} is with finance. You'll get a message when they decide.` };
    },

    /**
     * A finance decision on a request. Re-authorised on every click; decided exactly once (the losing
     * click of a race gets "already decided"). On success: the month's budget grows by the approved
     * amount, the request message is edited to show the decision (no buttons left), the requester and
     * the team channel are told, and the audit log has it.
     */
    async decide(id: number, decision: 'approved' | 'denied', userId: string, now: Date, opts: { amount?: Money; reason?: string | null } = {}): Promise<Result> {
      if (!(await authz.isFinance(userId))) return { ok: false, message: 'Only finance can decide budget requests. Nothing was changed.' };
      const current = await budgets.request(id);
      if (!current) return { ok: false, message: `There is no request #${id}.` };
      if (current.status !== 'pending') return { ok: false, message: `Request #${id} was already ${current.status} by ${mention(current.decidedBy)}.` };
      const locked = decision === 'approved' ? (await deps.periods?.locked())?.find((p) => p.month === current.month) : undefined;
      if (locked) return { ok: false, message: `${current.month} is ${locked.status}: its budget no longer changes, so request #${id} cannot be approved. Deny it, or ask for the budget in an open month. Nothing was changed.` };
      const decided = await budgets.decide(id, {
        status: decision, decidedBy: userId, at: now, reason: opts.reason ?? null,
        decidedAmount: decision === 'approved' ? (opts.amount ?? current.amount) : null,
      });
      if (!decided) {
        const again = await budgets.request(id);
        return { ok: false, message: `Request #${id} was already ${again?.status} by ${mention(again?.decidedBy)}.` };
      }
      const team = (await teams.list()).find((t) => t.id === decided.teamId)!;
      const verdict = decision === 'approved' ? `approved ${formatMoney(decided.decidedAmount ?? 0n)}` : 'denied';
      const text = `Budget request #${id} for ${team.name} (${decided.month}) was ${verdict} by ${mention(userId)}.${decided.decisionReason ? ` Reason: ${decided.decisionReason}` : ''}`;
      if (deps.notifier) {
        if (decided.channelId && decided.messageTs) {
          await deps.notifier.update(decided.channelId, decided.messageTs, text, overrunRequestBlocks({ request: decided, team, timeZone }));
        }
        if (!decided.automatic) await deps.notifier.dm(decided.requestedBy, text);
        if (team.channelId) await deps.notifier.post(team.channelId, text);
      }
      return { ok: true, message: text };
    },

    /**
     * The scheduled budget check: thresholds crossed (each once per team per month, the 100% one also
     * to finance), forecast overruns (once, again only if the overrun grows materially), and an
     * automatic request when a team reaches 100% with no approved increase.
     */
    async check(now: Date): Promise<string> {
      const month = monthOf(now, timeZone);
      let posts = 0;
      for (const row of await rows(now)) {
        const { team, status } = row;
        if (status.budget === null) continue;
        const prefix = `budget:${month}:${team.id}`;
        const posted = (await claims.postsWithPrefix(`${prefix}:threshold:`)).map((p) => Number(p.key.split(':').pop()?.replace('-finance', '')));
        const crossed = crossedThresholds({ budget: status.budget, spent: status.spent, thresholds: deps.thresholds, alreadyPosted: posted });
        const top = crossed.length ? Math.max(...crossed) : null;
        if (top !== null && deps.notifier) {
          const blocks = thresholdBlocks({ team, row, threshold: top, month });
          const text = `${team.name} has used ${Math.floor(status.percentUsed ?? 0)}% of its ${month} AI budget (${formatMoney(status.spent)} of ${formatMoney(status.budget)}).`;
          // Every crossed threshold is claimed, the highest one is posted (one message for a jump past several).
          for (const t of crossed.filter((x) => x !== top)) {
            const key = `${prefix}:threshold:${t}`;
            if (await claims.claimPost(key, team.channelId ?? deps.financeChannelId, now)) await claims.postDone(key, 'superseded', now);
          }
          if (team.channelId && (await deps.notifier.postOnce(`${prefix}:threshold:${top}`, team.channelId, text, blocks, now))) posts++;
          else if (!team.channelId) await deps.notifier.postOnce(`${prefix}:threshold:${top}`, deps.financeChannelId, text, blocks, now);
          if (top >= 100 && (await deps.notifier.postOnce(`${prefix}:threshold:${top}-finance`, deps.financeChannelId, text, blocks, now))) posts++;
        }
        if (row.forecast.reliable && deps.notifier) {
          const last = (await claims.postsWithPrefix(`${prefix}:forecast:`))[0];
          const decision = forecastAlert({ budget: status.budget, projected: row.forecast.projectedTotal, alreadyPostedOverrun: last?.amount ?? null, exceedsOn: row.forecast.exceedsOn });
          if (decision.post && decision.overrun !== null) {
            const n = (await claims.postsWithPrefix(`${prefix}:forecast:`)).length + 1;
            const text = `${team.name} is ${decision.text ?? `on track to exceed its ${month} budget by ${formatMoney(decision.overrun)}`}.`;
            if (await deps.notifier.postOnce(`${prefix}:forecast:${n}`, team.channelId ?? deps.financeChannelId, text, forecastBlocks({ team, row, overrun: decision.overrun, month }), now, { amount: decision.overrun })) posts++;
          }
        }
        if (status.status === 'over' && !(await budgets.hasRequestFor(team.id, month)) && (await claims.claimPost(`${prefix}:autorequest`, deps.financeChannelId, now))) {
          const over = (status.spent - status.budget) as Money;
          const amount = (over > 0n ? over : 0n) as Money;
          const req = await budgets.createRequest({
            teamId: team.id, month, amount: amount > 0n ? amount : status.budget / 10n, automatic: true, requestedBy: 'aicost', at: now,
            reason: `${team.name} reached 100% of its ${month} budget (${formatMoney(status.spent)} of ${formatMoney(status.budget)}) with no approved increase.`,
          });
          await postRequest(req, team);
          await claims.postDone(`${prefix}:autorequest`, String(req.id), now);
          posts++;
        }
      }
      return `${posts} budget posts`;
    },
  };
}

export type BudgetService = ReturnType<typeof budgetService>;
export type { KnownBlock };
