import { nanos, roundToCents, toDecimalString, type Money } from '../domain/money.ts';

/**
 * Demo revenue, so `/aicost margin` has something to say after `aicost demo`: each demo customer's
 * revenue is a fixed multiple of its API spend in the month, picked to land in every benchmark tier
 * (and one customer at a loss, one with cost but no revenue, one with revenue but no cost).
 */
const MULTIPLE: Record<string, { times: number; plan: string } | null> = {
  stark: { times: 45, plan: 'enterprise' }, // ~2% lean
  acme: { times: 18, plan: 'enterprise' }, // ~6% disciplined
  globex: { times: 8, plan: 'pro' }, // ~13% typical
  wonka: { times: 6, plan: 'pro' },
  initech: { times: 3.2, plan: 'pro' }, // ~30% attribution gaps
  umbrella: { times: 1.6, plan: 'starter' }, // ~60% out of control
  hooli: { times: 0.7, plan: 'starter' }, // served at a loss
  wayne: null, // cost, no revenue
};

export function demoRevenueCsv(spend: { month: string; customer: string; amount: Money }[]): string {
  const rows = ['customer,month,revenue,plan'];
  const months = [...new Set(spend.map((s) => s.month))].sort();
  for (const s of spend) {
    const m = MULTIPLE[s.customer];
    if (!m) continue;
    const revenue = roundToCents(nanos((s.amount * BigInt(Math.round(m.times * 100))) / 100n));
    rows.push(`${s.customer},${s.month},${toDecimalString(revenue, 2)},${m.plan}`);
  }
  for (const month of months) rows.push(`soylent,${month},2500.00,starter`); // revenue, no AI cost
  return `${rows.join('\n')}\n`;
}
