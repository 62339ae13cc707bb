import type { AnomaliesRepository, IncidentRecord, IncidentStatus } from './ports/anomalies.ts';
import type { CostFilter, CostQueries, Dimension } from './ports/costs.ts';
import type { TeamRecord, TeamsRepository } from './ports/teams.ts';
import { topContributors, type ContributorRow } from '../domain/anomaly/contributors.ts';
import { detectSpendAnomalies, type SpendVerdict } from '../domain/anomaly/detector.ts';
import { intradayEarlyWarning, learnIntradayShape } from '../domain/anomaly/intraday.ts';
import { detectUnitCostAnomalies } from '../domain/anomaly/unit-cost.ts';
import { formatMoney, fromUsd, toChartNumber, type Money } from '../domain/money.ts';
import { dayKey, dayStart } from '../domain/periods.ts';
import type { ReplyParts } from './reply.ts';
import { alignTable } from '../format/table.ts';
import { anomalyBlocks, feedbackBlock } from '../slack/blocks/anomaly-blocks.ts';
import type { Notifier } from '../slack/notifier.ts';
import type { Authz } from './authz.ts';
import { addDays } from '../domain/calendar.ts';

/**
 * Spend anomalies per team, feature and model on daily totals in the report time zone; unit-cost jumps
 * per feature; an intraday early warning for teams after each sync. One post per incident: further
 * anomalous days of the same series go in its thread with the running impact. A series whose incident
 * was marked "Expected (planned)" or "Not an issue" is not alerted again while the incident runs.
 */
export interface AnomalySettings {
  minImpact: Money;
  minImpactPct: number;
  z: number;
  financeMinImpact: Money;
  intraday: boolean;
  /** Per team slug: its own thresholds. */
  teamOverrides: Record<string, { minImpact?: number; minImpactPct?: number; z?: number }>;
}

export const DEFAULT_ANOMALY_SETTINGS: AnomalySettings = {
  minImpact: fromUsd(25),
  minImpactPct: 20,
  z: 3.5,
  financeMinImpact: fromUsd(250),
  intraday: true,
  teamOverrides: {},
};

const HISTORY_DAYS = 56;
type Scope = 'team' | 'feature' | 'model' | 'feature_unit_cost';

interface SeriesSet {
  days: string[];
  boundaries: Date[];
  byDim: Record<'team' | 'feature' | 'model', Map<string, { amounts: Money[]; counts: number[] }>>;
}

export function anomalyService(deps: {
  costs: CostQueries;
  teams: TeamsRepository;
  anomalies: AnomaliesRepository;
  notifier: Notifier | null;
  authz: Authz;
  timeZone: string;
  financeChannelId: string;
  quickchartUrl: string;
  settings: AnomalySettings;
}) {
  const { costs, teams, anomalies, timeZone, settings } = deps;

  /** Daily totals and call counts of every team, feature and model over the days ending with `lastDay`. */
  async function series(lastDay: string, until?: Date): Promise<SeriesSet> {
    const days: string[] = [];
    for (let i = HISTORY_DAYS - 1; i >= 0; i--) days.push(addDays(lastDay, -i));
    const boundaries = [...days.map((d) => dayStart(d, timeZone)), until ?? dayStart(addDays(lastDay, 1), timeZone)];
    const byDim: SeriesSet['byDim'] = { team: new Map(), feature: new Map(), model: new Map() };
    for (let i = 0; i < days.length; i++) {
      const f = { from: boundaries[i]!, to: boundaries[i + 1]! };
      const [t, fe, m] = await Promise.all([costs.groupBy('team', f), costs.groupBy('feature', f), costs.groupBy('model', f)]);
      for (const [dim, rows] of [['team', t], ['feature', fe], ['model', m]] as const) {
        for (const r of rows) {
          if (r.key === null) continue;
          let s = byDim[dim].get(r.key);
          if (!s) byDim[dim].set(r.key, (s = { amounts: days.map(() => 0n as Money), counts: days.map(() => 0) }));
          s.amounts[i] = r.amount;
          s.counts[i] = r.count;
        }
      }
    }
    return { days, boundaries, byDim };
  }

  function optionsFor(team: TeamRecord | undefined) {
    const o = team ? settings.teamOverrides[team.slug] : undefined;
    return {
      minImpact: o?.minImpact !== undefined ? fromUsd(o.minImpact) : settings.minImpact,
      minImpactPct: o?.minImpactPct ?? settings.minImpactPct,
      zThreshold: o?.z ?? settings.z,
    };
  }

  async function contributors(scope: Scope, key: string, set: SeriesSet, index: number) {
    const filter: Omit<CostFilter, 'from' | 'to'> =
      scope === 'team' ? { teamIds: [Number(key)] } : scope === 'model' ? { models: [key] } : { featureIds: [Number(key)] };
    const dims: Dimension[] = scope === 'team' ? ['feature', 'model', 'customer', 'environment'] : scope === 'model' ? ['team', 'feature', 'customer'] : ['model', 'customer', 'environment'];
    const day = { from: set.boundaries[index]!, to: set.boundaries[index + 1]! };
    const base = { from: set.boundaries[Math.max(0, index - 7)]!, to: set.boundaries[index]! };
    const baseDays = Math.max(1, Math.min(7, index));
    const [teamList, featureList] = await Promise.all([teams.list(), teams.listFeatures()]);
    const label = (dim: Dimension, k: string | null) =>
      k === null ? '(none)' : dim === 'team' ? (teamList.find((t) => String(t.id) === k)?.slug ?? k) : dim === 'feature' ? (featureList.find((f) => String(f.id) === k)?.slug ?? k) : k;
    const current: ContributorRow[] = [];
    const baseline: ContributorRow[] = [];
    for (const dim of dims) {
      const [now, before] = await Promise.all([costs.groupBy(dim, { ...filter, ...day }), costs.groupBy(dim, { ...filter, ...base })]);
      for (const r of now) current.push({ dimension: dim, key: label(dim, r.key), value: toChartNumber(r.amount) });
      for (const r of before) baseline.push({ dimension: dim, key: label(dim, r.key), value: toChartNumber(r.amount) / baseDays });
    }
    return topContributors(current, baseline, 4);
  }

  /** Records the day of an alert: a new incident (posted), or one more day of a running one (threaded). */
  async function record(
    input: { scope: Scope; key: string; label: string; team: TeamRecord | undefined; day: string; verdict: SpendVerdict; reason?: string | null; early: boolean; set: SeriesSet; index: number; drill: string },
    now: Date,
  ): Promise<number> {
    const { verdict: v, scope, key, day } = input;
    if (!v.expected || v.impact === null || !v.direction) return 0;
    if (await anomalies.find(scope, key, day)) return 0; // this day was already recorded (re-run, other replica, or the intraday warning)
    const previousDay = addDays(day, -1);
    const running = await anomalies.find(scope, key, previousDay);
    const channel = input.team?.channelId ?? deps.financeChannelId;
    const vm = {
      label: input.label, day, actual: v.actual, expected: v.expected, lower: v.lower, upper: v.upper, impact: v.impact, impactPct: v.impactPct,
      early: input.early, reason: input.reason ?? null, daily: input.set.days.slice(-30).map((d, i) => ({ day: d, amount: (input.set.byDim[scope === 'feature_unit_cost' ? 'feature' : scope].get(key)?.amounts ?? [])[i + input.set.days.length - 30] ?? (0n as Money) })),
      drill: input.drill, quickchartUrl: deps.quickchartUrl,
    };
    if (running && running.direction === v.direction) {
      const updated = await anomalies.extend(running.id, previousDay, day, { actual: v.actual, expected: v.expected, impact: v.impact }, now);
      if (!updated || !deps.notifier || updated.status === 'planned' || updated.status === 'not_an_issue' || !updated.messageTs || !updated.channelId) return 0;
      const { text, blocks } = anomalyBlocks({ ...vm, incident: updated, contributors: await contributors(scope, key, input.set, input.index) });
      await deps.notifier.postOnce(`anomaly:${updated.id}:${day}`, updated.channelId, text, blocks, now, { threadTs: updated.messageTs });
      return 1;
    }
    const incident = await anomalies.create(
      { scope, scopeKey: key, teamId: input.team?.id ?? null, direction: v.direction, startDay: day, lastDay: day, actual: v.actual, expected: v.expected, impact: v.impact },
      now,
    );
    if (!incident || !deps.notifier) return 0;
    const { text, blocks } = anomalyBlocks({ ...vm, incident, contributors: await contributors(scope, key, input.set, input.index) });
    let posts = 0;
    const ts = await deps.notifier.postOnce(`anomaly:${incident.id}:team`, channel, text, blocks, now);
    if (ts) {
      await anomalies.setMessage(incident.id, 'messageTs', channel, ts);
      posts++;
    }
    const abs = v.impact < 0n ? -v.impact : v.impact;
    if (abs >= settings.financeMinImpact && channel !== deps.financeChannelId) {
      const fts = await deps.notifier.postOnce(`anomaly:${incident.id}:finance`, deps.financeChannelId, text, blocks, now);
      if (fts) {
        await anomalies.setMessage(incident.id, 'financeTs', deps.financeChannelId, fts);
        posts++;
      }
    }
    return posts;
  }

  return {
    /** The daily scan of a complete local day (`at` is when it runs: the day before is scanned). */
    async scanDay(at: Date): Promise<string> {
      const day = dayKey(new Date(dayStart(dayKey(at, timeZone), timeZone).getTime() - 1), timeZone);
      const set = await series(day);
      const index = set.days.length - 1;
      const [teamList, featureList] = await Promise.all([teams.list(), teams.listFeatures()]);
      let posts = 0;
      for (const dim of ['team', 'feature', 'model'] as const) {
        for (const [key, s] of set.byDim[dim]) {
          const team = dim === 'team' ? teamList.find((t) => String(t.id) === key) : dim === 'feature' ? teamList.find((t) => t.id === featureList.find((f) => String(f.id) === key)?.teamId) : undefined;
          const opts = optionsFor(team);
          const verdicts = detectSpendAnomalies(set.days.map((d, i) => ({ date: d, amount: s.amounts[i]! })), opts);
          const v = verdicts[verdicts.length - 1];
          const label = dim === 'team' ? `team ${team?.slug ?? key}` : dim === 'feature' ? `feature ${featureList.find((f) => String(f.id) === key)?.slug ?? key}` : `model ${key}`;
          const drill = dim === 'team' ? `/aicost team ${team?.slug ?? key} 30d` : dim === 'feature' ? `/aicost feature ${featureList.find((f) => String(f.id) === key)?.slug ?? key} 30d` : '/aicost top models 30d';
          if (v?.alert) posts += await record({ scope: dim, key, label, team, day, verdict: v, early: false, set, index, drill }, at);
          if (dim === 'feature') {
            // Cost per request jumping while volume stays flat: a longer prompt, a retry loop.
            const unit = detectUnitCostAnomalies(set.days.map((d, i) => ({ date: d, cost: toChartNumber(s.amounts[i]!), volume: s.counts[i]! })), { minImpactPct: opts.minImpactPct, zThreshold: opts.zThreshold, minImpact: toChartNumber(opts.minImpact) });
              const u = unit[unit.length - 1];
            if (u?.alert && u.expectedUnitCost !== null && u.excessCost !== null) {
              const expected = fromUsd((u.expectedUnitCost * u.volume).toFixed(9));
              const actual = s.amounts[index]!;
              const verdict: SpendVerdict = { date: day, status: u.status, actual, expected, lower: null, upper: null, impact: (actual - expected) as Money, impactPct: u.unitCostChangePct, score: u.score, direction: 'spike', alert: true };
              posts += await record({ scope: 'feature_unit_cost', key, label: `${label} (cost per request)`, team, day, verdict, reason: u.reason, early: false, set, index, drill }, at);
            }
          }
        }
      }
      return `${day}: ${posts} anomaly posts`;
    },

    /** After a sync: project today's total per team from what arrived so far, and apply the daily rule. */
    async scanIntraday(now: Date): Promise<string> {
      if (!settings.intraday) return 'intraday off';
      const today = dayKey(now, timeZone);
      const yesterday = addDays(today, -1);
      const set = await series(yesterday);
      const teamList = await teams.list();
      const hours: Date[] = [];
      for (let t = set.boundaries[set.boundaries.length - 29]!.getTime(); t <= set.boundaries[set.boundaries.length - 1]!.getTime(); t += 3600_000) hours.push(new Date(t));
      let posts = 0;
      for (const [key, s] of set.byDim.team) {
        const history = set.days.map((d, i) => ({ date: d, value: toChartNumber(s.amounts[i]!) }));
        if (history.filter((h) => h.value > 0).length < 21) continue;
        const hourly = await costs.intervalTotals({ teamIds: [Number(key)] }, hours);
        const shape = learnIntradayShape(hourly.map((a, i) => ({ timestamp: hours[i]!, value: toChartNumber(a) })), timeZone);
        const soFar = (await costs.total({ from: dayStart(today, timeZone), to: now, teamIds: [Number(key)] })).amount;
        const hourOfDay = (now.getTime() - dayStart(today, timeZone).getTime()) / 3600_000;
        const team = teamList.find((t) => String(t.id) === key);
        const o = optionsFor(team);
        const w = intradayEarlyWarning({ history, date: today, soFar: toChartNumber(soFar), hourOfDay, shape, options: { minImpact: toChartNumber(o.minImpact), minImpactPct: o.minImpactPct, zThreshold: o.zThreshold } });
        if (w.status !== 'projected' || !w.verdict.alert || w.verdict.expected === null || !w.verdict.direction) continue;
        const projected = fromUsd(w.verdict.actual.toFixed(9));
        const expected = fromUsd(w.verdict.expected.toFixed(9));
        const verdict: SpendVerdict = {
          date: today, status: w.verdict.status, actual: projected, expected, lower: w.verdict.lower === null ? null : fromUsd(Math.max(0, w.verdict.lower).toFixed(9)),
          upper: w.verdict.upper === null ? null : fromUsd(w.verdict.upper.toFixed(9)), impact: (projected - expected) as Money, impactPct: w.verdict.impactPct, score: w.verdict.score, direction: w.verdict.direction, alert: true,
        };
        posts += await record({ scope: 'team', key, label: `team ${team?.slug ?? key}`, team, day: today, verdict, early: true, set, index: set.days.length - 1, drill: `/aicost team ${team?.slug ?? key} 7d` }, now);
      }
      return `${today}: ${posts} early warnings`;
    },

    /** Feedback buttons: team leads and members of the incident's team, or finance. */
    async feedback(id: number, status: IncidentStatus, userId: string, now: Date): Promise<{ ok: boolean; message: string; incident?: IncidentRecord }> {
      const incident = await anomalies.byId(id);
      if (!incident) return { ok: false, message: 'That anomaly no longer exists.' };
      const team = incident.teamId === null ? undefined : (await teams.list()).find((t) => t.id === incident.teamId);
      const allowed = (await deps.authz.isFinance(userId)) || (team !== undefined && (team.leadUserIds.includes(userId) || team.memberUserIds.includes(userId)));
      if (!allowed) return { ok: false, message: `Only ${team ? `${team.name}'s leads and members` : 'finance'} can give feedback on this anomaly. Nothing was changed.` };
      const updated = await anomalies.feedback(id, status, userId, now);
      if (updated && deps.notifier && updated.channelId && updated.messageTs) {
        await deps.notifier.update(updated.channelId, updated.messageTs, `Anomaly ${updated.startDay}: marked ${status.replace(/_/g, ' ')}`, [feedbackBlock(updated)]).catch(() => undefined);
      }
      return { ok: true, message: `Thanks: anomaly #${id} marked ${status.replace(/_/g, ' ')}.`, incident: updated ?? undefined };
    },

    /** `/aicost anomalies [team]`: the last 30 days' incidents with their feedback. */
    async list(slug: string | null, now: Date): Promise<ReplyParts> {
      const since = new Date(now.getTime() - 30 * 86_400_000).toISOString().slice(0, 10);
      const team = slug ? await teams.bySlug(slug) : null;
      if (slug && !team) return { title: 'Anomalies', summary: [`There is no team "${slug}".`], tables: [], notes: [] };
      const [rows, teamList, featureList] = await Promise.all([anomalies.recent(since, team?.id), teams.list(), teams.listFeatures()]);
      const name = (r: IncidentRecord) =>
        r.scope === 'team' ? `team ${teamList.find((t) => String(t.id) === r.scopeKey)?.slug ?? r.scopeKey}`
        : r.scope === 'model' ? `model ${r.scopeKey}`
        : `feature ${featureList.find((f) => String(f.id) === r.scopeKey)?.slug ?? r.scopeKey}${r.scope === 'feature_unit_cost' ? ' (unit cost)' : ''}`;
      const table = alignTable(
        ['#', 'what', 'days', 'direction', 'impact', 'feedback'],
        rows.map((r) => [String(r.id), name(r), r.startDay === r.lastDay ? r.startDay : `${r.startDay}..${r.lastDay}`, r.direction, formatMoney(r.impact), r.status.replace(/_/g, ' ')]),
        [false, false, false, false, true, false],
      );
      return {
        title: `Anomalies${team ? ` · ${team.slug}` : ''} · last 30 days`,
        summary: [rows.length ? `${rows.length} incident${rows.length === 1 ? '' : 's'}.` : 'No anomalies in the last 30 days.'],
        tables: rows.length ? [{ caption: 'Incidents', table }] : [],
        notes: [`Alerts need |z| ≥ ${settings.z}, at least ${settings.minImpactPct}% and ${formatMoney(settings.minImpact)} of impact; none before 14 days of history.`],
      };
    },
  };
}

export type AnomalyService = ReturnType<typeof anomalyService>;
