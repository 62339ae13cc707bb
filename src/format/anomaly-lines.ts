import { formatMoney } from '../domain/money.ts';
import type { AnomalyList } from '../services/anomaly-service.ts';
import type { ReplyParts } from './reply.ts';
import { alignTable } from './table.ts';

/** `/aicost anomalies [team]`: each incident once, with its current status. */
export function anomalyListParts(l: AnomalyList): ReplyParts {
  if (l.unknownTeam) return { title: 'Anomalies', summary: [`There is no team "${l.unknownTeam}".`], tables: [], notes: [] };
  const table = alignTable(
    ['#', 'what', 'days', 'direction', 'impact', 'status'],
    l.rows.map((r) => [
      String(r.id),
      r.what,
      r.startDay === r.lastDay ? r.startDay : `${r.startDay}..${r.lastDay}`,
      r.direction,
      formatMoney(r.impact),
      r.status,
    ]),
    [false, false, false, false, true, false],
  );
  return {
    title: `Anomalies${l.team ? ` · ${l.team}` : ''} · last 30 days`,
    summary: [l.rows.length ? `${l.rows.length} incident${l.rows.length === 1 ? '' : 's'}.` : 'No anomalies in the last 30 days.'],
    tables: l.rows.length ? [{ caption: 'Incidents', table }] : [],
    notes: [
      `A day alerts when it is far outside its usual range (${l.thresholds.z} robust deviations), at least ${l.thresholds.minImpactPct}% and ${formatMoney(l.thresholds.minImpact)} away from the expected amount, after 14 days of history.`,
    ],
  };
}
