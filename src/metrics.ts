import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { WebClient } from '@slack/web-api';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SyncResult } from './services/source-sync.ts';

/**
 * Prometheus metrics (issue 13), served at GET /metrics when METRICS_ENABLED: on its own port (METRICS_PORT)
 * or on the bot's HTTP server behind a bearer token (METRICS_TOKEN); never open on the Slack port.
 * An adapter: fed by main.ts from sync results, job runs, Slack Web API calls and /aicost requests.
 * "rejected" counts records a source returned that were not stored (read − new − updated − unchanged).
 */
export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(opts: { syncStates: () => Promise<{ source: string; watermark: Date | null }[]> }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'aicost_process_' });
  const records = new Counter({
    name: 'aicost_sync_records_total',
    help: 'Records per source by outcome (ingested = new, updated, unchanged, rejected)',
    labelNames: ['source', 'outcome'],
    registers: [registry],
  });
  const syncRuns = new Counter({
    name: 'aicost_sync_runs_total',
    help: 'Sync runs per source by result',
    labelNames: ['source', 'result'],
    registers: [registry],
  });
  new Gauge({
    name: 'aicost_sync_lag_seconds',
    help: 'Seconds between now and the newest data synced (the watermark), per source',
    labelNames: ['source'],
    registers: [registry],
    async collect() {
      this.reset();
      const now = Date.now();
      for (const s of await opts.syncStates()) if (s.watermark) this.set({ source: s.source }, Math.max(0, (now - s.watermark.getTime()) / 1000));
    },
  });
  const jobRuns = new Counter({ name: 'aicost_job_runs_total', help: 'Scheduled job runs per job', labelNames: ['job'], registers: [registry] });
  const jobFailures = new Counter({
    name: 'aicost_job_failures_total',
    help: 'Scheduled job runs that failed, per job',
    labelNames: ['job'],
    registers: [registry],
  });
  const slackErrors = new Counter({
    name: 'aicost_slack_api_errors_total',
    help: 'Slack Web API calls that failed, by method',
    labelNames: ['method'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'aicost_command_duration_seconds',
    help: '/aicost handling time, from the request received (before its body is read) to the reply sent',
    labelNames: ['command'],
    registers: [registry],
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  // Slack shows the user an error when a command or interaction is not acknowledged within 3 s.
  const ackLatency = new Histogram({
    name: 'aicost_slack_ack_duration_seconds',
    help: 'Slack request acknowledgement time, from the request received (before its body is read) to the ack sent, by kind',
    labelNames: ['kind'],
    registers: [registry],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5],
  });

  return {
    registry,
    syncResults(results: SyncResult[]): void {
      for (const r of results) {
        syncRuns.inc({ source: r.source, result: r.ok ? 'ok' : 'failed' });
        records.inc({ source: r.source, outcome: 'ingested' }, r.inserted);
        records.inc({ source: r.source, outcome: 'updated' }, r.updated);
        records.inc({ source: r.source, outcome: 'unchanged' }, r.unchanged);
        records.inc({ source: r.source, outcome: 'rejected' }, Math.max(0, r.records - r.inserted - r.updated - r.unchanged));
      }
    },
    async job<T>(name: string, run: () => Promise<T>): Promise<T> {
      jobRuns.inc({ job: name });
      try {
        return await run();
      } catch (err) {
        jobFailures.inc({ job: name });
        throw err;
      }
    },
    slackError(method: string): void {
      slackErrors.inc({ method });
    },
    /** A command's complete handling time, measured by the Slack app from receipt. */
    commandDone(command: string, seconds: number): void {
      latency.observe({ command }, seconds);
    },
    /** A request's ack time (kind: command, action, view, event, …), measured by the Slack app from receipt. */
    acked(kind: string, seconds: number): void {
      ackLatency.observe({ kind }, seconds);
    },
    /**
     * `GET /metrics`. With a token, only a request carrying `Authorization: Bearer <token>` gets the
     * metrics (compared in constant time); any other gets 401 and nothing about the process.
     */
    route(token?: string) {
      const expected = token === undefined ? null : createHash('sha256').update(token).digest();
      return {
        path: '/metrics',
        method: ['GET'],
        handler: (req: IncomingMessage, res: ServerResponse) => {
          if (expected) {
            const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
            if (!timingSafeEqual(createHash('sha256').update(given).digest(), expected)) {
              res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' });
              res.end('unauthorized\n');
              return;
            }
          }
          registry.metrics().then(
            (text) => {
              res.writeHead(200, { 'content-type': registry.contentType });
              res.end(text);
            },
            () => {
              res.writeHead(500, { 'content-type': 'text/plain' });
              res.end('metrics unavailable\n');
            },
          );
        },
      };
    },
  };
}

/**
 * `/metrics` on its own port (METRICS_PORT), apart from the Slack endpoint, so it can stay inside the
 * cluster; every other path is 404. Resolves once listening.
 */
export async function serveMetrics(
  route: { path: string; handler: (req: IncomingMessage, res: ServerResponse) => void },
  port: number,
  host: string,
): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && new URL(req.url ?? '/', 'http://x').pathname === route.path) return route.handler(req, res);
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Counts failed Slack Web API calls by method for every WebClient in the process (Bolt's listeners make
 * their own clients, so the prototype is the one place that sees them all). Installed once.
 */
let counted: ((method: string) => void) | null = null;
export function countSlackErrors(onError: (method: string) => void): void {
  if (!counted) {
    const original = WebClient.prototype.apiCall;
    WebClient.prototype.apiCall = async function (this: WebClient, method: string, options?: Record<string, unknown>) {
      try {
        return await original.call(this, method, options);
      } catch (err) {
        counted?.(method);
        throw err;
      }
    } as typeof original;
  }
  counted = onError;
}
