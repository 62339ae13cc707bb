import type { BudgetsRepository, OverrunRequestRecord, RequestContext } from './ports/budgets.ts';
import { STANDING } from './ports/budgets.ts';
import type { ClaimsRepository } from './ports/claims.ts';
import type { CostQueries } from './ports/costs.ts';
import { visibleTeams, type Viewer } from './visibility.ts';
import type { TeamRecord, TeamsRepository } from './ports/teams.ts';
import { budgetStatus, crossedThresholds, effectiveBudget, forecastAlert, type BudgetStatus } from '../domain/budgets.ts';
import { forecastMonth, type ForecastResult } from '../domain/forecast.ts';
import { add, formatMoney, nanos, sub, sum, ZERO, type Money } from '../domain/money.ts';
import { dayBoundaries, zipDays } from '../domain/series.ts';
import { dayStart, dayKey, monthOf, monthPeriod, previousMonth } from '../domain/periods.ts';
import { closest } from '../domain/suggest.ts';
import type { Notifier } from './notifier-port.ts';
import type { Authz } from './authz.ts';
import type { TeamTrueCost, TrueCostService } from './true-cost.ts';
import { mention } from '../domain/mentions.ts';
import type { Failure } from '../domain/result.ts';

/**
 * Budgets per team per calendar month. Budgets count the TRUE cost: direct API spend, hidden costs and
 * allocated shared costs (the point of aicost), and every view shows that split.
 * The effective budget of a month is its own amount if set, else the standing monthly amount, plus the
 * overrun increases finance approved for that month.
 */
export interface BudgetRow {
  team: TeamRecord;
  status: BudgetStatus;
  cost: Pick<TeamTrueCost, 'direct' | 'hiddenTotal' | 'allocated' | 'total'> & Partial<Pick<TeamTrueCost, 'hidden'>>;
  forecast: ForecastResult;
  approved: Money;
}

/** One month's budgets, actuals and requests (`monthReview`). */
export interface MonthReview {
  month: string;
  label: string;
  /** The month is still running: actuals are to date. */
  running: boolean;
  asOf: Date;
  teams: { team: TeamRecord; own: Money | null; standing: Money | null; approved: Money; budget: Money | null; cost: BudgetRow['cost'] }[];
  requests: OverrunRequestRecord[];
}

export interface BudgetDeps {
  budgets: BudgetsRepository;
  teams: TeamsRepository;
  costs: CostQueries;
  trueCost: TrueCostService;
  claims: ClaimsRepository;
  authz: Authz;
  notifier: Notifier<BudgetNotice> | null;
  timeZone: string;
  financeChannelId: string;
  thresholds: number[];
  /** Closed and finalized months (their budgets no longer change). */
  periods?: { locked(): Promise<{ month: string; status: string }[]> };
}

/** Done, in words (the service's own summary), or refused: a failure code (words in src/format/failure-text.ts). */
type Outcome = { ok: true; message: string } | { ok: false; failure: Failure };

/** "Search's", "Payments'". */
const possessive = (name: string) => (name.endsWith('s') ? `${name}'` : `${name}'s`);

export type { RequestContext };

/** The budget notices this service emits; the Slack notifier renders them. */
export type BudgetNotice =
  /** `noChannel`: the team has no channel, so this copy in finance's channel is the only one (and says so). */
  | { type: 'budget.threshold'; team: TeamRecord; row: BudgetRow; threshold: number; month: string; today: string; noChannel?: boolean }
  | { type: 'budget.forecast'; team: TeamRecord; row: BudgetRow; overrun: Money; month: string; today: string; noChannel?: boolean }
  /** The request message in the finance channel (pending: buttons; decided: the verdict and the new budget). */
  | { type: 'budget.request'; request: OverrunRequestRecord; team: TeamRecord; context: RequestContext | null; effectiveBudget?: Money | null }
  /** The decision told to the requester (DM) and the team channel. */
  | { type: 'budget.decision'; request: OverrunRequestRecord; team: TeamRecord; effectiveBudget: Money | null };

export function budgetService(deps: BudgetDeps) {
  const { budgets, teams, costs, trueCost, claims, authz, timeZone } = deps;

  async function rows(now: Date, only?: number[]): Promise<BudgetRow[]> {
    const month = monthOf(now, timeZone);
    const period = monthPeriod(month, timeZone);
    const [teamList, amounts, approvedList, cost] = await Promise.all([
      teams.list(),
      budgets.forMonth(month),
      budgets.approvedIncreases(month),
      trueCost.periodCost(period, now),
    ]);
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
      const indirectSoFar = add(c?.hiddenTotal ?? ZERO, c?.allocated ?? ZERO);
      // Hour steps: the same forecast for every call within an hour (no cent drift between calls).
      const forecast = forecastMonth({
        history: daily,
        month,
        now,
        timeZone,
        recurringStillToCome: add(toCome.get(team.id) ?? ZERO, indirectSoFar),
        budget,
        stepMs: 3_600_000,
      });
      out.push({
        team,
        forecast,
        approved: sum(approved),
        cost: {
          direct: c?.direct ?? ZERO,
          hidden: c?.hidden ?? new Map(),
          hiddenTotal: c?.hiddenTotal ?? ZERO,
          allocated: c?.allocated ?? ZERO,
          total: c?.total ?? ZERO,
        },
        status: budgetStatus({ budget, spent: c?.total ?? ZERO, forecast }),
      });
    }
    return out;
  }

  /** A team by slug, or why not, suggesting only teams the viewer may see (finance's actions: every team). */
  async function findTeam(slug: string, viewer?: Viewer): Promise<TeamRecord | Failure> {
    const team = await teams.bySlug(slug);
    if (team) return team;
    const list = await teams.list();
    const known = closest(
      slug,
      (viewer ? visibleTeams(viewer, list) : list).map((t) => t.slug),
    );
    return { code: 'budget.no-team', slug, near: known };
  }

  /** A team's budget for a month and its parts: own amount for the month, standing amount, approved increases. */
  async function budgetOf(teamId: number, month: string) {
    const [amounts, approvedList] = await Promise.all([budgets.forMonth(month), budgets.approvedIncreases(month)]);
    const standing = amounts.find((a) => a.teamId === teamId && a.month === STANDING)?.amount ?? null;
    const own = amounts.find((a) => a.teamId === teamId && a.month === month)?.amount ?? null;
    const approved = approvedList.filter((a) => a.teamId === teamId).map((a) => a.amount);
    const effective = effectiveBudget(month, { monthly: standing, perMonth: new Map(own !== null ? [[month, own]] : []), approvedIncreases: approved });
    return { own, standing, approved: sum(approved), effective };
  }

  /** What finance sees beside a request: this month's figures, the last three months, the top drivers. */
  async function requestContext(team: TeamRecord, now: Date): Promise<RequestContext> {
    const month = monthOf(now, timeZone);
    const row = (await rows(now, [team.id]))[0];
    const period = monthPeriod(month, timeZone);
    const history: RequestContext['history'] = [];
    let m = month;
    for (let i = 0; i < 3; i++) {
      m = previousMonth(m);
      const p = monthPeriod(m, timeZone);
      const [cost, b] = await Promise.all([trueCost.periodCost(p, p.to), budgetOf(team.id, m)]);
      history.unshift({ month: m, cost: cost.teams.get(team.id)?.total ?? ZERO, budget: b.effective });
    }
    const window = { from: period.from, to: now < period.to ? now : period.to, teamIds: [team.id] };
    const [features, models, featureList] = await Promise.all([costs.groupBy('feature', window), costs.groupBy('model', window), teams.listFeatures()]);
    const drivers = [
      ...features
        .slice(0, 3)
        .map((f) => ({ label: `feature ${f.key === null ? '(none)' : (featureList.find((x) => String(x.id) === f.key)?.slug ?? f.key)}`, amount: f.amount })),
      ...models.slice(0, 2).map((r) => ({ label: `model ${r.key ?? '(none)'}`, amount: r.amount })),
    ].filter((d) => d.amount > 0n);
    const budget = row?.status.budget ?? null;
    const forecast = row?.forecast.reliable ? row.forecast.projectedTotal : null;
    const shortfall = budget !== null && forecast !== null && forecast > budget ? sub(forecast, budget) : null;
    return { budget, spent: row?.status.spent ?? ZERO, forecast, shortfall, history, drivers };
  }

  async function postRequest(req: OverrunRequestRecord, team: TeamRecord, context: RequestContext): Promise<void> {
    if (!deps.notifier) return;
    const ts = await deps.notifier.post(deps.financeChannelId, { type: 'budget.request', request: req, team, context });
    await budgets.setRequestMessage(req.id, deps.financeChannelId, ts);
    // A request filed while this one was being posted updated it before its message existed: show that.
    await showLatest(req.id, team, req);
  }

  const sameAsked = (a: OverrunRequestRecord, b: OverrunRequestRecord | null) =>
    b !== null && a.amount === b.amount && a.reason === b.reason && a.requestedBy === b.requestedBy;

  /**
   * Edits the finance message of an open request until it shows what is stored. Each writer re-reads
   * after its edit and edits again if the request changed meanwhile, so of simultaneous updates the
   * message ends with the last one (an edit landing late with older words is followed by a newer one).
   */
  async function showLatest(id: number, team: TeamRecord, shown: OverrunRequestRecord | null): Promise<void> {
    if (!deps.notifier) return;
    for (let i = 0; i < 10; i++) {
      const current = await budgets.request(id);
      if (current?.status !== 'pending' || !current.channelId || !current.messageTs || sameAsked(current, shown)) return;
      await deps.notifier.update(current.channelId, current.messageTs, { type: 'budget.request', request: current, team, context: current.context });
      shown = current;
    }
  }

  /** One open request per team and month: a new one updates it (and its message) instead of posting again. */
  async function fileRequest(input: Parameters<typeof budgets.fileRequest>[0], team: TeamRecord, context: RequestContext) {
    const filed = await budgets.fileRequest(input);
    if (filed.created) await postRequest(filed.request, team, context);
    else await showLatest(filed.request.id, team, null);
    return filed;
  }

  /**
   * `/aicost budget [team] [month]`: any month's budgets with their parts (the month's own amount or the
   * standing one, plus approved increases), the true cost (to date for the running month), and the
   * month's requests with their decisions.
   */
  async function monthReview(viewer: Viewer, month: string, slug: string | null, now: Date): Promise<MonthReview | Failure> {
    const team = slug === null ? null : await findTeam(slug, viewer);
    if (team !== null && 'code' in team) return team;
    if (team !== null && !viewer.sees(team.id)) return { code: 'visibility.not-your-team', name: `Team ${team.slug}` };
    const period = monthPeriod(month, timeZone);
    const asOf = now < period.to ? now : period.to;
    const [teamList, amounts, approvedList, cost, requests] = await Promise.all([
      teams.list(),
      budgets.forMonth(month),
      budgets.approvedIncreases(month),
      trueCost.periodCost(period, asOf),
      budgets.requestsFor(month, team ? [team.id] : (viewer.scope ?? undefined)),
    ]);
    const chosen = team ? teamList.filter((t) => t.id === team.id) : visibleTeams(viewer, teamList);
    return {
      month,
      label: period.label,
      running: now < period.to,
      asOf,
      requests,
      teams: chosen.map((t) => {
        const standing = amounts.find((a) => a.teamId === t.id && a.month === STANDING)?.amount ?? null;
        const own = amounts.find((a) => a.teamId === t.id && a.month === month)?.amount ?? null;
        const approved = approvedList.filter((a) => a.teamId === t.id).map((a) => a.amount);
        const budget = effectiveBudget(month, { monthly: standing, perMonth: new Map(own !== null ? [[month, own]] : []), approvedIncreases: approved });
        const c = cost.teams.get(t.id);
        return {
          team: t,
          own,
          standing,
          approved: sum(approved),
          budget,
          cost: {
            direct: c?.direct ?? ZERO,
            hidden: c?.hidden ?? new Map(),
            hiddenTotal: c?.hiddenTotal ?? ZERO,
            allocated: c?.allocated ?? ZERO,
            total: c?.total ?? ZERO,
          },
        };
      }),
    };
  }

  return {
    rows,
    monthReview,

    /** `/aicost budget`: this month's rows of the teams the viewer may see (only those are read). */
    list: (viewer: Viewer, now: Date) => rows(now, viewer.scope ?? undefined),

    /** The pending request behind "Approve another amount", for finance only. */
    async requestToDecide(
      id: number,
      userId: string,
    ): Promise<{ ok: true; request: OverrunRequestRecord; teamName: string } | { ok: false; failure: Failure }> {
      if (!(await authz.isFinance(userId))) return { ok: false, failure: { code: 'budget.decide-finance-only' } };
      const request = await budgets.request(id);
      if (request?.status !== 'pending')
        return { ok: false, failure: request ? { code: 'budget.request-already', id: request.id, status: request.status } : { code: 'budget.request-gone' } };
      const team = (await teams.list()).find((t) => t.id === request.teamId);
      return { ok: true, request, teamName: team?.name ?? 'the team' };
    },

    /** App Home: the user's teams (finance: every team) with their budget rows, and the open requests. */
    async home(userId: string, now: Date) {
      const finance = await authz.isFinance(userId);
      const all = await teams.list();
      const mine = finance ? all : all.filter((t) => t.leadUserIds.includes(userId) || t.memberUserIds.includes(userId));
      const [list, pending] = await Promise.all([
        rows(
          now,
          mine.map((t) => t.id),
        ),
        budgets.pending(finance ? undefined : mine.map((t) => t.id)),
      ]);
      return { rows: list, pending, teams: all, finance, timeZone, now };
    },

    async set(slug: string, amount: Money, when: string, userId: string, now: Date): Promise<Outcome> {
      if (!(await authz.isFinance(userId))) return { ok: false, failure: { code: 'budget.set-finance-only' } };
      const team = await findTeam(slug);
      if ('code' in team) return { ok: false, failure: team };
      // A standing amount applies from the current month on; months before keep the standing amount they had.
      const current = monthOf(now, timeZone);
      const month = when === 'monthly' ? STANDING : when;
      const locked = month === STANDING ? undefined : (await deps.periods?.locked())?.find((p) => p.month === month);
      if (locked) return { ok: false, failure: { code: 'budget.month-locked', month, state: locked.status } };
      const { before } = await budgets.set({ teamId: team.id, month, amount, actor: userId, at: now, effectiveFrom: current });
      const shown = month === STANDING ? current : month;
      const b = await budgetOf(team.id, shown);
      const was = before !== null ? ` (was ${formatMoney(before)})` : '';
      const head =
        month === STANDING
          ? `${possessive(team.name)} standing monthly budget is now ${formatMoney(amount)}${was}, from ${current} on; earlier months keep theirs.`
          : `${possessive(team.name)} own budget for ${month} is now ${formatMoney(amount)}${was}.`;
      const parts = [
        b.own !== null ? `own ${formatMoney(b.own)}` : b.standing !== null ? `standing ${formatMoney(b.standing)}` : null,
        b.approved > 0n ? `approved increases ${formatMoney(b.approved)}` : null,
      ].filter((x): x is string => x !== null);
      const overridden = month === STANDING && b.own !== null ? ` ${shown} has its own budget, which takes the place of the standing one.` : '';
      const effective =
        b.effective === null
          ? ''
          : ` Effective budget for ${shown}: ${formatMoney(b.effective)}${parts.length > 1 ? ` = ${parts.join(' + ')}` : ''}.${overridden}`;
      return { ok: true, message: `${head}${effective}` };
    },

    /** `/aicost request <amount> [team] <reason>` by a team lead (or finance, for any team). */
    async request(amount: Money, words: string[], userId: string, now: Date): Promise<Outcome> {
      const all = await teams.list();
      const named = all.find((t) => t.slug === words[0]?.toLowerCase());
      const led = all.filter((t) => authz.leads(t, userId));
      const team = named ?? (led.length === 1 ? led[0] : undefined);
      const reason = (named ? words.slice(1) : words).join(' ').trim();
      if (!team) {
        return {
          ok: false,
          failure: led.length > 1 ? { code: 'budget.request-several-teams', teams: led.map((t) => t.slug), amount } : { code: 'budget.request-which-team' },
        };
      }
      if (!reason) return { ok: false, failure: { code: 'budget.request-reason' } };
      if (!(await authz.canManage(team, userId))) return { ok: false, failure: { code: 'budget.request-not-lead', teamName: team.name } };
      const context = await requestContext(team, now);
      const { request: req, created } = await fileRequest(
        { teamId: team.id, month: monthOf(now, timeZone), amount, reason: reason.slice(0, 500), requestedBy: userId, automatic: false, at: now, context },
        team,
        context,
      );
      return {
        ok: true,
        message: created
          ? `Request #${req.id} for ${formatMoney(amount)} more for ${team.name} in ${req.month} is with finance. You'll get a message when they decide.`
          : `Request #${req.id} for ${team.name} in ${req.month} was still open, so it was updated rather than filed again: it now asks for ${formatMoney(amount)} more. You'll get a message when finance decides.`,
      };
    },

    /**
     * A finance decision on a request. Re-authorised on every click; decided exactly once (the losing
     * click of a race gets "already decided"). On success: the month's budget grows by the approved
     * amount, the request message is edited to show the decision (no buttons left), the requester and
     * the team channel are told, and the audit log has it.
     */
    async decide(
      id: number,
      decision: 'approved' | 'denied',
      userId: string,
      now: Date,
      opts: { amount?: Money; reason?: string | null } = {},
    ): Promise<Outcome> {
      if (!(await authz.isFinance(userId))) return { ok: false, failure: { code: 'budget.decide-finance-only' } };
      const current = await budgets.request(id);
      if (!current) return { ok: false, failure: { code: 'budget.no-request', id } };
      if (current.status !== 'pending') return { ok: false, failure: { code: 'budget.already-decided', id, status: current.status, by: current.decidedBy } };
      const locked = decision === 'approved' ? (await deps.periods?.locked())?.find((p) => p.month === current.month) : undefined;
      if (locked) return { ok: false, failure: { code: 'budget.approve-locked', id, month: current.month, state: locked.status } };
      const decided = await budgets.decide(id, {
        status: decision,
        decidedBy: userId,
        at: now,
        reason: opts.reason ?? null,
        decidedAmount: decision === 'approved' ? (opts.amount ?? current.amount) : null,
      });
      if (!decided) {
        const again = await budgets.request(id);
        return { ok: false, failure: { code: 'budget.already-decided', id, status: again?.status, by: again?.decidedBy } };
      }
      const team = (await teams.list()).find((t) => t.id === decided.teamId)!;
      const effective = (await budgetOf(team.id, decided.month)).effective;
      const text = decisionText(decided, team, effective);
      if (deps.notifier) {
        if (decided.channelId && decided.messageTs) {
          await deps.notifier.update(decided.channelId, decided.messageTs, {
            type: 'budget.request',
            request: decided,
            team,
            context: decided.context,
            effectiveBudget: effective,
          });
        }
        const notice: BudgetNotice = { type: 'budget.decision', request: decided, team, effectiveBudget: effective };
        if (!decided.automatic) await deps.notifier.dm(decided.requestedBy, notice);
        if (team.channelId) await deps.notifier.post(team.channelId, notice);
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
      const today = dayKey(now, timeZone);
      let posts = 0;
      for (const row of await rows(now)) {
        const { team, status } = row;
        if (status.budget === null) continue;
        const prefix = `budget:${month}:${team.id}`;
        const posted = (await claims.postsWithPrefix(`${prefix}:threshold:`)).map((p) => Number(p.key.split(':').pop()?.replace('-finance', '')));
        const crossed = crossedThresholds({ budget: status.budget, spent: status.spent, thresholds: deps.thresholds, alreadyPosted: posted });
        const top = crossed.length ? Math.max(...crossed) : null;
        let thresholdPosted = false;
        if (top !== null && deps.notifier) {
          const notice: BudgetNotice = { type: 'budget.threshold', team, row, threshold: top, month, today, ...(team.channelId ? {} : { noChannel: true }) };
          // Every crossed threshold is claimed, the highest one is posted (one message for a jump past several).
          for (const t of crossed.filter((x) => x !== top)) {
            const key = `${prefix}:threshold:${t}`;
            if (await claims.claimPost(key, team.channelId ?? deps.financeChannelId, now)) await claims.postDone(key, 'superseded', now);
          }
          if (team.channelId) {
            if (await deps.notifier.postOnce(`${prefix}:threshold:${top}`, team.channelId, notice, now)) {
              posts++;
              thresholdPosted = true;
            }
            if (top >= 100 && (await deps.notifier.postOnce(`${prefix}:threshold:${top}-finance`, deps.financeChannelId, notice, now))) posts++;
          } else if (await deps.notifier.postOnce(`${prefix}:threshold:${top}`, deps.financeChannelId, notice, now)) {
            // No team channel: finance's post is the only one, once (it was posted twice: the team's copy
            // fell back to finance, then finance's own copy), and it names the team as untold.
            posts++;
            thresholdPosted = true;
            if (top >= 100 && (await claims.claimPost(`${prefix}:threshold:${top}-finance`, deps.financeChannelId, now)))
              await claims.postDone(`${prefix}:threshold:${top}-finance`, 'in-team-post', now);
          }
        }
        if (row.forecast.reliable && deps.notifier) {
          const last = (await claims.postsWithPrefix(`${prefix}:forecast:`))[0];
          const decision = forecastAlert({
            budget: status.budget,
            projected: row.forecast.projectedTotal,
            alreadyPostedOverrun: last?.amount ?? null,
            exceedsOn: row.forecast.exceedsOn,
          });
          if (decision.post && decision.overrun !== null) {
            const n = (await claims.postsWithPrefix(`${prefix}:forecast:`)).length + 1;
            const key = `${prefix}:forecast:${n}`;
            if (thresholdPosted) {
              // One post per check: the threshold post just made carries the forecast; remember the overrun it showed.
              if (await claims.claimPost(key, team.channelId ?? deps.financeChannelId, now))
                await claims.postDone(key, 'in-threshold-post', now, decision.overrun);
            } else {
              const notice: BudgetNotice = {
                type: 'budget.forecast',
                team,
                row,
                overrun: decision.overrun,
                month,
                today,
                ...(team.channelId ? {} : { noChannel: true }),
              };
              if (await deps.notifier.postOnce(key, team.channelId ?? deps.financeChannelId, notice, now, { amount: decision.overrun })) posts++;
            }
          }
        }
        if (
          status.status === 'over' &&
          !(await budgets.hasRequestFor(team.id, month)) &&
          (await claims.claimPost(`${prefix}:autorequest`, deps.financeChannelId, now))
        ) {
          // Ask for what the month is projected to need (forecast − budget), not only the overrun so far.
          const context = await requestContext(team, now);
          const over = sub(status.spent, status.budget);
          const projected = context.shortfall ?? ZERO;
          const amount = nanos(projected > over ? projected : over > 0n ? over : status.budget / 10n);
          const basis =
            projected > over
              ? `is projected to need ${formatMoney(projected)} more by the end of the month (forecast ${formatMoney(context.forecast ?? ZERO)})`
              : `is ${formatMoney(over)} over so far`;
          const { request: req } = await fileRequest(
            {
              teamId: team.id,
              month,
              amount,
              automatic: true,
              requestedBy: 'aicost',
              at: now,
              context,
              reason: `${team.name} reached 100% of its ${month} budget (${formatMoney(status.spent)} of ${formatMoney(status.budget)}) with no approved increase, and ${basis}.`,
            },
            team,
            context,
          );
          await claims.postDone(`${prefix}:autorequest`, String(req.id), now);
          posts++;
        }
      }
      return `${posts} budget posts`;
    },
  };
}

export type BudgetService = ReturnType<typeof budgetService>;

/** The decision in words (the reply to the click, and the fallback text of the DM and team notice). */
export function decisionText(r: OverrunRequestRecord, team: TeamRecord, effective: Money | null): string {
  const verdict = r.status === 'approved' ? `approved for ${formatMoney(r.decidedAmount ?? ZERO)}` : 'denied';
  const budget =
    effective === null ? '' : ` ${possessive(team.name)} ${r.month} budget ${r.status === 'approved' ? 'is now' : 'stays'} ${formatMoney(effective)}.`;
  return `Budget request #${r.id} for ${team.name} (${r.month}) was ${verdict} by ${mention(r.decidedBy)}.${budget}${r.decisionReason ? ` Reason: ${r.decisionReason}` : ''}`;
}
