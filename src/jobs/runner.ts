import { hostname } from 'node:os';
import type { ClaimsRepository } from '../services/ports/claims.ts';
import type { Logger } from '../logger.ts';
import { SLOT_LEASE_MS } from '../services/ports/claims.ts';

/** What every job gets: the slot claims and a logger (a job's services are bound when it is defined). */
export interface JobDeps {
  claims: ClaimsRepository;
  log: Logger;
}

/** A scheduled job: a plain function of its dependencies and the slot time it runs for. */
export interface JobDefinition<D> {
  name: string;
  /** node-cron expression, evaluated in REPORT_TIMEZONE. */
  cron: string;
  description: string;
  run(deps: D, at: Date): Promise<string>;
}

/** Slots are whole minutes: the scheduler's fire time and `aicost run --at` of the same minute are the same slot. */
export function slotKey(job: string, at: Date): string {
  const slot = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
  return `${job}:${slot.toISOString()}`;
}

export const WORKER_ID = `${hostname()}:${process.pid}`;

/**
 * Runs a job for a slot if this process wins the slot's claim. The scheduler and `aicost run` both come
 * through here, so a slot runs once across replicas, restarts and manual re-runs.
 */
export async function runClaimed<D>(
  job: JobDefinition<D>,
  deps: D & { claims: ClaimsRepository; log: Logger },
  at: Date,
  opts: { now?: Date; leaseMs?: number } = {},
): Promise<{ ran: boolean; summary?: string }> {
  const key = slotKey(job.name, at);
  const now = opts.now ?? new Date();
  if (!(await deps.claims.claimSlot(key, WORKER_ID, now, opts.leaseMs))) {
    deps.log.info({ job: job.name, slot: key }, 'slot already claimed elsewhere; skipping');
    return { ran: false };
  }
  const heartbeat = startHeartbeat(key, deps, opts.leaseMs ?? SLOT_LEASE_MS);
  let summary: string;
  try {
    summary = await job.run(deps, at);
  } catch (err) {
    await heartbeat.stop();
    // Give the slot back: the next scheduler tick or `aicost run` of this slot retries it. The posts
    // inside stay exactly-once through their own claims.
    await deps.claims.failSlot(key);
    throw err;
  }
  await heartbeat.stop();
  await deps.claims.slotDone(key, opts.now ?? new Date());
  deps.log.info({ job: job.name, slot: key, summary }, 'job done');
  return { ran: true, summary };
}

/**
 * Renews the slot's lease while its job runs (every third of the lease), so a run that takes longer than
 * the lease is never taken over while it is still alive; only a run whose process died (no heartbeat)
 * lets its lease expire. A renewal that finds the slot no longer ours (taken over after the database was
 * away for a whole lease) is logged; the posts inside stay exactly-once through their own claims.
 */
function startHeartbeat(key: string, deps: { claims: ClaimsRepository; log: Logger }, leaseMs: number): { stop(): Promise<void> } {
  let pending: Promise<void> = Promise.resolve();
  const timer = setInterval(
    () => {
      pending = deps.claims.renewSlot(key, WORKER_ID, new Date()).then(
        (ours) => {
          if (!ours) deps.log.warn({ slot: key }, 'slot lease lost while its job was running');
        },
        (err: unknown) => deps.log.warn({ err, slot: key }, 'slot lease renewal failed; retrying at the next beat'),
      );
    },
    Math.max(10, Math.floor(leaseMs / 3)),
  );
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await pending;
    },
  };
}

/**
 * Retries the job's slots that were claimed but never finished (the run threw, or its process died
 * and the lease ran out), oldest first, each through runClaimed (so one replica takes each over).
 * The scheduler calls this on every tick of the job.
 */
export async function retryStaleSlots<D>(
  job: JobDefinition<D>,
  deps: D & { claims: ClaimsRepository; log: Logger },
  now: Date,
  opts: { leaseMs?: number } = {},
): Promise<{ slot: string; ok: boolean }[]> {
  const out: { slot: string; ok: boolean }[] = [];
  for (const key of await deps.claims.staleSlots(`${job.name}:`, now, opts.leaseMs)) {
    const at = new Date(key.slice(job.name.length + 1));
    if (Number.isNaN(at.getTime())) continue;
    try {
      const r = await runClaimed(job, deps, at, { now, ...(opts.leaseMs !== undefined ? { leaseMs: opts.leaseMs } : {}) });
      if (r.ran) {
        deps.log.info({ job: job.name, slot: key }, 'failed slot retried');
        out.push({ slot: key, ok: true });
      }
    } catch (err) {
      deps.log.error({ err, job: job.name, slot: key }, 'retried slot failed again');
      out.push({ slot: key, ok: false });
    }
  }
  return out;
}
