import { parseStoredRule } from '../../domain/allocation.ts';
import { assertEntry, type HiddenCost, type HiddenCostTarget, type NewHiddenCost } from '../../domain/hidden-costs.ts';
import { nanos } from '../../domain/money.ts';

/** The stored row (Prisma `HiddenCost` without timestamps), structurally, so this stays free of Prisma. */
export interface HiddenCostRecord {
  id: number;
  category: string;
  amount: bigint;
  kind: string;
  date: string | null;
  fromMonth: string | null;
  untilMonth: string | null;
  unit: string | null;
  targetType: string;
  teamId: number | null;
  featureId: number | null;
  rule: string | null;
  note: string | null;
  author: string;
}

/** A stored row as a HiddenCost; throws a RangeError naming the row when it is inconsistent. */
export function hiddenCostFromRecord(r: HiddenCostRecord): HiddenCost {
  const fail = (why: string): never => {
    throw new RangeError(`hidden cost #${r.id}: ${why}`);
  };
  let target: HiddenCostTarget;
  if (r.targetType === 'team') target = { type: 'team', teamId: r.teamId ?? fail('team target without teamId') };
  else if (r.targetType === 'feature') target = { type: 'feature', featureId: r.featureId ?? fail('feature target without featureId') };
  else if (r.targetType === 'shared') {
    const check = parseStoredRule(r.rule ?? fail('shared target without a rule'));
    target = { type: 'shared', rule: check.ok ? check.rule : fail(check.error) };
  } else return fail(`unknown target type ${r.targetType}`);
  if (r.kind !== 'one_off' && r.kind !== 'monthly' && r.kind !== 'per_unit') return fail(`unknown kind ${r.kind}`);
  if (r.unit !== null && r.unit !== 'work_item' && r.unit !== 'request') return fail(`unknown unit ${r.unit}`);
  const cost: HiddenCost = {
    id: r.id,
    category: r.category,
    amount: nanos(r.amount),
    kind: r.kind,
    ...(r.date !== null ? { date: r.date } : {}),
    ...(r.fromMonth !== null ? { fromMonth: r.fromMonth } : {}),
    untilMonth: r.untilMonth,
    ...(r.unit !== null ? { unit: r.unit } : {}),
    target,
    note: r.note,
    author: r.author,
  };
  assertEntry(cost);
  return cost;
}

/** The columns to store for a new hidden cost (the rule as JSON). */
export function hiddenCostToRecord(c: NewHiddenCost & { author: string }): Omit<HiddenCostRecord, 'id'> {
  return {
    category: c.category,
    amount: c.amount,
    kind: c.kind,
    date: c.date ?? null,
    fromMonth: c.fromMonth ?? null,
    untilMonth: c.untilMonth ?? null,
    unit: c.unit ?? null,
    targetType: c.target.type,
    teamId: c.target.type === 'team' ? c.target.teamId : null,
    featureId: c.target.type === 'feature' ? c.target.featureId : null,
    rule: c.target.type === 'shared' ? JSON.stringify(c.target.rule) : null,
    note: c.note ?? null,
    author: c.author,
  };
}
