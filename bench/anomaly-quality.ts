/**
 * Anomaly detector quality on the labelled daily series in shared/data/anomaly (Microsoft
 * cloud-monitoring data, MIT licence; see LICENSE.ms-cloud-monitoring there).
 *
 *   node --import tsx bench/anomaly-quality.ts [--verbose]
 *
 * Prints one JSON line per figure, each with the baseline to compare it to. Definitions:
 * - event: a run of consecutive labelled days; found when an alert falls on one of its days or the
 *   day after it ends;
 * - alert incident: a run of consecutive alert days; false when it touches no event (days + day after);
 * - false alerts per series per 30 days: false incidents ÷ (days that could get a verdict ÷ 30),
 *   pooled over the series;
 * - control: alert days on ms_purchase01, a series with no labelled anomaly.
 * The detector runs with DEFAULT_DETECTOR_OPTIONS for every series (no per-series tuning). The naive
 * comparison flags a day outside mean ± 3σ of the trailing 28 days (same 14-day warm-up).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { mean, standardDeviation } from 'simple-statistics';
import { detectAnomalies, fillDailyGaps, DEFAULT_DETECTOR_OPTIONS, type DetectorOptions } from '../src/domain/anomaly/detector.ts';
import { addDays } from '../src/domain/calendar.ts';

interface LabelledDay {
  date: string;
  value: number;
  label: boolean;
}

interface LabelledSeries {
  name: string;
  days: LabelledDay[];
}

type Detector = (days: readonly LabelledDay[]) => Set<string>;

const CONTROL = 'ms_purchase01';
const GOAL_EVENTS_FOUND = 0.6;
const GOAL_FALSE_PER_30D = 0.3;
const GOAL_CONTROL_ALERTS = 1;

function loadSeries(dir: string): LabelledSeries[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('_daily.csv'))
    .sort();
  return files.map((file) => {
    const rows = parse(readFileSync(path.join(dir, file), 'utf8'), { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
    const days = rows.map((r) => ({ date: String(r.date), value: Number(r.value), label: r.label === '1' }));
    return { name: file.replace(/_daily\.csv$/, ''), days };
  });
}

export function robustDetector(options: Partial<DetectorOptions> = {}): Detector {
  return (days) =>
    new Set(
      detectAnomalies(days, options)
        .filter((v) => v.alert)
        .map((v) => v.date),
    );
}

/** Static 3σ band on the trailing 28 days (mean ± 3 sd), after the same 14-day warm-up. */
export function naiveDetector(window = 28, k = 3, minHistory = DEFAULT_DETECTOR_OPTIONS.minHistoryDays): Detector {
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

interface Quality {
  events: number;
  found: number;
  evaluableEvents: number;
  evaluableFound: number;
  incidents: number;
  falseIncidents: number;
  verdictDays: number;
  controlAlertDays: number;
  perSeries: { name: string; alerts: string[]; events: string[][]; missed: string[] }[];
}

export function evaluate(series: readonly LabelledSeries[], detector: Detector, minHistory = DEFAULT_DETECTOR_OPTIONS.minHistoryDays): Quality {
  const q: Quality = {
    events: 0,
    found: 0,
    evaluableEvents: 0,
    evaluableFound: 0,
    incidents: 0,
    falseIncidents: 0,
    verdictDays: 0,
    controlAlertDays: 0,
    perSeries: [],
  };
  for (const s of series) {
    const days = [...s.days].sort((a, b) => (a.date < b.date ? -1 : 1));
    const alerts = detector(days);
    const index = new Map(days.map((d, i) => [d.date, i]));
    // Events: runs of consecutive labelled days.
    const events: string[][] = [];
    for (const d of days) {
      if (!d.label) continue;
      const last = events.at(-1);
      if (last && addDays(last.at(-1)!, 1) === d.date) last.push(d.date);
      else events.push([d.date]);
    }
    const hitDays = new Set<string>();
    const missed: string[] = [];
    for (const e of events) {
      const window = [...e, addDays(e.at(-1)!, 1)];
      window.forEach((d) => hitDays.add(d));
      const found = window.some((d) => alerts.has(d));
      const evaluable = (index.get(window.at(-1)!) ?? index.get(e.at(-1)!)! + 1) >= minHistory;
      q.events += 1;
      if (found) q.found += 1;
      else missed.push(e[0]!);
      if (evaluable) {
        q.evaluableEvents += 1;
        if (found) q.evaluableFound += 1;
      }
    }
    // Incidents: runs of consecutive alert days.
    const sortedAlerts = [...alerts].sort();
    const incidents: string[][] = [];
    for (const d of sortedAlerts) {
      const last = incidents.at(-1);
      if (last && addDays(last.at(-1)!, 1) === d) last.push(d);
      else incidents.push([d]);
    }
    q.incidents += incidents.length;
    q.falseIncidents += incidents.filter((inc) => !inc.some((d) => hitDays.has(d))).length;
    q.verdictDays += Math.max(0, fillDailyGaps(days).length - minHistory);
    if (s.name === CONTROL) q.controlAlertDays += alerts.size;
    q.perSeries.push({ name: s.name, alerts: sortedAlerts, events, missed });
  }
  return q;
}

function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function line(obj: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

function main(): void {
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const sharedDir = process.env.AICOST_SHARED_DIR ? path.resolve(process.env.AICOST_SHARED_DIR) : path.resolve(repoRoot, '..', 'shared');
  const dataDir = path.join(sharedDir, 'data', 'anomaly');
  if (!existsSync(dataDir) || readdirSync(dataDir).filter((f) => f.endsWith('_daily.csv')).length === 0) {
    // The labelled series are third-party data: they stay in the shared folder, never in the repository.
    const reason = `no labelled daily series in ${dataDir} (set AICOST_SHARED_DIR to the shared folder, or put it beside the repository as ../shared)`;
    line({ bench: 'anomaly.quality', skipped: true, reason });
    return;
  }
  const series = loadSeries(dataDir);
  const robust = evaluate(series, robustDetector());
  const naive = evaluate(series, naiveDetector());
  const robustNoFloor = evaluate(
    series.filter((s) => s.name === CONTROL),
    robustDetector({ minImpact: 0 }),
  );
  if (process.argv.includes('--verbose')) {
    for (const [label, q] of [
      ['robust', robust],
      ['naive', naive],
    ] as const) {
      for (const s of q.perSeries) process.stderr.write(`${label} ${s.name} alerts=${s.alerts.join(',')} missed=${s.missed.join(',')}\n`);
    }
  }
  const per30 = (q: Quality) => (q.verdictDays > 0 ? (30 * q.falseIncidents) / q.verdictDays : 0);
  const precision = (q: Quality) => (q.incidents > 0 ? (q.incidents - q.falseIncidents) / q.incidents : 0);
  const naiveLabel = 'naive 3-sigma trailing 28d';
  const common = { series: series.length, events: robust.events };
  line({
    bench: 'anomaly.events_found',
    value: round(robust.found / robust.events),
    unit: 'ratio',
    baseline: GOAL_EVENTS_FOUND,
    baselineLabel: 'goal (min)',
    found: robust.found,
    ...common,
  });
  line({
    bench: 'anomaly.false_alerts_per_series_30d',
    value: round(per30(robust)),
    unit: 'incidents/series/30d',
    baseline: GOAL_FALSE_PER_30D,
    baselineLabel: 'goal (max)',
    falseIncidents: robust.falseIncidents,
    verdictDays: robust.verdictDays,
  });
  line({
    bench: 'anomaly.alert_precision',
    value: round(precision(robust)),
    unit: 'ratio',
    baseline: round(precision(naive)),
    baselineLabel: naiveLabel,
    incidents: robust.incidents,
  });
  line({
    bench: 'anomaly.control_alerts',
    value: robust.controlAlertDays,
    unit: 'alert days',
    baseline: GOAL_CONTROL_ALERTS,
    baselineLabel: 'goal (max)',
    series: CONTROL,
  });
  line({
    bench: 'anomaly.control_alerts_no_dollar_floor',
    value: robustNoFloor.controlAlertDays,
    unit: 'alert days',
    baseline: GOAL_CONTROL_ALERTS,
    baselineLabel: 'goal (max)',
    series: CONTROL,
    minImpact: 0,
  });
  line({
    bench: 'anomaly.events_found_after_warmup',
    value: round(robust.evaluableFound / robust.evaluableEvents),
    unit: 'ratio',
    baseline: round(naive.evaluableFound / naive.evaluableEvents),
    baselineLabel: naiveLabel,
    events: robust.evaluableEvents,
    found: robust.evaluableFound,
  });
  line({
    bench: 'anomaly.naive.events_found',
    value: round(naive.found / naive.events),
    unit: 'ratio',
    baseline: GOAL_EVENTS_FOUND,
    baselineLabel: 'goal (min)',
    found: naive.found,
    ...common,
  });
  line({
    bench: 'anomaly.naive.false_alerts_per_series_30d',
    value: round(per30(naive)),
    unit: 'incidents/series/30d',
    baseline: GOAL_FALSE_PER_30D,
    baselineLabel: 'goal (max)',
    falseIncidents: naive.falseIncidents,
    verdictDays: naive.verdictDays,
  });
  line({
    bench: 'anomaly.naive.control_alerts',
    value: naive.controlAlertDays,
    unit: 'alert days',
    baseline: GOAL_CONTROL_ALERTS,
    baselineLabel: 'goal (max)',
    series: CONTROL,
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
