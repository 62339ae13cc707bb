import cron, { type ScheduledTask } from 'node-cron';
import type { ClaimsRepository } from '../services/ports/claims.ts';
import type { Logger } from '../logger.ts';
import { retryStaleSlots, runClaimed, type JobDefinition } from './runner.ts';

/**
 * Starts a node-cron task per job in the report time zone. Every replica fires every task; the slot
 * claim in runClaimed() lets exactly one of them do the work.
 */
export function startScheduler<D>(
  jobs: JobDefinition<D>[],
  deps: D & { claims: ClaimsRepository; log: Logger },
  timeZone: string,
): { stop(): Promise<void>; tasks: ScheduledTask[] } {
  // Runs in progress: stop() waits for them, so a shutdown finishes the job it is in (graceful shutdown).
  const running = new Set<Promise<void>>();
  const tasks = jobs.map((job) =>
    cron.schedule(
      job.cron,
      async (ctx) => {
        const run = (async () => {
          try {
            // Slots of this job that failed or whose runner died are retried first (see runner.ts).
            await retryStaleSlots(job, deps, ctx.date);
            await runClaimed(job, deps, ctx.date);
          } catch (err) {
            deps.log.error({ err, job: job.name }, 'scheduled job failed');
          }
        })();
        running.add(run);
        await run.finally(() => running.delete(run));
      },
      { timezone: timeZone, name: job.name, noOverlap: true },
    ),
  );
  return {
    tasks,
    /** No new runs start; resolves when the runs in progress have finished. */
    async stop() {
      await Promise.all(tasks.map((t) => t.destroy()));
      await Promise.all([...running]);
    },
  };
}
