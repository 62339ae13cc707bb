/**
 * Labelled daily series for the anomaly-quality bench and the detector tests: generated spend-like
 * series with known anomalies, loaders for labelled CSV files, and the scoring of a detector on them.
 *
 * Definitions (also in ARCHITECTURE.md, "Anomaly quality"):
 * - labelled window: a maximal run of consecutive labelled days, plus one grace day after it (a label
 *   that comes from an hour late in the day shows in the next day's total). A window counts only when
 *   the detector could have a verdict on one of its days: at least `minHistory` days of data before
 *   its last (grace) day. Windows in the warm-up are reported, not scored.
 * - found: at least one alert day falls in the window; delay = first such alert day − the window's
 *   first day, in days.
 * - alert group: a maximal run of consecutive alert days (what the job posts once and threads).
 *   False when none of its days lies in a labelled window (warm-up windows included).
 * - false alert groups per series-month: false groups ÷ (days that could get a verdict ÷ 30), pooled
 *   over the set's series.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { seededRandom } from '../src/demo/prng.ts';
import { addDays, dayNumber, weekdayOf } from '../src/domain/calendar.ts';

export interface LabelledDay {
  date: string;
  value: number;
  label: boolean;
}

export interface LabelledSeries {
  name: string;
  days: LabelledDay[];
  /** The same series by hour (naive wall-clock timestamps), when a *_hourly.csv beside the daily file has it. */
  hourly?: { at: string; value: number }[];
}

/** Alert days of one series (the detector under test, run on the whole series). */
export type Detector = (days: readonly LabelledDay[], series: LabelledSeries) => Set<string>;

// ---------------------------------------------------------------------------------------------
// Loading labelled CSV files (date or timestamp, value, label)

/**
 * Every CSV in `dir` whose header has value and label and either date or timestamp. Timestamped rows
 * are summed per calendar day of the timestamp's date part; a day is labelled when any of its rows is.
 * Files named *_hourly.csv are not series of their own when the same series exists as *_daily.csv:
 * they are its `hourly` values.
 */
export function loadLabelledDir(dir: string): LabelledSeries[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.csv'))
    .sort();
  const daily = new Set(files.filter((f) => f.endsWith('_daily.csv')).map((f) => f.replace(/_daily\.csv$/, '')));
  const out: LabelledSeries[] = [];
  for (const file of files) {
    if (file.endsWith('_hourly.csv') && daily.has(file.replace(/_hourly\.csv$/, ''))) continue;
    const rows = parse(readFileSync(path.join(dir, file), 'utf8'), { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
    const first = rows[0];
    if (!first || !('value' in first) || !('label' in first) || !('date' in first || 'timestamp' in first)) continue;
    const byDay = new Map<string, LabelledDay>();
    for (const r of rows) {
      const date = String(r.date ?? r.timestamp).slice(0, 10);
      const value = Number(r.value);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !Number.isFinite(value)) continue;
      const d = byDay.get(date) ?? { date, value: 0, label: false };
      d.value += value;
      d.label ||= r.label === '1' || r.label === 'true';
      byDay.set(date, d);
    }
    const days = [...byDay.values()].sort((a, b) => (a.date < b.date ? -1 : 1));
    const name = file.replace(/(_daily)?\.csv$/, '');
    const hourlyFile = `${name}_hourly.csv`;
    const hourly = file.endsWith('_daily.csv') && files.includes(hourlyFile) ? loadHourly(path.join(dir, hourlyFile)) : undefined;
    if (days.length > 0) out.push({ name, days, ...(hourly ? { hourly } : {}) });
  }
  return out;
}

/** An hourly CSV (timestamp, value): rows without a number (a gap in the source) are left out. */
function loadHourly(file: string): { at: string; value: number }[] {
  const rows = parse(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  return rows.filter((r) => r.timestamp && r.value !== '' && Number.isFinite(Number(r.value))).map((r) => ({ at: r.timestamp!, value: Number(r.value) }));
}

// ---------------------------------------------------------------------------------------------
// Generated spend-like series

export type GeneratedKind = 'spike' | 'level-shift' | 'drift' | 'seasonal-break' | 'sparse' | 'quiet';
export const GENERATED_KINDS: readonly GeneratedKind[] = ['spike', 'level-shift', 'drift', 'seasonal-break', 'sparse', 'quiet'];

const START = '2026-01-05';

/** Normal deviate (Box–Muller) from a uniform PRNG. */
function normal(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

interface Shape {
  base: number;
  weekly: number[];
  growth: number;
  noise: number;
}

/** A dense daily spend series' shape: level $40–$3000/day, weekday pattern, trend, 4–12% noise. */
function shape(r: () => number, strongWeekends = false): Shape {
  const base = Math.exp(Math.log(40) + r() * (Math.log(3000) - Math.log(40)));
  const weekend = strongWeekends || r() < 0.7 ? 0.3 + r() * 0.4 : 0.9 + r() * 0.2;
  const weekly = [0, 1, 2, 3, 4, 5, 6].map((d) => (d === 0 || d === 6 ? weekend : 1) * (0.9 + r() * 0.2));
  return { base, weekly, growth: -0.2 + r() * 0.8, noise: 0.04 + r() * 0.08 };
}

function dense(r: () => number, s: Shape, days: number, multiplier: (i: number, weekday: number) => number): LabelledDay[] {
  return Array.from({ length: days }, (_, i) => {
    const date = addDays(START, i);
    const wd = weekdayOf(date);
    const trend = 1 + (s.growth * i) / days;
    const value = s.base * s.weekly[wd]! * trend * multiplier(i, wd) * Math.exp(s.noise * normal(r));
    return { date, value: Math.round(value * 100) / 100, label: false };
  });
}

/**
 * One generated series of `kind` (deterministic in `seed`). Planted anomalies and their labels:
 * - spike: one or two 1–2-day spikes (×1.8–3.5) or dips (×0.05–0.4) after day 30, labelled days;
 * - level-shift: from a day in 40–90 the level moves ×1.6–2.5 or ×0.35–0.6 for good; the first two
 *   days of the new level are labelled (alerting on them once is what is wanted);
 * - drift: over 10–14 days the level ramps ×1.8–2.5 and stays; the ramp days are labelled;
 * - seasonal-break: from a Monday in 50–90 the weekends (0.3–0.7 of weekdays) run at weekday level;
 *   the first weekend is labelled;
 * - sparse: spend on 25–60% of days ($5–$60 each); one day of 8–20 × the typical paying day, labelled;
 * - quiet: a dense series with nothing planted.
 */
export function generateSeries(kind: GeneratedKind, seed: number, days = 120): LabelledSeries {
  const r = seededRandom(seed);
  const name = `${kind}-${seed}`;
  if (kind === 'sparse') {
    const p = 0.25 + r() * 0.35;
    const typical = 5 + r() * 55;
    const at = 40 + Math.floor(r() * 70);
    const out = Array.from({ length: days }, (_, i) => {
      const date = addDays(START, i);
      const planted = i === at;
      const value = planted ? typical * (8 + r() * 12) : r() < p ? typical * Math.exp(0.5 * normal(r)) : 0;
      return { date, value: Math.round(value * 100) / 100, label: planted };
    });
    return { name, days: out };
  }
  const s = shape(r, kind === 'seasonal-break');
  const labelled = new Set<number>();
  let multiplier: (i: number, weekday: number) => number = () => 1;
  if (kind === 'spike') {
    const events = 1 + Math.floor(r() * 2);
    const m = new Map<number, number>();
    for (let e = 0; e < events; e++) {
      const at = 30 + Math.floor(r() * 85);
      const len = r() < 0.7 ? 1 : 2;
      const factor = r() < 0.75 ? 1.8 + r() * 1.7 : 0.05 + r() * 0.35;
      for (let k = 0; k < len && at + k < days; k++) {
        m.set(at + k, factor);
        labelled.add(at + k);
      }
    }
    multiplier = (i) => m.get(i) ?? 1;
  } else if (kind === 'level-shift') {
    const at = 40 + Math.floor(r() * 50);
    const factor = r() < 0.7 ? 1.6 + r() * 0.9 : 0.35 + r() * 0.25;
    labelled.add(at).add(at + 1);
    multiplier = (i) => (i >= at ? factor : 1);
  } else if (kind === 'drift') {
    const at = 40 + Math.floor(r() * 45);
    const len = 10 + Math.floor(r() * 5);
    const factor = 1.8 + r() * 0.7;
    for (let k = 0; k < len; k++) labelled.add(at + k);
    multiplier = (i) => (i < at ? 1 : i >= at + len ? factor : 1 + ((factor - 1) * (i - at + 1)) / len);
  } else if (kind === 'seasonal-break') {
    let at = 50 + Math.floor(r() * 40);
    while (weekdayOf(addDays(START, at)) !== 1) at++;
    const weekdayMean = (s.weekly[1]! + s.weekly[2]! + s.weekly[3]! + s.weekly[4]! + s.weekly[5]!) / 5;
    labelled.add(at + 5).add(at + 6);
    multiplier = (i, wd) => (i >= at && (wd === 0 || wd === 6) ? weekdayMean / s.weekly[wd]! : 1);
  }
  const out = dense(r, s, days, multiplier);
  for (const i of labelled) if (out[i]) out[i]!.label = true;
  return { name, days: out };
}

/** `count` series of each kind; seeds are fixed so every run scores the same series. */
export function generatedSets(count = 25, days = 120): { name: string; series: LabelledSeries[] }[] {
  return GENERATED_KINDS.map((kind, k) => ({
    name: `generated.${kind}`,
    series: Array.from({ length: count }, (_, i) => generateSeries(kind, 1000 * (k + 1) + i, days)),
  }));
}

// ---------------------------------------------------------------------------------------------
// Scoring

export interface Quality {
  series: number;
  windows: number;
  /** Windows with enough history before them to be scored. */
  scoredWindows: number;
  found: number;
  delays: number[];
  groups: number;
  falseGroups: number;
  verdictDays: number;
  missed: string[];
  falseAt: string[];
}

function runs(dates: readonly string[]): string[][] {
  const out: string[][] = [];
  for (const d of [...dates].sort()) {
    const last = out.at(-1);
    if (last && addDays(last.at(-1)!, 1) === d) last.push(d);
    else out.push([d]);
  }
  return out;
}

export function evaluate(series: readonly LabelledSeries[], detector: Detector, minHistory: number): Quality {
  const q: Quality = {
    series: series.length,
    windows: 0,
    scoredWindows: 0,
    found: 0,
    delays: [],
    groups: 0,
    falseGroups: 0,
    verdictDays: 0,
    missed: [],
    falseAt: [],
  };
  for (const s of series) {
    const days = [...s.days].sort((a, b) => (a.date < b.date ? -1 : 1));
    if (days.length === 0) continue;
    const first = dayNumber(days[0]!.date);
    const span = dayNumber(days.at(-1)!.date) - first + 1;
    const alerts = detector(days, s);
    const inWindow = new Set<string>();
    for (const w of runs(days.filter((d) => d.label).map((d) => d.date))) {
      const window = [...w, addDays(w.at(-1)!, 1)];
      for (const d of window) inWindow.add(d);
      q.windows += 1;
      if (dayNumber(window.at(-1)!) - first < minHistory) continue;
      q.scoredWindows += 1;
      const hit = window.find((d) => alerts.has(d));
      if (hit) {
        q.found += 1;
        q.delays.push(dayNumber(hit) - dayNumber(w[0]!));
      } else q.missed.push(`${s.name}@${w[0]}`);
    }
    for (const g of runs([...alerts])) {
      q.groups += 1;
      if (!g.some((d) => inWindow.has(d))) {
        q.falseGroups += 1;
        q.falseAt.push(`${s.name}@${g[0]}`);
      }
    }
    q.verdictDays += Math.max(0, span - minHistory);
  }
  return q;
}

export const recall = (q: Quality): number | null => (q.scoredWindows > 0 ? q.found / q.scoredWindows : null);
export const falsePerSeriesMonth = (q: Quality): number => (q.verdictDays > 0 ? (30 * q.falseGroups) / q.verdictDays : 0);
export const meanDelay = (q: Quality): number | null => (q.delays.length > 0 ? q.delays.reduce((a, b) => a + b, 0) / q.delays.length : null);
