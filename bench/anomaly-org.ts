/**
 * Posts per month for a whole organisation: the daily scan's rules replayed in memory over every
 * team, feature and model series (no database): each day, every series' last 56 days go through the
 * detector at the job's default settings; the alerts are grouped per team as scanDay groups them
 * (a model's alert belongs to the team that spent most on it that day); a group whose lead series had
 * an incident the day before in the same direction is a thread reply, any other group is a new
 * incident = one post in the team channel (plus a copy in finance when |impact| ≥ the finance floor).
 * Cost-per-request alerts are left out (the generated organisation has no call counts).
 *
 * The intraday burst check runs first, as the job does after each sync during the day: a team's burst
 * opens its incident for that day (one post, or a thread reply when the team's incident ran the day
 * before), and the daily scan then posts nothing more for that team and day. The generated teams' hours
 * are each feature's day split by the team's intraday profile with ±25% noise per hour; the demo's are
 * its calls by local hour. The projection's early warnings are not replayed.
 */
import { generateDemo, DEMO_TEAMS } from '../src/demo/generate.ts';
import { seededRandom } from '../src/demo/prng.ts';
import { detectAnomalies, isMaterialForTeam } from '../src/domain/anomaly/detector.ts';
import { findBursts, type HourlyBurst, type HourlyValue } from '../src/domain/anomaly/bursts.ts';
import { addDays, weekdayOf } from '../src/domain/calendar.ts';
import { toChartNumber } from '../src/domain/money.ts';
import { dayKey, dayStart } from '../src/domain/periods.ts';
import { HISTORY_DAYS } from '../src/services/anomaly-service.ts';
import { loadAppConfig } from '../src/config.ts';
import { serviceSettings } from '../src/container.ts';

/** The detector's settings as the bot runs them with no ANOMALY_* variables set (the config schema's defaults). */
const DEFAULT_ANOMALY_SETTINGS = serviceSettings(loadAppConfig({})).anomalySettings;

interface OrgSeries {
  scope: 'team' | 'feature' | 'model';
  key: string;
  team: string | null;
  values: number[];
}

export interface Org {
  days: string[];
  series: OrgSeries[];
  /** Per model, per team: that team's spend on the model each day (for the owner of a model alert). */
  modelByTeam: Map<string, Map<string, number[]>>;
  /** Planted events: the team they belong to and their first day. */
  planted: { team: string; day: string; feature?: string }[];
  /** Each team's hourly spend, the zone its days are in, and what one call usually costs per team. */
  hourly?: { timeZone: string; byTeam: Map<string, HourlyValue[]>; perCall: Map<string, number> };
}

export interface OrgPosts {
  days: number;
  posts: number;
  financeCopies: number;
  threadReplies: number;
  postsPerMonth: number;
  planted: number;
  plantedFound: number;
  /** Planted events that pass the job's floors on their first day: Δ ≥ $ floor and ≥ the team share. */
  plantedMaterial: number;
  plantedMaterialFound: number;
  /** New posts on a planted event's team and day (or the day after): the rest are false posts. */
  postsOnPlanted: number;
  /** Posts (not thread replies) opened by the intraday burst check. */
  burstPosts: number;
}

function build(
  days: string[],
  features: { team: string; feature: string; model: string; values: number[] }[],
  planted: Org['planted'],
  hourly?: Org['hourly'],
): Org {
  const n = days.length;
  const sum = (rows: number[][]) => Array.from({ length: n }, (_, i) => rows.reduce((a, r) => a + r[i]!, 0));
  const teams = [...new Set(features.map((f) => f.team))];
  const models = [...new Set(features.map((f) => f.model))];
  const series: OrgSeries[] = [
    ...teams.map((t) => ({ scope: 'team' as const, key: t, team: t, values: sum(features.filter((f) => f.team === t).map((f) => f.values)) })),
    ...features.map((f) => ({ scope: 'feature' as const, key: f.feature, team: f.team, values: f.values })),
    ...models.map((m) => ({ scope: 'model' as const, key: m, team: null, values: sum(features.filter((f) => f.model === m).map((f) => f.values)) })),
  ];
  const modelByTeam = new Map(
    models.map((m) => [m, new Map(teams.map((t) => [t, sum(features.filter((f) => f.model === m && f.team === t).map((f) => f.values))]))]),
  );
  return { days, series, modelByTeam, planted, ...(hourly ? { hourly } : {}) };
}

/** The demo organisation (`aicost demo`), its 120 days summed per local day in `timeZone`. */
export function demoOrg(now: Date, timeZone: string): Org {
  const rows = new Map<string, { team: string; feature: string; model: string; byDay: Map<string, number> }>();
  const daySet = new Set<string>();
  const byHour = new Map<string, Map<number, number>>();
  const calls = new Map<string, { n: number; spent: number }>();
  for (const batch of generateDemo(now, timeZone)) {
    for (const e of batch) {
      const day = dayKey(e.occurredAt, timeZone);
      daySet.add(day);
      if (!e.teamSlug || !e.featureSlug) continue;
      const hours = byHour.get(e.teamSlug) ?? byHour.set(e.teamSlug, new Map()).get(e.teamSlug)!;
      const hour = Math.floor(e.occurredAt.getTime() / 3600_000);
      if (e.occurredAt.getTime() < dayStart(dayKey(now, timeZone), timeZone).getTime()) hours.set(hour, (hours.get(hour) ?? 0) + toChartNumber(e.amount));
      const c = calls.get(e.teamSlug) ?? calls.set(e.teamSlug, { n: 0, spent: 0 }).get(e.teamSlug)!;
      c.n += 1;
      c.spent += toChartNumber(e.amount);
      const k = e.featureSlug;
      const r = rows.get(k) ?? { team: e.teamSlug, feature: k, model: e.model, byDay: new Map() };
      r.byDay.set(day, (r.byDay.get(day) ?? 0) + toChartNumber(e.amount));
      rows.set(k, r);
    }
  }
  const days = [...daySet].sort();
  const teamOf = new Map(DEMO_TEAMS.flatMap((t) => t.features.map((f) => [f.slug, t.slug] as const)));
  const today = dayKey(now, timeZone);
  // The demo's planted spikes (src/demo/generate.ts): 12, 40 and 2 days before `now`'s day, counted from the first day.
  const first = days[0]!;
  const plantedDays = [
    ['ticket-triage', addDays(first, days.length - 12)],
    ['doc-extract', addDays(first, days.length - 40)],
    ['reply-drafts', addDays(first, days.length - 2)],
  ] as const;
  return build(
    days.filter((d) => d < today),
    [...rows.values()].map((r) => ({ ...r, values: days.filter((d) => d < today).map((d) => r.byDay.get(d) ?? 0) })),
    plantedDays.map(([f, day]) => ({ team: teamOf.get(f)!, day })),
    {
      timeZone,
      byTeam: new Map([...byHour].map(([t, hours]) => [t, [...hours].map(([h, value]) => ({ at: new Date(h * 3600_000), value }))])),
      perCall: new Map([...calls].map(([t, c]) => [t, c.spent / c.n])),
    },
  );
}

/**
 * A generated organisation: `teams` teams × `featuresPerTeam` features, each feature on one of
 * `models` models; a feature spends $3–$400/day with a weekday pattern, trend and 5–15% noise, one in
 * five only on some days. With `plant`, that many features get one spike (×2.5–4, 1–2 days) or level
 * shift (×2–3) in the scored days.
 */
export function generatedOrg(opts: { teams?: number; featuresPerTeam?: number; models?: number; days?: number; plant?: number; seed?: number } = {}): Org {
  const { teams = 50, featuresPerTeam = 10, models = 4, days: length = HISTORY_DAYS + 90, plant = 0, seed = 424242 } = opts;
  const r = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const days = Array.from({ length }, (_, i) => addDays('2026-03-02', i));
  const features: { team: string; feature: string; model: string; values: number[] }[] = [];
  const planted: Org['planted'] = [];
  const plantAt = new Set<number>();
  while (plantAt.size < plant) plantAt.add(Math.floor(r() * teams * featuresPerTeam));
  // Each team's hours: quiet nights, a working day peaking at a random hour, an evening tail. Drawn
  // from a PRNG of their own, so the daily series are those of the organisation without hours.
  const rh = seededRandom(seed + 1);
  const hourNoise = () => Math.sqrt(-2 * Math.log(1 - rh())) * Math.cos(2 * Math.PI * rh());
  const teamHours = new Map<string, number[]>();
  for (let t = 0; t < teams; t++) {
    const peak = 10 + Math.floor(rh() * 6);
    const night = 0.1 + rh() * 0.3;
    const profile = Array.from({ length: 24 }, (_, h) => night + Math.exp(-(((h - peak) / 4) ** 2)));
    const hours = new Array<number>(length * 24).fill(0);
    teamHours.set(`team-${t}`, hours);
    for (let f = 0; f < featuresPerTeam; f++) {
      const idx = t * featuresPerTeam + f;
      const base = Math.exp(Math.log(3) + r() * (Math.log(400) - Math.log(3)));
      const weekend = r() < 0.7 ? 0.3 + r() * 0.4 : 0.9 + r() * 0.2;
      const weekly = [0, 1, 2, 3, 4, 5, 6].map((d) => (d === 0 || d === 6 ? weekend : 1) * (0.9 + r() * 0.2));
      const growth = -0.2 + r() * 0.8;
      const noise = 0.05 + r() * 0.1;
      const sparse = r() < 0.2 ? 0.3 + r() * 0.4 : 1;
      let m: (i: number) => number = () => 1;
      if (plantAt.has(idx)) {
        const at = HISTORY_DAYS + Math.floor(r() * 85);
        const shift = r() < 0.3;
        const factor = shift ? 2 + r() : 2.5 + r() * 1.5;
        const len = r() < 0.6 ? 1 : 2;
        m = (i) => (shift ? (i >= at ? factor : 1) : i >= at && i < at + len ? factor : 1);
        planted.push({ team: `team-${t}`, day: days[at]!, feature: `team-${t}/feature-${f}` });
      }
      const values = days.map((d, i) => {
        if (sparse < 1 && r() > sparse && m(i) === 1) return 0;
        const v = base * weekly[weekdayOf(d)]! * (1 + (growth * i) / length) * m(i) * Math.exp(noise * normal());
        return Math.round(v * 100) / 100;
      });
      features.push({ team: `team-${t}`, feature: `team-${t}/feature-${f}`, model: `model-${Math.floor(r() * models)}`, values });
      values.forEach((v, i) => {
        const w = profile.map((p) => p * Math.exp(0.25 * hourNoise()));
        const total = w.reduce((a, b) => a + b, 0);
        w.forEach((x, h) => (hours[i * 24 + h]! += (v * x) / total));
      });
    }
  }
  const start = Date.parse(`${days[0]}T00:00:00Z`);
  return build(days, features, planted, {
    timeZone: 'UTC',
    byTeam: new Map([...teamHours].map(([t, hours]) => [t, hours.map((value, h) => ({ at: new Date(start + h * 3600_000), value }))])),
    // About a cent a call: a team's hour holds hundreds of calls, so the Poisson floor is small.
    perCall: new Map([...teamHours.keys()].map((t) => [t, 0.01])),
  });
}

/** Replays the daily scan over every day with a full history window; see the module comment. */
export function countPosts(org: Org, settings = DEFAULT_ANOMALY_SETTINGS): OrgPosts {
  const minImpact = toChartNumber(settings.minImpact);
  const finance = toChartNumber(settings.financeMinImpact);
  const options = { minImpact, minImpactPct: settings.minImpactPct, zThreshold: settings.z };
  const running = new Map<string, { day: string; direction: string }>();
  const teamSeries = new Map(org.series.filter((s) => s.scope === 'team').map((s) => [s.key, s]));
  let posts = 0;
  let financeCopies = 0;
  let threadReplies = 0;
  const alertedTeamDays = new Set<string>();
  const from = HISTORY_DAYS - 1;
  // The burst check over each team's hours (a burst's window reads only earlier hours, so running it
  // over the whole series finds what the checks after each sync find), largest per team and day.
  const bursts = new Map<string, HourlyBurst>();
  if (settings.bursts.enabled && org.hourly) {
    for (const [team, points] of org.hourly.byTeam) {
      const found = findBursts(points, org.hourly.timeZone, {
        zThreshold: settings.bursts.z,
        maxHours: settings.bursts.maxHours,
        minShareOfDay: settings.bursts.minDaySharePct / 100,
        minImpact,
        unitValue: org.hourly.perCall.get(team) ?? 0.01,
      });
      for (const b of found) if (!bursts.has(`${team}@${b.date}`)) bursts.set(`${team}@${b.date}`, b);
    }
  }
  let burstPosts = 0;
  for (let i = from; i < org.days.length; i++) {
    const day = org.days[i]!;
    const previousDay = addDays(day, -1);
    const burstTeams = new Set<string>();
    for (const team of teamSeries.keys()) {
      const b = bursts.get(`${team}@${day}`);
      if (!b) continue;
      burstTeams.add(team);
      alertedTeamDays.add(`${team}@${day}:any`);
      const was = running.get(`team:${team}`);
      running.set(`team:${team}`, { day, direction: 'spike' });
      if (was?.day === previousDay && was.direction === 'spike') {
        threadReplies += 1;
        continue;
      }
      posts += 1;
      burstPosts += 1;
      if (b.excess >= finance) financeCopies += 1;
      alertedTeamDays.add(`${team}@${day}`);
    }
    const window = org.days.slice(i - HISTORY_DAYS + 1, i + 1);
    const verdictOf = (values: number[]) =>
      detectAnomalies(
        window.map((d, k) => ({ date: d, value: values[i - HISTORY_DAYS + 1 + k]! })),
        options,
      ).at(-1)!;
    const teamVerdicts = new Map<string, ReturnType<typeof verdictOf>>();
    for (const [k, s] of teamSeries) teamVerdicts.set(k, verdictOf(s.values));
    const groups = new Map<string, { id: string; impact: number; direction: string; scope: string }[]>();
    for (const s of org.series) {
      const v = s.scope === 'team' ? teamVerdicts.get(s.key)! : verdictOf(s.values);
      if (!v.alert || v.impact === null || !v.direction) continue;
      let team = s.team;
      if (s.scope === 'model') {
        let best: string | null = null;
        let most = 0;
        for (const [t, vals] of org.modelByTeam.get(s.key)!) if (vals[i]! > most) [best, most] = [t, vals[i]!];
        team = best;
      }
      if (s.scope === 'feature' && team) {
        const tv = teamVerdicts.get(team)!;
        if (!isMaterialForTeam(v.impact, tv.expected, settings.minTeamSharePct)) continue;
      }
      const g = team ? `team:${team}` : `${s.scope}:${s.key}`;
      groups.set(g, [...(groups.get(g) ?? []), { id: `${s.scope}:${s.key}`, impact: v.impact, direction: v.direction, scope: s.scope }]);
    }
    const previous = previousDay;
    for (const [g, list] of groups) {
      // The team's incident for the day is its burst's: the daily scan posts nothing more.
      if (g.startsWith('team:') && burstTeams.has(g.slice(5))) continue;
      const runningLead = list.find((c) => running.get(c.id)?.day === previous);
      const lead = runningLead ?? list.find((c) => c.scope === 'team') ?? [...list].sort((a, b) => Math.abs(b.impact) - Math.abs(a.impact))[0]!;
      const was = running.get(lead.id);
      running.set(lead.id, { day, direction: lead.direction });
      if (was?.day === previous && was.direction === lead.direction) {
        threadReplies += 1;
        continue;
      }
      posts += 1;
      if (Math.abs(lead.impact) >= finance && g.startsWith('team:')) financeCopies += 1;
      alertedTeamDays.add(`${g.slice(5)}@${day}`);
    }
    for (const [g] of groups) alertedTeamDays.add(`${g.slice(5)}@${day}:any`);
  }
  const scored = org.days.length - from;
  const found = (p: Org['planted'][number]) => [p.day, addDays(p.day, 1)].some((d) => alertedTeamDays.has(`${p.team}@${d}:any`));
  const plantedFound = org.planted.filter(found).length;
  // Material: the planted day's rise over the feature's day a week before passes the $ floor and the team share.
  const material = org.planted.filter((p) => {
    const i = org.days.indexOf(p.day);
    const f = org.series.find((s) => s.key === p.feature);
    const team = teamSeries.get(p.team);
    if (!f || !team || i < 7) return true;
    const rise = f.values[i]! - f.values[i - 7]!;
    return rise >= minImpact && rise >= (team.values[i - 7]! * settings.minTeamSharePct) / 100;
  });
  const postsOnPlanted = [...alertedTeamDays].filter(
    (k) => !k.endsWith(':any') && org.planted.some((p) => k === `${p.team}@${p.day}` || k === `${p.team}@${addDays(p.day, 1)}`),
  ).length;
  return {
    days: scored,
    posts,
    financeCopies,
    threadReplies,
    postsPerMonth: (30 * (posts + financeCopies)) / scored,
    planted: org.planted.length,
    plantedFound,
    plantedMaterial: material.length,
    plantedMaterialFound: material.filter(found).length,
    postsOnPlanted,
    burstPosts,
  };
}
