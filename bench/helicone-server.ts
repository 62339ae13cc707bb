import type { IncomingHttpHeaders } from 'node:http';
import {
  HELICONE_MAX_LIMIT,
  HELICONE_PATH,
  startHeliconeStandIn,
  startJsonServer,
  syntheticHeliconeRows,
  type HeliconeRow,
  type InjectedFailure,
  type JsonReply,
} from '../test/support/helicone-stand-in.ts';

/**
 * The Helicone stand-in for bench/sync.bench.ts, run in its own process so its in-memory rows do not
 * count in the syncing process's memory. argv[2] is a JSON object:
 *   { n, start (ISO), spanMs, seed, teams, teamlessEvery, apiKey, mode: 'indexed' | 'stand-in' }
 * Rows are `syntheticHeliconeRows(n, …)`, so the bench can rebuild exactly the same rows itself.
 * Prints ONE JSON line on stdout once listening: { url, apiKey, rows, total (nanodollars, text), generateMs }.
 *
 * mode 'stand-in' serves them with test/support's `startHeliconeStandIn` unchanged. It scans and sorts
 * every row on every request (fine for tests, ~1 s a page at 1,000,000 rows, which would measure the
 * stand-in rather than the sync), so the default mode 'indexed' answers the same requests with the same
 * plumbing (`startJsonServer`) and the same answers — envelope, auth, excess-key and limit checks, the
 * request_created_at filter tree, created_at sort (default desc) with request_id tie-break, offset/limit,
 * per-page de-duplication — from rows sorted once, by binary search on the time range.
 */
interface ServerConfig {
  n: number;
  start: string;
  spanMs: number;
  seed: number;
  teams: string[];
  teamlessEvery: number;
  workItems?: number;
  apiKey: string;
  mode?: 'indexed' | 'stand-in';
}

const config = JSON.parse(process.argv[2] ?? '{}') as ServerConfig;
const t0 = performance.now();
const { rows, total } = syntheticHeliconeRows(config.n, {
  start: new Date(config.start),
  spanMs: config.spanMs,
  seed: config.seed,
  teams: config.teams,
  teamlessEvery: config.teamlessEvery,
  workItems: config.workItems,
});
const generateMs = performance.now() - t0;

const QUERY_KEYS = new Set(['filter', 'offset', 'limit', 'sort', 'isCached', 'includeInputs', 'isPartOfExperiment', 'isScored']);

async function startIndexed(apiKey: string, data: HeliconeRow[]) {
  // Ascending by (request_created_at, request_id), as the stand-in sorts; usually already in order.
  const byTime = (a: HeliconeRow, b: HeliconeRow) =>
    Date.parse(a.request_created_at) - Date.parse(b.request_created_at) || a.request_id.localeCompare(b.request_id);
  let sorted = true;
  for (let i = 1; i < data.length && sorted; i++) if (byTime(data[i - 1]!, data[i]!) > 0) sorted = false;
  if (!sorted) data.sort(byTime);
  const times = Float64Array.from(data, (r) => Date.parse(r.request_created_at));

  /** First index whose time is >= t (or > t when `strict`). */
  const bound = (t: number, strict: boolean) => {
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (strict ? times[mid]! <= t : times[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  /** The index range [lo, hi) a filter selects; throws on anything the stand-in would not model. */
  function range(node: unknown): [number, number] {
    if (node === 'all') return [0, times.length];
    if (!node || typeof node !== 'object') throw new Error('invalid filter');
    const n = node as Record<string, unknown>;
    if ('operator' in n) {
      if (n.operator !== 'and') throw new Error(`bench stand-in models only "and" filters, got ${String(n.operator)}`);
      const [a, b] = range(n.left);
      const [c, d] = range(n.right);
      return [Math.max(a, c), Math.min(b, d)];
    }
    let lo = 0;
    let hi = times.length;
    for (const [table, columns] of Object.entries(n)) {
      if (table !== 'request_response_rmt') throw new Error(`unsupported filter table ${table}`);
      for (const [column, ops] of Object.entries(columns as Record<string, unknown>)) {
        if (column !== 'request_created_at') throw new Error(`bench stand-in models only request_created_at, got ${column}`);
        for (const [op, value] of Object.entries(ops as Record<string, string>)) {
          const v = Date.parse(value);
          if (Number.isNaN(v)) throw new Error(`invalid timestamp ${value}`);
          switch (op) {
            case 'gte':
              lo = Math.max(lo, bound(v, false));
              break;
            case 'gt':
              lo = Math.max(lo, bound(v, true));
              break;
            case 'lte':
              hi = Math.min(hi, bound(v, true));
              break;
            case 'lt':
              hi = Math.min(hi, bound(v, false));
              break;
            case 'equals':
              lo = Math.max(lo, bound(v, false));
              hi = Math.min(hi, bound(v, true));
              break;
            default:
              throw new Error(`unsupported operator ${op}`);
          }
        }
      }
    }
    return [lo, hi];
  }

  const authorized = (h: IncomingHttpHeaders) => h.authorization === `Bearer ${apiKey}`;
  const envelopeError = (status: number, error: string): JsonReply => ({ status, body: { data: null, error } });
  return startJsonServer(
    (req) => {
      if (req.method !== 'POST' || req.url.pathname !== HELICONE_PATH) return envelopeError(404, 'Not found');
      if (!authorized(req.headers)) return envelopeError(401, 'Unauthorized');
      const body = req.body;
      if (!body || typeof body !== 'object' || Array.isArray(body)) return envelopeError(400, 'body must be a JSON object');
      const params = body as Record<string, unknown>;
      const extra = Object.keys(params).filter((k) => !QUERY_KEYS.has(k));
      if (extra.length) return envelopeError(400, `"${extra[0]}" is an excess property and therefore is not allowed`);
      if (params.filter === undefined) return envelopeError(400, "'filter' is required");
      const limit = params.limit ?? 10;
      const offset = params.offset ?? 0;
      if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0 || limit > HELICONE_MAX_LIMIT) return envelopeError(500, 'invalid limit');
      if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) return envelopeError(500, 'invalid offset');
      const direction = (params.sort as { created_at?: string } | undefined)?.created_at ?? 'desc';
      let lo: number;
      let hi: number;
      try {
        [lo, hi] = range(params.filter);
      } catch (e) {
        return envelopeError(500, (e as Error).message);
      }
      // The page: rows [offset, offset + limit) of the range in the requested order.
      let window: HeliconeRow[];
      if (typeof params.isScored === 'boolean') {
        // Helicone's isScored is a filter: false keeps only rows without scores, true only scored ones.
        const scored = (r: HeliconeRow) => Object.keys(r.scores ?? {}).length > 0;
        const matching = data.slice(lo, hi).filter((r) => scored(r) === params.isScored);
        if (direction !== 'asc') matching.reverse();
        window = matching.slice(offset, offset + limit);
      } else if (direction === 'asc') {
        window = data.slice(Math.min(hi, lo + offset), Math.min(hi, lo + offset + limit));
      } else {
        window = data.slice(Math.max(lo, hi - offset - limit), Math.max(lo, hi - offset)).reverse();
      }
      const page = new Map<string, HeliconeRow>();
      for (const r of window) {
        const seen = page.get(r.request_id);
        if (!seen || (r.updated_at ?? '') > (seen.updated_at ?? '')) page.set(r.request_id, r);
      }
      return { status: 200, body: { data: [...page.values()], error: null } };
    },
    authorized,
    (f: InjectedFailure) => ({ status: f.status ?? 500, headers: f.headers, body: f.body ?? { data: null, error: 'Internal server error' } }),
  );
}

const server = config.mode === 'stand-in' ? await startHeliconeStandIn({ apiKey: config.apiKey, rows }) : await startIndexed(config.apiKey, rows);
process.stdout.write(
  `${JSON.stringify({ url: server.url, apiKey: config.apiKey, rows: rows.length, total: total.toString(), generateMs: Math.round(generateMs) })}\n`,
);

const stop = () => void server.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The bench closes our stdin pipe when it is done (or dies): leave then too.
process.stdin.on('end', stop);
process.stdin.resume();
