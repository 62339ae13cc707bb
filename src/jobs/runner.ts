import { hostname } from 'node:os';
import type { ClaimsRepository } from '../db/repositories/claims.ts';
import type { Logger } from '../logger.ts';

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
export async function runClaimed<D>(job: JobDefinition<D>, deps: D & { claims: ClaimsRepository; log: Logger }, at: Date): Promise<{ ran: boolean; summary?: string }> {
  const key = slotKey(job.name, at);
  if (!(await deps.claims.claimSlot(key, WORKER_ID))) {
    deps.log.info({ job: job.name, slot: key }, 'slot already claimed elsewhere; skipping');
    return { ran: false };
  }
  const summary = await job.run(deps, at);
  await deps.claims.slotDone(key, new Date());
  deps.log.info({ job: job.name, slot: key, summary }, 'job done');
  return { ran: true, summary };
}
