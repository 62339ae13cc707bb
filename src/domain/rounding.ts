import { footCents } from './footing.ts';
import { nanos, NANOS_PER_CENT, roundToCents, sub, sum, ZERO, type Money } from './money.ts';

/**
 * The one rounding rule for every displayed or exported table (Slack, terminal, CSV, GL): exact
 * amounts are rounded to whole cents per table by largest remainder, so that the displayed parts
 * add up exactly to the displayed totals, and the grand total is the exact total rounded half away
 * from zero.
 *
 * - A list (`roundCentsPreservingTotal`): floor every value to the cent, then give one more cent to
 *   the values with the largest dropped remainders (ties: the earlier one) until the target is met.
 * - A grid (`roundTable`: rows × columns, e.g. teams × API/hidden/shared/adjustments): every cell is
 *   its exact value floored or ceiled to the cent, every row total and every column total is its
 *   exact sum floored or ceiled, the grand total is the exact total rounded, and the rounded cells add
 *   up to the rounded row and column totals both ways. Such a rounding always exists (the constraint
 *   matrix of a two-way table is totally unimodular: controlled rounding, Bacharach 1966); it is found
 *   as a feasible flow, trying the largest remainders first. With one column it is exactly the list
 *   rule. A value already in whole cents is never changed.
 */

function floorCents(v: Money): Money {
  const r = ((v % NANOS_PER_CENT) + NANOS_PER_CENT) % NANOS_PER_CENT;
  return nanos(v - r);
}

function ceilCents(v: Money): Money {
  const f = floorCents(v);
  return nanos(f === v ? f : f + NANOS_PER_CENT);
}

/**
 * Rounds each value to whole cents so that the rounded values sum exactly to `target` (default:
 * their exact sum rounded to cents, half away from zero). Largest remainder; ties go to the earlier
 * index. `target` must be within the reach of flooring/ceiling each value (always true for the
 * default, and for a target produced by this module at a higher level).
 */
export function roundCentsPreservingTotal(values: readonly Money[], target?: Money): Money[] {
  const goal = target ?? roundToCents(sum(values));
  if (goal % NANOS_PER_CENT !== 0n) throw new RangeError('the target must be whole cents');
  const floors = values.map((v) => floorCents(v));
  let missing = (goal - sum(floors)) / NANOS_PER_CENT;
  const fractional = values.filter((v, i) => v !== floors[i]).length;
  if (missing < 0n || missing > BigInt(fractional)) throw new RangeError('the target cannot be reached by rounding each value');
  const order = values
    .map((v, i) => ({ i, rem: v - floors[i]! }))
    .filter((o) => o.rem !== 0n)
    .sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
  const out = [...floors];
  for (const { i } of order) {
    if (missing === 0n) break;
    out[i] = nanos(out[i]! + NANOS_PER_CENT);
    missing -= 1n;
  }
  return out;
}

export interface RoundedTable {
  /** Rounded cells, same shape as the input. */
  cells: Money[][];
  /** Sum of each rounded row. */
  rowTotals: Money[];
  /** Sum of each rounded column. */
  columnTotals: Money[];
  /** Sum of every rounded cell = the exact grand total rounded to cents. */
  total: Money;
}

/** Rounds a rows × columns table of exact amounts so that it foots both ways (see the module note). */
export function roundTable(cells: readonly (readonly Money[])[]): RoundedTable {
  const rows = cells.length;
  const cols = rows === 0 ? 0 : Math.max(...cells.map((r) => r.length));
  const at = (i: number, j: number): Money => cells[i]![j] ?? ZERO;
  const cent = (m: Money) => Number(m / NANOS_PER_CENT);
  const floors = cells.map((_, i) => Array.from({ length: cols }, (_, j) => floorCents(at(i, j))));
  const rowExact = cells.map((_, i) => sum(Array.from({ length: cols }, (_, j) => at(i, j))));
  const colExact = Array.from({ length: cols }, (_, j) => sum(cells.map((_, i) => at(i, j))));
  const floorSum = sum(floors.flat());
  const rowFloor = floors.map((r) => sum(r));
  const colFloor = Array.from({ length: cols }, (_, j) => sum(floors.map((r) => r[j]!)));
  const grand = cent(sub(roundToCents(sum(rowExact)), floorSum));

  // Nodes: 0 S, 1 T, rows, columns, then the super source and sink of the lower-bound reduction.
  const S = 0,
    T = 1,
    R = 2,
    C = 2 + rows,
    SS = 2 + rows + cols,
    TT = SS + 1;
  const graph = new FlowGraph(TT + 1);
  const excess = new Array<number>(TT + 1).fill(0);
  const bounded = (u: number, v: number, lo: number, hi: number): number => {
    excess[v]! += lo;
    excess[u]! -= lo;
    return graph.add(u, v, hi - lo);
  };
  const byRemainder = (xs: { k: number; rem: Money }[]) => xs.sort((a, b) => (a.rem === b.rem ? a.k - b.k : a.rem > b.rem ? -1 : 1));
  for (const { k: i } of byRemainder(rowExact.map((v, k) => ({ k, rem: sub(v, floorCents(v)) })))) {
    bounded(S, R + i, cent(nanos(floorCents(rowExact[i]!) - rowFloor[i]!)), cent(nanos(ceilCents(rowExact[i]!) - rowFloor[i]!)));
  }
  const cellEdge = new Map<string, number>();
  for (let i = 0; i < rows; i++) {
    const fractional = byRemainder(Array.from({ length: cols }, (_, k) => ({ k, rem: nanos(at(i, k) - floors[i]![k]!) })).filter((x) => x.rem !== 0n));
    for (const { k: j } of fractional) cellEdge.set(`${i},${j}`, graph.add(R + i, C + j, 1));
  }
  for (let j = 0; j < cols; j++) {
    bounded(C + j, T, cent(nanos(floorCents(colExact[j]!) - colFloor[j]!)), cent(nanos(ceilCents(colExact[j]!) - colFloor[j]!)));
  }
  bounded(T, S, grand, grand);
  let demand = 0;
  excess.forEach((e, v) => {
    if (e > 0) {
      graph.add(SS, v, e);
      demand += e;
    } else if (e < 0) graph.add(v, TT, -e);
  });
  if (graph.maxFlow(SS, TT) !== demand) throw new RangeError('no rounding of this table foots (cannot happen for finite inputs)');

  const out = floors.map((r, i) =>
    r.map((f, j) => {
      const e = cellEdge.get(`${i},${j}`);
      return nanos(e === undefined || graph.flow(e) === 0 ? f : f + NANOS_PER_CENT);
    }),
  );
  const rowTotals = out.map((r) => sum(r));
  const columnTotals = Array.from({ length: cols }, (_, j) => sum(out.map((r) => r[j]!)));
  return { cells: out, rowTotals, columnTotals, total: sum(rowTotals) };
}

/** A small max-flow (depth-first augmenting paths; edges are tried in the order they were added). */
class FlowGraph {
  private readonly adj: number[][];
  private readonly to: number[] = [];
  private readonly cap: number[] = [];
  private readonly initial: number[] = [];
  constructor(n: number) {
    this.adj = Array.from({ length: n }, () => []);
  }
  add(u: number, v: number, capacity: number): number {
    const id = this.to.length;
    this.to.push(v, u);
    this.cap.push(capacity, 0);
    this.initial.push(capacity, 0);
    this.adj[u]!.push(id);
    this.adj[v]!.push(id + 1);
    return id;
  }
  flow(edge: number): number {
    return this.initial[edge]! - this.cap[edge]!;
  }
  maxFlow(s: number, t: number): number {
    let total = 0;
    for (;;) {
      const seen = new Array<boolean>(this.adj.length).fill(false);
      const pushed = this.augment(s, t, Infinity, seen);
      if (pushed === 0) return total;
      total += pushed;
    }
  }
  private augment(u: number, t: number, limit: number, seen: boolean[]): number {
    if (u === t) return limit;
    seen[u] = true;
    for (const e of this.adj[u]!) {
      const v = this.to[e]!;
      if (this.cap[e]! <= 0 || seen[v]) continue;
      const got = this.augment(v, t, Math.min(limit, this.cap[e]!), seen);
      if (got > 0) {
        this.cap[e]! -= got;
        this.cap[e ^ 1]! += got;
        return got;
      }
    }
    return 0;
  }
}

/**
 * One figure per cost (issue 21): a cost shown on several surfaces (a team's true cost, its API spend)
 * must be the same string on all of them, so it is its exact amount rounded once, half away from zero,
 * whatever else is in the table beside it. Largest remainder over a whole table (above) made a team's
 * cents depend on the other rows: the chargeback said $106.32 where the close notice said $106.31.
 *
 * - A cost and its parts (`costFigure`): the total is the exact total rounded; the first part (the API
 *   spend, itself a figure shown elsewhere) is its exact amount rounded; the other parts are split by
 *   largest remainder so that the parts add up to the total as shown.
 * - A table of such rows (`costTable`): each row is a `costFigure`; column totals and the grand total
 *   are the sums of the figures shown above them, so the table foots and a GL built from it balances.
 *   The grand total can then differ from the exact grand total rounded by a few cents (at most half a
 *   cent per row); the exact total stays in the exports (`total_exact`).
 * - Below a figure (features of a team, sources of a team's API spend): parts foot to that figure by
 *   largest remainder (`footCents` with the figure as the total).
 */
export function costFigure(parts: readonly Money[], anchors: { total?: Money; first?: Money } = {}): { total: Money; parts: Money[] } {
  const total = anchors.total ?? roundToCents(sum(parts));
  if (parts.length === 0) return { total, parts: [] };
  const first = anchors.first ?? roundToCents(parts[0]!);
  if (parts.length === 1) return { total: first, parts: [first] };
  const rest = footCents(parts.slice(1), sub(total, first)).parts;
  return { total, parts: [first, ...rest] };
}

/** A rows × columns table of costs as displayed: each row a `costFigure`, totals the sums of what is shown. */
export function costTable(cells: readonly (readonly Money[])[]): RoundedTable {
  const cols = cells.length === 0 ? 0 : Math.max(...cells.map((r) => r.length));
  const out = cells.map((r) => costFigure(Array.from({ length: cols }, (_, j) => r[j] ?? ZERO)).parts);
  const rowTotals = cells.map((r) => roundToCents(sum(r)));
  const columnTotals = Array.from({ length: cols }, (_, j) => sum(out.map((r) => r[j]!)));
  return { cells: out, rowTotals, columnTotals, total: sum(rowTotals) };
}
