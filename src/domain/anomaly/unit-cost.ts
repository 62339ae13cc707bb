/**
 * Unit-cost anomalies: the cost per unit (request, ticket, work item) jumps while the volume stays
 * about where it usually is — "cost doubled without more usage" (a prompt grew, a model changed,
 * retries exploded). A total-spend alert would also fire when usage simply grew; this one does not.
 *
 * The unit cost and the volume each run through the daily detector (same method and options);
 * a day alerts when the unit cost is an outlier, the volume is within `volumeTolerancePct` of its
 * own expected value, and the excess cost (unit cost − expected unit cost) × volume passes `minImpact`.
 */
import { fillDailyGaps, resolveOptions, scoreDailyValues, type DetectorOptions, type VerdictStatus } from './detector.ts';

export interface UnitCostPoint {
  date: string;
  cost: number;
  volume: number;
}

export interface UnitCostOptions extends DetectorOptions {
  /** Volume counts as flat when |volume − expected volume| ≤ this % of expected. Default 20. */
  volumeTolerancePct: number;
}

export const DEFAULT_UNIT_COST_OPTIONS: Readonly<Pick<UnitCostOptions, 'volumeTolerancePct' | 'direction'>> = Object.freeze({
  volumeTolerancePct: 20,
  /** Cheaper units are good news: only rises alert unless asked otherwise. */
  direction: 'up',
});

export interface UnitCostVerdict {
  date: string;
  status: VerdictStatus;
  cost: number;
  volume: number;
  /** cost ÷ volume; null on a day without volume. */
  unitCost: number | null;
  expectedUnitCost: number | null;
  /** unitCost ÷ expectedUnitCost (2 = "doubled"). */
  unitCostRatio: number | null;
  unitCostChangePct: number | null;
  expectedVolume: number | null;
  volumeChangePct: number | null;
  volumeFlat: boolean;
  /** (unitCost − expectedUnitCost) × volume: what the unit-cost change cost today. */
  excessCost: number | null;
  score: number | null;
  alert: boolean;
  /** Human summary when alerting, e.g. "cost per unit 2.0× usual (0.05 → 0.10) while volume changed +3%". */
  reason: string | null;
}

function fmt(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(2);
}

export function detectUnitCostAnomalies(series: readonly UnitCostPoint[], options: Partial<UnitCostOptions> = {}): UnitCostVerdict[] {
  const { volumeTolerancePct = DEFAULT_UNIT_COST_OPTIONS.volumeTolerancePct, ...rest } = options;
  if (!Number.isFinite(volumeTolerancePct) || volumeTolerancePct < 0) throw new RangeError('volumeTolerancePct must be ≥ 0');
  const o = resolveOptions({ direction: DEFAULT_UNIT_COST_OPTIONS.direction, ...rest });

  const costs = fillDailyGaps(series.map((p) => ({ date: p.date, value: p.cost })));
  const volumes = fillDailyGaps(series.map((p) => ({ date: p.date, value: p.volume })));
  const dates = costs.map((p) => p.date);
  const unit = costs.map((c, i) => {
    const v = volumes[i]!.value;
    return v > 0 ? c.value / v : null;
  });
  const unitVerdicts = scoreDailyValues(dates, unit, o);
  // Volume: both directions matter for "flat"; no $ floor on a count.
  const volumeVerdicts = scoreDailyValues(
    dates,
    volumes.map((p) => p.value),
    { ...o, direction: 'both', minImpact: 0 },
  );

  return dates.map((date, i) => {
    const u = unitVerdicts[i]!;
    const vol = volumeVerdicts[i]!;
    const volume = volumes[i]!.value;
    const unitCost = unit[i] ?? null;
    const expectedVolume = vol.expected;
    const volumeChangePct = expectedVolume !== null && expectedVolume > 0 ? (100 * (volume - expectedVolume)) / expectedVolume : null;
    const volumeFlat = volumeChangePct !== null && Math.abs(volumeChangePct) <= volumeTolerancePct;
    const expectedUnitCost = u.expected;
    const excessCost = unitCost !== null && expectedUnitCost !== null ? (unitCost - expectedUnitCost) * volume : null;
    const unitCostRatio = unitCost !== null && expectedUnitCost !== null && expectedUnitCost > 0 ? unitCost / expectedUnitCost : null;
    const alert = u.status === 'scored' && u.outlier && volumeFlat && excessCost !== null && Math.abs(excessCost) >= o.minImpact;
    const reason =
      alert && unitCost !== null && expectedUnitCost !== null
        ? `cost per unit ${unitCostRatio !== null ? `${unitCostRatio.toFixed(1)}× usual` : 'up from zero'} (${fmt(expectedUnitCost)} → ${fmt(unitCost)}) while volume changed ${volumeChangePct! >= 0 ? '+' : ''}${volumeChangePct!.toFixed(0)}%`
        : null;
    return {
      date,
      status: u.status,
      cost: costs[i]!.value,
      volume,
      unitCost,
      expectedUnitCost,
      unitCostRatio,
      unitCostChangePct: u.impactPct,
      expectedVolume,
      volumeChangePct,
      volumeFlat,
      excessCost,
      score: u.score,
      alert,
      reason,
    };
  });
}
