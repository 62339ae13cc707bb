/**
 * The one money type. Amounts are integers of nanodollars (1e-9 USD): exact, summable with no
 * rounding, and fine enough that a single cheap LLM call reconciles with its source.
 * No `number` arithmetic on money anywhere: convert at the edges with the functions below.
 */
declare const unit: unique symbol;
export type Money = bigint & { readonly [unit]: 'nanoUSD' };

/**
 * Makes Money of an amount that is nanodollars already: a database column, a SUM read back as text, an
 * integer computed from other Money (`nanos(m / 10n)`). This is the one place the brand is applied;
 * everything else builds Money through it or the functions below.
 *
 * Text must be a plain integer: "" (which `BigInt` would read as 0) and "1.5e+20" (what a float sum
 * would give) throw instead of becoming a wrong amount. There is deliberately no range check: BigInt is
 * exact at any size, a SUM may exceed one 64-bit column on PostgreSQL, and the database columns bound
 * what is stored; amounts people type have their own limit, {@link MAX_TYPED_AMOUNT}.
 */
export function nanos(value: bigint | string): Money {
  if (typeof value === 'string' && !/^-?\d+$/.test(value)) throw new RangeError(`not a whole number of nanodollars: ${JSON.stringify(value)}`);
  return BigInt(value) as Money;
}

export const ZERO: Money = nanos(0n);

/** a + b + …: BigInt arithmetic on Money yields a plain bigint, so money arithmetic goes through these. */
export function add(...values: Money[]): Money {
  let total = 0n;
  for (const v of values) total += v;
  return nanos(total);
}

export function sub(a: Money, b: Money): Money {
  return nanos(a - b);
}

export function neg(a: Money): Money {
  return nanos(-a);
}

/** An amount times a whole count (units, requests, work items). */
export function mulInt(m: Money, k: bigint): Money {
  return nanos(m * k);
}

export const NANOS_PER_DOLLAR = 1_000_000_000n;
export const NANOS_PER_CENT = 10_000_000n;

/**
 * Converts a decimal USD amount as the sources report it (a JSON number or decimal string) to Money,
 * rounding half away from zero at the nanodollar. Parses the decimal text, never multiplies floats,
 * so 0.1 + 0.2 style errors cannot creep in.
 */
export function fromUsd(value: number | string): Money {
  const text = typeof value === 'number' ? numberToPlainString(value) : value.trim();
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new RangeError(`not a decimal amount: ${String(value)}`);
  const negative = m[1] === '-';
  const whole = BigInt(m[2] || '0');
  const frac = m[3] ?? '';
  const kept = `${frac}000000000`.slice(0, 9);
  const rest = frac.slice(9);
  let n = whole * NANOS_PER_DOLLAR + BigInt(kept);
  if (rest.length > 0 && rest.charCodeAt(0) >= 53 /* '5' */) n += 1n;
  return nanos(negative ? -n : n);
}

/** Shortest round-trip decimal text of a finite number, without exponent notation. */
function numberToPlainString(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`not a finite amount: ${n}`);
  const s = String(n);
  if (!/e/i.test(s)) return s;
  const [mant, expText] = s.toLowerCase().split('e') as [string, string];
  const exp = Number(expText);
  const negative = mant.startsWith('-');
  const digits = mant.replace(/^[-+]/, '');
  const [intPart, fracPart = ''] = digits.split('.') as [string, string?];
  const all = intPart + fracPart;
  const point = intPart.length + exp;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${all}`;
  else if (point >= all.length) out = all + '0'.repeat(point - all.length);
  else out = `${all.slice(0, point)}.${all.slice(point)}`;
  return (negative ? '-' : '') + out;
}

/** The largest amount a person may type anywhere: $1,000,000,000. */
export const MAX_TYPED_AMOUNT: Money = nanos(1_000_000_000n * NANOS_PER_DOLLAR);

/** Why a typed amount was refused (`text` is the amount as typed, trimmed); the words are in `src/format/failure-text.ts`. */
export type AmountFailure =
  | { code: 'amount.empty' }
  | { code: 'amount.not-a-number'; text: string }
  | { code: 'amount.bad-commas'; text: string }
  | { code: 'amount.no-decimals'; text: string }
  | { code: 'amount.too-many-decimals'; text: string; decimals: number }
  | { code: 'amount.negative'; text: string }
  | { code: 'amount.too-large'; text: string; max: Money }
  | { code: 'amount.zero' };

/** A `Result<Money>` (src/domain/result.ts) whose failure is an amount's. */
export type AmountResult = { ok: true; value: Money } | { ok: false; failure: AmountFailure };

/**
 * The one parser for amounts typed by people (slash commands, the quick form, modals, admin,
 * approvals): "2800", "54.50", "$1,234.5". Commas are thousands separators only, in groups of three
 * ("1,50" and "2,000,00" are refused, never reinterpreted); at most `decimals` decimals (2: cents; 4
 * for per-unit costs); at most $1,000,000,000; negative only when `allowNegative` (credits). Zero is
 * refused unless `allowZero`.
 */
export function parseAmountInput(text: string, opts: { decimals?: number; allowNegative?: boolean; allowZero?: boolean; max?: Money } = {}): AmountResult {
  const decimals = opts.decimals ?? 2;
  const max = opts.max ?? MAX_TYPED_AMOUNT;
  const t = text.trim();
  const fail = (failure: AmountFailure): AmountResult => ({ ok: false, failure });
  if (t === '') return fail({ code: 'amount.empty' });
  const m = /^([-−]?)\$?([0-9][0-9,]*)(?:\.([0-9]*))?$/.exec(t);
  if (!m) return fail({ code: 'amount.not-a-number', text: t });
  const [, sign, whole, frac = ''] = m as unknown as [string, string, string, string | undefined];
  if (whole.includes(',') && !/^\d{1,3}(,\d{3})+$/.test(whole)) return fail({ code: 'amount.bad-commas', text: t });
  if (m[3] !== undefined && frac === '') return fail({ code: 'amount.no-decimals', text: t });
  if (frac.length > decimals) return fail({ code: 'amount.too-many-decimals', text: t, decimals });
  if (sign && !opts.allowNegative) return fail({ code: 'amount.negative', text: t });
  const abs = fromUsd(`${whole.replace(/,/g, '')}${frac ? `.${frac}` : ''}`);
  if (abs > max) return fail({ code: 'amount.too-large', text: t, max });
  if (abs === 0n && !opts.allowZero) return fail({ code: 'amount.zero' });
  return { ok: true, value: sign ? neg(abs) : abs };
}

/** {@link parseAmountInput} with cents, positive: the amount, or null when it is not one. */
export function parseAmount(text: string): Money | null {
  const r = parseAmountInput(text, { allowZero: true });
  return r.ok ? r.value : null;
}

export function dollars(n: number): Money {
  return fromUsd(n);
}

export function sum(values: Iterable<Money>): Money {
  let total = 0n;
  for (const v of values) total += v;
  return nanos(total);
}

/** n / d rounded half away from zero (d > 0): the one rounding rule for dividing money. */
export function divRound(n: bigint, d: bigint): Money {
  if (d <= 0n) throw new RangeError('divisor must be positive');
  const abs = n < 0n ? -n : n;
  const q = (abs * 2n + d) / (2n * d);
  return nanos(n < 0n ? -q : q);
}

const HALF_CENT = NANOS_PER_CENT / 2n;

/** Rounds to whole cents, half away from zero. */
export function roundToCents(m: Money): Money {
  // Four BigInt operations, not seven: a margin rounds 30,000 amounts (issue 25).
  if (m >= 0n) return (((m + HALF_CENT) / NANOS_PER_CENT) * NANOS_PER_CENT) as Money;
  return (-((HALF_CENT - m) / NANOS_PER_CENT) * NANOS_PER_CENT) as Money;
}

/**
 * The one formatter. `$1,234.56`; amounts under a cent keep two significant digits (`$0.0042`);
 * zero is `$0.00`; negatives are `-$12.00`.
 */
export function formatMoney(m: Money): string {
  const negative = m < 0n;
  const abs = negative ? -m : m;
  let body: string;
  if (abs !== 0n && abs < NANOS_PER_CENT) {
    // Two significant digits, at most nine decimals.
    const digits = abs.toString().padStart(9, '0'); // fraction digits of a dollar
    const firstNonZero = digits.search(/[1-9]/);
    const keep = Math.min(9, firstNonZero + 2);
    const scale = 10n ** BigInt(9 - keep);
    const rounded = (abs + scale / 2n) / scale;
    const frac = rounded.toString().padStart(keep, '0').replace(/0+$/, '');
    body = `0.${frac.length >= 2 ? frac : frac.padEnd(2, '0')}`;
    if (rounded.toString().length > keep) body = '0.01';
  } else {
    const cents = (abs + NANOS_PER_CENT / 2n) / NANOS_PER_CENT;
    const whole = cents / 100n;
    const frac = (cents % 100n).toString().padStart(2, '0');
    body = `${whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac}`;
  }
  return `${negative ? '-' : ''}$${body}`;
}

/** Money as a plain decimal string of dollars with all nine decimals trimmed of trailing zeros (for CSV/JSON). */
export function toDecimalString(m: Money, decimals = 9): string {
  const negative = m < 0n;
  const abs = negative ? -m : m;
  const scale = 10n ** BigInt(9 - decimals);
  const v = decimals === 9 ? abs : (abs + scale / 2n) / scale;
  const s = v.toString().padStart(decimals + 1, '0');
  const out = decimals === 0 ? s : `${s.slice(0, -decimals)}.${s.slice(-decimals)}`;
  return (negative ? '-' : '') + out;
}

/** Ratio of two Money values as a number (for percentages and charts only, never for more money). */
export function ratio(part: Money, whole: Money): number {
  if (whole === 0n) return 0;
  return Number((part * 1_000_000n) / whole) / 1_000_000;
}

/** Dollars as a float, for chart axes only. */
export function toChartNumber(m: Money): number {
  return Number(m) / 1e9;
}

/**
 * Splits `total` into parts proportional to `weights`, deterministically, so the parts always sum
 * exactly to the total (largest remainder; ties go to the earlier index, or to the part `first` puts
 * first: the same split as of the parts sorted by `first`, without sorting them).
 */
export function allocate(total: Money, weights: readonly bigint[], first: (i: number, j: number) => number = (i, j) => i - j): Money[] {
  const n = weights.length;
  let weightSum = 0n;
  let negative = false;
  for (const w of weights) {
    weightSum += w;
    if (w < 0n) negative = true;
  }
  if (n === 0 || weightSum <= 0n) throw new RangeError('allocate needs positive weights');
  // A credit is split as the mirror of the same charge (the magnitude split, then negated), so a refund
  // takes back from each part exactly what the charge gave it, odd nanodollars included.
  if (total < 0n) return allocate(nanos(-total), weights, first).map((p) => nanos(-p));
  const base: bigint[] = new Array(n);
  const rem: bigint[] = new Array(n);
  let left: bigint = total;
  for (let i = 0; i < n; i++) {
    const p = total * weights[i]!;
    const q = p / weightSum;
    base[i] = q;
    rem[i] = p - q * weightSum;
    left -= q;
  }
  const byRemainder = (a: number, b: number) => (rem[a] === rem[b] ? first(a, b) : rem[a]! > rem[b]! ? -1 : 1);
  if (negative || left >= BigInt(n)) {
    // Weights of both signs: the nanodollars left go round the parts in order of remainder, as often as needed.
    const order = Array.from({ length: n }, (_, i) => i).sort(byRemainder);
    for (let k = 0; left > 0n; k = (k + 1) % n, left -= 1n) base[order[k]!]! += 1n;
    return base as Money[];
  }
  // Weights of one sign leave fewer nanodollars than parts: one each to the `left` largest remainders.
  // Those are found without sorting every part (10,000 customers of a team, issue 25): the k-th largest
  // remainder's value as a float (a conversion that never reverses an order) splits the parts into surely
  // in, surely out and the few whose float equals it, and only those are ordered exactly.
  const k = Number(left);
  if (k === 0) return base as Money[];
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = Number(rem[i]!);
  const threshold = keys.slice().sort()[n - k]!;
  const tied: number[] = [];
  let given = 0;
  for (let i = 0; i < n; i++) {
    if (keys[i]! > threshold) {
      base[i]! += 1n;
      given++;
    } else if (keys[i] === threshold) tied.push(i);
  }
  tied.sort(byRemainder);
  for (let j = 0; given < k; j++, given++) base[tied[j]!]! += 1n;
  return base as Money[];
}
