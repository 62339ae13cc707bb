import type { AnomaliesRepository, IncidentRecord, IncidentStatus } from './ports/anomalies.ts';
import type { CostFilter, CostQueries, Dimension } from './ports/costs.ts';
import type { Viewer } from './visibility.ts';
import { notVisible, type NotVisible } from './reports.ts';
import type { TeamRecord, TeamsRepository } from './ports/teams.ts';
import { topContributors, type Contributor, type ContributorRow } from '../domain/anomaly/contributors.ts';
import { detectSpendAnomalies, isMaterialForTeam, type SpendVerdict } from '../domain/anomaly/detector.ts';
import { intradayEarlyWarning, learnIntradayShape } from '../domain/anomaly/intraday.ts';
import { findBursts } from '../domain/anomaly/bursts.ts';
import { detectUnitCostAnomalies } from '../domain/anomaly/unit-cost.ts';
import { fromUsd, sub, sum, toChartNumber, ZERO, type Money } from '../domain/money.ts';
import { dayKey, dayStart } from '../domain/periods.ts';
import type { Notifier } from './notifier-port.ts';
import type { Authz } from './authz.ts';
import { addDays } from '../domain/calendar.ts';
import type { Failure } from '../domain/result.ts';

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
  /** A feature's alert must also move its team's expected daily spend by at least this share (percent). */
  minTeamSharePct: number;
  intraday: boolean;
  /** Intraday bursts (`src/domain/anomaly/bursts.ts`), checked after each sync with the early warning. */
  bursts: { enabled: boolean; z: number; maxHours: number; minDaySharePct: number };
  /** Per team slug: its own thresholds. */
  teamOverrides: Record<string, { minImpact?: number; minImpactPct?: number; z?: number }>;
}

/** What an incident post shows; stored with the incident so feedback re-renders the same post. */
export interface AnomalyPost {
  label: string;
  day: string;
  actual: Money;
  expected: Money;
  lower: Money | null;
  upper: Money | null;
  impact: Money;
  impactPct: number | null;
  early: boolean;
  reason: string | null;
  contributors: Contributor[];
  daily: { day: string; amount: Money }[];
  drill: string;
  /** The feature and model that drove it (most of the change), when known. */
  drivenBy: { feature: string | null; model: string | null };
  /** Calls (requests) that day against the usual count (median of the 28 days before). */
  calls: { count: number; usual: number } | null;
  /** Team leads to @-mention. */
  leads: string[];
  /** Other series that alerted the same day and belong to this event (a feature, a model, cost per request). */
  related: { label: string; impact: Money; impactPct: number | null }[];
  /**
   * A burst: the local hours it spans (`14:00`–`16:00`), the zone, the team's usual whole day, and the
   * team's spend per hour over the last day and a half (local `HH` labels, the burst's hours marked).
   */
  burst?: { from: string; to: string; timeZone: string; usualDay: Money; hours?: { label: string; amount: Money; marked: boolean }[] };
  /** The team's slug when the team has no channel: the post goes to finance only, and says nobody on the team was told. */
  noChannelTeam?: string;
}

/** The anomaly notices this service emits; the Slack notifier renders them. */
export type AnomalyNotice =
  /** The incident post (and its finance copy), re-sent with the status line after feedback; also the thread update of a further day. */
  { type: 'anomaly.incident'; incident: IncidentRecord; post: AnomalyPost };

/** Feedback statuses in words (the buttons' labels). */
/** The last 30 days' incidents, as `/aicost anomalies` lists them. */
export interface AnomalyList {
  /** A team slug that names no team (nothing else is filled in). */
  unknownTeam: string | null;
  team: string | null;
  rows: { id: number; what: string; startDay: string; lastDay: string; direction: string; impact: Money; status: string }[];
  thresholds: { z: number; minImpactPct: number; minImpact: Money };
}

export const STATUS_LABEL: Record<IncidentStatus, string> = {
  open: 'Open',
  investigating: 'Investigating',
  planned: 'Expected (planned)',
  not_an_issue: 'Not an issue',
};

/** Days of history each series is scored over (the detector's verdict is for the last one). */
export const HISTORY_DAYS = 56;
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
  notifier: Notifier<AnomalyNotice> | null;
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
    // One grouped read per dimension over all the day boundaries (not one groupBy per day and dimension).
    const dims = ['team', 'feature', 'model'] as const;
    const rows = await Promise.all(dims.map((dim) => costs.groupByIntervals(dim, {}, boundaries)));
    dims.forEach((dim, d) => {
      for (const r of rows[d]!) if (r.key !== null) byDim[dim].set(r.key, { amounts: r.amounts, counts: r.counts });
    });
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

  /**
   * What drove the day: each dimension's rows that day against the 7 days before, those scaled so that
   * their total is the detector's expected value (the same one the impact line uses), so each
   * dimension's Δ sums to the post's impact and "% of the change" foots.
   */
  async function contributors(scope: Scope, key: string, set: SeriesSet, index: number, expected: Money | null) {
    const day = { from: set.boundaries[index]!, to: set.boundaries[index + 1]! };
    const base = { from: set.boundaries[Math.max(0, index - 7)]!, to: set.boundaries[index]! };
    return driversOver(scope, key, day, [base], Math.max(1, Math.min(7, index)), expected);
  }

  /**
   * The drivers of `current` against the `baseline` intervals (their sum ÷ `perDays` is the usual),
   * scaled so that the usual's total is `expected`: each dimension's Δ sums to actual − expected.
   */
  async function driversOver(
    scope: Scope,
    key: string,
    current: { from: Date; to: Date },
    baselineIntervals: { from: Date; to: Date }[],
    perDays: number,
    expected: Money | null,
  ) {
    const filter: Omit<CostFilter, 'from' | 'to'> =
      scope === 'team' ? { teamIds: [Number(key)] } : scope === 'model' ? { models: [key] } : { featureIds: [Number(key)] };
    const dims: Dimension[] =
      scope === 'team'
        ? ['feature', 'model', 'customer', 'environment']
        : scope === 'model'
          ? ['team', 'feature', 'customer']
          : ['model', 'customer', 'environment'];
    // The baseline intervals as one grouped read: boundaries from, to, from, to, … (odd intervals are the gaps).
    const boundaries = baselineIntervals.flatMap((b) => [b.from, b.to]);
    const [teamList, featureList] = await Promise.all([teams.list(), teams.listFeatures()]);
    const label = (dim: Dimension, k: string | null) =>
      k === null
        ? '(none)'
        : dim === 'team'
          ? (teamList.find((t) => String(t.id) === k)?.slug ?? k)
          : dim === 'feature'
            ? (featureList.find((f) => String(f.id) === k)?.slug ?? k)
            : k;
    const currentRows: ContributorRow[] = [];
    const baseline: ContributorRow[] = [];
    for (const dim of dims) {
      const [now, beforeRows] = await Promise.all([costs.groupBy(dim, { ...filter, ...current }), costs.groupByIntervals(dim, filter, boundaries)]);
      const before = beforeRows.map((r) => ({ key: r.key, amount: r.amounts.filter((_, i) => i % 2 === 0).reduce((a, b) => a + toChartNumber(b), 0) }));
      // A dimension nothing is tagged with (every call "(none)") tells the reader nothing: leave it out.
      if ([...now, ...before].every((r) => r.key === null)) continue;
      for (const r of now) currentRows.push({ dimension: dim, key: label(dim, r.key), value: toChartNumber(r.amount) });
      const usual = before.map((r) => ({ dimension: dim, key: label(dim, r.key), value: r.amount / perDays }));
      const usualTotal = usual.reduce((a, r) => a + r.value, 0);
      const scale = expected !== null && usualTotal > 0 ? toChartNumber(expected) / usualTotal : 1;
      for (const r of usual) baseline.push({ ...r, value: r.value * scale });
    }
    return topContributors(currentRows, baseline, 4);
  }

  /** Calls that day against the usual count (median of the 28 days before, days with calls only). */
  function callsOf(counts: number[] | undefined, index: number): AnomalyPost['calls'] {
    if (!counts) return null;
    const before = counts
      .slice(Math.max(0, index - 28), index)
      .filter((c) => c > 0)
      .sort((a, b) => a - b);
    if (!before.length) return null;
    const mid = Math.floor(before.length / 2);
    const usual = before.length % 2 ? before[mid]! : Math.round((before[mid - 1]! + before[mid]!) / 2);
    return { count: counts[index] ?? 0, usual };
  }

  interface Candidate {
    scope: Scope;
    key: string;
    label: string;
    team: TeamRecord | undefined;
    verdict: SpendVerdict;
    reason?: string | null;
    drill: string;
  }

  /**
   * Records the day of an event: a new incident (posted once per audience), or one more day of a
   * running one (threaded). `related` are the other series of the same event that alerted that day.
   */
  async function record(
    input: Candidate & {
      day: string;
      early: boolean;
      set: SeriesSet;
      index: number;
      related: Candidate[];
      /** A burst: its hours, the same hours on the days before (the drivers' usual), and what the post says of it. */
      burst?: { current: { from: Date; to: Date }; baseline: { from: Date; to: Date }[]; post: NonNullable<AnomalyPost['burst']> };
    },
    now: Date,
  ): Promise<number> {
    const { verdict: v, scope, key, day } = input;
    if (!v.expected || v.impact === null || !v.direction) return 0;
    if (await anomalies.find(scope, key, day)) return 0; // this day was already recorded (re-run, other replica, or the intraday warning)
    const previousDay = addDays(day, -1);
    const running = await anomalies.find(scope, key, previousDay);
    const channel = input.team?.channelId ?? deps.financeChannelId;
    const dim = scope === 'feature_unit_cost' ? 'feature' : scope;
    const series = input.set.byDim[dim].get(key);
    const contributorsNow = input.burst
      ? await driversOver(scope, key, input.burst.current, input.burst.baseline, input.burst.baseline.length, v.expected)
      : await contributors(scope, key, input.set, input.index, v.expected);
    const top = (d: string) => contributorsNow.filter((c) => c.dimension === d && c.delta > 0).sort((a, b) => b.delta - a.delta)[0]?.key ?? null;
    const post: AnomalyPost = {
      label: input.label,
      day,
      actual: v.actual,
      expected: v.expected,
      lower: v.lower,
      upper: v.upper,
      impact: v.impact,
      impactPct: v.impactPct,
      early: input.early,
      reason: input.reason ?? null,
      daily: input.set.days.slice(-30).map((d, i) => ({ day: d, amount: (series?.amounts ?? [])[i + input.set.days.length - 30] ?? ZERO })),
      drill: input.drill,
      contributors: contributorsNow,
      drivenBy: { feature: scope === 'team' || scope === 'model' ? top('feature') : null, model: scope === 'model' ? input.key : top('model') },
      calls: input.early || input.burst ? null : callsOf(series?.counts, input.index),
      leads: input.team?.leadUserIds ?? [],
      related: input.related
        .filter((r) => r.verdict.impact !== null)
        .map((r) => ({ label: r.label, impact: r.verdict.impact!, impactPct: r.verdict.impactPct })),
      ...(input.team && !input.team.channelId ? { noChannelTeam: input.team.slug } : {}),
      ...(input.burst ? { burst: input.burst.post } : {}),
    };
    if (running && running.direction === v.direction) {
      const updated = await anomalies.extend(running.id, previousDay, day, { actual: v.actual, expected: v.expected, impact: v.impact }, now);
      if (!updated || !deps.notifier || updated.status === 'planned' || updated.status === 'not_an_issue' || !updated.messageTs || !updated.channelId) return 0;
      await deps.notifier.postOnce(`anomaly:${updated.id}:${day}`, updated.channelId, { type: 'anomaly.incident', incident: updated, post }, now, {
        threadTs: updated.messageTs,
      });
      return 1;
    }
    const incident = await anomalies.create(
      {
        scope,
        scopeKey: key,
        teamId: input.team?.id ?? null,
        direction: v.direction,
        startDay: day,
        lastDay: day,
        actual: v.actual,
        expected: v.expected,
        impact: v.impact,
      },
      now,
    );
    if (!incident) return 0;
    await anomalies.setPost(incident.id, post);
    if (!deps.notifier) return 0;
    const notice: AnomalyNotice = { type: 'anomaly.incident', incident, post };
    let posts = 0;
    const ts = await deps.notifier.postOnce(`anomaly:${incident.id}:team`, channel, notice, now);
    if (ts) {
      await anomalies.setMessage(incident.id, 'messageTs', channel, ts);
      posts++;
    }
    const abs = v.impact < 0n ? -v.impact : v.impact;
    if (abs >= settings.financeMinImpact && channel !== deps.financeChannelId) {
      const fts = await deps.notifier.postOnce(`anomaly:${incident.id}:finance`, deps.financeChannelId, notice, now);
      if (fts) {
        await anomalies.setMessage(incident.id, 'financeTs', deps.financeChannelId, fts);
        posts++;
      }
    }
    return posts;
  }

  /**
   * Today's largest burst of a team (or yesterday's, when it ran up to midnight and the sync came just
   * after), as a verdict on the burst's hours: actual and expected are those hours' spend and their
   * usual. `hours` are hour starts (the last one is `now`'s hour, still running, never read).
   */
  async function burstOf(
    s: { amounts: Money[]; counts: number[] },
    hours: Date[],
    hourly: Money[],
    minImpact: Money,
    today: string,
    now: Date,
  ): Promise<{ day: string; verdict: SpendVerdict; burst: NonNullable<Parameters<typeof record>[0]['burst']> } | null> {
    const calls = s.counts.reduce((a, b) => a + b, 0);
    const spent = s.amounts.reduce((a, b) => a + toChartNumber(b), 0);
    const yesterday = addDays(today, -1);
    const found = findBursts(
      hourly.map((a, i) => ({ at: hours[i]!, value: toChartNumber(a) })),
      timeZone,
      {
        zThreshold: settings.bursts.z,
        maxHours: settings.bursts.maxHours,
        minShareOfDay: settings.bursts.minDaySharePct / 100,
        minImpact: toChartNumber(minImpact),
        // One call's usual cost: the Poisson floor of a few expensive calls is wide, of many cheap ones narrow.
        unitValue: calls > 0 && spent > 0 ? spent / calls : 0.01,
      },
      { dates: [yesterday, today], until: now },
    ).filter((b) => b.date === today || b.to.getTime() === dayStart(today, timeZone).getTime());
    const b = found.find((x) => x.date === today) ?? found[0];
    if (!b) return null;
    // What the hours spent is the ledger's own sum (exact); only the usual is a statistic, in floats.
    const actual = sum(hourly.filter((_, i) => hours[i]! >= b.from && hours[i]! < b.to));
    const expected = fromUsd(Math.max(0, b.expected).toFixed(9));
    const verdict: SpendVerdict = {
      date: b.date,
      status: 'scored',
      actual,
      expected,
      lower: null,
      upper: null,
      impact: sub(actual, expected),
      impactPct: expected > 0n ? (100 * b.excess) / b.expected : null,
      score: b.score,
      direction: 'spike',
      alert: true,
    };
    const offset = b.from.getTime() - dayStart(b.date, timeZone).getTime();
    const length = b.to.getTime() - b.from.getTime();
    const baseline = [7, 6, 5, 4, 3, 2, 1].map((p) => {
      const from = new Date(dayStart(addDays(b.date, -p), timeZone).getTime() + offset);
      return { from, to: new Date(from.getTime() + length) };
    });
    const hh = (h: number) => `${String(h % 24).padStart(2, '0')}:00`;
    // The last 36 complete hours (hourly[i] is [hours[i], hours[i + 1])), labelled in local time, the burst's marked.
    const localHour = new Intl.DateTimeFormat('en-US', { timeZone, hour: '2-digit', hourCycle: 'h23' });
    const recent = [];
    for (let i = Math.max(0, hourly.length - 36); i < hourly.length && i + 1 < hours.length; i++) {
      const at = hours[i]!;
      recent.push({ label: localHour.format(at), amount: hourly[i]!, marked: at >= b.from && at < b.to });
    }
    return {
      day: b.date,
      verdict,
      burst: {
        current: { from: b.from, to: b.to },
        baseline,
        post: { from: hh(b.startHour), to: hh(b.endHour + 1), timeZone, usualDay: fromUsd(Math.max(0, b.usualDay).toFixed(9)), hours: recent },
      },
    };
  }

  /** The team whose spend on a model rose most that day (a model's event belongs to it), if any. */
  async function ownerOfModel(model: string, set: SeriesSet, index: number): Promise<number | null> {
    const rows = await costs.groupBy('team', { models: [model], from: set.boundaries[index]!, to: set.boundaries[index + 1]! });
    const key = rows.find((r) => r.key !== null)?.key;
    return key ? Number(key) : null;
  }

  return {
    /**
     * The daily scan of a complete local day (`at` is when it runs: the day before is scanned).
     * One event is one incident: the alerts of a team, its features, their cost per request and the
     * models its spend rose on are grouped by team; the team's own series leads when it alerted, else
     * the largest. Models no team explains are incidents of their own (posted to finance).
     */
    async scanDay(at: Date): Promise<string> {
      const day = dayKey(new Date(dayStart(dayKey(at, timeZone), timeZone).getTime() - 1), timeZone);
      const set = await series(day);
      const index = set.days.length - 1;
      const [teamList, featureList] = await Promise.all([teams.list(), teams.listFeatures()]);
      const groups = new Map<string, Candidate[]>();
      /** Each team's expected spend for the day (the share gate of its features). */
      const teamExpected = new Map<number, number | null>();
      const add = (group: string, c: Candidate) => groups.set(group, [...(groups.get(group) ?? []), c]);
      for (const dim of ['team', 'feature', 'model'] as const) {
        for (const [key, s] of set.byDim[dim]) {
          const team =
            dim === 'team'
              ? teamList.find((t) => String(t.id) === key)
              : dim === 'feature'
                ? teamList.find((t) => t.id === featureList.find((f) => String(f.id) === key)?.teamId)
                : undefined;
          const opts = optionsFor(team);
          const verdicts = detectSpendAnomalies(
            set.days.map((d, i) => ({ date: d, amount: s.amounts[i]! })),
            opts,
          );
          const v = verdicts[verdicts.length - 1];
          if (dim === 'team' && team) teamExpected.set(team.id, v?.expected == null ? null : toChartNumber(v.expected));
          // A feature's move must matter to its team: at least minTeamSharePct of the team's expected day.
          const material =
            dim !== 'feature' ||
            !team ||
            v?.impact == null ||
            isMaterialForTeam(toChartNumber(v.impact), teamExpected.get(team.id) ?? null, settings.minTeamSharePct);
          const label =
            dim === 'team'
              ? `team ${team?.slug ?? key}`
              : dim === 'feature'
                ? `feature ${featureList.find((f) => String(f.id) === key)?.slug ?? key}`
                : `model ${key}`;
          const drill =
            dim === 'team'
              ? `/aicost team ${team?.slug ?? key} 30d`
              : dim === 'feature'
                ? `/aicost feature ${featureList.find((f) => String(f.id) === key)?.slug ?? key} 30d`
                : '/aicost top models 30d';
          if (v?.alert && material && v.expected !== null && v.impact !== null && v.direction) {
            if (dim === 'model') {
              const owner = await ownerOfModel(key, set, index);
              const ownerTeam = teamList.find((t) => t.id === owner);
              add(ownerTeam ? `team:${ownerTeam.id}` : `model:${key}`, { scope: dim, key, label, team: ownerTeam, verdict: v, drill });
            } else add(team ? `team:${team.id}` : `${dim}:${key}`, { scope: dim, key, label, team, verdict: v, drill });
          }
          if (dim === 'feature') {
            // Cost per request jumping while volume stays flat: a longer prompt, a retry loop.
            const unit = detectUnitCostAnomalies(
              set.days.map((d, i) => ({ date: d, cost: toChartNumber(s.amounts[i]!), volume: s.counts[i]! })),
              { minImpactPct: opts.minImpactPct, zThreshold: opts.zThreshold, minImpact: toChartNumber(opts.minImpact) },
            );
            const u = unit[unit.length - 1];
            if (u?.alert && u.expectedUnitCost !== null && u.excessCost !== null) {
              const expected = fromUsd((u.expectedUnitCost * u.volume).toFixed(9));
              const actual = s.amounts[index]!;
              const verdict: SpendVerdict = {
                date: day,
                status: u.status,
                actual,
                expected,
                lower: null,
                upper: null,
                impact: sub(actual, expected),
                impactPct: u.unitCostChangePct,
                score: u.score,
                direction: 'spike',
                alert: true,
              };
              add(team ? `team:${team.id}` : `feature:${key}`, {
                scope: 'feature_unit_cost',
                key,
                label: `${label} (cost per request)`,
                team,
                verdict,
                reason: u.reason,
                drill,
              });
            }
          }
        }
      }
      let posts = 0;
      const size = (c: Candidate) => (c.verdict.impact! < 0n ? -c.verdict.impact! : c.verdict.impact!);
      for (const list of groups.values()) {
        // A series that is already a running incident keeps leading it, so the next day threads under the same post.
        const runningLead = await (async () => {
          const previousDay = new Date(Date.parse(`${day}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
          for (const c of list) if (await anomalies.find(c.scope, c.key, previousDay)) return c;
          return undefined;
        })();
        const lead = runningLead ?? list.find((c) => c.scope === 'team') ?? [...list].sort((a, b) => (size(b) > size(a) ? 1 : size(b) < size(a) ? -1 : 0))[0]!;
        // The team already has an incident for this day (the intraday early warning): that is the event.
        if (lead.scope !== 'team' && lead.team && (await anomalies.find('team', String(lead.team.id), day))) continue;
        posts += await record({ ...lead, day, early: false, set, index, related: list.filter((c) => c !== lead) }, at);
      }
      return `${day}: ${posts} anomaly posts`;
    },

    /**
     * After a sync, per team: a burst in today's last complete hours (`findBursts`) opens or joins the
     * team's incident for the day; otherwise today's total is projected from what arrived so far and the
     * daily rule applied to the projection. One incident per team and local day, so the daily scan and
     * re-runs never post it again.
     */
    async scanIntraday(now: Date): Promise<string> {
      if (!settings.intraday) return 'intraday off';
      const today = dayKey(now, timeZone);
      const yesterday = addDays(today, -1);
      const set = await series(yesterday);
      const teamList = await teams.list();
      // Every hour of the last 28 days and today's complete hours: [hours[i], hours[i + 1]) are the hours.
      const hours: Date[] = [];
      for (let t = set.boundaries[set.boundaries.length - 29]!.getTime(); t <= now.getTime(); t += 3600_000) hours.push(new Date(t));
      const midnight = set.boundaries[set.boundaries.length - 1]!.getTime();
      const fullDays = hours.findIndex((h) => h.getTime() === midnight) + 1;
      let posts = 0;
      let bursts = 0;
      for (const [key, s] of set.byDim.team) {
        const history = set.days.map((d, i) => ({ date: d, value: toChartNumber(s.amounts[i]!) }));
        if (history.filter((h) => h.value > 0).length < 14) continue;
        const hourly = await costs.intervalTotals({ teamIds: [Number(key)] }, hours);
        const team = teamList.find((t) => String(t.id) === key);
        const o = optionsFor(team);
        if (settings.bursts.enabled) {
          const found = await burstOf(s, hours, hourly, o.minImpact, today, now);
          if (found) {
            bursts++;
            posts += await record(
              {
                scope: 'team',
                key,
                label: `team ${team?.slug ?? key}`,
                team,
                day: found.day,
                verdict: found.verdict,
                early: false,
                set,
                index: set.days.length - 1,
                drill: `/aicost team ${team?.slug ?? key} 7d`,
                related: [],
                burst: found.burst,
              },
              now,
            );
            continue;
          }
        }
        if (history.filter((h) => h.value > 0).length < 21) continue;
        const shape = learnIntradayShape(
          hourly.slice(0, fullDays - 1).map((a, i) => ({ timestamp: hours[i]!, value: toChartNumber(a) })),
          timeZone,
        );
        const soFar = (await costs.total({ from: dayStart(today, timeZone), to: now, teamIds: [Number(key)] })).amount;
        const hourOfDay = (now.getTime() - dayStart(today, timeZone).getTime()) / 3600_000;
        const w = intradayEarlyWarning({
          history,
          date: today,
          soFar: toChartNumber(soFar),
          hourOfDay,
          shape,
          options: { minImpact: toChartNumber(o.minImpact), minImpactPct: o.minImpactPct, zThreshold: o.zThreshold },
        });
        if (w.status !== 'projected' || !w.verdict.alert || w.verdict.expected === null || !w.verdict.direction) continue;
        const projected = fromUsd(w.verdict.actual.toFixed(9));
        const expected = fromUsd(w.verdict.expected.toFixed(9));
        const verdict: SpendVerdict = {
          date: today,
          status: w.verdict.status,
          actual: projected,
          expected,
          lower: w.verdict.lower === null ? null : fromUsd(Math.max(0, w.verdict.lower).toFixed(9)),
          upper: w.verdict.upper === null ? null : fromUsd(w.verdict.upper.toFixed(9)),
          impact: sub(projected, expected),
          impactPct: w.verdict.impactPct,
          score: w.verdict.score,
          direction: w.verdict.direction,
          alert: true,
        };
        posts += await record(
          {
            scope: 'team',
            key,
            label: `team ${team?.slug ?? key}`,
            team,
            day: today,
            verdict,
            early: true,
            set,
            index: set.days.length - 1,
            drill: `/aicost team ${team?.slug ?? key} 7d`,
            related: [],
          },
          now,
        );
      }
      return `${today}: ${posts} early warnings (${bursts} bursts)`;
    },

    /** Feedback buttons: team leads and members of the incident's team, or finance. */
    async feedback(
      id: number,
      status: IncidentStatus,
      userId: string,
      now: Date,
    ): Promise<{ ok: true; message: string; incident?: IncidentRecord } | { ok: false; failure: Failure }> {
      const incident = await anomalies.byId(id);
      if (!incident) return { ok: false, failure: { code: 'anomaly.gone' } };
      const team = incident.teamId === null ? undefined : (await teams.list()).find((t) => t.id === incident.teamId);
      const allowed =
        (await deps.authz.isFinance(userId)) || (team !== undefined && (team.leadUserIds.includes(userId) || team.memberUserIds.includes(userId)));
      if (!allowed) return { ok: false, failure: { code: 'anomaly.feedback-not-allowed', teamName: team?.name ?? null } };
      const updated = await anomalies.feedback(id, status, userId, now);
      // Both copies (team and finance) get the status line; the numbers, chart and buttons stay.
      const post = updated ? await anomalies.post<AnomalyPost>(id) : null;
      if (updated && post && deps.notifier) {
        const notice: AnomalyNotice = { type: 'anomaly.incident', incident: updated, post };
        if (updated.channelId && updated.messageTs) await deps.notifier.update(updated.channelId, updated.messageTs, notice).catch(() => undefined);
        if (updated.financeTs) await deps.notifier.update(deps.financeChannelId, updated.financeTs, notice).catch(() => undefined);
      }
      return { ok: true, message: `Thanks: anomaly #${id} marked ${status.replace(/_/g, ' ')}.`, incident: updated ?? undefined };
    },

    /**
     * `/aicost anomalies [team]`: the last 30 days' incidents with their feedback, as data
     * (format/anomaly-lines.ts shows it): every incident for whoever sees every team, else those of the
     * viewer's teams; another team's list is refused.
     */
    async list(viewer: Viewer, slug: string | null, now: Date): Promise<AnomalyList | NotVisible> {
      const since = new Date(now.getTime() - 30 * 86_400_000).toISOString().slice(0, 10);
      const team = slug ? await teams.bySlug(slug) : null;
      const thresholds = { z: settings.z, minImpactPct: settings.minImpactPct, minImpact: settings.minImpact };
      if (slug && !team) return { unknownTeam: slug, team: null, rows: [], thresholds };
      if (team && !viewer.sees(team.id)) return notVisible(`Team ${team.slug}`);
      const only = viewer.scope;
      const [all, teamList, featureList] = await Promise.all([anomalies.recent(since, team?.id), teams.list(), teams.listFeatures()]);
      const rows = only === null ? all : all.filter((r) => r.teamId !== null && only.includes(r.teamId));
      const name = (r: IncidentRecord) =>
        r.scope === 'team'
          ? `team ${teamList.find((t) => String(t.id) === r.scopeKey)?.slug ?? r.scopeKey}`
          : r.scope === 'model'
            ? `model ${r.scopeKey}`
            : `feature ${featureList.find((f) => String(f.id) === r.scopeKey)?.slug ?? r.scopeKey}${r.scope === 'feature_unit_cost' ? ' (unit cost)' : ''}`;
      return {
        unknownTeam: null,
        team: team?.slug ?? null,
        rows: rows.map((r) => ({
          id: r.id,
          what: name(r),
          startDay: r.startDay,
          lastDay: r.lastDay,
          direction: r.direction,
          impact: r.impact,
          status: STATUS_LABEL[r.status],
        })),
        thresholds,
      };
    },
  };
}

export type AnomalyService = ReturnType<typeof anomalyService>;
