/**
 * Anomaly detector quality, per labelled set, next to a naive 3σ rule run on the same series:
 *
 *   npm run bench -- anomaly-quality        (or: node --import tsx bench/anomaly-quality.ts [--verbose])
 *
 * Sets:
 * - shared: the labelled daily series in ../shared/data/anomaly (Microsoft cloud-monitoring data, MIT;
 *   third-party data, read there and never committed; AICOST_SHARED_DIR moves it), with their
 *   *_hourly.csv: scored with what the job runs, the daily rule ∪ the intraday burst check on the hours
 *   (an hour's alert counts on its day), next to the naive daily 3σ and a naive hourly 3σ (an hour
 *   outside mean ± 3 sd of the same hour over the trailing 28 days), with each part's own figures;
 * - generated.<kind>: spend-like series with planted spikes, level shifts, slow drifts, seasonal breaks,
 *   sparse features, and quiet series with nothing planted (bench/anomaly-sets.ts);
 * - public: any labelled CSVs in AICOST_ANOMALY_PUBLIC_DIR (date or timestamp, value, label), e.g. a
 *   public benchmark you downloaded yourself; none can be fetched from the npm registry, so without the
 *   variable the bench says it skipped them.
 * Definitions of labelled window, found, delay and false alert group: bench/anomaly-sets.ts.
 * Both detectors see every series whole, day by day (one-step ahead), at the job's default settings
 * (values read as dollars: $25 and 20% floors, z 3.5). The naive rule flags a day outside mean ± 3 sd of
 * the trailing 28 days after the same 14-day warm-up, with no floor.
 *
 * Then posts per month for a whole organisation (bench/anomaly-org.ts): the demo's 120 days, and a
 * generated organisation of 50 teams × 10 features × 4 models, quiet and with planted anomalies.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mean, standardDeviation } from 'simple-statistics';
import { DEFAULT_DETECTOR_OPTIONS, detectAnomalies, fillDailyGaps, type DetectorOptions } from '../src/domain/anomaly/detector.ts';
import { findBursts, type BurstOptions } from '../src/domain/anomaly/bursts.ts';
import { addDays, dayNumber } from '../src/domain/calendar.ts';
import { toChartNumber } from '../src/domain/money.ts';
import { loadAppConfig } from '../src/config.ts';
import { serviceSettings } from '../src/container.ts';
import { countPosts, demoOrg, generatedOrg } from './anomaly-org.ts';
import {
  evaluate,
  falsePerSeriesMonth,
  generatedSets,
  loadLabelledDir,
  meanDelay,
  recall,
  type Detector,
  type LabelledSeries,
  type Quality,
} from './anomaly-sets.ts';

/** The detector's settings as the bot runs them with no ANOMALY_* variables set (the config schema's defaults). */
const DEFAULT_ANOMALY_SETTINGS = serviceSettings(loadAppConfig({})).anomalySettings;

const GOAL_RECALL = 0.7;
const GOAL_FALSE_PER_SERIES_MONTH = 0.3;
const GOAL_POSTS_PER_MONTH = 2;
const MIN_HISTORY = DEFAULT_DETECTOR_OPTIONS.minHistoryDays;

/** The job's default thresholds, in the series' unit. */
export const JOB_OPTIONS: Partial<DetectorOptions> = {
  minImpact: toChartNumber(DEFAULT_ANOMALY_SETTINGS.minImpact),
  minImpactPct: DEFAULT_ANOMALY_SETTINGS.minImpactPct,
  zThreshold: DEFAULT_ANOMALY_SETTINGS.z,
};

export function robustDetector(options: Partial<DetectorOptions> = JOB_OPTIONS): Detector {
  return (days) =>
    new Set(
      detectAnomalies(days, options)
        .filter((v) => v.alert)
        .map((v) => v.date),
    );
}

/** The burst check's default settings, in the series' unit (values read as dollars, counts of one). */
export const BURST_OPTIONS: Partial<BurstOptions> = {
  zThreshold: DEFAULT_ANOMALY_SETTINGS.bursts.z,
  maxHours: DEFAULT_ANOMALY_SETTINGS.bursts.maxHours,
  minShareOfDay: DEFAULT_ANOMALY_SETTINGS.bursts.minDaySharePct / 100,
  minImpact: toChartNumber(DEFAULT_ANOMALY_SETTINGS.minImpact),
  unitValue: 1,
};

/** Days with a burst (an hour's alert belongs to its local day; the series' wall-clock hours read in UTC). */
export function burstDetector(options: Partial<BurstOptions> = BURST_OPTIONS): Detector {
  return (_days, series) => new Set(series.hourly ? findBursts(series.hourly, 'UTC', options).map((b) => b.date) : []);
}

/** What the job runs: the daily rule, and the burst check on the same series' hours when it has them. */
export function jobDetector(): Detector {
  const daily = robustDetector();
  const bursts = burstDetector();
  return (days, series) => new Set([...daily(days, series), ...bursts(days, series)]);
}

/**
 * Naive hourly baseline: an hour outside mean ± 3 sd of the same hour of day over the trailing 28 days,
 * after the same warm-up; its day alerts.
 */
export function naiveHourlyDetector(window = 28, k = 3, minHistory = MIN_HISTORY): Detector {
  return (_days, series) => {
    const out = new Set<string>();
    if (!series.hourly?.length) return out;
    const byDay = new Map<string, (number | undefined)[]>();
    for (const p of series.hourly) {
      const day = p.at.slice(0, 10);
      const hours = byDay.get(day) ?? byDay.set(day, new Array(24).fill(undefined)).get(day)!;
      hours[Number(p.at.slice(11, 13))] = p.value;
    }
    const first = [...byDay.keys()].sort()[0]!;
    for (const [day, hours] of byDay) {
      if (dayNumber(day) - dayNumber(first) < minHistory) continue;
      hours.forEach((v, h) => {
        if (v === undefined) return;
        const past: number[] = [];
        for (let d = 1; d <= window; d++) {
          const x = byDay.get(addDays(day, -d))?.[h];
          if (x !== undefined) past.push(x);
        }
        if (past.length < 2) return;
        const m = mean(past);
        if (Math.abs(v - m) > k * standardDeviation(past) && v !== m) out.add(day);
      });
    }
    return out;
  };
}

/** mean ± 3 sd of the trailing 28 days, after the same warm-up. */
export function naiveDetector(window = 28, k = 3, minHistory = MIN_HISTORY): Detector {
  return (days) => {
    const filled = fillDailyGaps(days);
    const out = new Set<string>();
    for (let i = minHistory; i < filled.length; i++) {
      const past = filled.slice(Math.max(0, i - window), i).map((p) => p.value);
      const m = mean(past);
      const sd = standardDeviation(past);
      const v = filled[i]!.value;
      if (Math.abs(v - m) > k * sd && v !== m) out.add(filled[i]!.date);
    }
    return out;
  };
}

/** Scored labelled windows (definitions as in anomaly-sets.ts) with a day at least minImpactPct off the expected value. */
function visibleWindows(series: readonly LabelledSeries[]): number {
  const floor = JOB_OPTIONS.minImpactPct ?? DEFAULT_DETECTOR_OPTIONS.minImpactPct;
  return series.reduce((count, s) => {
    const v = detectAnomalies(s.days, JOB_OPTIONS);
    const pastFloor = new Set(v.filter((x) => x.impactPct !== null && Math.abs(x.impactPct) >= floor).map((x) => x.date));
    return count + evaluate([s], () => pastFloor, MIN_HISTORY).found;
  }, 0);
}

const round = (x: number | null, digits = 3) => (x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits);
const line = (obj: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(obj)}\n`);

function report(set: string, series: LabelledSeries[], verbose: boolean): void {
  const hourly = series.some((s) => s.hourly?.length);
  const robust = evaluate(series, hourly ? jobDetector() : robustDetector(), MIN_HISTORY);
  const naive = evaluate(series, naiveDetector(), MIN_HISTORY);
  // With hours: the job's two parts on their own, and the naive rule on hours, in the same run.
  const parts = hourly
    ? {
        daily: evaluate(series, robustDetector(), MIN_HISTORY),
        bursts: evaluate(series, burstDetector(), MIN_HISTORY),
        naiveHourly: evaluate(series, naiveHourlyDetector(), MIN_HISTORY),
      }
    : null;
  const components = parts
    ? {
        detector: 'daily rule + hourly bursts (what the job runs)',
        dailyRuleAlone: {
          recall: round(recall(parts.daily)),
          falsePerSeriesMonth: round(falsePerSeriesMonth(parts.daily)),
          found: parts.daily.found,
          falseGroups: parts.daily.falseGroups,
        },
        burstsAlone: {
          recall: round(recall(parts.bursts)),
          falsePerSeriesMonth: round(falsePerSeriesMonth(parts.bursts)),
          found: parts.bursts.found,
          falseGroups: parts.bursts.falseGroups,
        },
        naiveHourly: {
          label: 'naive 3-sigma per hour (same hour of day, trailing 28d), same run',
          recall: round(recall(parts.naiveHourly)),
          falsePerSeriesMonth: round(falsePerSeriesMonth(parts.naiveHourly)),
          found: parts.naiveHourly.found,
          falseGroups: parts.naiveHourly.falseGroups,
        },
      }
    : {};
  if (verbose) {
    for (const [label, q] of [
      ['robust', robust],
      ['naive', naive],
    ] as [string, Quality][]) {
      process.stderr.write(`${set} ${label} missed: ${q.missed.join(' ')}\n${set} ${label} false: ${q.falseAt.join(' ')}\n`);
    }
  }
  const naiveLabel = 'naive 3-sigma trailing 28d, same run';
  const counts = { series: robust.series, windows: robust.windows, scoredWindows: robust.scoredWindows };
  if (robust.scoredWindows > 0) {
    // Context for the recall: how many scored windows move the daily total past the % floor at all
    // (against the detector's own expected value), i.e. could be found at the job's % floor.
    const visible = visibleWindows(series);
    line({
      bench: `anomaly.${set}.recall`,
      value: round(recall(robust)),
      unit: 'ratio of labelled windows',
      baseline: round(recall(naive)),
      baselineLabel: naiveLabel,
      goal: GOAL_RECALL,
      found: robust.found,
      naiveFound: naive.found,
      windowsPastPctFloor: visible,
      ...counts,
      ...components,
    });
    line({
      bench: `anomaly.${set}.delay_days`,
      value: round(meanDelay(robust), 2),
      unit: 'days (mean, found windows)',
      baseline: round(meanDelay(naive), 2),
      baselineLabel: naiveLabel,
    });
  }
  line({
    bench: `anomaly.${set}.false_groups_per_series_month`,
    value: round(falsePerSeriesMonth(robust)),
    unit: 'false alert groups per series per 30 days',
    baseline: round(falsePerSeriesMonth(naive)),
    baselineLabel: naiveLabel,
    goal: GOAL_FALSE_PER_SERIES_MONTH,
    falseGroups: robust.falseGroups,
    naiveFalseGroups: naive.falseGroups,
    groups: robust.groups,
    verdictDays: robust.verdictDays,
    series: robust.series,
    ...components,
  });
}

function main(): void {
  const verbose = process.argv.includes('--verbose');
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const sharedDir = process.env.AICOST_SHARED_DIR ? path.resolve(process.env.AICOST_SHARED_DIR) : path.resolve(repoRoot, '..', 'shared');
  const dataDir = path.join(sharedDir, 'data', 'anomaly');
  const shared = existsSync(dataDir) ? loadLabelledDir(dataDir) : [];
  const ran: string[] = [];
  const skipped: Record<string, string> = {};
  if (shared.length > 0) {
    report('shared', shared, verbose);
    ran.push('shared');
  } else skipped.shared = `no labelled series in ${dataDir} (set AICOST_SHARED_DIR, or put the shared folder beside the repository)`;
  const publicDir = process.env.AICOST_ANOMALY_PUBLIC_DIR;
  const pub = publicDir && existsSync(publicDir) ? loadLabelledDir(publicDir) : [];
  if (pub.length > 0) {
    report('public', pub, verbose);
    ran.push('public');
  } else
    skipped.public = publicDir
      ? `no labelled CSV in ${publicDir}`
      : 'AICOST_ANOMALY_PUBLIC_DIR not set (no public labelled benchmark is obtainable from the npm registry)';
  for (const g of generatedSets()) {
    report(g.name, g.series, verbose);
    ran.push(g.name);
  }
  const allGenerated = generatedSets().flatMap((g) => g.series);
  report('generated.all', allGenerated, false);
  line({ bench: 'anomaly.sets', ran, skipped });

  const quiet = countPosts(generatedOrg());
  line({
    bench: 'anomaly.org_quiet.posts_per_month',
    value: round(quiet.postsPerMonth, 2),
    unit: 'posts per month (team channel + finance copies)',
    baseline: GOAL_POSTS_PER_MONTH,
    baselineLabel: 'goal (max)',
    org: '50 teams x 10 features x 4 models, nothing planted',
    ...quiet,
  });
  const planted = countPosts(generatedOrg({ plant: 30 }));
  line({
    bench: 'anomaly.org_planted.share_found',
    value: round(planted.plantedFound / planted.planted),
    unit: 'ratio of planted events',
    materialShareFound: round(planted.plantedMaterialFound / Math.max(1, planted.plantedMaterial)),
    baseline: null,
    org: '50 teams x 10 features x 4 models, 30 features with a planted spike or level shift',
    ...planted,
  });
  const demo = countPosts(demoOrg(new Date('2026-11-28T15:00:00Z'), 'America/New_York'));
  line({
    bench: 'anomaly.demo.posts_per_month',
    value: round(demo.postsPerMonth, 2),
    unit: 'posts per month (team channel + finance copies)',
    baseline: GOAL_POSTS_PER_MONTH,
    baselineLabel: 'goal (max)',
    org: "the demo's 120 days (5 teams, 14 features), 3 planted spikes",
    ...demo,
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
